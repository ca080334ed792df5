import { parseJsonSource } from './json-source.js';
import type { SourceResult } from './spec-problem.js';
import { type SpecResult, validateSpec } from './validate-spec.js';
import { parseYamlSource } from './yaml-source.js';

export type SpecFormat = 'yaml' | 'json';

/** The format a file name implies: `.json` → json, `.yaml`/`.yml` → yaml, else undefined. */
export function specFormatOf(filename: string): SpecFormat | undefined {
  const lower = filename.toLowerCase();
  if (lower.endsWith('.json')) return 'json';
  if (lower.endsWith('.yaml') || lower.endsWith('.yml')) return 'yaml';
  return undefined;
}

export interface ParseSpecOptions {
  /** Used only for its extension, which picks the format (`.yaml`, `.yml` or `.json`). */
  filename: string;
}

/**
 * Parses and validates a spec's text. Never throws for a bad spec: every problem is returned,
 * with line and column where the text has them.
 */
export function parseSpec(text: string, opts: ParseSpecOptions): SpecResult {
  const format = specFormatOf(opts.filename);
  if (format === undefined) {
    const message = `expected a .yaml, .yml or .json file, got ${JSON.stringify(opts.filename)}`;
    return { ok: false, problems: [{ path: '(file)', message }] };
  }
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const source: SourceResult = format === 'json' ? parseJsonSource(body) : parseYamlSource(body);
  if (!source.ok) return source;
  return validateSpec(source.data, source.locate);
}
