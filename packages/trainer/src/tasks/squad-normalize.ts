/**
 * SQuAD's answer normalisation (the official evaluation script's `normalize_answer`): lower
 * case, punctuation removed, the articles a, an and the removed, whitespace collapsed. Two
 * answers are an exact match when their normal forms are equal.
 */
export function squadNormalize(text: string): string {
  return text
    .toLowerCase()
    .replace(/[!"#$%&'()*+,\-./:;<=>?@[\\\]^_`{|}~]/g, '')
    .replace(/\b(a|an|the)\b/g, ' ')
    .split(/\s+/)
    .filter((w) => w !== '')
    .join(' ');
}

/** Words and punctuation marks, in order: the tokens of a file task's text. */
export function wordTokens(text: string): string[] {
  return text.match(/[\p{L}\p{N}_]+|[^\s\p{L}\p{N}_]/gu) ?? [];
}

/** Tokens back to text: words separated by spaces, punctuation attached to the word before. */
export function joinTokens(tokens: readonly string[]): string {
  return tokens.reduce(
    (text, t) => (text === '' ? t : /^[\p{L}\p{N}_]/u.test(t) ? `${text} ${t}` : `${text}${t}`),
    '',
  );
}
