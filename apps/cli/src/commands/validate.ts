import { formatProblem, loadSpecFile } from '@curfew/spec';
import { parseCommandArgs } from '../args';
import type { Command } from '../command';
import { UsageError } from '../errors';
import { specFilesOf } from '../experiments/spec-files';

export const validateCommand: Command = {
  usage: `Usage: curfew validate SPEC|FOLDER...

Checks each spec (YAML or JSON) against the experiment schema and prints every problem
as FILE:LINE:COL: PATH: MESSAGE. A folder stands for the .yaml, .yml and .json files in it
and its subfolders (curfew validate examples/*). Exits 0 when all specs are valid, 1 otherwise.`,
  async run(args, ctx) {
    const { values, positionals } = parseCommandArgs('validate', args, {});
    if (values.help) {
      ctx.out(this.usage);
      return 0;
    }
    if (positionals.length === 0)
      throw new UsageError(
        'curfew validate: name at least one spec file or folder (see curfew validate --help)',
      );
    let invalid = 0;
    let checked = 0;
    for (const target of positionals) {
      const files = await specFilesOf(target);
      if (files.length === 0) {
        invalid += 1;
        ctx.err(`${target}: no spec files (.yaml, .yml, .json) in this folder`);
      }
      for (const file of files) {
        checked += 1;
        const result = await loadSpecFile(file);
        if (result.ok) {
          ctx.out(`${file}: ok (${result.spec.name})`);
          continue;
        }
        invalid += 1;
        for (const problem of result.problems) ctx.err(formatProblem(file, problem));
      }
    }
    if (invalid > 0 && checked > 1) ctx.err(`${invalid} of ${checked} specs are invalid`);
    return invalid > 0 ? 1 : 0;
  },
};
