import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConflictError } from '../../lambdas/core/errors.js';
import type { Registry } from '../../lambdas/shared/adapters/registry.js';
import { ReleaseStore, type ReleaseRecord } from '../../lambdas/shared/adapters/release-store.js';
import { promoteVersion } from '../../lambdas/shared/use-cases/lifecycle.js';
import { tickRelease, type ReleaseDeps } from '../../lambdas/shared/use-cases/release.js';
import { localDynamoClient } from '../../local/storage/emulators.js';
import { movesOver, registerTestVersion, startTestRegistry } from '../helpers/registry-table.js';

let store: ReleaseStore;
let registry: Registry;
let stop: () => Promise<void>;

beforeAll(async () => {
  const started = await startTestRegistry();
  stop = started.stop;
  registry = started.registry;
  store = new ReleaseStore(
    DynamoDBDocumentClient.from(localDynamoClient(started.endpoint, 'us-east-1'), {
      marshallOptions: { removeUndefinedValues: true },
    }),
    'registry',
  );
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
    await expect(store.begin(release('churn', 'rel-2'))).rejects.toThrow(
      'a release of churn is in progress; wait for it to end or abort it (mlops release churn abort)',
    );
    const ended = await store.update(first, { state: 'promoted', share: 0 }, new Date('2026-11-27T01:00:00Z'));
    expect(ended).toMatchObject({ state: 'promoted', revision: 2, updatedAt: '2026-11-27T01:00:00.000Z' });
    expect(await store.begin(release('churn', 'rel-2'))).toMatchObject({ releaseId: 'rel-2', revision: 1 });
  });

  it('refuses a change made from a stale read (a concurrent abort wins), leaving the stored release as it was', async () => {
    const read = await store.begin(release('price', 'rel-9'));
    const aborted = await store.update(
      read,
      { state: 'aborted', reason: 'operator' },
      new Date('2026-11-27T02:00:00Z'),
    );
    await expect(store.update(read, { state: 'running', share: 10 }, new Date('2026-11-27T02:01:00Z'))).rejects.toThrow(
      'release rel-9 of price changed while this step ran (revision 1); read it again',
    );
    expect(await store.get('price')).toEqual(aborted);
  });
});

describe("a release's final step, against the production it compared with", () => {
  it('does not undo an operator who moved production during the release: the release ends without promoting, production untouched', async () => {
    const [v1, v2, v3] = [
      await registerTestVersion(registry, 'swap', 'run-1'),
      await registerTestVersion(registry, 'swap', 'run-2'),
      await registerTestVersion(registry, 'swap', 'run-3'),
    ];
    const moves = movesOver(registry);
    await promoteVersion(moves, { model: 'swap', version: v1.version, actor: 'ops', reason: 'first' });
    const begun = await store.begin({
      ...release('swap', 'rel-s'),
      candidateVersion: v2.version,
      productionVersion: v1.version,
      steps: [50],
    });
    await store.update(begun, { state: 'running', share: 50 }, new Date());
    await promoteVersion(moves, {
      model: 'swap',
      version: v3.version,
      actor: 'ops',
      reason: 'hotfix during the release',
    });
    const deps: ReleaseDeps = {
      ...moves,
      releases: store,
      alarmsInAlarm: async () => [],
      now: () => new Date(),
      actor: 'release (test)',
      signalInProgress: () => undefined,
    };
    const ended = await tickRelease(deps, 'swap', [], 1);
    expect(ended.outcome).toBe('stopped');
    expect(ended.record).toMatchObject({
      state: 'aborted',
      share: 0,
      reason: `production of swap is v${v3.version}, but v${v2.version} was compared with v${v1.version}; promoting it now would skip that comparison`,
    });
    expect((await registry.aliases.get('swap'))?.version).toBe(v3.version);
    expect(
      (await registry.audit.list('swap')).filter((e) => e.outcome === 'refused').map((e) => [e.action, e.version]),
    ).toEqual([['promote', v2.version]]);
  });
});
