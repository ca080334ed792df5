import { formatProblem, loadSpecFile } from '@curfew/spec';
import { parseCommandArgs } from '../args';
import type { Command } from '../command';
import { UsageError } from '../errors';

export const validateCommand: Command = {
  name: 'validate',
  summary: 'check experiment specs; one line per problem, with its path',
  usage: `Usage: curfew validate SPEC...

Checks each spec (YAML or JSON) against the experiment schema and prints every problem
as FILE:LINE:COL: PATH: MESSAGE. Exits 0 when all specs are valid, 1 otherwise.`,
  async run(args, ctx) {
    const { values, positionals } = parseCommandArgs('validate', args, {});
    if (values.help) {
      ctx.out(this.usage);
      return 0;
    }
    if (positionals.length === 0)
      throw new UsageError('curfew validate: name at least one spec file (see curfew validate --help)');
    let invalid = 0;
    for (const file of positionals) {
      const result = await loadSpecFile(file);
      if (result.ok) {
        ctx.out(`${file}: ok (${result.spec.name})`);
        continue;
      }
      invalid += 1;
      for (const problem of result.problems) ctx.err(formatProblem(file, problem));
    }
    if (invalid > 0 && positionals.length > 1)
      ctx.err(`${invalid} of ${positionals.length} specs are invalid`);
    return invalid > 0 ? 1 : 0;
  },
};
