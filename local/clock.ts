/**
 * The local runtime's sense of time for everything the cloud does on a schedule: alarm evaluation, scheduled rules,
 * Firehose buffering. By default it follows the wall clock; a test can run it faster (`rate`) or stop it and move it
 * on explicitly (`advance`), so a 15-minute schedule or a 5-of-5-minute alarm is checked in milliseconds.
 *
 * Timers fire in time order; a timer that is due while the clock is advanced runs at its own time (`now()` reads that
 * time inside it), and what it schedules for within the advanced span runs too.
 */
export interface Clock {
  now(): number;
  /** Runs `task` once at `time` (epoch ms); returns a cancel function. */
  at(time: number, task: () => void | Promise<void>): () => void;
}

interface Timer {
  readonly id: number;
  readonly time: number;
  readonly task: () => void | Promise<void>;
}

export interface VirtualClockOptions {
  /** Start time (epoch ms). @default the wall clock's now */
  readonly start?: number;
  /**
   * How fast virtual time passes against the wall clock: 1 is real time, 60 makes a minute a second, 0 stops it
   * (time then moves only with `advance`). @default 1
   */
  readonly rate?: number;
}

export class VirtualClock implements Clock {
  private timers: Timer[] = [];
  private nextId = 1;
  private base: { readonly virtual: number; readonly wall: number };
  private rate: number;
  private wake: ReturnType<typeof setTimeout> | undefined;
  private running: Promise<void> = Promise.resolve();
  /** The time of the timer being run, while `advance` runs timers one by one. */
  private pinned: number | undefined;
  private stopped = false;

  constructor(options: VirtualClockOptions = {}) {
    this.base = { virtual: options.start ?? Date.now(), wall: Date.now() };
    this.rate = options.rate ?? 1;
    if (this.rate < 0 || !Number.isFinite(this.rate))
      throw new RangeError(`a clock rate must be 0 or more, got ${this.rate}`);
  }

  now(): number {
    if (this.pinned !== undefined) return this.pinned;
    return this.base.virtual + (Date.now() - this.base.wall) * this.rate;
  }

  at(time: number, task: () => void | Promise<void>): () => void {
    const timer = { id: this.nextId++, time, task };
    this.timers.push(timer);
    this.timers.sort((a, b) => a.time - b.time || a.id - b.id);
    this.schedule();
    return () => {
      this.timers = this.timers.filter((t) => t !== timer);
      this.schedule();
    };
  }

  /** Runs `task` every `periodMs`, the first time at the next multiple of the period (as CloudWatch aligns periods). */
  every(periodMs: number, task: (time: number) => void | Promise<void>, offsetMs = 0): () => void {
    let cancel: () => void = () => undefined;
    let active = true;
    const next = (after: number) => {
      const time = Math.floor((after - offsetMs) / periodMs) * periodMs + periodMs + offsetMs;
      cancel = this.at(time, async () => {
        if (!active) return;
        next(time);
        await task(time);
      });
    };
    next(this.now());
    return () => {
      active = false;
      cancel();
    };
  }

  /** How fast it runs against the wall clock (see `rate`): a runtime started again continues at the same pace. */
  get pace(): number {
    return this.rate;
  }

  /** Changes the pace from now on (see `rate`). */
  setRate(rate: number): void {
    if (rate < 0 || !Number.isFinite(rate)) throw new RangeError(`a clock rate must be 0 or more, got ${rate}`);
    this.base = { virtual: this.now(), wall: Date.now() };
    this.rate = rate;
    this.schedule();
  }

  /**
   * Moves time on by `ms`, running every timer that falls due on the way at its own time and waiting for each (and for
   * what it schedules within the span). Resolves when the clock has reached the new time.
   */
  advance(ms: number): Promise<void> {
    const run = this.running.then(async () => {
      const target = this.now() + ms;
      for (;;) {
        const due = this.timers[0];
        if (due === undefined || due.time > target) break;
        this.timers.shift();
        this.pinned = Math.max(due.time, this.pinned ?? due.time);
        try {
          await due.task();
        } catch (error) {
          console.error('a scheduled task failed:', error);
        }
      }
      this.pinned = undefined;
      this.base = { virtual: target, wall: Date.now() };
      this.schedule();
    });
    this.running = run;
    return run;
  }

  /** Cancels every timer; nothing runs afterwards. */
  stop(): void {
    this.stopped = true;
    this.timers = [];
    if (this.wake !== undefined) clearTimeout(this.wake);
  }

  /** With time running (rate > 0), wakes up on the wall clock when the first timer is due. */
  private schedule(): void {
    if (this.wake !== undefined) clearTimeout(this.wake);
    this.wake = undefined;
    const first = this.timers[0];
    if (this.stopped || first === undefined || this.rate === 0 || this.pinned !== undefined) return;
    const wallDelay = Math.max(0, (first.time - this.now()) / this.rate);
    this.wake = setTimeout(
      () => {
        this.wake = undefined;
        void this.advance(Math.max(0, first.time - this.now()));
      },
      Math.min(wallDelay, 2 ** 31 - 1),
    );
    this.wake.unref();
  }
}
