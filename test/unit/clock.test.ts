import { afterEach, describe, expect, it, vi } from 'vitest';
import { VirtualClock } from '../../local/clock.js';

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);

describe('the local runtime clock (local/clock.ts)', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('stands still at rate 0 and runs due timers in time order, each seeing its own time', async () => {
    const clock = new VirtualClock({ start: T0, rate: 0 });
    const seen: string[] = [];
    clock.at(T0 + 3000, () => void seen.push(`c@${clock.now() - T0}`));
    clock.at(T0 + 1000, () => {
      seen.push(`a@${clock.now() - T0}`);
      clock.at(T0 + 2000, () => void seen.push(`b@${clock.now() - T0}`)); // scheduled inside the span: runs too
    });
    clock.at(T0 + 9000, () => void seen.push('late'));
    await clock.advance(5000);
    expect(seen).toEqual(['a@1000', 'b@2000', 'c@3000']);
    expect(clock.now()).toBe(T0 + 5000);
    await clock.advance(4000);
    expect(seen.at(-1)).toBe('late');
  });

  it('runs a periodic task on period boundaries (as CloudWatch aligns periods), until cancelled', async () => {
    const clock = new VirtualClock({ start: T0 + 20_000, rate: 0 });
    const times: number[] = [];
    const cancel = clock.every(60_000, (time) => void times.push(time - T0));
    await clock.advance(3 * 60_000);
    expect(times).toEqual([60_000, 120_000, 180_000]);
    cancel();
    await clock.advance(5 * 60_000);
    expect(times).toHaveLength(3);
  });

  it('cancels a timer, and keeps going after a task that throws', async () => {
    const clock = new VirtualClock({ start: T0, rate: 0 });
    const seen: number[] = [];
    const error = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    clock.at(T0 + 1, () => {
      throw new Error('boom');
    });
    const cancel = clock.at(T0 + 2, () => void seen.push(2));
    clock.at(T0 + 3, () => void seen.push(3));
    cancel();
    await clock.advance(10);
    expect(seen).toEqual([3]);
    expect(error).toHaveBeenCalledOnce();
    error.mockRestore();
  });

  it('follows the wall clock at rate 1, and runs faster at a higher rate (fake timers)', async () => {
    vi.useFakeTimers({ now: T0 });
    const clock = new VirtualClock({ rate: 60 });
    const seen: number[] = [];
    clock.every(60_000, (time) => void seen.push(time));
    await vi.advanceTimersByTimeAsync(1000); // a wall second is a virtual minute
    expect(seen).toEqual([T0 + 60_000]);
    clock.setRate(1);
    await vi.advanceTimersByTimeAsync(30_000);
    expect(seen).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(30_000);
    expect(seen).toEqual([T0 + 60_000, T0 + 120_000]);
    clock.stop();
  });

  it('refuses a negative rate', () => {
    expect(() => new VirtualClock({ rate: -1 })).toThrow('a clock rate must be 0 or more, got -1');
  });
});
