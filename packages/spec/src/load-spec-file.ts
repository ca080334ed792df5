import { readFile } from 'node:fs/promises';
import { parseSpec } from './parse-spec.js';
import type { SpecResult } from './validate-spec.js';

function readProblem(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  if (code === 'ENOENT') return 'file not found';
  if (code === 'EISDIR') return 'expected a file, got a directory';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  return `could not read the file (${String(code ?? (error as Error).message)})`;
}

/** Reads and validates a spec file; an unreadable file is a `(file)` problem, not a throw. */
export async function loadSpecFile(path: string): Promise<SpecResult> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    return { ok: false, problems: [{ path: '(file)', message: readProblem(error) }] };
  }
  return parseSpec(text, { filename: path });
}
