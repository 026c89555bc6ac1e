import { randomUUID } from 'node:crypto';
import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import * as z from 'zod';
import { compileFilterPattern } from './filter-pattern.js';
import { JsonLinesFile } from './jsonl-file.js';

export interface LogEvent {
  readonly logStreamName: string;
  readonly timestamp: number;
  readonly ingestionTime: number;
  readonly message: string;
  readonly eventId: string;
}

const eventSchema = z.object({
  logStreamName: z.string(),
  timestamp: z.number(),
  ingestionTime: z.number(),
  message: z.string(),
  eventId: z.string(),
});

/**
 * CloudWatch Logs for the local runtime: the events of each log group in memory and in a JSON-lines file of its own
 * under `.mlops/logs/groups/`, read back at start-up, so they are kept across restarts.
 */
export class LogStore {
  private readonly groupsByName = new Map<string, { file: JsonLinesFile<LogEvent>; events: LogEvent[] }>();

  constructor(private readonly dir: string) {
    mkdirSync(dir, { recursive: true });
    for (const name of readdirSync(dir).filter((f) => f.endsWith('.jsonl')))
      this.group(decodeURIComponent(name.slice(0, -'.jsonl'.length)));
  }

  private group(name: string) {
    let group = this.groupsByName.get(name);
    if (group === undefined) {
      const file = new JsonLinesFile<LogEvent>(join(this.dir, `${encodeURIComponent(name)}.jsonl`), eventSchema);
      group = { file, events: file.read() };
      this.groupsByName.set(name, group);
    }
    return group;
  }

  put(groupName: string, stream: string, timestamp: number, message: string, ingestionTime = timestamp): LogEvent {
    const event: LogEvent = { logStreamName: stream, timestamp, ingestionTime, message, eventId: randomUUID() };
    const group = this.group(groupName);
    group.events.push(event);
    group.file.append(event);
    return event;
  }

  groups(prefix = ''): string[] {
    return [...this.groupsByName.keys()].filter((g) => g.startsWith(prefix)).sort();
  }

  /** Events of [start, end] that match the filter pattern, oldest first. */
  filter(groupName: string, options: { start?: number; end?: number; pattern?: string } = {}): LogEvent[] {
    const group = this.groupsByName.get(groupName);
    if (group === undefined) return [];
    const matches = compileFilterPattern(options.pattern ?? '');
    return group.events
      .filter(
        (e) =>
          (options.start === undefined || e.timestamp >= options.start) &&
          (options.end === undefined || e.timestamp <= options.end) &&
          matches(e.message),
      )
      .sort((a, b) => a.timestamp - b.timestamp);
  }

  /** Waits until every event is on disk. */
  async close(): Promise<void> {
    await Promise.all([...this.groupsByName.values()].map((g) => g.file.close()));
  }
}
