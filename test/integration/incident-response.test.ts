import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConflictError } from '../../lambdas/core/errors.js';
import { IncidentResponses } from '../../lambdas/shared/adapters/incident-responses.js';
import { IncidentStore, type IncidentPage } from '../../lambdas/shared/adapters/incident-store.js';
import type { Registry } from '../../lambdas/shared/adapters/registry.js';
import type { AlarmStateChange } from '../../lambdas/shared/contracts/alarm-event.js';
import { actOnIncident } from '../../lambdas/shared/use-cases/incident-actions.js';
import { runIncidentStep, type ResponseDeps } from '../../lambdas/shared/use-cases/incident-response.js';
import { registryChanges } from '../../lambdas/shared/use-cases/incidents.js';
import { respondToAlarm, respondToEndedResponse, type RespondDeps } from '../../lambdas/incident/respond.js';
import { localDynamoClient, startDynamo, type RunningDynamo } from '../../local/storage/emulators.js';
import { createRegistry, movesOver } from '../helpers/registry-table.js';

/**
 * The incident function and the response workflow's steps, in process on DynamoDB Local, with the topics, the task
 * tokens and the page store recorded: what an alarm event starts, what each step tells whom, what people may do.
 */
let dynamo: RunningDynamo;
let table = 0;

beforeAll(async () => {
  dynamo = await startDynamo(undefined, 0);
});

afterAll(async () => {
  await dynamo.close();
});

const T0 = Date.parse('2026-12-08T10:00:00Z');

function event(alarmName: string, state: 'ALARM' | 'OK', minute: number, metric?: string): AlarmStateChange {
  const previous = state === 'ALARM' ? 'OK' : 'ALARM';
  const at = new Date(T0 + minute * 60_000).toISOString();
  return {
    id: `${alarmName}-${minute}`,
    'detail-type': 'CloudWatch Alarm State Change',
    source: 'aws.cloudwatch',
    time: at,
    resources: [],
    detail: {
      alarmName,
      state: { value: state, reason: `${state} reason`, timestamp: at },
      previousState: { value: previous, reason: '', timestamp: at },
      configuration:
        metric === undefined
          ? {}
          : {
              metrics: [
                {
                  metricStat: {
                    metric: { namespace: 'ServerlessMlops', name: metric, dimensions: { model: 'adult' } },
                  },
                },
              ],
            },
    },
  };
}

async function world() {
  const client = localDynamoClient(dynamo.endpoint, 'us-east-1');
  const name = `registry-${++table}`;
  const registry: Registry = await createRegistry(client, name);
  const documents = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  const store = new IncidentStore(documents, name);
  const responses = new IncidentResponses(documents, name);
  const told = { pages: [] as IncidentPage[], tiers: [] as [number, string][], starts: [] as string[] };
  const tokens = { succeeded: [] as string[], failed: [] as string[] };
  const pages = new Map<string, string>();
  let now = T0;
  const respond: RespondDeps & { record: (incident: string, what: string) => Promise<void> } = {
    incidents: store,
    changes: registryChanges(registry),
    page: async (page) => {
      told.pages.push(page);
    },
    startResponse: async (start) => {
      told.starts.push(start.name);
    },
    resolved: async () => undefined,
    record: (incident, what) => responses.update(incident, { at: new Date(now).toISOString(), actor: 'test', what }),
  };
  const steps: ResponseDeps = {
    store,
    responses,
    settings: (model) =>
      model === 'adult' ? { tier1Minutes: 5, acknowledgeMinutes: 10, notes: 'call Bob' } : undefined,
    delivery: { page: async (page) => void told.pages.push(page) },
    notify: async (tier, subject) => void told.tiers.push([tier, subject]),
    tokens: { succeed: async (token) => void tokens.succeeded.push(token) },
    now: () => new Date(now),
    actor: 'incident response',
    runbook: {
      ...movesOver(registry),
      retrain: async () => 'no retraining: within the cool-down',
      actor: 'incident response (tier 1)',
    },
    storePage: async (incident, html) => {
      pages.set(incident, html);
      return `s3://artifacts/incidents/${incident}.html`;
    },
  };
  const people = {
    store,
    responses,
    registry,
    tokens: {
      succeed: async (token: string) => void tokens.succeeded.push(token),
      fail: async (token: string, error: string) => void tokens.failed.push(`${token}:${error}`),
    },
    now: () => new Date(now),
  };
  return {
    registry,
    store,
    respond,
    steps,
    people,
    told,
    tokens,
    pages,
    at: (minute: number) => (now = T0 + minute * 60_000),
  };
}

