import { describe, expect, it } from 'vitest';
import { expandSearch } from './expand-search.js';
import { parseSpec } from './parse-spec.js';
import { runFeatures } from './run-features.js';
import { formatProblem } from './spec-problem.js';
import { taskKey } from './task-key.js';

function parsed(input: Record<string, unknown>) {
  return parseSpec(JSON.stringify(input), { filename: 'spec.json' });
}

function printed(input: Record<string, unknown>): string[] {
  const result = parsed(input);
  return result.ok ? [] : result.problems.map((p) => formatProblem('spec.json', p));
}

const commandSpec = {
  name: 'logreg',
  task: { family: 'custom', name: 'synthetic-logreg', params: { features: 8 } },
  trainer: {
    command: ['python3', 'train.py', '--lr', '{lr}', '--out', '{checkpoint_dir}'],
    params: { l2: 0.01 },
  },
  search: { method: 'grid', space: { lr: { grid: [0.1, 0.3] } } },
  budget: { max_tokens_per_run: 10_000 },
  policy: { name: 'auto', monitor: 'accuracy' },
};

describe('a command trainer spec', () => {
  it('parses with defaults, expands its runs from trainer.params and the search space', () => {
    const result = parsed(commandSpec);
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    expect(result.spec.trainer).toEqual({
      command: commandSpec.trainer.command,
      params: { l2: 0.01 },
      eval_timeout_ms: 600_000,
      grace_ms: 10_000,
    });
    expect(result.spec.model).toBeUndefined();
    expect(expandSearch(result.spec).map((c) => c.params)).toEqual([
      { l2: 0.01, lr: 0.1 },
      { l2: 0.01, lr: 0.3 },
    ]);
    expect(taskKey(result.spec.task)).toBe('custom:synthetic-logreg(features=8)');
    expect(runFeatures(result.spec, { lr: 0.1 })).toEqual({
      family: 'custom:synthetic-logreg',
      model: 'command',
      features: 8,
      lr: 0.1,
    });
  });

  it('names every problem with its field', () => {
    expect(
      printed({
        ...commandSpec,
        model: { family: 'gru' },
        budget: undefined,
        trainer: { command: ['python3', 'train.py', '--lr', '{rate}'], env: { CURFEW_X: '1', 'A-B': 'x' } },
      }),
    ).toEqual(
      expect.arrayContaining([
        'spec.json:1:162: trainer.env.CURFEW_X: CURFEW_ variables are set by curfew for each run; choose another name',
        'spec.json:1:177: trainer.env.A-B: expected a variable name ([A-Za-z_][A-Za-z0-9_]*)',
      ]),
    );
  });

  it('checks the sections around it once its own fields are valid', () => {
    const lines = printed({
      ...commandSpec,
      model: { family: 'gru' },
      budget: undefined,
      trainer: { command: ['python3', 'train.py', '--lr', '{rate}', '{trial}'] },
      policy: { name: 'auto', monitor: 'Accuracy!' },
    });
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/ model: your own trainer trains its own model: remove model/),
        expect.stringMatching(/ budget.max_tokens_per_run: required with your own trainer/),
        expect.stringMatching(/ policy.monitor: expected a metric name .*got Accuracy!/),
        expect.stringMatching(
          / trainer.command\[3\]: unknown placeholder \{rate\} \(expected a key of trainer.params/,
        ),
      ]),
    );
    expect(lines).toHaveLength(4);
  });

  it('refuses an empty command, a command that is not a list, and bad timeouts', () => {
    expect(printed({ ...commandSpec, trainer: { command: [] } })).toEqual([
      'spec.json:1:106: trainer.command: expected at least the program to run, e.g. [python3, train.py]',
    ]);
    expect(printed({ ...commandSpec, trainer: { command: 'python3 train.py' } })).toEqual([
      'spec.json:1:106: trainer.command: expected a list: the program and its arguments, e.g. [python3, train.py], got "python3 train.py"',
    ]);
    expect(
      printed({ ...commandSpec, trainer: { command: ['x'], grace_ms: -1, eval_timeout_ms: 5 } }),
    ).toEqual([
      expect.stringMatching(/trainer.grace_ms: expected a non-negative integer, got -1/),
      expect.stringMatching(/trainer.eval_timeout_ms: expected an integer >= 100, got 5/),
    ]);
  });

  it('takes an external trainer (the report API), and refuses both or neither', () => {
    const result = parsed({ ...commandSpec, trainer: { external: true } });
    expect(result.ok).toBe(true);
    expect(printed({ ...commandSpec, trainer: { external: true, command: ['x'] } })).toEqual([
      expect.stringMatching(
        / trainer: expected command: \[...\] .* or external: true \(the report API\), not both$/,
      ),
    ]);
    expect(printed({ ...commandSpec, trainer: { params: { lr: 1 } } })).toEqual([
      expect.stringMatching(
        / trainer: expected command: \[...\] \(workers start your program\) or external: true \(the report API\)$/,
      ),
    ]);
  });

  it('keeps a model required for the built-in trainer, and custom tasks to command trainers', () => {
    const lines = printed({ name: 'x', task: { family: 'custom', name: 'mine' } });
    expect(lines).toEqual(
      expect.arrayContaining([
        'spec.json: model: required (or your own trainer: trainer.command or trainer.external)',
        expect.stringMatching(/task.family: a custom task is trained by your own program: add trainer/),
      ]),
    );
  });
});
