import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlarmTransition } from '../../lambdas/core/incidents/grouping.js';
import type { AlarmSignal, SignalKind } from '../../lambdas/core/incidents/signals.js';
import { IncidentStore } from '../../lambdas/shared/adapters/incident-store.js';
import type { Registry } from '../../lambdas/shared/adapters/registry.js';
import { SETTLE_MINUTES } from '../../lambdas/core/incidents/paging.js';
import {
  announceIncident,
  delivered,
  responseEnded,
  settleIncident,
} from '../../lambdas/shared/use-cases/incident-outbox.js';
import { recordAlarmTransition, registryChanges } from '../../lambdas/shared/use-cases/incidents.js';
import { localDynamoClient, startDynamo, type RunningDynamo } from '../../local/storage/emulators.js';
import { createRegistry } from '../helpers/registry-table.js';

/** The incident logic on the registry table in AWS's DynamoDB Local: grouping, sources, pages owed, concurrency. */
let dynamo: RunningDynamo;
let registry: Registry;
let table = 0;

beforeAll(async () => {
  dynamo = await startDynamo(undefined, 0);
});

afterAll(async () => {
  await dynamo.close();
});

/** A fresh registry table per scenario, so each starts with no incident. */
async function fresh(): Promise<{ store: IncidentStore; deps: Parameters<typeof recordAlarmTransition>[0] }> {
  const client = localDynamoClient(dynamo.endpoint, 'us-east-1');
  const name = `registry-${++table}`;
  registry = await createRegistry(client, name);
  const store = new IncidentStore(
    DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } }),
    name,
  );
  return { store, deps: { incidents: store, changes: registryChanges(registry) } };
}

const T0 = Date.parse('2026-12-07T14:00:00Z');
const at = (minute: number) => new Date(T0 + minute * 60_000).toISOString();
const sig = (model: string, kind: SignalKind): AlarmSignal => ({ alarmName: `${model}-${kind}`, model, kind });
const alarm = (s: AlarmSignal, minute: number, reason = 'threshold crossed'): AlarmTransition => ({
  alarmName: s.alarmName,
  state: 'ALARM',
  time: at(minute),
  reason,
});
const ok = (s: AlarmSignal, minute: number): AlarmTransition => ({ ...alarm(s, minute), state: 'OK', reason: 'fine' });

