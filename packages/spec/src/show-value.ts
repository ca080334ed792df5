const maxShownChars = 40;

/**
 * Renders a user-supplied value for an error message: strings quoted, numbers and booleans as
 * written, lists and objects as short JSON.
 */
export function showValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') {
    return String(value);
  }
  if (value === null) return 'null';
  let json: string;
  try {
    json = JSON.stringify(value) ?? String(value);
  } catch {
    json = String(value);
  }
  return json.length > maxShownChars ? json.slice(0, maxShownChars - 1) + '…' : json;
}
