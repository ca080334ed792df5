import {
  historyModels,
  POLICY_NAMES,
  type PolicyName,
  type PolicyOptions,
  type ReplayScope,
  replayPolicy,
  usesHistory,
} from '@curfew/policies';
import { formatProblem, validatePolicy } from '@curfew/spec';
import { oneOf, parseCommandArgs } from '../args';
import type { Command } from '../command';
import { UsageError } from '../errors';
import { loadCurveFiles } from '../replay/load-curves';
import {
  givenPolicyFields,
  POLICY_FLAG_OPTIONS,
  policyFlagOf,
  policySectionFromFlags,
} from '../replay/policy-flags';
import { formatComparison, formatOutcomes, formatScore } from '../replay/report';

const SCOPES: readonly ReplayScope[] = ['run', 'experiment'];
const FORMATS = ['table', 'jsonl'] as const;

const usage = `Usage: curfew replay --curves FILE... --policy NAME [--history FILE...] [--tolerance X]
                     [--scope run|experiment] [--workers N] [policy options] [--format table|jsonl]

Judges a stopping policy on recorded learning curves (JSON Lines, DESIGN.md "Curve files"),
with no training. NAME is one of ${POLICY_NAMES.join(', ')}, or all (side by side).
  --history FILE...   past runs that meta and auto learn from; a task present in both is
                      judged by a model that never saw it (leave-tasks-out)
  --scope run         every run judged alone (default); experiment: the runs of a group
                      compete on --workers workers (default 8), tokens as the clock
  --format jsonl      one line per run: {"id","stop_index","stop_step","stop_tokens","reason"}
Policy options, named after the spec's fields: --tolerance --monitor --lr-drop-before-stop
  patience: --patience --min-delta --baseline --start-from-eval --restore-best
  threshold: --min-evals   median: --startup-runs --warmup-evals
  asha: --reduction-factor --min-resource-tokens --max-rungs   extrapolate: --probability --min-evals`;

function policyOptions(section: Record<string, unknown>): PolicyOptions {
  const result = validatePolicy(section);
  if (result.ok) return result.policy as PolicyOptions;
  const first = result.problems[0];
  const flag = first?.path && first.path !== '(root)' ? `--${policyFlagOf(first.path)}` : '--policy';
  if (first && /unknown key/.test(first.message)) {
    throw new UsageError(`curfew replay: ${flag} does not apply to policy ${String(section.name)}`);
  }
  throw new UsageError(
    `curfew replay: ${first ? formatProblem(flag, { ...first, path: '' }).replace(/: : /, ': ') : 'invalid policy options'}`,
  );
}

/**
 * `--curves a.jsonl b.jsonl` (what a shell glob gives) → `--curves a.jsonl --curves b.jsonl`:
 * words after a file flag, up to the next flag, are its files.
 */
export function spreadFileFlags(args: readonly string[], flags: readonly string[]): string[] {
  const out: string[] = [];
  let current: string | null = null;
  for (const arg of args) {
    if (arg.startsWith('-')) {
      current = flags.includes(arg) ? arg : null;
      if (current) continue;
      out.push(arg);
    } else if (current) {
      out.push(current, arg);
    } else {
      out.push(arg);
    }
  }
  return out;
}

function parse(args: string[]) {
  const { values, positionals } = parseCommandArgs(
    'replay',
    spreadFileFlags(args, ['--curves', '--history']),
    {
      curves: { type: 'string', multiple: true },
      history: { type: 'string', multiple: true },
      policy: { type: 'string' },
      scope: { type: 'string' },
      workers: { type: 'string' },
      format: { type: 'string' },
      ...POLICY_FLAG_OPTIONS,
    },
  );
  return { values, positionals };
}

