import { describe, expect, it } from 'vitest';
import { beforeDeadline } from '../../lambdas/shared/runtime/deadline.js';

describe('work raced against a deadline (the monitor records why it ran out of time)', () => {
  it('answers the value of work that finishes in time', async () => {
    await expect(beforeDeadline(Promise.resolve(42), 1_000)).resolves.toEqual({ done: true, value: 42 });
  });

  it('answers "not done" once the deadline passes, without waiting for the work', async () => {
    const never = new Promise<number>(() => undefined);
    await expect(beforeDeadline(never, 20)).resolves.toEqual({ done: false });
  });

  it('passes on the error of work that fails in time', async () => {
    await expect(beforeDeadline(Promise.reject(new Error('S3 is down')), 1_000)).rejects.toThrow('S3 is down');
  });
});
