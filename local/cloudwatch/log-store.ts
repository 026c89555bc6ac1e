import { randomUUID } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { compileFilterPattern } from './filter-pattern.js';

export interface LogEvent {
  readonly logStreamName: string;
  readonly timestamp: number;
  readonly ingestionTime: number;
  readonly message: string;
  readonly eventId: string;
}

const eventSchema = z.object({ logStreamName: z.string(), timestamp: z.number(), ingestionTime: z.number(), message: z.string(), eventId: z.string() });

/**
 * CloudWatch Logs for the local runtime: the events of each log group in a JSON-lines file of its own under
 * `.mlops/logs/groups/`, kept across restarts, read back in time order with a filter pattern.
 */
export class LogStore {
  constructor(private readonly dir: string) {
    mkdirSync(dir, { recursive: true });
  }

  private file(group: string): string {
    return join(this.dir, `${encodeURIComponent(group)}.jsonl`);
  }

  put(group: string, stream: string, timestamp: number, message: string, ingestionTime = timestamp): LogEvent {
    const event: LogEvent = { logStreamName: stream, timestamp, ingestionTime, message, eventId: randomUUID() };
    appendFileSync(this.file(group), `${JSON.stringify(event)}\n`);
    return event;
  }

  groups(prefix = ''): string[] {
    return readdirSync(this.dir)
      .filter((f) => f.endsWith('.jsonl'))
      .map((f) => decodeURIComponent(f.slice(0, -'.jsonl'.length)))
      .filter((g) => g.startsWith(prefix))
      .sort();
  }

  /** Events of [start, end] that match the filter pattern, oldest first. */
  filter(group: string, options: { start?: number; end?: number; pattern?: string } = {}): LogEvent[] {
    const file = this.file(group);
    if (!existsSync(file)) return [];
    const matches = compileFilterPattern(options.pattern ?? '');
    return readFileSync(file, 'utf8')
      .split('\n')
      .flatMap((line) => {
        if (line === '') return [];
        const parsed = eventSchema.safeParse(JSON.parse(line));
        return parsed.success ? [parsed.data] : [];
      })
      .filter((e) => (options.start === undefined || e.timestamp >= options.start) && (options.end === undefined || e.timestamp <= options.end) && matches(e.message))
      .sort((a, b) => a.timestamp - b.timestamp);
  }
}
