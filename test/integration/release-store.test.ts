import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConflictError } from '../../lambdas/core/errors.js';
import { ReleaseStore, type ReleaseRecord } from '../../lambdas/shared/release-store.js';
import { localDynamoClient } from '../../local/emulators.js';
import { startTestRegistry } from '../helpers/registry-table.js';

let store: ReleaseStore;
let stop: () => Promise<void>;

beforeAll(async () => {
  const started = await startTestRegistry();
  stop = started.stop;
  store = new ReleaseStore(DynamoDBDocumentClient.from(localDynamoClient(started.endpoint, 'us-east-1'), { marshallOptions: { removeUndefinedValues: true } }), 'registry');
});

afterAll(async () => {
  await stop();
});

const release = (model: string, releaseId: string): Omit<ReleaseRecord, 'revision'> => ({
  model,
  releaseId,
  mode: 'canary',
  candidateVersion: 2,
  productionVersion: 1,
  steps: [10, 50],
  stepIndex: 0,
  share: 0,
  bakeMinutes: 5,
  state: 'checking',
  startedAt: '2026-11-27T00:00:00.000Z',
  updatedAt: '2026-11-27T00:00:00.000Z',
});

describe("the release item's conditional writes, on DynamoDB Local", () => {
  it('begins one release per model at a time; an ended release makes way for the next', async () => {
    const first = await store.begin(release('churn', 'rel-1'));
    expect(await store.get('churn')).toEqual(first);
    await expect(store.begin(release('churn', 'rel-2'))).rejects.toThrow(ConflictError);
    await expect(store.begin(release('churn', 'rel-2'))).rejects.toThrow('a release of churn is in progress; wait for it to end or abort it (mlops release churn abort)');
    const ended = await store.update(first, { state: 'promoted', share: 0 }, new Date('2026-11-27T01:00:00Z'));
    expect(ended).toMatchObject({ state: 'promoted', revision: 2, updatedAt: '2026-11-27T01:00:00.000Z' });
    expect(await store.begin(release('churn', 'rel-2'))).toMatchObject({ releaseId: 'rel-2', revision: 1 });
  });

  it('refuses a change made from a stale read (a concurrent abort wins), leaving the stored release as it was', async () => {
    const read = await store.begin(release('price', 'rel-9'));
    const aborted = await store.update(read, { state: 'aborted', reason: 'operator' }, new Date('2026-11-27T02:00:00Z'));
    await expect(store.update(read, { state: 'running', share: 10 }, new Date('2026-11-27T02:01:00Z'))).rejects.toThrow('release rel-9 of price changed while this step ran (revision 1); read it again');
    expect(await store.get('price')).toEqual(aborted);
  });
});
