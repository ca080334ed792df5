import { z } from 'zod';
import type { ParamValue } from './model-families.js';

/** One parameter of a family, for listings such as `curfew tasks`. */
export interface ParamInfo {
  name: string;
  description: string | undefined;
  /** Undefined when the parameter has no default (required or optional). */
  defaultValue: ParamValue | undefined;
}

/** The parameters of a strict params schema (a family's `params`), in declaration order. */
export function describeParams(schema: z.ZodObject): ParamInfo[] {
  return Object.entries(schema.shape as Record<string, z.ZodType>).map(([name, field]) => ({
    name,
    description: field.description,
    defaultValue: field instanceof z.ZodDefault ? (field.def.defaultValue as ParamValue) : undefined,
  }));
}

/** Every parameter of a params schema at its default. */
export function paramDefaults(schema: z.ZodObject): Record<string, ParamValue> {
  return schema.parse({}) as Record<string, ParamValue>;
}
