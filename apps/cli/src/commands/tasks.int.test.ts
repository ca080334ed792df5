import { describe, expect, it } from 'vitest';
import { runCli } from '../test/run-cli';

const FAMILIES = ['add', 'reverse', 'sort', 'kv-qa'];

interface Param {
  name: string;
  default: unknown;
  description: string | null;
}

interface Listing {
  tasks: {
    name: string;
    description: string;
    params: Param[];
    default_budget_tokens: number;
    default_eval_every_tokens: number;
  }[];
  models: { name: string; trainable: boolean; params: Param[] }[];
  optimizer_params: Param[];
}

describe('curfew tasks', () => {
  it('lists the four task families with their parameters, defaults and default budgets', async () => {
    const result = await runCli(['tasks']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    for (const family of FAMILIES) expect(result.stdout).toMatch(new RegExp(`^  ${family}: \\S`, 'm'));
    // kv-qa's own parameters, each with its default and description.
    expect(result.stdout).toMatch(/^\s+pairs\s+4\s+Key-value pairs in each context\.$/m);
    expect(result.stdout).toMatch(/^\s+digits\s+3\s+Digits of each operand\.$/m);
    expect(result.stdout).toMatch(/^\s+train_examples\s+20000\s+/m);
    expect(result.stdout.match(/default budget \d+ tokens, eval every \d+ tokens/g)).toHaveLength(4);
    // Model families, every one trainable, and the optimizer's defaults.
    expect(result.stdout).toMatch(/^ {2}mlp: /m);
    expect(result.stdout).toMatch(/^ {2}gru: /m);
    expect(result.stdout).toMatch(/^ {2}transformer: Small transformer/m);
    expect(result.stdout).not.toMatch(/not trainable/);
    expect(result.stdout).toMatch(/^\s+lr\s+0\.003\s+/m);
  });

  it('--format json gives the same listing as one JSON object', async () => {
    const result = await runCli(['tasks', '--format', 'json']);
    expect(result.code).toBe(0);
    const listing = JSON.parse(result.stdout) as Listing;
    expect(listing.tasks.map((t) => t.name)).toEqual(FAMILIES);
    for (const task of listing.tasks) {
      expect(task.description).not.toBe('');
      expect(task.default_budget_tokens).toBeGreaterThan(0);
      expect(task.default_eval_every_tokens).toBeGreaterThan(0);
      expect(task.default_eval_every_tokens).toBeLessThanOrEqual(task.default_budget_tokens);
      for (const param of task.params) expect(param.description).toBeTruthy();
    }
    const reverse = listing.tasks.find((t) => t.name === 'reverse');
    expect(reverse?.params.map((p) => [p.name, p.default])).toEqual([
      ['length', 6],
      ['vocab', 10],
      ['train_examples', 20000],
      ['val_examples', 1000],
      ['seed', 0],
    ]);
    expect(listing.models.map((m) => [m.name, m.trainable])).toEqual([
      ['mlp', true],
      ['gru', true],
      ['transformer', true],
    ]);
    expect(listing.models[0]?.params.find((p) => p.name === 'hidden')?.default).toBe(128);
    expect(listing.optimizer_params.map((p) => p.name)).toContain('batch_size');
  });

  it('refuses an unknown format in one line', async () => {
    const result = await runCli(['tasks', '--format', 'xml']);
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe('curfew tasks: --format must be one of table, json, got "xml"');
  });
});
