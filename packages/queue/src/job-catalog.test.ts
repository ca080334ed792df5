import { describe, expect, it } from 'vitest';
import { parseJobData } from './job-catalog';

const spec = { name: 'add', task: { family: 'add' }, model: { family: 'mlp' } };

describe('parseJobData', () => {
  it('parses a train-run payload, filling the spec defaults', () => {
    const data = parseJobData('train-run', {
      runId: 'add-1/0',
      experimentId: 'add-1',
      trial: 0,
      spec,
      params: { lr: 0.01 },
    });
    expect(data.spec.policy.name).toBe('auto');
    expect(data.spec.task.params).toMatchObject({ digits: 3 });
  });

  it('names every bad field of a payload in one line', () => {
    expect(() =>
      parseJobData('train-run', {
        runId: 'add',
        experimentId: 'add-1',
        trial: -1,
        spec: { ...spec, model: { family: 'cnn' } },
        params: {},
      }),
    ).toThrow(
      /^bad train-run payload: runId: expected <experiment id>\/<trial>; trial: .*; spec\.model\.family: .*$/,
    );
  });
});
