import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type * as z from 'zod';

/**
 * A JSON document the local runtime keeps alarm states in, so a restart neither forgets a state nor takes a known one
 * for a change (which would run its actions again). Written whole to a temporary file and renamed over the old one,
 * so a crash mid-write leaves the previous document, never half of one.
 */
export class JsonStateFile<T> {
  constructor(
    private readonly file: string,
    private readonly schema: z.ZodType<T>,
  ) {}

  /** What was saved; undefined when nothing was, or what is there is not a document of this kind. */
  read(): T | undefined {
    if (!existsSync(this.file)) return undefined;
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(this.file, 'utf8'));
    } catch {
      console.error(`${this.file} is not JSON; alarm states start again from INSUFFICIENT_DATA`);
      return undefined;
    }
    const parsed = this.schema.safeParse(raw);
    return parsed.success ? parsed.data : undefined;
  }

  write(value: T): void {
    mkdirSync(dirname(this.file), { recursive: true });
    const staging = `${this.file}.${process.pid}.tmp`;
    writeFileSync(staging, JSON.stringify(value, null, 2));
    renameSync(staging, this.file);
  }
}
