import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Where this CLI's files are. The same from the TypeScript sources (apps/cli/src) and from the
 * bundle (apps/cli/dist, one folder of chunks): both sit one level below apps/cli.
 */
const HERE = path.dirname(fileURLToPath(import.meta.url));
const BUNDLED = path.basename(HERE) === 'dist';

/** apps/cli */
export const CLI_ROOT = path.dirname(HERE);
/** The repository: examples/, scripts/, migrations/. */
export const REPO_ROOT = path.resolve(CLI_ROOT, '..', '..');

/** A file of the repository, e.g. `repoPath('examples', 'demo')`. */
export const repoPath = (...segments: string[]) => path.join(REPO_ROOT, ...segments);

/**
 * The node arguments that run this CLI again in a child process (`curfew up` starts its workers
 * as `curfew worker`): the built bundle when this is the bundle, else the sources through tsx.
 */
export function selfArgs(args: readonly string[]): string[] {
  return BUNDLED
    ? [path.join(HERE, 'curfew.js'), ...args]
    : ['--import', 'tsx', path.join(CLI_ROOT, 'src', 'main.ts'), ...args];
}
