import * as z from 'zod';
import type { VirtualClock } from '../clock.js';
import { evaluateAlarm, evaluationRange, type AlarmState } from './alarm-evaluation.js';
import type { AlarmStatus, MetricAlarmSpec, Transition } from './alarm-messages.js';
import type { MetricStore } from './metric-store.js';
import { JsonStateFile } from './state-file.js';

/** CloudWatch evaluates metric alarms once a minute. */
const EVALUATION_INTERVAL_MS = 60_000;

/** An alarm's state as it is kept across restarts (composites keep theirs in the same shape). */
export const alarmStatusSchema = z.object({
  state: z.enum(['OK', 'ALARM', 'INSUFFICIENT_DATA']),
  reason: z.string(),
  reasonData: z.string().optional(),
  updatedAt: z.number(),
});

const statusSchema = z.record(z.string(), alarmStatusSchema);

/**
 * The template's metric alarms, evaluated on the runtime's clock every minute from the local metrics: each starts in
 * INSUFFICIENT_DATA, and a change of state (never a repeat of the same state) is a transition, which is when
 * CloudWatch runs the alarm's actions and emits its state-change event. States are kept across restarts.
 */
export class LocalAlarms {
  private readonly status = new Map<string, AlarmStatus>();
  private stopTimer: (() => void) | undefined;
  private chain: Promise<void> = Promise.resolve();
  private readonly saved: JsonStateFile<z.infer<typeof statusSchema>>;

  constructor(
    readonly specs: readonly MetricAlarmSpec[],
    private readonly store: MetricStore,
    private readonly clock: VirtualClock,
    stateFile: string,
    private readonly onTransition: (transition: Transition) => Promise<void>,
  ) {
    this.saved = new JsonStateFile(stateFile, statusSchema);
    const saved = this.saved.read();
    for (const spec of specs) {
      const known = saved?.[spec.name];
      this.status.set(
        spec.name,
        known ?? { state: 'INSUFFICIENT_DATA', reason: 'Unchecked: Initial alarm creation', updatedAt: clock.now() },
      );
    }
  }

  start(): void {
    this.stopTimer = this.clock.every(EVALUATION_INTERVAL_MS, (time) => this.evaluateAll(time));
  }

  stop(): void {
    this.stopTimer?.();
  }

  describe(): { spec: MetricAlarmSpec; status: AlarmStatus }[] {
    return this.specs.map((spec) => ({ spec, status: this.status.get(spec.name) as AlarmStatus }));
  }

  /** SetAlarmState: the state until the next evaluation says otherwise; a change runs the actions, as in CloudWatch. */
  setState(name: string, state: AlarmState, reason: string, reasonData?: string): Promise<void> {
    const spec = this.specs.find((s) => s.name === name);
    if (spec === undefined) throw new Error(`no alarm named ${name}`);
    return this.serially(() =>
      this.applyStatus(spec, { state, reason, ...(reasonData ? { reasonData } : {}), updatedAt: this.clock.now() }),
    );
  }

  /** Evaluates every alarm at `time` (a minute boundary), one after the other. */
  evaluateAll(time: number): Promise<void> {
    return this.serially(async () => {
      for (const spec of this.specs) await this.evaluate(spec, time);
    });
  }

  private async evaluate(spec: MetricAlarmSpec, time: number): Promise<void> {
    // The periods end at the evaluation time, so an alarm sees a breach within a minute, whatever its period.
    const periodMs = spec.periodSeconds * 1000;
    const periods = evaluationRange(spec.condition.evaluationPeriods);
    const series = this.store.windows(spec.metric, spec.statistic, periodMs, time - periods * periodMs, periods);
    const current = this.status.get(spec.name) as AlarmStatus;
    const result = evaluateAlarm(
      spec.condition,
      series.map((p) => p.value),
      current.state,
    );
    const reasonData = JSON.stringify({
      version: '1.0',
      queryDate: new Date(time).toISOString(),
      statistic: spec.statistic,
      period: spec.periodSeconds,
      recentDatapoints: series.filter((p) => p.value !== null).map((p) => p.value),
      threshold: spec.condition.threshold,
    });
    await this.applyStatus(spec, { state: result.state, reason: result.reason, reasonData, updatedAt: time });
  }

  private async applyStatus(spec: MetricAlarmSpec, next: AlarmStatus): Promise<void> {
    const previous = this.status.get(spec.name) as AlarmStatus;
    if (previous.state === next.state) return;
    this.status.set(spec.name, next);
    this.save();
    await this.onTransition({ alarm: spec, previous, current: next });
  }

  private save(): void {
    this.saved.write(Object.fromEntries(this.status));
  }

  private serially(task: () => Promise<void>): Promise<void> {
    const run = this.chain.then(task);
    this.chain = run.catch(() => undefined);
    return run;
  }
}
