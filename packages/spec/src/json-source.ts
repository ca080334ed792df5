import { formatPath, type SourceResult } from './spec-problem.js';
import { lineColumnAt, locatorFrom } from './text-position.js';

class JsonSyntaxError extends Error {
  override readonly name = 'JsonSyntaxError';
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

const numberPattern = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

/**
 * A strict JSON scanner that finds the first syntax error (with its offset, which JSON.parse
 * does not reliably give) and records the offset of every key and array item. Duplicate keys
 * are errors, as in YAML.
 */
class JsonScanner {
  private pos = 0;
  readonly offsets = new Map<string, number>();

  constructor(private readonly text: string) {}

  scanDocument(): void {
    this.value([]);
    this.skipWhitespace();
    if (this.pos < this.text.length) this.fail('expected the end of the file');
  }

  /** Throws `expected …, got "x"` about the character at `offset`. */
  private fail(expected: string, offset = this.pos): never {
    const char = this.text[offset];
    const got = char === undefined ? 'the end of the file' : JSON.stringify(char);
    throw new JsonSyntaxError(`${expected}, got ${got}`, offset);
  }

  private skipWhitespace(): void {
    while (' \t\n\r'.includes(this.text[this.pos] ?? 'x')) this.pos++;
  }

  private value(path: PropertyKey[]): void {
    this.skipWhitespace();
    const char = this.text[this.pos];
    if (char === '{') this.object(path);
    else if (char === '[') this.array(path);
    else if (char === '"') this.string();
    else if (char === '-' || (char !== undefined && char >= '0' && char <= '9')) this.number();
    else this.literal();
  }

  private literal(): void {
    const word = ['true', 'false', 'null'].find((candidate) => this.text.startsWith(candidate, this.pos));
    if (word === undefined) this.fail('expected a value');
    this.pos += word.length;
  }

  private object(path: PropertyKey[]): void {
    this.pos++;
    this.skipWhitespace();
    if (this.text[this.pos] === '}') {
      this.pos++;
      return;
    }
    const seen = new Set<string>();
    for (;;) {
      this.skipWhitespace();
      if (this.text[this.pos] !== '"') this.fail('expected a double-quoted key');
      const keyStart = this.pos;
      const key = this.string();
      if (seen.has(key)) throw new JsonSyntaxError(`duplicate key ${JSON.stringify(key)}`, keyStart);
      seen.add(key);
      this.offsets.set(formatPath([...path, key]), keyStart);
      this.skipWhitespace();
      if (this.text[this.pos] !== ':') this.fail("expected ':' after a key");
      this.pos++;
      this.value([...path, key]);
      if (this.endOfCollection('}')) return;
    }
  }

  private array(path: PropertyKey[]): void {
    this.pos++;
    this.skipWhitespace();
    if (this.text[this.pos] === ']') {
      this.pos++;
      return;
    }
    for (let index = 0; ; index++) {
      this.skipWhitespace();
      this.offsets.set(formatPath([...path, index]), this.pos);
      this.value([...path, index]);
      if (this.endOfCollection(']')) return;
    }
  }

  /** After a member: `,` continues (true → false), the closing bracket ends (true). */
  private endOfCollection(close: string): boolean {
    this.skipWhitespace();
    const char = this.text[this.pos];
    if (char === ',') {
      this.pos++;
      return false;
    }
    if (char === close) {
      this.pos++;
      return true;
    }
    return this.fail(`expected ',' or '${close}'`);
  }

  private string(): string {
    const start = this.pos++;
    for (;;) {
      const char = this.text[this.pos];
      if (char === undefined) this.fail("expected a closing '\"'");
      if (char === '"') break;
      if (char === '\\') {
        const escaped = this.text[this.pos + 1] ?? '';
        if (escaped === 'u' && /^[0-9a-fA-F]{4}$/.test(this.text.slice(this.pos + 2, this.pos + 6))) {
          this.pos += 6;
          continue;
        }
        if (escaped === '' || !'"\\/bfnrt'.includes(escaped))
          this.fail('expected a valid escape', this.pos + 1);
        this.pos += 2;
        continue;
      }
      if (char.charCodeAt(0) < 0x20) this.fail('expected no control characters in a string (escape them)');
      this.pos++;
    }
    this.pos++;
    return JSON.parse(this.text.slice(start, this.pos)) as string;
  }

  private number(): void {
    numberPattern.lastIndex = this.pos;
    if (!numberPattern.test(this.text)) this.fail('expected a number');
    this.pos = numberPattern.lastIndex;
  }
}

/** Parses JSON text, keeping the position of every key; syntax errors are `(syntax)` problems. */
export function parseJsonSource(text: string): SourceResult {
  const scanner = new JsonScanner(text);
  try {
    scanner.scanDocument();
  } catch (error) {
    if (!(error instanceof JsonSyntaxError)) throw error;
    return {
      ok: false,
      problems: [{ path: '(syntax)', message: error.message, ...lineColumnAt(text, error.offset) }],
    };
  }
  return { ok: true, data: JSON.parse(text), locate: locatorFrom(text, scanner.offsets) };
}
