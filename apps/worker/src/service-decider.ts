import type { DecisionService } from '@curfew/decisions';
import type { Decision } from '@curfew/policies';
import type { Decider, EvalReport } from '@curfew/trainer';

/**
 * The trainer's decider in the cluster: every eval goes to the decision service, which records
 * it with the policy's decision (fenced by this attempt) before training goes on. A refusal
 * (StaleAttemptError, RunNotRunningError) propagates: the trainer stops without checkpointing.
 */
export function serviceDecider(service: DecisionService, runId: string, attempt: number): Decider {
  const request = (report: EvalReport) => ({ runId, attempt, ...report });
  return {
    decide: async (report) => (await service.report(request(report))).decision as Decision,
    peek: async (report) => (await service.peek(request(report))) as Decision,
  };
}
