import {
  CloudWatchClient,
  DescribeAlarmsCommand,
  GetMetricStatisticsCommand,
  ListMetricsCommand,
  PutMetricDataCommand,
  SetAlarmStateCommand,
} from '@aws-sdk/client-cloudwatch';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { LocalNotification } from '../../local/cloudwatch/local-cloudwatch.js';
import { VirtualClock } from '../../local/clock.js';
import { mlops, predictUrl, REQUEST } from '../helpers/e2e.js';
import { startTestStack, type TestStack } from '../helpers/local-stack.js';
import { signedFetch } from '../helpers/sign.js';

/** A stopped clock at a minute boundary: time moves only when a test advances it. */
const START = Math.floor(Date.now() / 60_000) * 60_000;
const clock = new VirtualClock({ start: START, rate: 0 });
let stack: TestStack;

const notifications = (): LocalNotification[] => {
  try {
    return readFileSync(stack.runtime.cloudwatch.notificationsFile, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as LocalNotification);
  } catch {
    return [];
  }
};
const events = () =>
  readFileSync(join(stack.stateDir, 'logs', 'events.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { 'detail-type': string; resources: string[]; detail: Record<string, unknown> });
/** Pages (the alarm topic: incidents, one page per incident event) and every alarm's own changes (the detail topic). */
const pages = () => notifications().filter((n) => /:[^:]*AlarmsTopic/.test(n.topicArn));
const details = () => notifications().filter((n) => /AlarmsDetailTopic/.test(n.topicArn));
/**
 * Lets every running incident workflow find its incident settled (resolved for 30 minutes: its resolution paged) by
 * moving the clock on in steps its watch follows, so a scenario starts with no storm going on.
 */
async function quietDown(): Promise<void> {
  for (let i = 0; i < 8 && responses().some((e) => e.status === 'RUNNING'); i++) {
    await clock.advance(31 * 60_000);
    await new Promise((r) => setTimeout(r, 500));
  }
  expect(responses().filter((e) => e.status === 'RUNNING')).toEqual([]);
}

/**
 * A group wait runs on the runtime's clock, which a test moves at once: before it moves past one, every alarm of the
 * storm must have reached the incident function (in real time, as they would within the wait's 60 seconds).
 */
async function stormReached(members: readonly string[]): Promise<void> {
  await vi.waitFor(
    async () => {
      const { alarms } = await stack.incidents.state();
      for (const name of members) expect(alarms[name]?.state, name).toBe('ALARM');
    },
    { timeout: 20_000, interval: 100 },
  );
}

/** The incidents' response workflows started so far. */
const responses = () => stack.runtime.executions().filter((e) => e.stateMachineArn.endsWith('-incident'));

/**
 * Waits for the incident function to start a response workflow (it runs on the alarm's state-change event), then
 * moves the clock past the workflow's group wait and waits for the page its announcement sends.
 */
async function announced(before: number, subject: RegExp, members: readonly string[]): Promise<LocalNotification> {
  const seen = pages().length;
  await vi.waitFor(() => expect(responses().length).toBeGreaterThan(before), { timeout: 20_000, interval: 100 });
  await stormReached(members);
  // Each response starts with a 60-second group wait on the runtime's clock.
  await clock.advance(60_000);
  let page: LocalNotification | undefined;
  await vi.waitFor(
    () => {
      page = pages()
        .slice(seen)
        .find((n) => subject.test(n.subject));
      expect(page, JSON.stringify(pages().map((n) => n.subject))).toBeDefined();
    },
    { timeout: 20_000, interval: 100 },
  );
  return page as LocalNotification;
}
const degraded = () => {
  const [composite] = stack.runtime.cloudwatch.composites.describe();
  if (composite === undefined) throw new Error('no composite alarm');
  return composite;
};
const alarm = (logicalIdPrefix: string) => {
  const found = stack.runtime.cloudwatch.alarms.describe().find((a) => a.spec.logicalId.startsWith(logicalIdPrefix));
  if (found === undefined) throw new Error(`no alarm ${logicalIdPrefix}`);
  return found;
};

/** The repository's adult model, without the no-traffic alarm: nobody calls it here, so that one would always fire. */
const ADULT_MODEL = JSON.parse(readFileSync('models/adult.json', 'utf8')) as Record<string, unknown>;

beforeAll(async () => {
  // The registry on disk, so it can be taken away (predict then answers 5xx).
  // Latency is real milliseconds whatever the clock: a budget of a minute keeps a loaded machine (CI) from firing the
  // latency alarm, which no scenario here is about.
  stack = await startTestStack({
    clock,
    registryOnDisk: true,
    // One monitored window in breach is enough for the drift and decay alarms; tier 1 has 5 minutes, tier 2 10.
    models: {
      adult: {
        ...ADULT_MODEL,
        monitoring: { noTrafficHours: null, maxP99LatencyMs: 60_000, evaluationPeriods: 1, datapointsToAlarm: 1 },
        incidents: { tier1Minutes: 5, acknowledgeMinutes: 10 },
      },
    },
  });
});

afterAll(async () => {
  await stack?.stop();
});

describe("the template's alarms, evaluated locally on the runtime's clock", () => {
  it('starts every alarm in INSUFFICIENT_DATA and, with no data treated as not breaching, moves it to OK', async () => {
    const names = stack.runtime.cloudwatch.alarms.describe().map((a) => a.spec.logicalId.replace(/[0-9A-F]{8}$/, ''));
    expect(names.sort()).toEqual([
      'AlarmHistoryDeadLettered',
      'AlarmsApiServerErrors',
      'AlarmsPipelineFailed',
      'AlarmsPipelineTimedOut',
      'AlarmsPredictErrors',
      'AlarmsUploadEventsDeadLettered',
      'ContinuousTrainingDeadLettered',
      'IncidentsDeadLettered',
      'LiveMonitoringDeadLettered',
      'ModeladultCandidateErrorRate',
      'ModeladultCandidateLatency',
      'ModeladultErrorRate',
      'ModeladultEstimatedDecay',
      'ModeladultInputDrift',
      'ModeladultLatency',
      'ModeladultModelMissing',
      'ModeladultPredictionDrift',
      'ModeladultRealizedDecay',
      'ModeladultRefreshFailures',
      'ModeladultReleaseInProgress',
      'ModeladultReleaseLoadFailures',
      'ModeladultRunFailed',
      'ModeladultServedVersionMismatch',
    ]);
    expect(alarm('AlarmsPipelineFailed').status.state).toBe('INSUFFICIENT_DATA');
    expect(degraded().status.state).toBe('INSUFFICIENT_DATA');
    await clock.advance(60_000);
    for (const { spec, status } of stack.runtime.cloudwatch.alarms.describe())
      expect(status.state, spec.name).toBe('OK');
    expect(degraded().status.state).toBe('OK');
    // Every alarm reports its changes to the detail topic (the dead-letter alarms their ALARMs only); nothing pages.
    const reported = details().map((n) => n.subject);
    expect(reported.every((subject) => subject.startsWith('OK:'))).toBe(true);
    expect(reported).toContain(`OK: "${alarm('AlarmsPipelineFailed').spec.name}" in US East (N. Virginia)`);
    expect(reported).toContain(`OK: "${alarm('ModeladultErrorRate').spec.name}" in US East (N. Virginia)`);
    await clock.advance(120_000);
    expect(pages()).toEqual([]);
    expect(responses()).toEqual([]);
  });

  it('a failed pipeline run → AWS/States ExecutionsFailed → PipelineFailed in ALARM → one incident page and a state-change event', async () => {
    const [execution] = await stack.upload('incoming/nosuchmodel/data.csv', 'a,b\n1,2\n');
    expect(execution?.status).toBe('FAILED');
    const machineArn = execution?.stateMachineArn as string;
    const failed = stack.runtime.cloudwatch.metrics.windows(
      { namespace: 'AWS/States', name: 'ExecutionsFailed', dimensions: { StateMachineArn: machineArn } },
      'Sum',
      300_000,
      clock.now() - 299_999,
      1,
    );
    expect(failed.map((p) => p.value)).toEqual([1]);
    // The FinishRun function's embedded-format line became a metric too (log lines arrive a moment after the run ends).
    await vi.waitFor(() =>
      expect(
        stack.runtime.cloudwatch.metrics.list({
          namespace: 'ServerlessMlops',
          name: 'RunsFailed',
          dimensions: [{ name: 'model', value: 'nosuchmodel' }],
        }),
      ).toHaveLength(1),
    );

    await clock.advance(60_000);
    const pipelineFailed = alarm('AlarmsPipelineFailed');
    expect(pipelineFailed.status).toMatchObject({
      state: 'ALARM',
      reason: 'Threshold Crossed: 1 out of the last 1 datapoints was greater than or equal to the threshold (1).',
    });
    // One incident (the stack's: no model), announced once after its group wait, naming the failed run.
    const page = await announced(0, /^incident \d+ \(stack\) opened$/, [pipelineFailed.spec.name]);
    expect(page).toMatchObject({
      topicArn: expect.stringMatching(/^arn:aws:sns:us-east-1:000000000000:.*AlarmsTopic/),
    });
    expect(page.message).toMatch(/likely source — failed training run \(.*PipelineFailed.*\) at \d\d:\d\d/);
    expect(page.message).toContain(`- ${pipelineFailed.spec.name} (failed training run): ALARM since`);
    expect(page.message).toMatch(
      /Incident page: s3:\/\/.*\/incidents\/\d+\.html\n[^]*Details: mlops incidents show \d+ \(--open/,
    );
    expect(details().filter((n) => n.subject.startsWith('ALARM'))).toEqual([
      expect.objectContaining({ subject: `ALARM: "${pipelineFailed.spec.name}" in US East (N. Virginia)` }),
    ]);
    const change = events()
      .filter((e) => e['detail-type'] === 'CloudWatch Alarm State Change' && e.resources[0] === pipelineFailed.spec.arn)
      .at(-1);
    expect(change?.detail).toMatchObject({
      alarmName: pipelineFailed.spec.name,
      state: { value: 'ALARM' },
      previousState: { value: 'OK' },
    });

    // Evaluated again with the same data: no transition, so nothing more is told.
    const before = notifications().length;
    await clock.advance(60_000);
    expect(notifications()).toHaveLength(before);
    // The newest periods are empty, so the alarm decides on the newest data point it has in its evaluation range (three
    // 5-minute periods for one evaluation period): it stays in ALARM until the failure leaves the range, then is OK.
    await clock.advance(5 * 60_000);
    expect(alarm('AlarmsPipelineFailed').status.state).toBe('ALARM');
    await clock.advance(10 * 60_000);
    expect(alarm('AlarmsPipelineFailed').status.state).toBe('OK');
    // The incident resolved; its resolution pages once it has held for 30 minutes (the workflow watches each minute).
    const resolvedPages = () => pages().filter((n) => /\(stack\) resolved$/.test(n.subject));
    expect(resolvedPages()).toEqual([]);
    await quietDown();
    expect(resolvedPages()).toHaveLength(1);
    await vi.waitFor(() => expect(responses()[0]?.status).toBe('SUCCEEDED'), { timeout: 20_000, interval: 100 });
    // The upload was for another model: adult's composite never moved.
    expect(degraded().status.state).toBe('OK');
  });

  it('predict answering 5xx while the registry is down → AWS/ApiGateway 5xx → ApiServerErrors in ALARM', async () => {
    await quietDown();
    const started = responses().length;
    const openedBefore = pages().filter((n) => / opened$/.test(n.subject)).length;
    await stack.runtime.dynamodb.stop();
    try {
      for (let i = 0; i < 3; i++)
        expect((await signedFetch({ url: predictUrl(stack, 'adult'), body: REQUEST })).status).toBe(503);
    } finally {
      await stack.runtime.dynamodb.start();
    }
    await clock.advance(60_000);
    const apiErrors = alarm('AlarmsApiServerErrors');
    expect(apiErrors.status.state).toBe('ALARM');
    expect(JSON.parse(apiErrors.status.reasonData ?? '{}')).toMatchObject({
      statistic: 'Sum',
      period: 300,
      recentDatapoints: [3],
      threshold: 1,
    });
    // The function answered (a 500 response is not a function error): PredictErrors stays OK.
    expect(alarm('AlarmsPredictErrors').status.state).toBe('OK');
    expect(notifications().map((n) => n.subject)).toContain(`ALARM: "${apiErrors.spec.name}" in US East (N. Virginia)`);
    // Predict counted the 5xx answers for adult too: its error-rate alarm, and so its composite, went into ALARM.
    expect(alarm('ModeladultErrorRate').status.state).toBe('ALARM');
    expect(degraded().status.state).toBe('ALARM');
    // The state-change events reached the alarm-history rule's target: adult's audit trail records both changes.
    const errorRateName = alarm('ModeladultErrorRate').spec.name;
    await vi.waitFor(
      async () => {
        const details = (await stack.registry.audit.list('adult'))
          .filter((e) => e.action === 'alarm')
          .map((e) => e.detail);
        expect(details).toEqual(
          expect.arrayContaining([`${errorRateName}: OK → ALARM`, `${degraded().spec.name}: OK → ALARM`]),
        );
      },
      { timeout: 20_000, interval: 200 },
    );
    const recorded = (await stack.registry.audit.list('adult')).find(
      (e) => e.detail === `${errorRateName}: OK → ALARM`,
    );
    expect(recorded).toMatchObject({
      actor: 'cloudwatch',
      outcome: 'succeeded',
      version: 0,
      reason: alarm('ModeladultErrorRate').status.reason,
    });
    // The operational and the model's alarms are one incident, announced once: the registry outage beneath named.
    const page = await announced(started, /^incident \d+ \(adult\) opened$/, [apiErrors.spec.name, errorRateName]);
    expect(page.message).toMatch(/likely source — platform failure \(.*ApiServerErrors/);
    expect(page.message).toContain(errorRateName);
    expect(responses()).toHaveLength(started + 1);
    expect(pages().filter((n) => / opened$/.test(n.subject))).toHaveLength(openedBefore + 1);
  });

  it("pages once for a storm of a model's alarms, and holds the page while a release of it is in progress", async () => {
    await clock.advance(20 * 60_000); // everything before is out of every evaluation range
    await quietDown();
    expect(degraded().status.state).toBe('OK');
    const opened = () => pages().filter((n) => / opened$/.test(n.subject));
    const before = opened().length;

    // A storm: predict fails while the registry is away, and a run of the model fails.
    await stack.runtime.dynamodb.stop();
    try {
      for (let i = 0; i < 3; i++)
        expect((await signedFetch({ url: predictUrl(stack, 'adult'), body: REQUEST })).status).toBe(503);
    } finally {
      await stack.runtime.dynamodb.start();
    }
    const [failedRun] = await stack.upload('incoming/adult/no-label-1.csv', 'age,sex\n30,Male\n');
    expect(failedRun?.status).toBe('FAILED');
    await vi.waitFor(() =>
      expect(
        stack.runtime.cloudwatch.metrics.list({ name: 'RunsFailed', dimensions: [{ name: 'model', value: 'adult' }] }),
      ).toHaveLength(1),
    );
    const started = responses().length;
    await clock.advance(60_000);
    for (const child of ['ModeladultErrorRate', 'ModeladultRunFailed', 'AlarmsApiServerErrors', 'AlarmsPipelineFailed'])
      expect(alarm(child).status.state, child).toBe('ALARM');
    const storm = ['ModeladultErrorRate', 'ModeladultRunFailed', 'AlarmsApiServerErrors', 'AlarmsPipelineFailed'];
    const page = await announced(
      started,
      /^incident \d+ \(adult\) opened$/,
      storm.map((child) => alarm(child).spec.name),
    );
    // Four alarms, one incident, one page: the registry outage beneath them named.
    for (const child of ['ModeladultErrorRate', 'ModeladultRunFailed', 'AlarmsApiServerErrors', 'AlarmsPipelineFailed'])
      expect(page.message).toContain(alarm(child).spec.name);
    expect(page.message).toMatch(/likely source — platform failure/);
    expect(opened()).toHaveLength(before + 1);
    expect(responses()).toHaveLength(started + 1);

    // Recovered, then a release starts (the release process reports ReleaseInProgress) and a run fails meanwhile.
    await clock.advance(20 * 60_000);
    await quietDown();
    const cw = new CloudWatchClient({
      region: 'us-east-1',
      endpoint: stack.runtime.endpoints.cloudwatchEndpoint,
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    });
    const releasing = () =>
      cw.send(
        new PutMetricDataCommand({
          Namespace: 'ServerlessMlops',
          MetricData: [
            {
              MetricName: 'ReleaseInProgress',
              Dimensions: [
                { Name: 'service', Value: 'mlops-release' },
                { Name: 'model', Value: 'adult' },
              ],
              Timestamp: new Date(clock.now()),
              Value: 1,
            },
          ],
        }),
      );
    try {
      await releasing();
      await clock.advance(60_000);
      expect(alarm('ModeladultReleaseInProgress').status.state).toBe('ALARM');
      const [again] = await stack.upload('incoming/adult/no-label-2.csv', 'age,sex\n31,Female\n');
      expect(again?.status).toBe('FAILED');
      await vi.waitFor(() =>
        expect(
          stack.runtime.cloudwatch.metrics.datapoints(
            {
              namespace: 'ServerlessMlops',
              name: 'RunsFailed',
              dimensions: { service: 'mlops-finish-run', model: 'adult' },
            },
            clock.now() - 60_000,
            clock.now() + 60_000,
          ),
        ).toHaveLength(1),
      );
      const held = responses().length;
      await releasing();
      await clock.advance(60_000);
      expect(alarm('ModeladultRunFailed').status.state).toBe('ALARM');
      expect(degraded().status).toMatchObject({ state: 'ALARM', actionsSuppressedBy: 'Alarm' });
      await vi.waitFor(() => expect(responses().length).toBeGreaterThan(held), { timeout: 20_000, interval: 100 });
      await stormReached(['ModeladultRunFailed', 'AlarmsPipelineFailed'].map((child) => alarm(child).spec.name));
      // The group wait ends while the release runs: the announcement is held (the release process acts first).
      await releasing();
      await clock.advance(60_000);
      await new Promise((r) => setTimeout(r, 1000));
      expect(opened(), JSON.stringify(pages().map((n) => n.subject))).toHaveLength(before + 1);
      const change = events()
        .filter((e) => e.resources[0] === degraded().spec.arn)
        .at(-1);
      expect(change?.detail).toMatchObject({
        state: { value: 'ALARM', actionsSuppressedBy: 'Alarm' },
        configuration: { alarmRule: expect.stringContaining('ALARM(') },
      });
      // The release ends (no more ReleaseInProgress): the incident, still open, is announced then.
      // (Its last data point leaves the alarm's evaluation range, three 1-minute periods, within a few minutes.)
      for (let i = 0; i < 5 && alarm('ModeladultReleaseInProgress').status.state === 'ALARM'; i++)
        await clock.advance(60_000);
      expect(alarm('ModeladultReleaseInProgress').status.state).toBe('OK');
      for (let i = 0; i < 3 && opened().length === before + 1; i++) {
        await clock.advance(60_000);
        await new Promise((r) => setTimeout(r, 500));
      }
      expect(opened()).toHaveLength(before + 2);
      expect(opened().at(-1)?.message).toMatch(
        /likely source — failed training run|upload incoming\/adult\/no-label-2/,
      );
    } finally {
      cw.destroy();
    }
  });
});

describe('the response to an incident: tier 1, the data scientists, the model developers', () => {
  const tier = (topic: string) => () => notifications().filter((n) => n.topicArn.includes(topic));
  const dataScientists = tier('IncidentsDataScientistsTopic');
  const modelDevelopers = tier('IncidentsModelDevelopersTopic');

  /** The monitor's figures for adult's production traffic, as its run publishes them (one window). */
  async function monitored(figures: Record<string, number>): Promise<void> {
    const cw = new CloudWatchClient({
      region: 'us-east-1',
      endpoint: stack.runtime.endpoints.cloudwatchEndpoint,
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    });
    try {
      await cw.send(
        new PutMetricDataCommand({
          Namespace: 'ServerlessMlops',
          MetricData: Object.entries(figures).map(([name, value]) => ({
            MetricName: name,
            Dimensions: [
              { Name: 'service', Value: 'mlops-monitor' },
              { Name: 'model', Value: 'adult' },
              { Name: 'variant', Value: 'production' },
            ],
            Timestamp: new Date(clock.now()),
            Value: value,
          })),
        }),
      );
    } finally {
      cw.destroy();
    }
  }

  /** Moves the clock a minute at a time (the workflow watches each minute) until `done`, at most `minutes`. */
  async function minutesUntil(done: () => boolean, minutes: number): Promise<void> {
    for (let i = 0; i < minutes && !done(); i++) {
      await clock.advance(60_000);
      await new Promise((r) => setTimeout(r, 300));
    }
    expect(done()).toBe(true);
  }

  it('drift and realized-accuracy alarms together: one incident, one page naming the input drift; an ack stops the clock', async () => {
    await quietDown();
    const started = responses().length;
    await monitored({ DriftedFeatureShare: 0.4, RealizedPerformanceDrop: 0.2 });
    await clock.advance(60_000);
    const members = [alarm('ModeladultInputDrift').spec.name, alarm('ModeladultRealizedDecay').spec.name];
    for (const name of members)
      expect(stack.runtime.cloudwatch.alarms.describe().find((a) => a.spec.name === name)?.status.state).toBe('ALARM');
    const page = await announced(started, /^incident \d+ \(adult\) opened$/, members);
    expect(page.message).toMatch(/likely source — input drift \(.*InputDrift.*\)/);
    expect(pages().filter((n) => n.subject === page.subject)).toHaveLength(1);
    const id = /^incident (\d+)/.exec(page.subject)?.[1] as string;
    const listed = JSON.parse((await mlops(stack, '--json', 'incidents', 'adult', '--open')).stdout) as {
      id: string;
      tier: number;
      members: unknown[];
    }[];
    expect(listed.find((i) => i.id === id)).toMatchObject({ tier: 1, members: [expect.anything(), expect.anything()] });

    // Tier 1's five minutes pass with the incident open: the data scientists are told, with how to acknowledge.
    const told = dataScientists().length;
    await minutesUntil(() => dataScientists().length > told, 8);
    expect(dataScientists().at(-1)).toMatchObject({ subject: `incident ${id} (adult): please acknowledge` });
    expect(dataScientists().at(-1)?.message).toContain(`mlops incidents ack ${id} -m`);
    expect((await mlops(stack, 'incidents', 'ack', id, '-m', 'looking at the upstream feed')).stdout).toContain(
      `incident ${id}: acknowledged: escalation stopped`,
    );
    // Past the ten minutes to acknowledge: no escalation, the ack stopped the clock.
    const escalations = modelDevelopers().length;
    await clock.advance(11 * 60_000);
    await new Promise((r) => setTimeout(r, 1000));
    expect(modelDevelopers()).toHaveLength(escalations);
    await expect(mlops(stack, 'incidents', 'ack', id, '-m', 'again')).rejects.toMatchObject({
      stderr: expect.stringContaining(`incident ${id}: cannot acknowledge: it was acknowledged already`),
    });
    const out = join(stack.stateDir, `incident-${id}.html`);
    const shown = (await mlops(stack, 'incidents', 'show', id, '--out', out)).stdout;
    expect(shown).toContain(`page: ${out}`);
    // The incident's page, as the response function wrote it after its last step.
    expect(readFileSync(out, 'utf8')).toMatch(/tier 2 — the data scientists[^]*data scientists notified/);
    expect(shown).toMatch(/tier: 2 · acknowledged by \S+/);
    expect(shown).toMatch(
      /timeline:[^]*tier 2: data scientists notified[^]*acknowledged: escalation stopped: looking at/,
    );
    const audited = (await stack.registry.audit.list('adult')).filter((e) => e.action === 'incident');
    expect(audited.map((e) => [e.outcome, e.detail])).toEqual(
      expect.arrayContaining([
        ['succeeded', `incident ${id}: acknowledge — acknowledged: escalation stopped`],
        ['refused', `incident ${id}: acknowledge — it was acknowledged already by ${audited[0]?.actor ?? ''}`],
      ]),
    );
  });

  it('no acknowledgement in time: the model developers are told and the incident pages as escalated', async () => {
    await quietDown();
    const started = responses().length;
    await monitored({ EstimatedPerformanceDrop: 0.3 });
    await clock.advance(60_000);
    const page = await announced(started, /^incident \d+ \(adult\) opened$/, [
      alarm('ModeladultEstimatedDecay').spec.name,
    ]);
    const id = /^incident (\d+)/.exec(page.subject)?.[1] as string;
    const told = dataScientists().length;
    await minutesUntil(() => dataScientists().length > told, 8);
    const escalations = modelDevelopers().length;
    await clock.advance(10 * 60_000);
    await minutesUntil(() => modelDevelopers().length > escalations, 3);
    expect(modelDevelopers().at(-1)).toMatchObject({ subject: `incident ${id} (adult) escalated` });
    expect(modelDevelopers().at(-1)?.message).toContain('Escalated: not acknowledged in time.');
    await vi.waitFor(() => expect(pages().map((n) => n.subject)).toContain(`incident ${id} (adult) escalated`));
    await expect(mlops(stack, 'incidents', 'escalate', id, '-m', 'please')).rejects.toMatchObject({
      stderr: expect.stringContaining('it is at tier 3 already'),
    });
  });
});

describe('the local CloudWatch API, through the AWS SDK and the CLI', () => {
  const client = () =>
    new CloudWatchClient({
      region: 'us-east-1',
      endpoint: stack.runtime.endpoints.cloudwatchEndpoint,
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    });

  it('takes PutMetricData and answers GetMetricStatistics, ListMetrics and `mlops metrics`', async () => {
    const cw = client();
    try {
      const minute = Math.floor(Date.now() / 60_000) * 60_000 - 10 * 60_000;
      await cw.send(
        new PutMetricDataCommand({
          Namespace: 'ServerlessMlops',
          MetricData: [
            {
              MetricName: 'Predictions',
              Dimensions: [{ Name: 'model', Value: 'cli-model' }],
              Timestamp: new Date(minute + 1000),
              Values: [2, 4],
              Counts: [1, 3],
              Unit: 'Count',
            },
            {
              MetricName: 'Predictions',
              Dimensions: [{ Name: 'model', Value: 'cli-model' }],
              Timestamp: new Date(minute + 61_000),
              Value: 7,
              Unit: 'Count',
            },
          ],
        }),
      );
      const stats = await cw.send(
        new GetMetricStatisticsCommand({
          Namespace: 'ServerlessMlops',
          MetricName: 'Predictions',
          Dimensions: [{ Name: 'model', Value: 'cli-model' }],
          StartTime: new Date(minute),
          EndTime: new Date(minute + 180_000),
          Period: 60,
          Statistics: ['Sum', 'SampleCount', 'Maximum'],
          ExtendedStatistics: ['p50'],
        }),
      );
      expect(
        stats.Datapoints?.map((d) => [
          d.Timestamp?.getTime(),
          d.Sum,
          d.SampleCount,
          d.Maximum,
          d.ExtendedStatistics?.p50,
        ]),
      ).toEqual([
        [minute, 14, 4, 4, 4],
        [minute + 60_000, 7, 1, 7, 7],
      ]);
      const listed = await cw.send(
        new ListMetricsCommand({ Namespace: 'ServerlessMlops', Dimensions: [{ Name: 'model', Value: 'cli-model' }] }),
      );
      expect(listed.Metrics).toEqual([
        {
          Namespace: 'ServerlessMlops',
          MetricName: 'Predictions',
          Dimensions: [{ Name: 'model', Value: 'cli-model' }],
        },
      ]);
      await expect(
        cw.send(new PutMetricDataCommand({ Namespace: 'AWS/Lambda', MetricData: [{ MetricName: 'x', Value: 1 }] })),
      ).rejects.toMatchObject({
        name: 'InvalidParameterValueException',
        message: expect.stringContaining('AWS/ is reserved'),
      });
    } finally {
      cw.destroy();
    }
    const series = JSON.parse(
      (await mlops(stack, '--json', 'metrics', 'cli-model', 'Predictions', '--since', '1h')).stdout,
    ) as { label: string; points: { value: number }[] }[];
    expect(series).toEqual([
      {
        label: 'model=cli-model',
        points: [expect.objectContaining({ value: 14 }), expect.objectContaining({ value: 7 })],
      },
    ]);
    expect((await mlops(stack, 'metrics', 'cli-model', 'Predictions')).stdout).toMatch(/█▁\n[^]*14\n[^]*7/);
  });

  it('changes an alarm with SetAlarmState (running its actions) and lists the alarms with `mlops alarms`', async () => {
    const predictErrors = alarm('AlarmsPredictErrors');
    const cw = client();
    try {
      await cw.send(
        new SetAlarmStateCommand({
          AlarmName: predictErrors.spec.name,
          StateValue: 'ALARM',
          StateReason: 'drill: testing the pager',
        }),
      );
      const { MetricAlarms = [] } = await cw.send(new DescribeAlarmsCommand({ AlarmNames: [predictErrors.spec.name] }));
      expect(MetricAlarms[0]).toMatchObject({
        StateValue: 'ALARM',
        StateReason: 'drill: testing the pager',
        MetricName: 'Errors',
        Namespace: 'AWS/Lambda',
        Period: 300,
        TreatMissingData: 'notBreaching',
      });
      await expect(
        cw.send(new SetAlarmStateCommand({ AlarmName: 'no-such-alarm', StateValue: 'OK', StateReason: 'x' })),
      ).rejects.toMatchObject({ name: 'ResourceNotFound' });
    } finally {
      cw.destroy();
    }
    expect(notifications().map((n) => n.subject)).toContain(
      `ALARM: "${predictErrors.spec.name}" in US East (N. Virginia)`,
    );
    const listed = JSON.parse((await mlops(stack, '--json', 'alarms')).stdout) as {
      AlarmName: string;
      StateValue: string;
    }[];
    expect(listed).toHaveLength(25); // 23 metric alarms and adult's two composites
    expect(listed.find((a) => a.AlarmName === predictErrors.spec.name)?.StateValue).toBe('ALARM');
    expect((await mlops(stack, 'alarms')).stdout).toMatch(
      /PredictErrors\S*\s+metric\s+ALARM\s+\S+\s+drill: testing the pager/,
    );
  });

  it("reads a function's log group with `mlops logs`, through a CloudWatch Logs filter pattern", async () => {
    const lines = (
      await mlops(
        stack,
        '--json',
        'logs',
        'finish-run',
        '--since',
        '3h',
        '--filter',
        '{ $.message = "run failed" && $.model = "nosuchmodel" }',
      )
    ).stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { timestamp: number; message: string });
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]?.message ?? '{}')).toMatchObject({
      level: 'INFO',
      message: 'run failed',
      model: 'nosuchmodel',
      status: 'FAILED',
    });
    const text = (await mlops(stack, 'logs', 'predict', '--since', '3h', '--filter', 'PredictServerErrors')).stdout;
    expect(text).toMatch(/^\d{4}-\d{2}-\d{2}T[\d:.]+Z {2}\{"_aws"/m);
    await expect(mlops(stack, 'logs', 'nosuch')).rejects.toMatchObject({
      stderr: expect.stringContaining('no function "nosuch": one of register-run, etl, train'),
    });
  });
});
