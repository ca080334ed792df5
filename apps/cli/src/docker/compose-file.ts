import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { REPO_ROOT } from '../test/run-cli';

/** What the tests read of a compose service. */
export interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile: string };
  command?: string[];
  environment?: Record<string, string>;
  volumes?: string[];
  ports?: string[];
  profiles?: string[];
  healthcheck?: { test: string[] };
  restart?: string;
  depends_on?: Record<string, { condition: string }>;
  deploy?: {
    replicas?: number | string;
    resources?: { reservations?: { devices?: { driver: string; capabilities: string[] }[] } };
  };
}

export interface ComposeFile {
  services: Record<string, ComposeService>;
  volumes: Record<string, unknown>;
}

/** `${VAR:-default}` and `${VAR}` as compose fills them in with nothing set: the default, or empty. */
export function interpolate(text: string): string {
  return text.replace(
    /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?\}/g,
    (_m, _name, fallback) => fallback ?? '',
  );
}

/** Every string inside `value` interpolated, as compose does after reading the YAML. */
function interpolateAll(value: unknown): unknown {
  if (typeof value === 'string') return interpolate(value);
  if (Array.isArray(value)) return value.map(interpolateAll);
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolateAll(v)]));
  return value;
}

/** docker/compose.yaml as compose reads it (anchors and merge keys resolved, variables at their defaults). */
export function readCompose(file = 'docker/compose.yaml'): ComposeFile {
  return interpolateAll(parse(readFileSync(`${REPO_ROOT}${file}`, 'utf8'), { merge: true })) as ComposeFile;
}

export const readRepoFile = (file: string) => readFileSync(`${REPO_ROOT}${file}`, 'utf8');

/** The JSON array of a Dockerfile instruction (ENTRYPOINT ["node", …]). */
export function dockerfileArray(dockerfile: string, instruction: string): string[] {
  const line = dockerfile.split('\n').find((l) => l.startsWith(`${instruction} [`));
  if (!line) throw new Error(`no ${instruction} [...] in the Dockerfile`);
  return JSON.parse(line.slice(instruction.length + 1)) as string[];
}
