import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { routingBucket } from '../../lambdas/predict/routing.js';
import { ReleaseStore, type ReleaseRecord } from '../../lambdas/shared/adapters/release-store.js';
import { VirtualClock } from '../../local/clock.js';
import { statistic } from '../../local/cloudwatch/statistics.js';
import { localDynamoClient } from '../../local/storage/emulators.js';
import type { LocalExecution } from '../../local/stepfunctions/state-machine.js';
import { deliveredRecords, type CapturedRecord } from '../helpers/capture-objects.js';
import { adultRows, mlops, REQUEST } from '../helpers/e2e.js';
import { startTestStack, type TestStack } from '../helpers/local-stack.js';
import { signedRequest } from '../helpers/sign.js';

const ADULT = JSON.parse(readFileSync('models/adult.json', 'utf8')) as Record<string, unknown>;
/**
 * Latency is measured in real milliseconds whatever the clock: where a scenario is not about latency, its budgets are
 * a minute, so a loaded machine (CI) cannot fail the release check or fire a latency alarm by being slow.
 */
const UNHURRIED = { noTrafficHours: null, maxP99LatencyMs: 60_000 };
const release = { mode: 'canary', steps: [10, 50], bakeMinutes: 2, checkRows: 20, checkLatencyMs: 60_000 };
/** adult released as a canary; adult-tight the same with a latency budget no candidate meets (its alarm fires). */
const MODELS = {
  adult: { ...ADULT, release, monitoring: UNHURRIED },
  'adult-tight': {
    ...ADULT,
    name: 'adult-tight',
    release,
    monitoring: { noTrafficHours: null, maxP99LatencyMs: 0.0001 },
  },
  /** A release check no version passes: the serving path must answer within a microsecond. */
  'adult-strict': {
    ...ADULT,
    name: 'adult-strict',
    release: { ...release, checkLatencyMs: 0.001 },
    monitoring: UNHURRIED,
  },
  /** A shadow release: production answers everyone; the candidate scores half of the callers' requests too. */
  'adult-shadow': {
    ...ADULT,
    name: 'adult-shadow',
    release: { mode: 'shadow', steps: [50], bakeMinutes: 2, checkRows: 20, checkLatencyMs: 60_000 },
    monitoring: UNHURRIED,
  },
};
const clock = new VirtualClock({ start: Math.floor(Date.now() / 60_000) * 60_000, rate: 0 });
let stack: TestStack;
let releases: ReleaseStore;

/** A routing key whose bucket is below 10 (meets the candidate at the first step), and one that is not. */
const KEY_IN = Array.from({ length: 500 }, (_, i) => `caller-${i}`).find((k) => routingBucket(k) < 10) as string;
const KEY_OUT = Array.from({ length: 500 }, (_, i) => `caller-${i}`).find((k) => routingBucket(k) >= 50) as string;

beforeAll(async () => {
  stack = await startTestStack({ clock, models: MODELS });
  releases = new ReleaseStore(
    DynamoDBDocumentClient.from(localDynamoClient(stack.runtime.endpoints.dynamodbEndpoint, 'us-east-1')),
    stack.runtime.endpoints.outputs.RegistryTableName as string,
  );
  for (const model of Object.keys(MODELS)) {
    const [first] = await stack.upload(`incoming/${model}/v1.csv`, adultRows(3000));
    expect(first?.status).toBe('SUCCEEDED');
    expect((await stack.registry.aliases.get(model))?.version).toBe(1);
  }
}, 300_000);

afterAll(async () => {
  await stack?.stop();
});

/** A prediction request with a routing key (the SigV4 signer signs the header too). */
async function fetchKeyed(
  model: string,
  key: string,
): Promise<{ version: number; variant: string; predictions: { id: string }[] }> {
  const request = await signedRequest({
    url: `${stack.runtime.endpoints.apiUrl}/v1/models/${model}/predict`,
    body: REQUEST,
  });
  const response = await fetch(request.url, {
    method: 'POST',
    headers: { ...request.headers, 'x-mlops-routing-key': key },
    body: REQUEST,
  });
  expect(response.status).toBe(200);
  return (await response.json()) as { version: number; variant: string; predictions: { id: string }[] };
}

function releaseExecution(model: string): LocalExecution | undefined {
  const machine = [...stack.runtime.stateMachines.values()].find((m) => m.name.endsWith('-release'));
  return machine?.executions.filter((e) => (e.input as { model?: string }).model === model).at(-1);
}

const entered = (execution: LocalExecution | undefined, state: string) =>
  execution?.events.filter((e) => e.type === 'StateEntered' && e.state === state).length ?? 0;

/** Waits (real time) until the release execution has entered `state` `times` times: the clock moves only then. */
async function untilEntered(model: string, state: string, times: number): Promise<void> {
  await vi.waitFor(() => expect(entered(releaseExecution(model), state)).toBeGreaterThanOrEqual(times), {
    timeout: 60_000,
    interval: 100,
  });
}

