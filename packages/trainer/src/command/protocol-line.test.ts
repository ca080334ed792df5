import { describe, expect, it } from 'vitest';
import { parseProtocolLine } from './protocol-line';

describe('parseProtocolLine', () => {
  it('reads eval lines: counts, optional fields, every other number as a metric', () => {
    expect(
      parseProtocolLine(
        '{"curfew":"eval","step":3,"tokens":300,"em":0.5,"loss":1.2,"lr":0.01,"accuracy":null}',
      ),
    ).toEqual({
      kind: 'eval',
      step: 3,
      tokens: 300,
      valTokens: 0,
      lr: 0.01,
      valExamples: null,
      metrics: { em: 0.5, loss: 1.2, accuracy: null },
    });
  });

  it("reads Python's bare NaN and Infinity, which a diverged run prints", () => {
    const line = parseProtocolLine(
      '{"curfew": "eval", "step": 1, "tokens": 5, "loss": NaN, "em": -Infinity}',
    );
    expect(line).toMatchObject({ kind: 'eval', metrics: { loss: Number.NaN, em: Number.NEGATIVE_INFINITY } });
  });

  it('leaves every other line to the log, JSON included', () => {
    for (const line of ['epoch 3', '{"loss": 1}', '[1, 2]', '', '{"msg": "curfew is great"}'])
      expect(parseProtocolLine(line)).toEqual({ kind: 'log' });
  });

  it('reads checkpoint and ask lines', () => {
    expect(parseProtocolLine('{"curfew":"checkpoint","step":4,"tokens":40}')).toEqual({
      kind: 'checkpoint',
      step: 4,
      tokens: 40,
    });
    expect(parseProtocolLine('{"curfew":"ask"}')).toEqual({ kind: 'ask' });
  });

  it('names what is wrong with a broken curfew line', () => {
    const cases: [string, string][] = [
      ['{"curfew":"eval","step":1,', 'not valid JSON'],
      ['{"curfew":"eval","tokens":1,"em":1}', 'step: expected a non-negative integer, got nothing'],
      ['{"curfew":"eval","step":1,"tokens":-4,"em":1}', 'tokens: expected a non-negative integer, got -4'],
      ['{"curfew":"eval","step":1,"tokens":4}', 'no metric'],
      ['{"curfew":"eval","step":1,"tokens":4,"em":"high"}', 'em: expected a number (or null), got "high"'],
      ['{"curfew":"eval","step":1,"tokens":4,"Top-1":0.3}', 'Top-1: expected a metric name'],
      ['{"curfew":"report"}', 'curfew: expected "eval", "checkpoint" or "ask", got "report"'],
    ];
    for (const [line, message] of cases)
      expect(parseProtocolLine(line)).toEqual({
        kind: 'malformed',
        message: expect.stringContaining(message),
      });
  });
});
