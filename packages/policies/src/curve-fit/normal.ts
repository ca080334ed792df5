/**
 * Standard normal CDF Φ(z), via the complementary error function (Numerical Recipes `erfcc`,
 * a Chebyshev fit with relative error below 1.2e-7 everywhere): plenty for a stopping rule.
 */
export function normalCdf(z: number): number {
  if (Number.isNaN(z)) return Number.NaN;
  const x = -z / Math.SQRT2;
  const t = 1 / (1 + 0.5 * Math.abs(x));
  const poly =
    -x * x -
    1.26551223 +
    t *
      (1.00002368 +
        t *
          (0.37409196 +
            t *
              (0.09678418 +
                t *
                  (-0.18628806 +
                    t *
                      (0.27886807 +
                        t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
  const erfc = t * Math.exp(poly);
  return 0.5 * (x >= 0 ? erfc : 2 - erfc);
}

/** P(X > threshold) for X ~ N(mean, sd²); a point mass when sd is 0. */
export function probabilityAbove(mean: number, sd: number, threshold: number): number {
  if (!(sd > 0)) return mean > threshold ? 1 : 0;
  return 1 - normalCdf((threshold - mean) / sd);
}
