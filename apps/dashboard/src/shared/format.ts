/** Number formats of the dashboard and the static report (the same on every machine). A missing value is an en dash. */

export const MISSING = '–';

/** 1234567 → "1,234,567" (no locale data needed, same on every machine). */
export function formatCount(n: number): string {
  const [whole, fraction] = String(Math.round(n * 1000) / 1000).split('.');
  const grouped = (whole ?? '').replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return fraction ? `${grouped}.${fraction}` : grouped;
}

/** Axis labels: 0, 500, 50k, 1.25M, 2B. */
export function formatTokensShort(n: number): string {
  const units: [number, string][] = [
    [1e9, 'B'],
    [1e6, 'M'],
    [1e3, 'k'],
  ];
  for (const [size, suffix] of units) {
    if (Math.abs(n) >= size) return `${Number((n / size).toPrecision(3))}${suffix}`;
  }
  return String(Number(n.toPrecision(3)));
}

/** EM with three decimals (0.805), as `curfew sql` users read it. */
export function formatEm(em: number | null): string {
  return em === null ? MISSING : em.toFixed(3);
}

/** A fraction as a percentage: 0.4667 → "46.7%". */
export function formatPercent(fraction: number | null, digits = 1): string {
  return fraction === null ? MISSING : `${(fraction * 100).toFixed(digits)}%`;
}

/** A tick value without float noise: 0.30000000000000004 → "0.3". */
export function formatTick(value: number): string {
  return String(Number(value.toPrecision(10)));
}