async function releaseOf(model: string): Promise<ReleaseRecord> {
  const record = await releases.get(model);
  if (record === undefined) throw new Error(`no release of ${model}`);
  return record;
}

async function uploadSecondVersion(model: string): Promise<void> {
  const [second] = await stack.upload(`incoming/${model}/v2.csv`, adultRows(6000));
  expect(second?.status).toBe('SUCCEEDED');
  expect((await stack.registry.runs.list(model)).find((r) => r.version === 2)?.status).toBe('RELEASED');
}

async function startRelease(model: keyof typeof MODELS): Promise<ReleaseRecord> {
  await uploadSecondVersion(model);
  // The release check loads the candidate through predict, then the first step starts with its first bake.
  await untilEntered(model, 'Bake', 1);
  const record = await releaseOf(model);
  const { mode, steps } = MODELS[model].release;
  expect(record).toMatchObject({ state: 'running', candidateVersion: 2, productionVersion: 1, share: steps[0], mode });
  // Serving reads the release at its next refresh (15 s on the runtime's clock).
  await clock.advance(16_000);
  return record;
}

describe('a canary release through the local runtime, on its clock', () => {
  it('checks the candidate through the serving path, serves it to its share of callers (sticky), steps up and promotes it after the bakes', async () => {
    await startRelease('adult');
    const inside = await fetchKeyed('adult', KEY_IN);
    const outside = await fetchKeyed('adult', KEY_OUT);
    expect(inside).toMatchObject({ version: 2, variant: 'candidate' });
    expect(outside).toMatchObject({ version: 1, variant: 'production' });
    expect(await fetchKeyed('adult', KEY_IN)).toMatchObject({ version: 2 }); // sticky

    // Two one-minute bakes at 10 %, then 50 %.
    await clock.advance(44_000);
    await untilEntered('adult', 'Bake', 2);
    await clock.advance(60_000);
    await untilEntered('adult', 'Bake', 3);
    expect(await releaseOf('adult')).toMatchObject({ state: 'running', share: 50, stepIndex: 1 });
    await clock.advance(60_000);
    await untilEntered('adult', 'Bake', 4);
    await clock.advance(60_000);
    const execution = releaseExecution('adult');
    await vi.waitFor(() => expect(execution?.status).toBe('SUCCEEDED'), { timeout: 60_000 });
    expect(entered(execution, 'Promoted')).toBe(1);
    expect(await releaseOf('adult')).toMatchObject({ state: 'promoted' });
    expect((await stack.registry.aliases.get('adult'))?.version).toBe(2);

    const audit = (await stack.registry.audit.list('adult')).filter(
      (e) => e.action === 'release' || e.action === 'promote',
    );
    expect(audit.map((e) => e.detail.replace(/rel-[0-9a-f]+/, 'rel'))).toEqual([
      'production is now v1',
      'release rel began: canary 10% → 50%, 2 min each; release check first',
      'release rel: step 1 of 2, 10% of traffic (canary)',
      'release rel: step 2 of 2, 50% of traffic',
      'production is now v2 (was v1)',
      'release rel promoted v2',
    ]);
    const status = await mlops(stack, 'release', 'adult');
    expect(status.stdout).toMatch(/release rel-[0-9a-f]+ of v2 \(production v1\), canary, promoted/);
  });

  it('rolls back at once when the candidate breaks its alarm: share 0, production answers everyone, production untouched', async () => {
    await startRelease('adult-tight');
    // Candidate traffic: its p99 latency is above the model's (impossible) budget, so its latency alarm fires.
    for (let i = 0; i < 5; i++) expect(await fetchKeyed('adult-tight', KEY_IN)).toMatchObject({ variant: 'candidate' });
    await clock.advance(44_000);
    const execution = releaseExecution('adult-tight');
    await vi.waitFor(() => expect(execution?.status).toBe('SUCCEEDED'), { timeout: 60_000 });
    expect(entered(execution, 'RolledBack')).toBe(1);
    const record = await releaseOf('adult-tight');
    expect(record).toMatchObject({
      state: 'rolled-back',
      share: 0,
      reason: expect.stringMatching(/^alarm: ServerlessMlops-adult-tight-candidate-latency/),
    });
    expect((await stack.registry.aliases.get('adult-tight'))?.version).toBe(1);
    await clock.advance(16_000);
    expect(await fetchKeyed('adult-tight', KEY_IN)).toMatchObject({ version: 1, variant: 'production' });
    const rolledBack = (await stack.registry.audit.list('adult-tight')).filter((e) => e.action === 'release').at(-1);
    expect(rolledBack?.detail).toMatch(/rolled back at 10%: production v1 answers everything/);
  });

  it('rejects a version that fails its release check before any traffic: production and its traffic untouched', async () => {
    await uploadSecondVersion('adult-strict');
    const execution = await vi.waitFor(
      () => {
        const found = releaseExecution('adult-strict');
        expect(found?.status).toBe('SUCCEEDED');
        return found as LocalExecution;
      },
      { timeout: 60_000, interval: 100 },
    );
    expect(entered(execution, 'CheckFailed')).toBe(1);
    expect(entered(execution, 'Bake')).toBe(0);
    const record = await releaseOf('adult-strict');
    expect(record).toMatchObject({
      state: 'rejected',
      share: 0,
      reason: expect.stringMatching(/^release check failed: answered in [\d.]+ ms, over the 0.001 ms budget$/),
    });
    expect((await stack.registry.aliases.get('adult-strict'))?.version).toBe(1);
    await clock.advance(16_000);
    expect(await fetchKeyed('adult-strict', KEY_IN)).toMatchObject({ version: 1, variant: 'production' });
    expect(
      (await stack.registry.audit.list('adult-strict')).filter((e) => e.action === 'release').at(-1)?.detail,
    ).toMatch(/rejected before any traffic/);
  });
});

