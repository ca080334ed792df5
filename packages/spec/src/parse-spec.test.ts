import { describe, expect, it } from 'vitest';
import { parseSpec } from './parse-spec.js';
import { formatProblem } from './spec-problem.js';
import { designExampleYaml } from './test-specs.js';

/** What `curfew validate` prints for a text: one line per problem. */
function printed(text: string, filename: string): string[] {
  const result = parseSpec(text, { filename });
  return result.ok ? [] : result.problems.map((problem) => formatProblem(filename, problem));
}

const badYaml = `name: My Exp
task:
  family: kv-qa
  parmas: { pairs: 8 }
model:
  family: lstm
search:
  method: random
  trials: 4
  space:
    lr: { loguniform: [0, 1.0e-2] }
    units: { int: [32, 128] }
budget:
  max_tokens_per_run: -5
eval:
  every_tokens: 50000
`;

describe('parseSpec (YAML)', () => {
  it('reports every mistake at once, each with its path, line and column', () => {
    expect(printed(badYaml, 'examples/bad.yaml')).toEqual([
      'examples/bad.yaml:1:1: name: expected lowercase letters, digits and dashes, got "My Exp"',
      'examples/bad.yaml:4:3: task.parmas: unknown key (expected one of: family, params)',
      'examples/bad.yaml:6:3: model.family: expected one of mlp, gru, transformer, module, got "lstm"',
      'examples/bad.yaml:11:24: search.space.lr.loguniform[0]: expected a positive number, got 0',
      'examples/bad.yaml:14:3: budget.max_tokens_per_run: expected a positive integer, got -5',
    ]);
  });

  it('returns structured problems for tools', () => {
    const result = parseSpec(badYaml, { filename: 'bad.yml' });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toContainEqual({
      path: 'budget.max_tokens_per_run',
      message: 'expected a positive integer, got -5',
      line: 14,
      column: 3,
    });
  });

  it('reports a syntax error with line and column, never a stack trace', () => {
    const text = designExampleYaml.replace('units: { int: [32, 128] }', 'units: { int: [32, 128 }');
    expect(printed(text, 'spec.yaml')).toEqual([
      'spec.yaml:15:28: (syntax): Flow sequence in block collection must be sufficiently indented and end with a ]',
      'spec.yaml:15:29: (syntax): Flow map in block collection must be sufficiently indented and end with a }',
    ]);
  });

  it('reports duplicate keys as syntax errors', () => {
    const text = 'name: a\ntask: { family: add }\nname: b\nmodel: { family: mlp }\n';
    expect(printed(text, 'spec.yaml')).toEqual(['spec.yaml:3:1: (syntax): Map keys must be unique']);
  });

  it('reports a missing key at its parent, and a missing top-level key without a position', () => {
    const text = 'task:\n  params: { digits: 2 }\npolicy:\n  name: patience\n  patience: 3\n';
    expect(printed(text, 'spec.yaml')).toEqual([
      'spec.yaml: name: required',
      'spec.yaml: model: required (or your own trainer: trainer.command or trainer.external)',
      'spec.yaml:1:1: task.family: required',
    ]);
  });

  it('explains an empty file and an unknown extension', () => {
    expect(printed('# nothing yet\n', 'spec.yaml')).toEqual([
      'spec.yaml: (root): expected an experiment spec, got an empty file',
    ]);
    expect(printed(designExampleYaml, 'spec.txt')).toEqual([
      'spec.txt: (file): expected a .yaml, .yml or .json file, got "spec.txt"',
    ]);
  });
});

describe('parseSpec (JSON)', () => {
  it('parses a valid JSON spec', () => {
    const text = JSON.stringify({ name: 'j', task: { family: 'sort' }, model: { family: 'gru' } });
    const result = parseSpec(text, { filename: 'spec.JSON' });
    expect(result.ok && result.spec.task).toEqual({
      family: 'sort',
      params: { length: 6, vocab: 10, train_examples: 20000, val_examples: 1000, seed: 0 },
    });
  });

  it('locates validation problems in the JSON text', () => {
    const text = `{
  "name": "j",
  "task": { "family": "add", "params": { "digits": 13 } },
  "model": { "family": "mlp", "parmas": {} },
  "budget": { "max_tokens_per_run": -5 }
}`;
    expect(printed(text, 'spec.json')).toEqual([
      'spec.json:3:42: task.params.digits: expected an integer from 1 to 12, got 13',
      'spec.json:4:31: model.parmas: unknown key (expected one of: family, params)',
      'spec.json:5:15: budget.max_tokens_per_run: expected a positive integer, got -5',
    ]);
  });

  it('reports JSON syntax errors with line and column', () => {
    expect(printed('{\n  "name": "j",\n  "task": }\n', 'spec.json')).toEqual([
      `spec.json:3:11: (syntax): expected a value, got "}"`,
    ]);
    expect(printed('{"name": "j",}', 'spec.json')).toEqual([
      `spec.json:1:14: (syntax): expected a double-quoted key, got "}"`,
    ]);
    expect(printed('{"name": "a",\n "name": "b"}', 'spec.json')).toEqual([
      'spec.json:2:2: (syntax): duplicate key "name"',
    ]);
    expect(printed('{"name": "a"', 'spec.json')).toEqual([
      "spec.json:1:13: (syntax): expected ',' or '}', got the end of the file",
    ]);
    expect(printed('{"name": "a\\q"}', 'spec.json')).toEqual([
      'spec.json:1:13: (syntax): expected a valid escape, got "q"',
    ]);
    expect(printed('{"n": 01}', 'spec.json')).toEqual([
      `spec.json:1:8: (syntax): expected ',' or '}', got "1"`,
    ]);
    expect(printed('{} []', 'spec.json')).toEqual([
      'spec.json:1:4: (syntax): expected the end of the file, got "["',
    ]);
  });
});

describe('a model from a module', () => {
  const spec = (model: unknown, extra: Record<string, unknown> = {}) =>
    parseSpec(
      JSON.stringify({
        name: 'own',
        task: { family: 'reverse' },
        model,
        budget: { max_tokens_per_run: 1000 },
        ...extra,
      }),
      { filename: 'own.json' },
    );

  it('takes `model: { module }` with the optimizer defaults and params of its own, searchable', () => {
    const parsed = spec(
      { module: './two-layer.mjs', params: { hidden: 32, act: 'relu' } },
      { search: { method: 'grid', space: { hidden: { grid: [16, 32] } } } },
    );
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.spec.model).toEqual({
      family: 'module',
      module: './two-layer.mjs',
      params: {
        hidden: 32,
        act: 'relu',
        lr: 3e-3,
        batch_size: 64,
        optimizer: 'adam',
        weight_decay: 0,
        seed: 0,
      },
    });
  });

  it('names a bad optimizer param, a param that is not a number, string or boolean, and a missing path', () => {
    const lines = (model: unknown) => {
      const parsed = spec(model);
      return parsed.ok ? [] : parsed.problems.map((p) => `${p.path}: ${p.message}`);
    };
    expect(lines({ module: './m.mjs', params: { lr: -1 } })).toEqual([
      'model.params.lr: expected a number > 0 and <= 10, got -1',
    ]);
    expect(lines({ module: './m.mjs', params: { layers: [1, 2] } })).toEqual([
      expect.stringMatching(/^model\.params\.layers: expected a number, string or boolean/),
    ]);
    expect(lines({ family: 'module' })).toEqual([expect.stringMatching(/^model\.module: /)]);
  });
});
