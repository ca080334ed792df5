import { oneOf, parseCommandArgs } from '../args';
import type { Command } from '../command';
import { UsageError } from '../errors';
import { formatRows, OUTPUT_FORMATS } from '../output/table';
import { runUserSql } from '../sql/run-sql';

const SQL_ERRORS = new Set(['QueryError', 'ReadOnlyQueryError', 'ReaderRoleError', 'ReaderLoginError']);

export const sqlCommand: Command = {
  usage: `Usage: curfew sql "QUERY" [--format table|json|csv]

Runs one query against the run history of this folder's database (curfew status says which:
DATABASE_URL, else the server curfew up set this curfew home up with, else the embedded
database under $CURFEW_HOME/db). Writes are refused and change nothing. On a PostgreSQL server
it runs as curfew's read-only role (curfew_reader_<database>, made on first use; its password
is kept in $CURFEW_HOME/sql-reader.json), which can read curfew's tables and views only, with
a 30 s statement timeout. Useful views: run_summary, experiment_summary, savings (see README).
Example:
  curfew sql "select run_id, tokens_saved, deployed_em from run_summary order by deployed_em desc"`,
  async run(args, ctx) {
    const { values, positionals } = parseCommandArgs('sql', args, { format: { type: 'string', short: 'f' } });
    if (values.help) {
      ctx.out(this.usage);
      return 0;
    }
    const format = oneOf('sql', 'format', values.format as string | undefined, OUTPUT_FORMATS, 'table');
    if (positionals.length !== 1 || !positionals[0]?.trim()) {
      throw new UsageError('curfew sql: give exactly one query, quoted (see curfew sql --help)');
    }
    const { fields, rows } = await runUserSql(ctx.env, positionals[0]).catch((err: unknown) => {
      // Name the command on SQL errors and refusals, as every other curfew message does.
      if (err instanceof Error && SQL_ERRORS.has(err.name)) err.message = `curfew sql: ${err.message}`;
      throw err;
    });
    ctx.out(formatRows(format, fields, rows));
    return 0;
  },
};
