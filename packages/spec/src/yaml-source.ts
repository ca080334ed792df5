import { isMap, isScalar, isSeq, type Node, parseDocument } from 'yaml';
import { formatPath, type SourceResult, type SpecProblem } from './spec-problem.js';
import { lineColumnAt, locatorFrom } from './text-position.js';

/** Records the offset of every mapping key and sequence item, by formatted path. */
function collectOffsets(node: unknown, path: PropertyKey[], offsets: Map<string, number>): void {
  if (isMap(node)) {
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
      const start = (pair.key as Node | null)?.range?.[0];
      const childPath = [...path, key];
      if (start !== undefined) offsets.set(formatPath(childPath), start);
      collectOffsets(pair.value, childPath, offsets);
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, index) => {
      const start = (item as Node | null)?.range?.[0];
      const childPath = [...path, index];
      if (start !== undefined) offsets.set(formatPath(childPath), start);
      collectOffsets(item, childPath, offsets);
    });
  }
}

function syntaxProblem(text: string, message: string, offset: number | undefined): SpecProblem {
  const firstLine = message.split('\n')[0] ?? message;
  return offset === undefined
    ? { path: '(syntax)', message: firstLine }
    : { path: '(syntax)', message: firstLine, ...lineColumnAt(text, offset) };
}

/**
 * Parses a YAML document, keeping the position of every key. Syntax errors and duplicate keys
 * become `(syntax)` problems with line and column.
 */
export function parseYamlSource(text: string): SourceResult {
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      problems: doc.errors.map((error) => syntaxProblem(text, error.message, error.pos[0])),
    };
  }
  if (doc.contents === null) {
    return {
      ok: false,
      problems: [{ path: '(root)', message: 'expected an experiment spec, got an empty file' }],
    };
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    return { ok: false, problems: [syntaxProblem(text, (error as Error).message, undefined)] };
  }
  const offsets = new Map<string, number>();
  collectOffsets(doc.contents, [], offsets);
  return { ok: true, data, locate: locatorFrom(text, offsets) };
}
