/** Symbol of token id 0 ({@link PAD}) in every family's vocab. */
export const PAD_SYMBOL = '<pad>';

/**
 * Content symbols, one character each so examples print compactly (`abc → cba`). None of them
 * is a separator or marker of any family (`+ : ; ?`). Order is id order: `sort` sorts by id.
 */
const ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789@#';

/** The first `count` content symbols (the spec caps `vocab` at 64). */
export function contentSymbols(count: number): string[] {
  if (!Number.isInteger(count) || count < 1 || count > ALPHABET.length) {
    throw new RangeError(`vocab: expected an integer from 1 to ${ALPHABET.length}, got ${count}`);
  }
  return [...ALPHABET.slice(0, count)];
}

/** Symbols of token ids; an id outside the vocab reads `<unk:ID>` (it can never match a target). */
export function decodeIds(ids: readonly number[], vocab: readonly string[]): string[] {
  return ids.map((id) => vocab[id] ?? `<unk:${id}>`);
}
