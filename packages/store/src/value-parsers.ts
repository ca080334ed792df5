import pg from 'pg';

/**
 * How `readOnlyQuery` turns Postgres text values into JS values, the same on both drivers:
 * bigint → number (a string beyond Number.MAX_SAFE_INTEGER, so no digit is lost);
 * numeric → string, exactly as Postgres prints it; timestamptz → ISO 8601 string (UTC);
 * timestamp and date → Postgres's text. Other types keep the drivers' shared defaults
 * (int/float → number, bool, json → object, text → string).
 */
const OID = { int8: 20, numeric: 1700, date: 1082, timestamp: 1114, timestamptz: 1184 } as const;

const parseTimestamptz = pg.types.getTypeParser(OID.timestamptz, 'text') as (text: string) => unknown;

function parseInt8(text: string): number | string {
  const value = Number(text);
  return Number.isSafeInteger(value) ? value : text;
}

function parseTimestamptzToIso(text: string): string {
  const value = parseTimestamptz(text);
  // 'infinity' and friends have no ISO form.
  return value instanceof Date && !Number.isNaN(value.getTime()) ? value.toISOString() : text;
}

const asText = (text: string): string => text;

export const VALUE_PARSERS: Record<number, (text: string) => unknown> = {
  [OID.int8]: parseInt8,
  [OID.numeric]: asText,
  [OID.date]: asText,
  [OID.timestamp]: asText,
  [OID.timestamptz]: parseTimestamptzToIso,
};

/** A node-postgres `types` config using VALUE_PARSERS. */
export const PG_TYPES = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    VALUE_PARSERS[oid] ?? pg.types.getTypeParser(oid, format ?? 'text')) as typeof pg.types.getTypeParser,
};