describe('the incident function and the response steps (issue 22)', () => {
  it('an alarm event starts one response; a composite or an unknown metric changes nothing and says why', async () => {
    const w = await world();
    expect(await respondToAlarm(w.respond, event('Stack-Degraded', 'ALARM', 0))).toMatchObject({
      ignored: 'a composite alarm (its member alarms are followed instead)',
    });
    expect(await respondToAlarm(w.respond, event('Stack-Odd', 'ALARM', 0, 'SomethingElse'))).toMatchObject({
      ignored: 'a metric the incident logic does not follow (ServerlessMlops SomethingElse)',
    });
    const first = await respondToAlarm(w.respond, event('Stack-Drift', 'ALARM', 0, 'DriftedFeatureShare'));
    expect(first).toMatchObject({ model: 'adult', effects: { '1': 'opened' }, started: [`incident-1-${T0}`] });
    // Delivered again: nothing new to start or send.
    expect(await respondToAlarm(w.respond, event('Stack-Drift', 'ALARM', 0, 'DriftedFeatureShare'))).toMatchObject({
      effects: {},
      started: [],
    });
    expect(w.told.starts).toEqual([`incident-1-${T0}`]);
  });

  it('announces with a link to its page, runs tier 1, tells tier 2 past its time, escalates to tier 3 on a timeout', async () => {
    const w = await world();
    await respondToAlarm(w.respond, event('Stack-Drift', 'ALARM', 0, 'DriftedFeatureShare'));
    w.at(1);
    expect(await runIncidentStep(w.steps, { action: 'announce', incident: '1' })).toEqual({
      status: 'open',
      tier1Seconds: 300,
      ackSeconds: 600,
    });
    expect(w.told.pages.map((p) => p.subject)).toEqual(['incident 1 (adult) opened']);
    expect(w.told.pages[0]?.message).toContain('Incident page: s3://artifacts/incidents/1.html');
    expect(w.pages.get('1')).toContain('call Bob');
    // Tier 1: no production version, so nothing served to verify; drift with no change behind it asks to retrain.
    expect((await runIncidentStep(w.steps, { action: 'runbook', incident: '1' })).status).toBe('open');
    w.at(3);
    expect((await runIncidentStep(w.steps, { action: 'check', incident: '1', tier1Seconds: 300 })).status).toBe('open');
    w.at(7);
    expect((await runIncidentStep(w.steps, { action: 'check', incident: '1', tier1Seconds: 300 })).status).toBe(
      'tier2',
    );
    await runIncidentStep(w.steps, { action: 'notify', incident: '1', token: 'token-1' });
    expect(w.told.tiers).toEqual([[2, 'incident 1 (adult): please acknowledge']]);
    await runIncidentStep(w.steps, {
      action: 'escalate',
      incident: '1',
      error: { Error: 'States.Timeout', Cause: 'the task was not completed within 600 s' },
    });
    expect(w.told.tiers.at(-1)).toEqual([3, 'incident 1 (adult) escalated']);
    expect(w.told.pages.map((p) => p.event)).toEqual(['opened', 'escalated']);
    const timeline = (await w.steps.responses.get('1'))?.timeline.map((e) => e.what) ?? [];
    expect(timeline).toEqual([
      expect.stringMatching(/^tier 1: opened and paged/),
      'tier 1: verify artifact (adult): passed — no production version: nothing served',
      'tier 1: retrain (adult): done — no retraining: within the cool-down',
      'tier 2: data scientists notified',
      'tier 3: escalated to the model developers (not acknowledged in time)',
    ]);
    expect(w.pages.get('1')).toContain('tier 3 — the model developers');
  });

  it('people: an ack answers the waiting task and is audited; refused actions are recorded and audited too', async () => {
    const w = await world();
    await respondToAlarm(w.respond, event('Stack-Drift', 'ALARM', 0, 'DriftedFeatureShare'));
    const request = { incident: '1', actor: 'alice@laptop', message: 'on it' };
    await expect(actOnIncident(w.people, 'acknowledge', request)).rejects.toThrow(
      'incident 1: cannot acknowledge: it is at tier 1 (the automated runbook) and not waiting for the data scientists yet',
    );
    await runIncidentStep(w.steps, { action: 'notify', incident: '1', token: 'token-7' });
    expect((await actOnIncident(w.people, 'acknowledge', request)).done).toBe('acknowledged: escalation stopped');
    expect(w.tokens.succeeded).toEqual(['token-7']);
    await expect(actOnIncident(w.people, 'escalate', request)).rejects.toBeInstanceOf(ConflictError);
    expect((await actOnIncident(w.people, 'resolve', request)).done).toMatch(/^resolved by hand/);
    expect((await w.store.get('1'))?.status).toBe('resolved');
    await expect(actOnIncident(w.people, 'acknowledge', request)).rejects.toThrow('it is resolved already');
    await expect(actOnIncident(w.people, 'resolve', { ...request, incident: '9' })).rejects.toThrow('no incident 9');
    const audited = (await w.registry.audit.list('adult')).map((e) => [e.outcome, e.detail]);
    expect(audited).toEqual([
      ['refused', expect.stringMatching(/^incident 1: acknowledge — it is at tier 1/)],
      ['succeeded', 'incident 1: acknowledge — acknowledged: escalation stopped'],
      ['refused', expect.stringMatching(/^incident 1: escalate — it was acknowledged already by alice@laptop/)],
      ['succeeded', expect.stringMatching(/^incident 1: resolve — resolved by hand/)],
      ['refused', 'incident 1: acknowledge — it is resolved already'],
    ]);
  });

  it('a stopped response starts again while its incident is open; the settled resolution pages once', async () => {
    const w = await world();
    await respondToAlarm(w.respond, event('Stack-Drift', 'ALARM', 0, 'DriftedFeatureShare'));
    await runIncidentStep(w.steps, { action: 'announce', incident: '1' });
    const stopped = await respondToEndedResponse(w.respond, {
      id: 'e1',
      'detail-type': 'Step Functions Execution Status Change',
      source: 'aws.states',
      time: new Date(T0 + 120_000).toISOString(),
      detail: { name: `incident-1-${T0}`, status: 'ABORTED', input: { incident: '1' }, error: null, cause: null },
    });
    expect(stopped.started).toEqual([`incident-1-${T0 + 120_000}-again`]);
    await respondToAlarm(w.respond, event('Stack-Drift', 'OK', 5, 'DriftedFeatureShare'));
    w.at(20);
    expect((await runIncidentStep(w.steps, { action: 'check', incident: '1', tier1Seconds: 300 })).status).toBe('open');
    w.at(36);
    expect((await runIncidentStep(w.steps, { action: 'check', incident: '1', tier1Seconds: 300 })).status).toBe(
      'resolved',
    );
    expect(w.told.pages.map((p) => p.subject)).toEqual(['incident 1 (adult) opened', 'incident 1 (adult) resolved']);
  });
});
