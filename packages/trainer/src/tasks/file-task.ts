import { readFileSync } from 'node:fs';
import { createRng } from '@curfew/spec';
import { TaskParamsError } from './errors.js';
import { joinTokens, squadNormalize, wordTokens } from './squad-normalize.js';
import { decodeIds, PAD_SYMBOL } from './symbols.js';
import type { Example, TaskData } from './task.js';

/** `task: { file, params }` as parsed. */
export interface FileTaskInput {
  file: string;
  params?: { val_fraction?: number; seed?: number };
}

/** Most lines read from one file. */
const MAX_LINES = 1_000_000;

export interface Pair {
  input: string;
  target: string;
}

/** The pairs of a JSONL file; a broken line is a TaskParamsError naming `file:line`. */
export function readPairs(file: string): Pair[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new TaskParamsError(
      `task.file: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
    );
  }
  const pairs: Pair[] = [];
  const lines = text.split('\n');
  for (const [index, raw] of lines.entries()) {
    const line = raw.trim();
    if (line === '') continue;
    const where = `${file}:${index + 1}`;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      throw new TaskParamsError(`${where}: not valid JSON (${(error as Error).message})`);
    }
    const obj = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
    for (const key of ['input', 'target'] as const)
      if (typeof obj[key] !== 'string' || wordTokens(obj[key] as string).length === 0)
        throw new TaskParamsError(
          `${where}: ${key}: expected a non-empty string, got ${JSON.stringify(obj[key]) ?? 'nothing'}`,
        );
    pairs.push({ input: obj.input as string, target: obj.target as string });
    if (pairs.length > MAX_LINES) throw new TaskParamsError(`${file}: more than ${MAX_LINES} lines`);
  }
  if (pairs.length < 2)
    throw new TaskParamsError(`${file}: expected at least 2 {input, target} lines, got ${pairs.length}`);
  return pairs;
}

/**
 * A task from your own data: its tokenizer is built from the data (words and punctuation, id 0
 * the pad), the lines split into train and validation by a seeded shuffle. Deterministic: the
 * same file and params give the same data on every worker.
 */
export function loadFileTask(spec: FileTaskInput): TaskData {
  const pairs = readPairs(spec.file);
  const rng = createRng(`task:file:${spec.params?.seed ?? 0}`);
  const order = pairs.map((_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [order[i], order[j]] = [order[j] as number, order[i] as number];
  }
  const fraction = spec.params?.val_fraction ?? 0.2;
  const valCount = Math.max(1, Math.min(pairs.length - 1, Math.round(pairs.length * fraction)));
  const shuffled = order.map((i) => pairs[i] as Pair);
  return textTaskData('file', shuffled.slice(valCount), shuffled.slice(0, valCount));
}

/** Text pairs as a task's data: a tokenizer built from them (train first, then val). */
export function textTaskData(
  family: 'file' | 'module',
  train: readonly Pair[],
  val: readonly Pair[],
  normalizeText?: (answer: string) => string,
): TaskData {
  const symbols = new Map<string, number>([[PAD_SYMBOL, 0]]);
  const encode = (text: string) =>
    wordTokens(text).map((t) => {
      const known = symbols.get(t);
      if (known !== undefined) return known;
      symbols.set(t, symbols.size);
      return symbols.size - 1;
    });
  const toExample = (p: Pair): Example => ({ input: encode(p.input), target: encode(p.target) });
  const trainExamples = train.map(toExample);
  const valExamples = val.map(toExample);
  const all = [...trainExamples, ...valExamples];
  return {
    family,
    vocab: [...symbols.keys()],
    inputLength: Math.max(...all.map((e) => e.input.length)),
    targetLength: Math.max(...all.map((e) => e.target.length)),
    train: trainExamples,
    val: valExamples,
    ...(normalizeText ? { normalizeText } : {}),
  };
}

/** A text task's answer normalisation: its tokens as text, then the module's or SQuAD's. */
export function normalizeFileAnswer(ids: readonly number[], data: TaskData): string {
  return (data.normalizeText ?? squadNormalize)(joinTokens(decodeIds(ids, data.vocab)));
}