export const replayCommand: Command = {
  name: 'replay',
  summary: 'judge a stopping policy on recorded learning curves, in seconds',
  usage,
  async run(args, ctx) {
    const { values, positionals } = parse(args);
    if (values.help) {
      ctx.out(usage);
      return 0;
    }
    const curveFiles = (values.curves as string[] | undefined) ?? [];
    const historyFiles = (values.history as string[] | undefined) ?? [];
    if (positionals.length > 0) {
      throw new UsageError(
        `curfew replay: unexpected argument "${positionals[0]}" (curve files go after --curves)`,
      );
    }
    if (curveFiles.length === 0)
      throw new UsageError(
        'curfew replay: give curve files with --curves FILE... (see curfew replay --help)',
      );
    const name = values.policy as string | undefined;
    if (!name)
      throw new UsageError(`curfew replay: --policy is required (one of ${POLICY_NAMES.join(', ')}, all)`);
    if (name !== 'all' && !(POLICY_NAMES as readonly string[]).includes(name)) {
      throw new UsageError(
        `curfew replay: unknown policy "${name}" (one of ${POLICY_NAMES.join(', ')}, all)`,
      );
    }
    const scope = oneOf('replay', 'scope', values.scope as string | undefined, SCOPES, 'run');
    const format = oneOf('replay', 'format', values.format as string | undefined, FORMATS, 'table');
    const workers = Number(values.workers ?? 8);
    if (!Number.isInteger(workers) || workers < 1)
      throw new UsageError(
        `curfew replay: --workers: expected a positive integer, got "${String(values.workers)}"`,
      );

    const section = policySectionFromFlags(name, values);
    const tolerance = typeof section.tolerance === 'number' ? section.tolerance : 0.005;
    const names: PolicyName[] = name === 'all' ? [...POLICY_NAMES] : [name as PolicyName];
    const optionsByName = new Map(
      names.map((n) => [n, policyOptions(name === 'all' ? sectionFor(n, section) : section)]),
    );

    const curves = await loadCurveFiles(curveFiles, '--curves');
    const history = await loadCurveFiles(historyFiles, '--history');
    if (name === 'meta' && history.length === 0) {
      throw new UsageError(
        'curfew replay: policy meta learns from history: give past runs with --history FILE...',
      );
    }
    const modelFor = historyModels(history);
    const title = (policy: string) =>
      `policy ${policy}, scope ${scope}${scope === 'experiment' ? ` (${workers} workers)` : ''}, tolerance ${tolerance}, ` +
      `${curves.length} runs in ${new Set(curves.map((c) => c.task)).size} tasks` +
      (history.length > 0 ? `, history ${history.length} runs` : '');

    const rows: { policy: string; score: ReturnType<typeof replayPolicy>['score'] | null; note?: string }[] =
      [];
    const lines: string[] = [];
    for (const policy of names) {
      if (policy === 'meta' && history.length === 0) {
        rows.push({ policy, score: null, note: 'needs --history' });
        continue;
      }
      const options = optionsByName.get(policy) as PolicyOptions;
      const result = replayPolicy({ curves, modelFor, options, scope, workers, tolerance });
      if (format === 'jsonl') {
        const out = formatOutcomes(result.outcomes);
        lines.push(name === 'all' ? out.replace(/^\{/gm, `{"policy":${JSON.stringify(policy)},`) : out);
      } else if (name === 'all') {
        rows.push({
          policy: usesHistory(policy) && history.length === 0 ? `${policy} (no history)` : policy,
          score: result.score,
        });
      } else {
        lines.push(formatScore(title(policy), result.score, tolerance));
      }
    }
    if (format === 'table' && name === 'all') lines.push(formatComparison(title('all'), rows, tolerance));
    ctx.out(lines.join('\n'));
    return 0;
  },
};

/** With --policy all, each option goes to the policies whose spec section takes it. */
function sectionFor(policy: PolicyName, given: Record<string, unknown>): Record<string, unknown> {
  const section: Record<string, unknown> = { name: policy };
  for (const field of givenPolicyFields(given)) {
    const probe = validatePolicy({ name: policy, [field]: given[field] });
    const unknown =
      !probe.ok && probe.problems.some((p) => p.path === field && /unknown key/.test(p.message));
    if (!unknown && policy !== 'none') section[field] = given[field];
  }
  return section;
}
