import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';

const SPEC_FILE = /\.(ya?ml|json)$/i;

/**
 * The spec files `curfew validate` checks for one argument: a file is itself; a folder is every
 * `.yaml`, `.yml` and `.json` file in it and in its subfolders (hidden ones and node_modules left
 * out), in name order. A path that does not exist is returned as is: loading it says so.
 */
export async function specFilesOf(target: string): Promise<string[]> {
  const info = await stat(target).catch(() => null);
  if (!info?.isDirectory()) return [target];
  const files: string[] = [];
  const entries = (await readdir(target, { withFileTypes: true })).sort((a, b) =>
    a.name.localeCompare(b.name),
  );
  for (const entry of entries) {
    if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
    const full = path.join(target, entry.name);
    if (entry.isDirectory()) files.push(...(await specFilesOf(full)));
    else if (SPEC_FILE.test(entry.name)) files.push(full);
  }
  return files;
}
