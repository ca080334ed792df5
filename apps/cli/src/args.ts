import { type ParseArgsConfig, parseArgs } from 'node:util';
import { UsageError } from './errors';

type Options = NonNullable<ParseArgsConfig['options']>;

/** node:util parseArgs, with its errors turned into one-line usage errors naming the command. */
export interface ParsedArgs {
  values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  positionals: string[];
}

/** The option an argument names (`--name`, `--name=value`, `-n`), if it names one we know. */
function optionOf(
  arg: string,
  options: Options,
): { type: 'string' | 'boolean'; inline: boolean } | undefined {
  if (arg.startsWith('--')) {
    const [name, ...value] = arg.slice(2).split('=');
    const option = options[name as string];
    return option && { type: option.type, inline: value.length > 0 };
  }
  const short = Object.values(options).find((o) => o.short === arg.slice(1, 2));
  return short && { type: short.type, inline: arg.length > 2 };
}

/**
 * What users type that parseArgs would misread, put the way it reads it: an option's value that
 * looks like an option (`--patience -1`) stays its value; `--restore-best true|false` for a boolean
 * flag becomes the flag or nothing; and an argument with whitespace in it is never an option, even
 * when it starts with a dash (`curfew sql $'-- a comment\rselect 1'`). Positionals go last, after
 * `--`, in their order.
 */
function normalise(args: readonly string[], options: Options): string[] {
  const flags: string[] = [];
  const positionals: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    const next = args[i + 1];
    if (arg === '--') {
      positionals.push(...args.slice(i + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-' || /\s/.test(arg)) {
      positionals.push(arg);
      continue;
    }
    const option = optionOf(arg, options);
    if (option?.type === 'string' && !option.inline && next !== undefined) {
      flags.push(`${arg.startsWith('--') ? arg : `--${optionName(arg, options)}`}=${next}`);
      i++;
    } else if (option?.type === 'boolean' && !option.inline && (next === 'true' || next === 'false')) {
      if (next === 'true') flags.push(arg);
      i++;
    } else {
      flags.push(arg);
    }
  }
  return [...flags, '--', ...positionals];
}

const optionName = (short: string, options: Options) =>
  Object.entries(options).find(([, o]) => o.short === short.slice(1, 2))?.[0] ?? short;

/** Edit distance, for "did you mean". */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0] as number;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j] as number;
      row[j] = Math.min(above + 1, (row[j - 1] as number) + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length] as number;
}

function describeParseError(err: unknown, options: Options): string {
  const e = err as { code?: string; message?: string };
  const unknown =
    e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' ? /'(-{1,2}[^']+)'/.exec(e.message ?? '')?.[1] : undefined;
  if (unknown) {
    const name = unknown.replace(/^-+/, '');
    const close = Object.keys(options).find((o) => distance(o, name) <= 2);
    return `unknown option ${unknown}${close ? ` (did you mean --${close}?)` : ''}`;
  }
  return (e.message ?? String(err)).split('\n')[0] as string;
}

export function parseCommandArgs(command: string, args: string[], options: Options): ParsedArgs {
  const all: Options = { help: { type: 'boolean', short: 'h' }, ...options };
  try {
    return parseArgs({ args: normalise(args, all), options: all, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError(`curfew ${command}: ${describeParseError(err, all)} (see curfew ${command} --help)`);
  }
}

export function oneOf<T extends string>(
  command: string,
  flag: string,
  value: string | undefined,
  allowed: readonly T[],
  fallback: T,
): T {
  if (value === undefined) return fallback;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new UsageError(`curfew ${command}: --${flag} must be one of ${allowed.join(', ')}, got "${value}"`);
}

/** An integer flag at least `min`; `fallback` when absent. A bad value names the flag and the value. */
export function intFlag(
  command: string,
  flag: string,
  value: string | undefined,
  min: number,
  fallback: number,
): number;
export function intFlag(
  command: string,
  flag: string,
  value: string | undefined,
  min: number,
): number | undefined;
export function intFlag(
  command: string,
  flag: string,
  value: string | undefined,
  min: number,
  fallback?: number,
): number | undefined {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (value.trim() === '' || !Number.isInteger(n) || n < min) {
    const expected =
      min === 0 ? 'a whole number' : min === 1 ? 'a positive integer' : `an integer of at least ${min}`;
    throw new UsageError(`curfew ${command}: --${flag} must be ${expected}, got "${value}"`);
  }
  return n;
}

/** A number flag of at least `min`; `fallback` when absent. A bad value names the flag and the value. */
export function numberFlag(
  command: string,
  flag: string,
  value: string | undefined,
  { min, unit }: { min: number; unit: string },
  fallback: number,
): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < min) {
    throw new UsageError(
      `curfew ${command}: --${flag} must be a number of ${unit} (at least ${min}), got "${value}"`,
    );
  }
  return n;
}
