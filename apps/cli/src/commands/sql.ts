import { oneOf, parseCommandArgs } from '../args';
import { openCliStore } from '../cluster/connect';
import type { Command } from '../command';
import { UsageError } from '../errors';
import { formatRows, OUTPUT_FORMATS } from '../output/table';

export const sqlCommand: Command = {
  name: 'sql',
  summary: 'run a read-only SQL query on the run history (views: run_summary, experiment_summary, savings)',
  usage: `Usage: curfew sql "QUERY" [--format table|json|csv]

Runs one read-only statement against the run history: the PostgreSQL server in
DATABASE_URL, or the embedded database under $CURFEW_HOME/db (default .curfew/db).
Writes are refused and change nothing. Useful views: run_summary, experiment_summary,
savings (see README). Example:
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
    const store = await openCliStore(ctx.env);
    try {
      const { fields, rows } = await store.readOnlyQuery(positionals[0]).catch((err: unknown) => {
        // Name the command on SQL errors and refusals, as every other curfew message does.
        if (err instanceof Error && (err.name === 'QueryError' || err.name === 'ReadOnlyQueryError')) {
          err.message = `curfew sql: ${err.message}`;
        }
        throw err;
      });
      ctx.out(formatRows(format, fields, rows));
      return 0;
    } finally {
      await store.close();
    }
  },
};
