import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendRunLog, runLogsOf } from './run-logs.js';
import { insertExperimentRuns } from './run-records.js';
import { RUN_LOG_MAX_CHARS } from './schema/run-logs.js';
import { BACKENDS, type TestDatabase } from './test-backends.js';

describe.each(BACKENDS)('run logs on $name', (backend) => {
  let t: TestDatabase;
  const runId = `logs-${randomUUID().slice(0, 8)}/0`;
  beforeAll(async () => {
    t = await backend.create();
    const experimentId = runId.split('/')[0] as string;
    await insertExperimentRuns(
      t.store.db,
      { id: experimentId, name: 'logs', spec: {}, taskFamily: 'custom', policy: 'none' },
      [{ id: runId, experimentId, trial: 0, config: {}, budgetTokens: 100 }],
    );
  }, 60_000);
  afterAll(async () => t?.cleanup());

  it('appends per attempt and keeps only the tail past the bound', async () => {
    await appendRunLog(t.store.db, { runId, attempt: 1, text: 'epoch 1\n' });
    await appendRunLog(t.store.db, { runId, attempt: 1, text: 'epoch 2\n' });
    await appendRunLog(t.store.db, { runId, attempt: 2, text: 'a'.repeat(RUN_LOG_MAX_CHARS) });
    await appendRunLog(t.store.db, { runId, attempt: 2, text: 'the end\n' });
    const logs = await runLogsOf(t.store.db, runId);
    expect(logs.map((l) => [l.attempt, l.text.length, l.totalChars, l.droppedChars])).toEqual([
      [1, 16, 16, 0],
      [2, RUN_LOG_MAX_CHARS, RUN_LOG_MAX_CHARS + 8, 8],
    ]);
    expect(logs[0]?.text).toBe('epoch 1\nepoch 2\n');
    expect(logs[1]?.text.endsWith('aaathe end\n')).toBe(true);
  });
});
