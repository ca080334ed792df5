import { rearrangeShape, rearrangeTask } from './rearrange-task.js';

/**
 * Layout (n = `length`, v = `vocab`):
 *
 *   input  x₁ x₂ … xₙ     target the same symbols in ascending id order (duplicates kept)
 *
 * Vocab: id 0 pad, ids 1–v the symbols `a`, `b`, … in sort order (see symbols.ts). No separator:
 * input and target have fixed lengths. EM compares the symbol sequences.
 */
export const sortTask = rearrangeTask('sort', (input) => input.slice().sort((x, y) => x - y));
export const sortShape = rearrangeShape;
