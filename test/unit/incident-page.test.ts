import { describe, expect, it } from 'vitest';
import { incidentPage, type IncidentPageInput } from '../../lambdas/core/report/incident-page.js';

const incident: IncidentPageInput['incident'] = {
  id: '7',
  models: ['adult'],
  status: 'open',
  openedAt: '2026-12-08T10:00:00.000Z',
  updatedAt: '2026-12-08T10:05:00.000Z',
  resolvedAt: null,
  members: [
    {
      alarmName: 'Stack-ModeladultInputDrift',
      model: 'adult',
      kind: 'input_drift',
      state: 'ALARM',
      firstAlarmAt: '2026-12-08T10:00:00.000Z',
      changedAt: '2026-12-08T10:00:00.000Z',
      reason: 'age drifted <script>alert(1)</script>',
    },
  ],
  source: {
    kind: 'signal',
    summary: 'input drift (Stack-ModeladultInputDrift) at 10:00',
    evidence: 'e',
    confidence: 0.85,
  },
  line: 'incident 7 (adult): likely source — input drift (…) at 10:00',
};

describe("an incident's page", () => {
  it('shows the line, the source, the alarms (escaped), the tier, the timeline and the notes', () => {
    const html = incidentPage({
      incident,
      response: {
        tier: 2,
        acknowledged: { by: 'alice@laptop', at: '2026-12-08T10:20:00.000Z', message: 'on it' },
        timeline: [{ at: '2026-12-08T10:01:00.000Z', actor: 'incident response', what: 'tier 1: opened and paged' }],
      },
      notes: 'Check the upstream feed first; then call Bob.',
      renderedAt: '2026-12-08T10:21:00.000Z',
    });
    expect(html).toContain('<title>incident 7 (adult)</title>');
    expect(html).toContain('incident 7 (adult): likely source — input drift (…) at 10:00');
    expect(html).toContain('age drifted &lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).not.toContain('<script>');
    expect(html).toContain('tier 2 — the data scientists');
    expect(html).toContain('Acknowledged by <b>alice@laptop</b>');
    expect(html).toContain('tier 1: opened and paged');
    expect(html).toContain('Check the upstream feed first; then call Bob.');
  });

  it('says when the incident has not been announced yet', () => {
    const html = incidentPage({ incident, response: null, renderedAt: '2026-12-08T10:00:30.000Z' });
    expect(html).toContain('not announced yet');
    expect(html).not.toContain('Notes from the model developers');
  });
});
