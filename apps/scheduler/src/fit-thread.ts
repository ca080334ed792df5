// The refit's CPU work, on a worker thread (fit-in-thread.ts starts it): the stop models and the
// meta-learner's fit are pure functions of plain data, minutes of computing on a large history,
// which on the scheduler's own thread would stall dispatch, the reconciler and the report API.
import { parentPort } from 'node:worker_threads';
import { fitStopModels } from '@curfew/decisions';
import { fitState } from '@curfew/meta';
import type { FitRequest } from './fit-in-thread';

parentPort?.once('message', (request: FitRequest) => {
  try {
    const result =
      request.kind === 'stop-models'
        ? fitStopModels(request.curves)
        : fitState(request.history, request.options);
    parentPort?.postMessage({ ok: true, result });
  } catch (error) {
    const e = error as Error;
    parentPort?.postMessage({ ok: false, name: e.name, message: e.message });
  }
});
