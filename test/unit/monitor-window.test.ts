import { describe, expect, it } from 'vitest';
import { monitoringSchema } from '../../lambdas/core/monitoring-config.js';
import { windowOf } from '../../lambdas/monitor/monitor.js';

const monitoring = monitoringSchema.parse({});

describe('the window a scheduled monitor run judges', () => {
  it('is the last 15-minute interval whose capture settled before the time it was scheduled for', () => {
    const window = windowOf(
      { model: 'adult', trigger: 'schedule', scheduledTime: '2026-12-07T10:35:00Z' },
      monitoring,
      new Date('2026-12-07T10:35:02Z'),
    );
    expect([window.start.toISOString(), window.end.toISOString()]).toEqual([
      '2026-12-07T10:15:00.000Z',
      '2026-12-07T10:30:00.000Z',
    ]);
  });

  it('a run that starts an hour late still judges its own window, not a later one', () => {
    const late = windowOf(
      { model: 'adult', trigger: 'schedule', scheduledTime: '2026-12-07T10:35:00Z' },
      monitoring,
      new Date('2026-12-07T11:40:00Z'),
    );
    expect(late.end.toISOString()).toBe('2026-12-07T10:30:00.000Z');
    // Without the schedule's time (an older schedule's input), the time it runs decides.
    const unscheduled = windowOf({ model: 'adult', trigger: 'schedule' }, monitoring, new Date('2026-12-07T11:40:00Z'));
    expect(unscheduled.end.toISOString()).toBe('2026-12-07T11:30:00.000Z');
  });
});
