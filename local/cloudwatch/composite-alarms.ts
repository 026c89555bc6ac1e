import * as z from 'zod';
import type { VirtualClock } from '../clock.js';
import type { AlarmState } from './alarm-evaluation.js';
import type { AlarmStatus } from './alarm-messages.js';
import { evaluateAlarmRule, triggeringAlarms, type AlarmRule } from './alarm-rule.js';
import { alarmStatusSchema } from './alarms.js';
import { JsonStateFile } from './state-file.js';

export interface CompositeAlarmSpec {
  readonly logicalId: string;
  readonly name: string;
  readonly arn: string;
  readonly description?: string;
  readonly ruleText: string;
  readonly rule: AlarmRule;
  readonly actionsEnabled: boolean;
  readonly actions: Readonly<Record<AlarmState, readonly string[]>>;
  /** The alarm (name or ARN) whose ALARM state suppresses this one's actions. */
  readonly suppressor?: string;
  readonly suppressorWaitMs: number;
  readonly suppressorExtensionMs: number;
}

export type SuppressedBy = 'Alarm' | 'WaitPeriod' | 'ExtensionPeriod';

export interface CompositeStatus extends AlarmStatus {
  readonly actionsSuppressedBy?: SuppressedBy;
}

export interface CompositeTransition {
  readonly alarm: CompositeAlarmSpec;
  readonly previous: CompositeStatus;
  readonly current: CompositeStatus;
  /** False when the suppressor held the actions back (or the wait period has not passed yet). */
  readonly runActions: boolean;
  /** True for the change itself (its state-change event); false for actions run after the wait period. */
  readonly changed: boolean;
}

const compositeStatusSchema = alarmStatusSchema.extend({
  actionsSuppressedBy: z.enum(['Alarm', 'WaitPeriod', 'ExtensionPeriod']).optional(),
});

/** What is kept of each composite across restarts: its state, when its suppressor left ALARM, and actions waiting. */
const savedSchema = z.record(
  z.string(),
  z.object({
    status: compositeStatusSchema,
    leftAlarmAt: z.number().optional(),
    pending: z.object({ since: z.number(), previous: compositeStatusSchema }).optional(),
  }),
);

/** What a composite reads of another alarm (metric or composite), by the name or ARN its rule uses. */
export type AlarmLookup = (
  nameOrArn: string,
) => { readonly name: string; readonly arn: string; readonly status: AlarmStatus } | undefined;

/**
 * The template's composite alarms: re-evaluated whenever an alarm changes state, ALARM while the rule holds and OK
 * otherwise (INSUFFICIENT_DATA until first evaluated). On a transition the actions run unless the actions suppressor
 * holds them back: while it is in ALARM; for the extension period after it leaves ALARM; and, when it goes into ALARM
 * within the wait period after the transition, the actions wait that long and are then dropped. All of it is kept
 * across restarts, as CloudWatch keeps it: a restart re-evaluates each rule against the state it had, so an unchanged
 * composite runs no actions again, and actions that were waiting for the suppressor still wait.
 */
export class LocalCompositeAlarms {
  private readonly status = new Map<string, CompositeStatus>();
  private readonly leftAlarmAt = new Map<string, number>();
  private readonly pending = new Map<
    string,
    { readonly since: number; readonly previous: CompositeStatus; readonly cancel: () => void }
  >();
  private readonly saved: JsonStateFile<z.infer<typeof savedSchema>>;

  constructor(
    readonly specs: readonly CompositeAlarmSpec[],
    private readonly clock: VirtualClock,
    private readonly lookup: AlarmLookup,
    stateFile: string,
    private readonly onTransition: (transition: CompositeTransition) => Promise<void>,
  ) {
    this.saved = new JsonStateFile(stateFile, savedSchema);
    const saved = this.saved.read() ?? {};
    for (const spec of specs) {
      const kept = saved[spec.name];
      this.status.set(
        spec.name,
        kept?.status ?? {
          state: 'INSUFFICIENT_DATA',
          reason: 'Unchecked: Initial alarm creation',
          updatedAt: clock.now(),
        },
      );
      if (kept?.leftAlarmAt !== undefined) this.leftAlarmAt.set(spec.name, kept.leftAlarmAt);
      if (kept?.pending !== undefined) this.awaitSuppressor(spec, kept.pending.since, kept.pending.previous);
    }
  }

  describe(): { spec: CompositeAlarmSpec; status: CompositeStatus }[] {
    return this.specs.map((spec) => ({ spec, status: this.status.get(spec.name) as CompositeStatus }));
  }

  statusOf(nameOrArn: string): { name: string; arn: string; status: CompositeStatus } | undefined {
    const spec = this.specs.find((s) => s.name === nameOrArn || s.arn === nameOrArn);
    return spec === undefined
      ? undefined
      : { name: spec.name, arn: spec.arn, status: this.status.get(spec.name) as CompositeStatus };
  }

