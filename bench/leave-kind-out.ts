// Run scope on a kind of curve history has never seen: for each metric kind of the dev curves
// (`curveKind`: accuracy, loss, SSIM, error rate), `auto`'s rule for a run judged alone
// (`aloneRule`: the remaining-gain bound) is chosen on the tables of every other kind's curves and
// scored on that kind's, beside the oracle. Per tolerance: the rule, tokens saved, mean loss and
// the tasks over the tolerance.
//
//   nice -n 10 npx tsx bench/leave-kind-out.ts [CURVES.jsonl...]
import {
  aloneRule,
  type Curve,
  curveKind,
  remainingGainStops,
  remainingGainTables,
  scoreStops,
} from '@curfew/policies';
import { benchCurves } from './curve-files';
import { oracleStops } from './nested-replay';

const TOLERANCES = [0.002, 0.005, 0.01, 0.02];
const curves: Curve[] = benchCurves('leave-kind-out.ts', process.argv.slice(2));
const kindOf = (c: Curve) => curveKind(c.metric, c.mode, c.features);
const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

for (const metric of new Set(curves.map((c) => kindOf(c).metric))) {
  const held = curves.filter((c) => kindOf(c).metric === metric);
  const rest = curves.filter((c) => kindOf(c).metric !== metric);
  const tables = remainingGainTables(rest);
  const kinds = Object.fromEntries(rest.map((c) => [c.task, kindOf(c)]));
  const oracle = scoreStops(held, oracleStops(held)).runSaved;
  console.log(`\n${metric}: ${held.length} runs; oracle saves ${pct(oracle)}`);
  for (const t of TOLERANCES) {
    const rule = aloneRule(tables, kinds, { metric, family: '' }, t);
    const stops = new Map(
      held.map((c) => [
        c.id,
        rule
          ? (remainingGainStops(c, [rule.window], [rule.noise], [rule.threshold])[0]?.[0]?.[0] as number)
          : c.evals.length - 1,
      ]),
    );
    const s = scoreStops(held, stops, t);
    const over = s.tasks.filter((x) => x.meanLoss > t * (1 + 1e-9)).length;
    const setting = rule
      ? `window ${rule.window}, noise ${rule.noise}σ, threshold ${rule.threshold}`
      : 'none';
    console.log(
      `  tolerance ${t}: ${setting}: saved ${pct(s.runSaved)}, mean loss ${s.runMeanLoss.toFixed(4)}, ` +
        `tasks over the tolerance ${over} of ${s.tasks.length}`,
    );
  }
}
