import { createWriteStream, existsSync, mkdirSync, readFileSync, type WriteStream } from 'node:fs';
import { dirname } from 'node:path';
import type * as z from 'zod';

/**
 * A JSON-lines file the local runtime keeps state in: read once (each line checked with the schema; a line cut short
 * by a crash is skipped, everything before it is intact) and then appended to through a stream, so recording a
 * metric or a log line on the request path never waits on the disk. `close` waits for what is still buffered.
 */
export class JsonLinesFile<T> {
  private stream: WriteStream | undefined;

  constructor(
    private readonly file: string,
    private readonly schema: z.ZodType<T>,
  ) {}

  read(): T[] {
    if (!existsSync(this.file)) return [];
    return readFileSync(this.file, 'utf8')
      .split('\n')
      .flatMap((line) => {
        if (line.trim() === '') return [];
        try {
          const parsed = this.schema.safeParse(JSON.parse(line));
          return parsed.success ? [parsed.data] : [];
        } catch {
          return [];
        }
      });
  }

  append(value: T): void {
    if (this.stream === undefined) {
      mkdirSync(dirname(this.file), { recursive: true });
      this.stream = createWriteStream(this.file, { flags: 'a' });
    }
    this.stream.write(`${JSON.stringify(value)}\n`);
  }

  close(): Promise<void> {
    const stream = this.stream;
    this.stream = undefined;
    return stream === undefined ? Promise.resolve() : new Promise((resolve) => stream.end(resolve));
  }
}