describe('a shadow release through the local runtime, on its clock', () => {
  it('answers everyone with production, has the candidate score its share of requests (captured beside production, measured as the candidate), then promotes it', async () => {
    await startRelease('adult-shadow');
    // KEY_IN's bucket is under the step's 50 %: its requests are shadowed; KEY_OUT's are not.
    const shadowed = await fetchKeyed('adult-shadow', KEY_IN);
    const plain = await fetchKeyed('adult-shadow', KEY_OUT);
    for (const answer of [shadowed, plain]) expect(answer).toMatchObject({ version: 1, variant: 'production' });

    // Firehose's buffer (60 s) and the first bake minute pass on the runtime's clock.
    await clock.advance(61_000);
    const requestId = (answer: { predictions: { id: string }[] }) => answer.predictions[0]?.id.split('.')[0];
    const captured = await vi.waitFor(async () => {
      const records = (await deliveredRecords<CapturedRecord>(stack, 'capture/model=adult-shadow/')).map(
        (r) => r.record,
      );
      const of = (answer: typeof shadowed) => records.filter((r) => r.eventMetadata.inferenceId === requestId(answer));
      expect(of(shadowed)).toHaveLength(2);
      return { shadowed: of(shadowed), plain: of(plain) };
    });
    // The candidate's answer to the same instances, under the same prediction ids; production's is what the caller got.
    expect(captured.shadowed.map((r) => [r.variant, r.version]).sort()).toEqual([
      ['candidate-shadow', 2],
      ['production', 1],
    ]);
    expect(new Set(captured.shadowed.map((r) => r.predictionIds.join()))).toEqual(
      new Set([shadowed.predictions.map((p) => p.id).join()]),
    );
    expect(captured.plain.map((r) => r.variant)).toEqual(['production']);
    // Measured as the candidate (what its alarms read), with the model and variant as dimensions.
    const total = (name: string, variant: string) =>
      statistic(
        'Sum',
        stack.runtime.cloudwatch.metrics
          .datapoints(
            {
              namespace: 'ServerlessMlops',
              name,
              dimensions: { service: 'mlops-predict', model: 'adult-shadow', variant },
            },
            0,
            Number.MAX_SAFE_INTEGER,
          )
          .map((point) => point.sample),
      ) ?? 0;
    expect(total('PredictRequests', 'candidate')).toBeGreaterThan(0);
    // Its prediction distribution beside production's: the mean positive-class probability of each.
    for (const variant of ['candidate', 'production']) {
      const predictions = total('Predictions', variant);
      expect(predictions).toBeGreaterThan(0);
      const meanScore = total('PredictionScoreSum', variant) / predictions;
      expect(meanScore).toBeGreaterThan(0);
      expect(meanScore).toBeLessThan(1);
      expect(total('PositivePredictions', variant)).toBeLessThanOrEqual(predictions);
    }

    await untilEntered('adult-shadow', 'Bake', 2);
    await clock.advance(60_000);
    const execution = releaseExecution('adult-shadow');
    await vi.waitFor(() => expect(execution?.status).toBe('SUCCEEDED'), { timeout: 60_000 });
    expect(entered(execution, 'Promoted')).toBe(1);
    expect((await stack.registry.aliases.get('adult-shadow'))?.version).toBe(2);
    const audit = (await stack.registry.audit.list('adult-shadow'))
      .filter((e) => e.action === 'release')
      .map((e) => e.detail.replace(/rel-[0-9a-f]+/, 'rel'));
    expect(audit).toEqual([
      'release rel began: shadow 50%, 2 min each; release check first',
      'release rel: step 1 of 1, 50% of traffic (shadow)',
      'release rel promoted v2',
    ]);
  });
});
