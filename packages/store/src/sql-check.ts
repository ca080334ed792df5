import { ReadOnlyQueryError } from './errors.js';

/**
 * The statement check of `curfew sql`: a second wall behind the database's own rules (a role that
 * can only read, a read-only transaction), and the only wall besides the transaction on the
 * embedded database, where every statement runs as a superuser. It reads the statement with
 * PostgreSQL's lexical rules (a `--` comment ends at `\n` or `\r`, block comments nest, strings,
 * dollar quotes and quoted identifiers hide their content) and lets through one query that only
 * reads: it must start with SELECT, WITH, VALUES, TABLE, EXPLAIN or SHOW, may not modify data
 * in a CTE, and may not call the server's file, process, session or large-object functions.
 */

interface Token {
  kind: 'word' | 'quoted' | 'string' | 'semicolon' | 'open' | 'other';
  /** Words lower-cased; quoted identifiers as written, without their quotes. */
  text: string;
}

const QUERY_STARTS = new Set(['select', 'with', 'values', 'table', 'explain', 'show']);

/**
 * Keywords that make a query write, wherever they appear unquoted: data-modifying CTEs, SELECT
 * INTO (creates a table), SELECT … FOR UPDATE (locks rows).
 */
const WRITING_KEYWORDS = new Set(['insert', 'update', 'delete', 'merge', 'into']);

/**
 * Functions a read-only query has no business calling: server files and programs, other sessions,
 * server configuration, large objects (they write), sequences, advisory locks, notifications,
 * replication, and the functions that run a query given as text (query_to_xml and its kin).
 */
const REFUSED_FUNCTIONS = new Set([
  'pg_read_file',
  'pg_read_binary_file',
  'pg_stat_file',
  'pg_terminate_backend',
  'pg_cancel_backend',
  'pg_reload_conf',
  'pg_rotate_logfile',
  'pg_promote',
  'pg_switch_wal',
  'pg_create_restore_point',
  'pg_backup_start',
  'pg_backup_stop',
  'pg_notify',
  'pg_logical_emit_message',
  'pg_import_system_collations',
  'set_config',
  'nextval',
  'setval',
]);
const REFUSED_FUNCTION_PREFIXES = [
  'pg_ls_',
  'pg_file_',
  'pg_advisory_',
  'pg_try_advisory_',
  'pg_replication_',
  'pg_stat_reset',
  'pg_wal_',
  'lo_',
  'dblink',
  'query_to_xml',
  'cursor_to_xml',
  'table_to_xml',
  'schema_to_xml',
  'database_to_xml',
];

const refuse = (why: string): never => {
  throw new ReadOnlyQueryError(`refused: curfew sql is read-only (${why})`);
};

const isWordStart = (c: string) => /[A-Za-z_\u0080-\uffff]/.test(c);
const isWordPart = (c: string) => /[A-Za-z0-9_$\u0080-\uffff]/.test(c);

/** Index just past the block comment opening at `start` (they nest); the end of text if unclosed. */
function blockCommentEnd(text: string, start: number): number {
  let depth = 0;
  for (let i = start; i < text.length - 1; i++) {
    if (text[i] === '/' && text[i + 1] === '*') {
      depth++;
      i++;
    } else if (text[i] === '*' && text[i + 1] === '/') {
      depth--;
      i++;
      if (depth === 0) return i + 1;
    }
  }
  return text.length;
}

/** Index just past the quoted token opening at `start` (`'` or `"`; doubled quotes escape). */
function quotedEnd(text: string, start: number, quote: string, backslashEscapes: boolean): number {
  for (let i = start + 1; i < text.length; i++) {
    if (backslashEscapes && text[i] === '\\') i++;
    else if (text[i] === quote) {
      if (text[i + 1] !== quote) return i + 1;
      i++;
    }
  }
  return text.length;
}

/** `$tag$…$tag$` at `start`, or null when the `$` opens no dollar quote (a `$1` parameter). */
function dollarQuoteEnd(text: string, start: number): number | null {
  const tag = /^\$([A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*)?\$/.exec(text.slice(start));
  if (!tag) return null;
  const close = text.indexOf(tag[0], start + tag[0].length);
  return close === -1 ? text.length : close + tag[0].length;
}

/** The statement's tokens, comments and whitespace dropped. */
export function sqlTokens(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    const next = text[i + 1];
    if (/\s/.test(c)) i++;
    else if (c === '-' && next === '-') {
      while (i < text.length && text[i] !== '\n' && text[i] !== '\r') i++;
    } else if (c === '/' && next === '*') i = blockCommentEnd(text, i);
    else if (c === "'") {
      i = quotedEnd(text, i, "'", false);
      tokens.push({ kind: 'string', text: '' });
    } else if ((c === 'E' || c === 'e') && next === "'") {
      i = quotedEnd(text, i + 1, "'", true);
      tokens.push({ kind: 'string', text: '' });
    } else if ((c === 'U' || c === 'u') && next === '&' && (text[i + 2] === '"' || text[i + 2] === "'")) {
      refuse('Unicode-escaped names and strings (U&) are not accepted');
    } else if (c === '"') {
      const end = quotedEnd(text, i, '"', false);
      tokens.push({ kind: 'quoted', text: text.slice(i + 1, end - 1).replaceAll('""', '"') });
      i = end;
    } else if (c === '$' && dollarQuoteEnd(text, i) !== null) {
      i = dollarQuoteEnd(text, i) as number;
      tokens.push({ kind: 'string', text: '' });
    } else if (isWordStart(c)) {
      let end = i + 1;
      while (end < text.length && isWordPart(text[end] as string)) end++;
      tokens.push({ kind: 'word', text: text.slice(i, end).toLowerCase() });
      i = end;
    } else {
      tokens.push({ kind: c === ';' ? 'semicolon' : c === '(' ? 'open' : 'other', text: c });
      i++;
    }
  }
  return tokens;
}

const refusedFunction = (name: string) =>
  REFUSED_FUNCTIONS.has(name) || REFUSED_FUNCTION_PREFIXES.some((prefix) => name.startsWith(prefix));

/** Throws a ReadOnlyQueryError, in one line, unless `statement` is one query that only reads. */
export function checkReadOnlyStatement(statement: string): void {
  const tokens = sqlTokens(statement);
  const semicolon = tokens.findIndex((t) => t.kind === 'semicolon');
  if (semicolon !== -1 && tokens.slice(semicolon).some((t) => t.kind !== 'semicolon')) {
    refuse('it runs one statement at a time');
  }
  const first = tokens.find((t) => t.kind !== 'open');
  if (!first) refuse('no statement to run');
  if (first?.kind !== 'word' || !QUERY_STARTS.has(first.text)) {
    const name = first?.kind === 'word' ? first.text.toUpperCase() : `"${first?.text}"`;
    refuse(
      `cannot execute ${name} in curfew sql: it runs queries (SELECT, WITH, VALUES, TABLE, EXPLAIN, SHOW)`,
    );
  }
  tokens.forEach((token, index) => {
    if (token.kind === 'word' && WRITING_KEYWORDS.has(token.text)) {
      refuse(`cannot execute ${token.text.toUpperCase()} in curfew sql`);
    }
    const name = token.kind === 'quoted' ? token.text : token.kind === 'word' ? token.text : null;
    if (name !== null && tokens[index + 1]?.kind === 'open' && refusedFunction(name)) {
      refuse(`cannot call ${name}() in curfew sql`);
    }
  });
}
