import { rearrangeShape, rearrangeTask } from './rearrange-task.js';

/**
 * Layout (n = `length`, v = `vocab`):
 *
 *   input  x₁ x₂ … xₙ     target xₙ … x₂ x₁
 *
 * Vocab: id 0 pad, ids 1–v the symbols `a`, `b`, … (see symbols.ts). No separator: input and
 * target have fixed lengths. EM compares the symbol sequences.
 */
export const reverseTask = rearrangeTask('reverse', (input) => input.slice().reverse());
export const reverseShape = rearrangeShape;
