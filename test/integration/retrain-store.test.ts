import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConflictError } from '../../lambdas/core/errors.js';
import { retrainingSchema } from '../../lambdas/core/retraining/retraining-config.js';
import { decideRetraining } from '../../lambdas/core/retraining/retraining-policy.js';
import { RetrainStore } from '../../lambdas/shared/adapters/retrain-store.js';
import { localDynamoClient } from '../../local/storage/emulators.js';
import { startTestRegistry } from '../helpers/registry-table.js';

let store: RetrainStore;
let stop: () => Promise<void>;

beforeAll(async () => {
  const started = await startTestRegistry();
  stop = started.stop;
  store = new RetrainStore(DynamoDBDocumentClient.from(localDynamoClient(started.endpoint, 'us-east-1')), 'registry');
});

afterAll(async () => {
  await stop();
});

describe("a model's retraining history on DynamoDB Local", () => {
  it('lets one of two deliveries of the same alarm record its start; the other reads again and finds it', async () => {
    const config = retrainingSchema.parse({});
    const request = {
      trigger: 'alarm' as const,
      key: 'needs-retraining@2026-12-07T10:00:00Z',
      at: new Date('2026-12-07T10:00:05Z'),
    };
    const [a, b] = await Promise.all([store.history('adult'), store.history('adult')]);
    expect(a).toEqual({ starts: [], revision: 0 });
    const start = { key: request.key, trigger: request.trigger, at: request.at.toISOString() };
    expect(decideRetraining(config, a.starts, request).start).toBe(true);
    expect(decideRetraining(config, (b as typeof a).starts, request).start).toBe(true);
    const outcomes = await Promise.allSettled([
      store.recordStart('adult', a, start),
      store.recordStart('adult', b as typeof a, start),
    ]);
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    expect(outcomes.find((o) => o.status === 'rejected')).toMatchObject({ reason: expect.any(ConflictError) });
    const again = await store.history('adult');
    expect(again).toEqual({ starts: [start], revision: 1 });
    expect(decideRetraining(config, again.starts, request)).toMatchObject({ start: false, duplicate: true });
  });

  it('keeps the starts of the week before the newest: what the cap and the cool-down count', async () => {
    const at = (day: number) => new Date(Date.UTC(2026, 11, day)).toISOString();
    let history = await store.history('income');
    for (const day of [1, 2, 12]) {
      await store.recordStart('income', history, { key: `k${day}`, trigger: 'schedule', at: at(day) });
      history = await store.history('income');
    }
    expect(history.starts.map((s) => s.key)).toEqual(['k12']);
    await store.recordStart('income', history, { key: 'k14', trigger: 'alarm', at: at(14) });
    expect((await store.history('income')).starts.map((s) => s.key)).toEqual(['k12', 'k14']);
  });
});