describe('incidents in the registry (issue 22)', () => {
  it('drift and realized decay: one incident, announced once naming the input drift; re-deliveries owe nothing more', async () => {
    const { store, deps } = await fresh();
    const drift = sig('adult', 'input_drift');
    const realized = sig('adult', 'realized_decay');
    const first = await recordAlarmTransition(deps, drift, alarm(drift, 0, 'age drifted'));
    expect(first.effects).toEqual({ '1': 'opened' });
    // Opened: its response workflow is owed (it announces the incident after the group wait), no page yet.
    expect(first.pages).toEqual([]);
    expect(first.starts).toEqual([{ incident: '1', name: `incident-1-${T0}` }]);
    const second = await recordAlarmTransition(deps, realized, alarm(realized, 0.5));
    expect(second.effects).toEqual({ '1': 'joined' });
    expect(second.pages).toEqual([]);
    const before = await store.state();
    for (const [s, t] of [
      [drift, alarm(drift, 0, 'age drifted')],
      [realized, alarm(realized, 0.5)],
    ] as const)
      expect((await recordAlarmTransition(deps, s, t)).effects).toEqual({});
    expect(await store.state()).toEqual(before);
    await delivered(store, { starts: [`incident-1-${T0}`] });
    const announced = await announceIncident(store, '1');
    expect(announced.announcement).toEqual({ outcome: 'page', event: 'opened' });
    expect(announced.pages).toEqual([
      expect.objectContaining({
        event: 'opened',
        subject: 'incident 1 (adult) opened',
        message: expect.stringMatching(/^incident 1 \(adult\): likely source — input drift .*age drifted/),
      }),
    ]);
    // A second announcement (a retried step) pages nothing more.
    expect((await announceIncident(store, '1')).announcement).toEqual({ outcome: 'announced already' });
    await delivered(store, { pages: announced.pages.map((p) => p.id) });
    expect((await store.state()).outbox).toEqual([]);
    const [record] = await store.list();
    expect(record).toMatchObject({ id: '1', models: ['adult'], status: 'open', source: { kind: 'signal' } });
    // Recovered: the incident resolves; its resolution is paged once it has held for SETTLE_MINUTES (its workflow watches).
    await recordAlarmTransition(deps, drift, ok(drift, 60));
    const resolved = await recordAlarmTransition(deps, realized, ok(realized, 65));
    expect(resolved.effects).toEqual({ '1': 'resolved' });
    expect(resolved.pages).toEqual([]);
    expect((await settleIncident(store, '1', Date.parse(at(65 + SETTLE_MINUTES)))).watch).toBe('open');
    const settled = await settleIncident(store, '1', Date.parse(at(65 + SETTLE_MINUTES)) + 1);
    expect(settled.watch).toBe('settled');
    expect(settled.pages.map((p) => p.subject)).toEqual(['incident 1 (adult) resolved']);
    expect((await store.state()).responding).toEqual([]);
  });

  it('a quality drop after a promotion names the promotion, from the audit trail', async () => {
    const { store, deps } = await fresh();
    await registry.audit.appendOnce(
      {
        model: 'adult',
        action: 'promote',
        actor: 'ci',
        reason: 'gate passed',
        version: 3,
        previousVersion: 2,
        outcome: 'succeeded',
        detail: '',
      },
      { at: at(-30), id: 'p3' },
    );
    const estimated = sig('adult', 'estimated_decay');
    await recordAlarmTransition(deps, estimated, alarm(estimated, 0));
    const { pages } = await announceIncident(store, '1');
    expect(pages[0]?.message).toMatch(/likely source — promotion of v3 at 13:30 \(quality fell after it/);
  });

  it('a changed source after the announcement is owed as a page; two alarms at once are both recorded', async () => {
    const { store, deps } = await fresh();
    const realized = sig('adult', 'realized_decay');
    const drift = sig('adult', 'input_drift');
    await recordAlarmTransition(deps, realized, alarm(realized, 0));
    await announceIncident(store, '1');
    const changed = await recordAlarmTransition(deps, drift, alarm(drift, 5));
    expect(changed.pages.map((p) => p.event)).toEqual(['opened', 'source changed']);
    const latency = sig('adult', 'latency');
    const errors = sig('adult', 'errors');
    await Promise.all([
      recordAlarmTransition(deps, latency, alarm(latency, 10)),
      recordAlarmTransition(deps, errors, alarm(errors, 11)),
    ]);
    const { incidents } = await store.state();
    expect(incidents).toHaveLength(1);
    expect(incidents[0]?.members.map((m) => m.kind).sort()).toEqual([
      'errors',
      'input_drift',
      'latency',
      'realized_decay',
    ]);
  });

  it('a response workflow stopped from outside starts again while the incident is open; a failed one lets it go', async () => {
    const { store, deps } = await fresh();
    const drift = sig('adult', 'input_drift');
    await recordAlarmTransition(deps, drift, alarm(drift, 0));
    await delivered(store, { starts: [`incident-1-${T0}`] });
    const aborted = await responseEnded(store, { incident: '1', status: 'ABORTED', at: T0 + 60_000 });
    expect(aborted.restarted).toBe(true);
    expect(aborted.starts).toEqual([{ incident: '1', name: `incident-1-${T0 + 60_000}-again` }]);
    expect((await store.state()).responding).toEqual(['1']);
    await delivered(store, { starts: [`incident-1-${T0 + 60_000}-again`] });
    const failed = await responseEnded(store, { incident: '1', status: 'FAILED', at: T0 + 120_000 });
    expect(failed.restarted).toBe(false);
    expect((await store.state()).responding).toEqual([]);
    // The event delivered again: nothing more.
    expect((await responseEnded(store, { incident: '1', status: 'FAILED', at: T0 + 120_000 })).restarted).toBe(false);
  });
});
