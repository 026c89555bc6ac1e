import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as z from 'zod';
import type { ExecutionStatus, LocalExecution, StepEvent } from './state-machine.js';

/**
 * The local Step Functions' store of executions: one JSON-lines file per execution (its start, every state event,
 * its end), written as they happen. Step Functions keeps an execution's history whatever becomes of the client that
 * started it; locally the runtime is that client too, so its history outlives a crash on disk, and an execution that
 * was running when the runtime died ends ABORTED at the next start (as AWS reports one stopped outside its Catch).
 */

const startedSchema = z.object({
  kind: z.literal('started'),
  executionArn: z.string(),
  name: z.string(),
  stateMachineArn: z.string(),
  input: z.unknown(),
  startedAt: z.number(),
});
const eventSchema = z.object({
  kind: z.literal('event'),
  event: z.object({ type: z.string(), timestamp: z.number() }).loose(),
});
const endedSchema = z.object({
  kind: z.literal('ended'),
  status: z.enum(['SUCCEEDED', 'FAILED', 'ABORTED', 'TIMED_OUT']),
  stoppedAt: z.number(),
  output: z.unknown().optional(),
  error: z.object({ error: z.string(), cause: z.string() }).optional(),
});
const lineSchema = z.discriminatedUnion('kind', [startedSchema, eventSchema, endedSchema]);

export interface JournaledExecution {
  readonly executionArn: string;
  readonly name: string;
  readonly stateMachineArn: string;
  readonly input: unknown;
  readonly startedAt: number;
  readonly events: StepEvent[];
  /** Absent when the journal ends before the execution did: it was running when the runtime stopped. */
  readonly end?: {
    status: Exclude<ExecutionStatus, 'RUNNING'>;
    stoppedAt: number;
    output?: unknown;
    error?: { error: string; cause: string };
  };
}

export class ExecutionJournal {
  constructor(private readonly dir: string) {
    mkdirSync(dir, { recursive: true });
  }

  started(execution: {
    executionArn: string;
    name: string;
    stateMachineArn: string;
    input: unknown;
    startedAt: Date;
  }): void {
    this.append(execution.name, {
      kind: 'started',
      executionArn: execution.executionArn,
      name: execution.name,
      stateMachineArn: execution.stateMachineArn,
      input: execution.input,
      startedAt: execution.startedAt.getTime(),
    });
  }

  event(name: string, event: StepEvent): void {
    this.append(name, { kind: 'event', event: { ...event } });
  }

  ended(name: string, end: NonNullable<JournaledExecution['end']>): void {
    this.append(name, { kind: 'ended', ...end });
  }

  /** Every execution the journal holds, oldest first; a damaged line (a crash mid-write) ends what can be read. */
  load(): JournaledExecution[] {
    if (!existsSync(this.dir)) return [];
    const executions: JournaledExecution[] = [];
    for (const file of readdirSync(this.dir).filter((f) => f.endsWith('.jsonl'))) {
      const loaded = readExecution(readFileSync(join(this.dir, file), 'utf8'));
      if (loaded !== undefined) executions.push(loaded);
    }
    return executions.sort((a, b) => a.startedAt - b.startedAt);
  }

  private append(name: string, line: z.input<typeof lineSchema>): void {
    // Synchronous: a line is on disk before the execution moves on, so a crash loses nothing that happened.
    appendFileSync(join(this.dir, `${name}.jsonl`), `${JSON.stringify(line)}\n`);
  }
}

function readExecution(text: string): JournaledExecution | undefined {
  let execution: { -readonly [K in keyof JournaledExecution]: JournaledExecution[K] } | undefined;
  for (const raw of text.split('\n')) {
    if (raw === '') continue;
    let parsed: z.infer<typeof lineSchema>;
    try {
      parsed = lineSchema.parse(JSON.parse(raw));
    } catch {
      break;
    }
    if (parsed.kind === 'started')
      execution = {
        executionArn: parsed.executionArn,
        name: parsed.name,
        stateMachineArn: parsed.stateMachineArn,
        input: parsed.input,
        startedAt: parsed.startedAt,
        events: [],
      };
    else if (execution !== undefined && parsed.kind === 'event')
      execution.events.push(parsed.event as unknown as StepEvent);
    else if (execution !== undefined && parsed.kind === 'ended') {
      const { kind: _kind, ...end } = parsed;
      execution.end = end;
    }
  }
  return execution;
}

/** An execution of an earlier run of the runtime, as the journal holds it (ended, whatever it was doing). */
export function restoredExecution(
  journaled: JournaledExecution,
  end: NonNullable<JournaledExecution['end']>,
): LocalExecution {
  const execution: LocalExecution = {
    executionArn: journaled.executionArn,
    name: journaled.name,
    stateMachineArn: journaled.stateMachineArn,
    input: journaled.input,
    startedAt: new Date(journaled.startedAt),
    status: end.status,
    events: journaled.events,
    ...(end.output !== undefined ? { output: end.output } : {}),
    ...(end.error !== undefined ? { error: end.error } : {}),
    done: Promise.resolve(undefined as unknown as LocalExecution),
  };
  return { ...execution, done: Promise.resolve(execution) };
}
