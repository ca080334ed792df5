import type { z } from 'zod';

/** A request the service cannot take: the message names the request, the field and the problem. */
export class BadRequestError extends Error {
  override readonly name = 'BadRequestError';
}

function pathOf(path: readonly PropertyKey[]): string {
  return path.length === 0 ? '(request)' : path.map(String).join('.');
}

/** Parses a request with its schema, or throws one line: `report: metrics.em: expected number`. */
export function parseRequest<S extends z.ZodType>(name: string, schema: S, input: unknown): z.infer<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const problems = result.error.issues.slice(0, 5).map((i) => `${pathOf(i.path)}: ${i.message}`);
  const more = result.error.issues.length > 5 ? `; and ${result.error.issues.length - 5} more` : '';
  throw new BadRequestError(`${name}: ${problems.join('; ')}${more}`);
}