  /** Another alarm changed state: a suppressor's change matters to pending actions; every rule is evaluated again. */
  async alarmChanged(name: string, arn: string, state: AlarmState, previous: AlarmState): Promise<void> {
    const now = this.clock.now();
    for (const spec of this.specs) {
      if (spec.suppressor !== name && spec.suppressor !== arn) continue;
      if (previous === 'ALARM' && state !== 'ALARM') this.leftAlarmAt.set(spec.name, now);
      const waiting = this.pending.get(spec.name);
      if (state === 'ALARM' && waiting !== undefined) {
        waiting.cancel();
        this.pending.delete(spec.name);
        this.status.set(spec.name, {
          ...(this.status.get(spec.name) as CompositeStatus),
          actionsSuppressedBy: 'WaitPeriod',
        });
      }
    }
    this.save();
    await this.evaluateAll();
  }

  /** Evaluates every composite until none changes (a composite may name another). */
  async evaluateAll(): Promise<void> {
    for (let round = 0; round < this.specs.length + 1; round++) {
      let changed = false;
      for (const spec of this.specs) changed = (await this.evaluate(spec)) || changed;
      if (!changed) return;
    }
  }

  private async evaluate(spec: CompositeAlarmSpec): Promise<boolean> {
    const stateOf = (alarm: string) => this.lookup(alarm)?.status.state;
    const holds = evaluateAlarmRule(spec.rule, stateOf);
    const previous = this.status.get(spec.name) as CompositeStatus;
    const state: AlarmState = holds ? 'ALARM' : 'OK';
    if (previous.state === state) return false;
    const now = this.clock.now();
    const triggering = triggeringAlarms(spec.rule, stateOf)
      .map((alarm) => this.lookup(alarm))
      .filter((a) => a !== undefined);
    const reason =
      triggering.length > 0
        ? triggering
            .map((a) => `${a.arn} transitioned to ${a.status.state} at ${new Date(a.status.updatedAt).toISOString()}`)
            .join('; ')
        : `the rule ${spec.ruleText} is ${holds}`;
    const reasonData = JSON.stringify({
      triggeringAlarms: triggering.map((a) => ({
        arn: a.arn,
        state: { value: a.status.state, timestamp: new Date(a.status.updatedAt).toISOString() },
      })),
    });
    const suppressedBy = this.suppression(spec, now);
    const current: CompositeStatus = {
      state,
      reason,
      reasonData,
      updatedAt: now,
      ...(suppressedBy ? { actionsSuppressedBy: suppressedBy } : {}),
    };
    this.status.set(spec.name, current);
    this.pending.get(spec.name)?.cancel();
    this.pending.delete(spec.name);
    const waits = suppressedBy === undefined && spec.suppressor !== undefined && spec.suppressorWaitMs > 0;
    if (waits) this.awaitSuppressor(spec, now, previous);
    this.save();
    await this.onTransition({
      alarm: spec,
      previous,
      current,
      runActions: suppressedBy === undefined && !waits,
      changed: true,
    });
    return true;
  }

  /** Holds a transition's actions for the suppressor's wait period: if it goes into ALARM in time, they are dropped. */
  private awaitSuppressor(spec: CompositeAlarmSpec, since: number, previous: CompositeStatus): void {
    const cancel = this.clock.at(since + spec.suppressorWaitMs, async () => {
      this.pending.delete(spec.name);
      this.save();
      await this.onTransition({
        alarm: spec,
        previous,
        current: this.status.get(spec.name) as CompositeStatus,
        runActions: true,
        changed: false,
      });
    });
    this.pending.set(spec.name, { since, previous, cancel });
  }

  private save(): void {
    this.saved.write(
      Object.fromEntries(
        this.specs.map((spec) => {
          const waiting = this.pending.get(spec.name);
          const left = this.leftAlarmAt.get(spec.name);
          return [
            spec.name,
            {
              status: this.status.get(spec.name) as CompositeStatus,
              ...(left !== undefined ? { leftAlarmAt: left } : {}),
              ...(waiting ? { pending: { since: waiting.since, previous: waiting.previous } } : {}),
            },
          ];
        }),
      ),
    );
  }

  private suppression(spec: CompositeAlarmSpec, now: number): SuppressedBy | undefined {
    if (spec.suppressor === undefined) return undefined;
    if (this.lookup(spec.suppressor)?.status.state === 'ALARM') return 'Alarm';
    const left = this.leftAlarmAt.get(spec.name);
    if (left !== undefined && now < left + spec.suppressorExtensionMs) return 'ExtensionPeriod';
    return undefined;
  }
}
