import { describe, expect, it } from 'vitest';
import { curveKind, metricKind } from './curve-kind';

describe('metricKind', () => {
  it('names what the dev curves and curfew’s own runs monitor by what they measure', () => {
    expect(metricKind('em', 'max')).toBe('accuracy:max');
    expect(metricKind('top1', 'max')).toBe('accuracy:max');
    expect(metricKind('validation/accuracy', 'max')).toBe('accuracy:max');
    expect(metricKind('validation/wer', 'min')).toBe('error-rate:min');
    expect(metricKind('validation/ssim', 'max')).toBe('ssim:max');
    expect(metricKind('validation/loss', 'min')).toBe('loss:min');
    expect(metricKind('val_loss', 'min')).toBe('loss:min');
  });

  it('tells an error rate from an accuracy and a perplexity from a loss, whatever else the name holds', () => {
    expect(metricKind('top1_error', 'min')).toBe('error-rate:min');
    expect(metricKind('val_loss_ppl', 'min')).toBe('perplexity:min');
    // The mode is part of the kind: an accuracy watched for its minimum is not an accuracy curve.
    expect(metricKind('accuracy', 'min')).toBe('accuracy:min');
  });

  it('makes any other metric its own kind, and none of a nameless one', () => {
    expect(metricKind('validation/mAP', 'max')).toBe('validation_map:max');
    expect(metricKind('BLEU', 'max')).toBe('bleu:max');
    expect(metricKind('', 'max')).toBe('');
    expect(metricKind('//', 'min')).toBe('');
  });
});

describe('curveKind', () => {
  it('pairs the metric kind with the family, empty when features hold none', () => {
    expect(curveKind('em', 'max', { family: 'kv-qa', lr: 0.01 })).toEqual({
      metric: 'accuracy:max',
      family: 'kv-qa',
    });
    expect(curveKind('val_loss', 'min', undefined)).toEqual({ metric: 'loss:min', family: '' });
    expect(curveKind('val_loss', 'min', { family: 3 })).toEqual({ metric: 'loss:min', family: '' });
  });
});
