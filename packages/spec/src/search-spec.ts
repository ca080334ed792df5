import { z } from 'zod';
import { expecting, intField, whenValid } from './fields.js';
import {
  type GridSearchDomain,
  GridSearchDomain as GridSearchDomainSchema,
  gridDomainSize,
  SearchDomain,
} from './search-domain.js';

/** Most runs one experiment may expand to (random trials or grid points). */
export const maxTrials = 10_000;

export const searchMethods = ['grid', 'random'] as const;
export type SearchMethod = (typeof searchMethods)[number];

const spaceOf = <T extends z.ZodType>(domain: T) =>
  z
    .record(z.string(), domain, { error: expecting('a mapping of parameter name to domain') })
    .refine((space) => Object.keys(space).length > 0, {
      error: expecting('at least one parameter to search'),
    });

const trials = intField({ min: 1, max: maxTrials });
const seed = intField().default(0).describe('Seed of the search; the same seed gives the same runs.');

/** Number of points of a grid (the product of the domain sizes). */
export function gridSize(space: Record<string, GridSearchDomain>): number {
  return Object.values(space).reduce((size, domain) => size * gridDomainSize(domain), 1);
}

/**
 * Grid search: the cartesian product of the domains, keys in sorted order. `trials`, when
 * given, must be at most the grid size; fewer trials than points runs a seeded sample of the
 * grid (kept in grid order).
 */
export const GridSearchSpec = z
  .strictObject({
    method: z.literal('grid'),
    trials: trials.optional(),
    seed,
    space: spaceOf(GridSearchDomainSchema),
  })
  .superRefine((search, ctx) => {
    const size = gridSize(search.space);
    if (size > maxTrials) {
      ctx.addIssue({
        code: 'custom',
        path: ['space'],
        message: `expected at most ${maxTrials} grid points, got ${size} (narrow the domains or use method: random)`,
      });
    } else if (search.trials !== undefined && search.trials > size) {
      ctx.addIssue({
        code: 'custom',
        path: ['trials'],
        message: `expected at most ${size} (the grid size), got ${search.trials}`,
      });
    }
  }, whenValid);
export type GridSearchSpec = z.infer<typeof GridSearchSpec>;

/** Random search: `trials` independent samples of every domain. */
export const RandomSearchSpec = z.strictObject({
  method: z.literal('random'),
  trials,
  seed,
  space: spaceOf(SearchDomain),
});
export type RandomSearchSpec = z.infer<typeof RandomSearchSpec>;

export const SearchSpec = z.discriminatedUnion('method', [GridSearchSpec, RandomSearchSpec]);
export type SearchSpec = z.infer<typeof SearchSpec>;
