import {
  type Curve,
  historyModels,
  POLICY_NAMES,
  type PolicyName,
  type PolicyOptions,
  type ReplayScope,
  replayPolicy,
  type Score,
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
       curfew replay --experiment ID

Judges a stopping policy on recorded learning curves (JSON Lines, see README "Curve files"),
with no training. NAME is one of ${POLICY_NAMES.join(', ')}, or all (side by side).
  --history FILE...   past runs that meta and auto learn from; a task present in both is
                      judged by a model that never saw it (leave-tasks-out)
  --scope run         every run judged alone (default); experiment: the runs of a group
                      compete on --workers workers (default 8), tokens as the clock
  --format jsonl      one line per run: {"id","stop_index","stop_step","stop_tokens","reason"}
  --experiment ID     replay the decision log of experiment ID (what its runs saw, from the
                      database) and check every decision is reproduced exactly
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
      experiment: { type: 'string' },
      ...POLICY_FLAG_OPTIONS,
    },
  );
  return { values, positionals };
}

/** What the command line asks for, checked: one line of usage error for anything wrong. */
interface ReplayRequest {
  policy: PolicyName | 'all';
  curveFiles: string[];
  historyFiles: string[];
  scope: ReplayScope;
  format: (typeof FORMATS)[number];
  workers: number;
  tolerance: number;
  /** The metric named with --monitor, if any: the curves must record it. */
  monitor: string | undefined;
  optionsByName: Map<PolicyName, PolicyOptions>;
}

function request(values: Record<string, unknown>, positionals: string[]): ReplayRequest {
  const fail = (message: string): never => {
    throw new UsageError(`curfew replay: ${message}`);
  };
  if (positionals.length > 0) fail(`unexpected argument "${positionals[0]}" (curve files go after --curves)`);
  const curveFiles = (values.curves as string[] | undefined) ?? [];
  if (curveFiles.length === 0) fail('give curve files with --curves FILE... (see curfew replay --help)');
  const name = values.policy as string | undefined;
  const known = `one of ${POLICY_NAMES.join(', ')}, all`;
  if (!name) return fail(`--policy is required (${known})`);
  if (name !== 'all' && !(POLICY_NAMES as readonly string[]).includes(name)) {
    fail(`unknown policy "${name}" (${known})`);
  }
  const workers = Number(values.workers ?? 8);
  if (!Number.isInteger(workers) || workers < 1) {
    fail(`--workers: expected a positive integer, got "${String(values.workers)}"`);
  }
  const section = policySectionFromFlags(name, values);
  const names: PolicyName[] = name === 'all' ? [...POLICY_NAMES] : [name as PolicyName];
  return {
    policy: name as PolicyName | 'all',
    curveFiles,
    historyFiles: (values.history as string[] | undefined) ?? [],
    scope: oneOf('replay', 'scope', values.scope as string | undefined, SCOPES, 'run'),
    format: oneOf('replay', 'format', values.format as string | undefined, FORMATS, 'table'),
    workers,
    tolerance: typeof section.tolerance === 'number' ? section.tolerance : 0.005,
    monitor: typeof section.monitor === 'string' ? section.monitor : undefined,
    optionsByName: new Map(
      names.map((n) => [n, policyOptions(name === 'all' ? sectionFor(n, section) : section)]),
    ),
  };
}

const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;

type ComparisonRow = { policy: string; score: Score | null; note?: string };

/** Replays every policy asked for and renders the output the format asks for. */
function render(req: ReplayRequest, curves: Curve[], history: Curve[]): string {
  const modelFor = historyModels(history);
  const title = (policy: string) =>
    `policy ${policy}, scope ${req.scope}${req.scope === 'experiment' ? ` (${req.workers} workers)` : ''}, ` +
    `tolerance ${req.tolerance}, ${count(curves.length, 'run')} in ${count(new Set(curves.map((c) => c.task)).size, 'task')}` +
    (history.length > 0 ? `, history ${count(history.length, 'run')}` : '');
  const rows: ComparisonRow[] = [];
  const lines: string[] = [];
  for (const [policy, options] of req.optionsByName) {
    if (policy === 'meta' && history.length === 0) {
      rows.push({ policy, score: null, note: 'needs --history' });
      continue;
    }
    const { scope, workers, tolerance } = req;
    let result: ReturnType<typeof replayPolicy>;
    try {
      result = replayPolicy({ curves, modelFor, options, scope, workers, tolerance });
    } catch (err) {
      // With --policy all, a policy that cannot run on this input is a note in its row.
      if (req.policy !== 'all' || (err as Error).name !== 'PolicyOptionsError') throw err;
      rows.push({ policy, score: null, note: 'needs more history' });
      continue;
    }
    if (req.format === 'jsonl') {
      const out = formatOutcomes(result.outcomes);
      lines.push(req.policy === 'all' ? out.replace(/^\{/gm, `{"policy":${JSON.stringify(policy)},`) : out);
    } else if (req.policy === 'all') {
      const label = usesHistory(policy) && history.length === 0 ? `${policy} (no history)` : policy;
      rows.push({ policy: label, score: result.score });
    } else {
      lines.push(formatScore(title(policy), result.score, tolerance));
    }
  }
  if (req.format === 'table' && req.policy === 'all')
    lines.push(formatComparison(title('all'), rows, req.tolerance));
  return lines.join('\n');
}

export const replayCommand: Command = {
  usage,
  async run(args, ctx) {
    const { values, positionals } = parse(args);
    if (values.help) {
      ctx.out(usage);
      return 0;
    }
    if (typeof values.experiment === 'string') {
      if (values.curves || values.policy)
        throw new UsageError(
          'curfew replay: --experiment replays a recorded decision log; it takes no --curves or --policy',
        );
      // Only this form reads the database: its drivers (pg, and bullmq through the cluster's
      // connection code) are loaded for it alone, not for every replay of curve files.
      const { replayExperiment } = await import('../replay/replay-experiment');
      return replayExperiment(values.experiment, ctx);
    }
    const req = request(values, positionals);
    const curves = await loadCurveFiles(req.curveFiles, '--curves');
    const history = await loadCurveFiles(req.historyFiles, '--history');
    if (req.policy === 'meta' && history.length === 0) {
      throw new UsageError(
        'curfew replay: policy meta learns from history: give past runs with --history FILE...',
      );
    }
    const other = req.monitor === undefined ? undefined : curves.find((c) => c.metric !== req.monitor);
    if (other) {
      throw new UsageError(
        `curfew replay: --monitor ${req.monitor}: the curves record ${other.metric} (${other.source}); replay judges the metric a curve records`,
      );
    }
    if (req.scope === 'run' && (req.policy === 'median' || req.policy === 'asha')) {
      ctx.err(
        `note: ${req.policy} compares the runs of an experiment; with --scope run it stops none (try --scope experiment)`,
      );
    }
    ctx.out(render(req, curves, history));
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
