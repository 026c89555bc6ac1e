import type * as z from 'zod';
import { IntegrityError } from './errors.js';

/**
 * Documents the project stores and reads back (S3 objects between steps, artifacts, schemas, reports) are checked on
 * the way in: one written by other code, or changed by hand, fails with its location and what is wrong instead of
 * deep inside a computation. `what` names the kind with its article ("a data schema").
 */
export function parseStoredJson<T extends z.ZodType>(schema: T, text: string, where: string, what: string): z.infer<T> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new IntegrityError(`${where} is not the JSON of ${what}: ${(error as Error).message}`, { cause: error });
  }
  return checkStored(schema, raw, where, what);
}

/** Checks a parsed document against its schema (the first five problems named, with their paths). */
export function checkStored<T extends z.ZodType>(schema: T, raw: unknown, where: string, what: string): z.infer<T> {
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .slice(0, 5)
      .map((i) => `${i.path.join('.') || '(document)'}: ${i.message}`)
      .join('; ');
    throw new IntegrityError(`${where} is not ${what} this code can read: ${problems}`, { cause: parsed.error });
  }
  return parsed.data;
}
