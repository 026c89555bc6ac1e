import { describe, expect, it } from 'vitest';
import { IntegrityError, ModelUnavailableError, NotFoundError } from '../../lambdas/core/errors.js';
import {
  PINNED_VERSIONS,
  ProductionModelCache,
  type ModelSource,
  type RefreshFailure,
} from '../../lambdas/predict/model-cache.js';
import type {
  AliasRecord,
  ArtifactRecord,
  VersionRecord,
  VersionStatus,
} from '../../lambdas/shared/contracts/registry-records.js';
import type { ReleaseRecord } from '../../lambdas/shared/adapters/release-store.js';

class FakeModel {
  disposed = false;
  constructor(readonly key: string) {}
  dispose(): void {
    this.disposed = true;
  }
}

/** A registry and artifact store the test controls: the production version, and whether each call fails. */
class FakeSource implements ModelSource<FakeModel> {
  version: number | undefined = 1;
  registryDown = false;
  storageDown = false;
  reads = 0;

  async getAlias(model: string): Promise<AliasRecord | undefined> {
    this.reads += 1;
    if (this.registryDown)
      throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:4567'), { name: 'TimeoutError' });
    if (this.version === undefined) return undefined;
    const artifact = { bucket: 'b', key: `models/${model}/v${this.version}.json`, sha256: 'x' };
    return {
      model,
      alias: 'production',
      version: this.version,
      artifact,
      revision: this.version,
      updatedAt: '',
      reason: '',
      previous: [],
    };
  }

  /** Status of versions 1..9 that callers pin; every one approved unless set here. */
  statuses = new Map<number, VersionStatus>();
  loads = 0;

  release: ReleaseRecord | undefined;

  async getRelease(): Promise<ReleaseRecord | undefined> {
    return this.release;
  }

  async getVersion(model: string, version: number): Promise<VersionRecord | undefined> {
    if (version > 9) return undefined;
    const artifact = { bucket: 'b', key: `models/${model}/v${version}.json`, sha256: 'x' };
    return {
      model,
      version,
      runId: 'r',
      status: this.statuses.get(version) ?? 'approved',
      revision: 1,
      artifact,
    } as VersionRecord;
  }

  /** Versions whose artifact was deleted, or damaged. */
  missing = new Set<number>();
  damaged = new Set<number>();

  async load(artifact: ArtifactRecord): Promise<FakeModel> {
    this.loads += 1;
    if (this.storageDown) throw new Error('S3 unavailable');
    const version = Number(/v(\d+)\.json$/.exec(artifact.key)?.[1]);
    if (this.missing.has(version)) throw new NotFoundError(`s3://${artifact.bucket}/${artifact.key} does not exist`);
    if (this.damaged.has(version))
      throw new IntegrityError(
        `model artifact s3://${artifact.bucket}/${artifact.key} has sha256 y, but the registry recorded x`,
      );
    return new FakeModel(artifact.key);
  }
}

function setup(refreshMs = 15_000) {
  let clock = 0;
  const source = new FakeSource();
  const failures: RefreshFailure[] = [];
  const readings: [number | null, number][] = [];
  const cache = new ProductionModelCache(source, {
    refreshMs,
    retryMs: 1000,
    now: () => clock,
    onRefreshFailure: (f) => failures.push(f),
    onPointerRead: (r) => readings.push([r.served, r.production]),
  });
  return { source, cache, failures, readings, advance: (ms: number) => (clock += ms) };
}

describe('releases in the cache', () => {
  it('loads the candidate beside production while a release is active, and serves production alone when the candidate cannot load', async () => {
    const { source } = setup();
    const candidateFailures: number[] = [];
    const cache = new ProductionModelCache(source, {
      refreshMs: 0,
      onCandidateFailure: ({ version }) => candidateFailures.push(version),
    });
    const release = {
      model: 'adult',
      releaseId: 'r',
      mode: 'canary',
      candidateVersion: 3,
      productionVersion: 1,
      steps: [10],
      stepIndex: 0,
      share: 10,
      bakeMinutes: 1,
      state: 'running',
      startedAt: '',
      updatedAt: '',
      revision: 2,
    } as const;
    source.release = { ...release, steps: [10] };
    const served = await cache.get('adult');
    expect([served.version, served.release?.candidate.version]).toEqual([1, 3]);
    source.storageDown = true;
    source.release = { ...release, steps: [10], candidateVersion: 4 };
    // Production stays loaded; the new candidate fails to load: production alone, and the failure reported.
    const fallback = await cache.get('adult');
    expect([fallback.version, fallback.release]).toEqual([1, undefined]);
    expect(candidateFailures).toEqual([4]);
  });
});

describe('pinned versions', () => {
  it('serves an approved version by number, loads it once, refuses others with the reason, and keeps at most PINNED_VERSIONS', async () => {
    const { source, cache } = setup();
    const pinned = await cache.getPinned('adult', 3);
    expect(pinned.version).toBe(3);
    await cache.getPinned('adult', 3);
    expect(source.loads).toBe(1);
    source.statuses.set(4, 'rejected');
    await expect(cache.getPinned('adult', 4)).rejects.toThrow(
      'version 4 of adult is rejected; only approved versions can be served',
    );
    await expect(cache.getPinned('adult', 12)).rejects.toBeInstanceOf(NotFoundError);
    for (const v of [5, 6, 7, 8]) await cache.getPinned('adult', v);
    // Version 3, the least recently used, was dropped and freed when the fifth was loaded.
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect((pinned.predictor as FakeModel).disposed).toBe(true);
    expect(PINNED_VERSIONS).toBe(4);
  });
});

describe('the production model cache', () => {
  it('reads the pointer again only after refreshMs, and swaps in a promoted version, freeing the old one', async () => {
    const { source, cache, advance } = setup();
    const first = await cache.get('adult');
    expect(first.version).toBe(1);
    source.version = 2;
    advance(14_999);
    expect((await cache.get('adult')).version).toBe(1);
    expect(source.reads).toBe(1);
    advance(1);
    expect((await cache.get('adult')).version).toBe(2);
    expect(first.predictor.disposed).toBe(true);
  });

  it('keeps serving the loaded version while the registry is unreachable, retrying with backoff, and switches once it is back', async () => {
    const { source, cache, failures, advance } = setup();
    await cache.get('adult');
    source.registryDown = true;
    source.version = 2;
    advance(15_000);
    expect((await cache.get('adult')).version).toBe(1);
    expect(failures.map((f) => [f.failures, f.retryInMs, f.servedVersion])).toEqual([[1, 1000, 1]]);
    advance(999);
    await cache.get('adult');
    expect(source.reads).toBe(2); // no read before the backoff ends
    for (const wait of [1, 1000, 2000, 4000, 8000, 15_000]) {
      advance(wait);
      expect((await cache.get('adult')).version).toBe(1);
    }
    expect(failures.map((f) => f.retryInMs)).toEqual([1000, 2000, 4000, 8000, 15_000, 15_000]); // doubling, capped at refreshMs
    source.registryDown = false;
    advance(15_000); // back: the next read (at most refreshMs later) serves the promoted version
    expect((await cache.get('adult')).version).toBe(2);
    source.version = 3;
    advance(14_999);
    expect((await cache.get('adult')).version).toBe(2); // back to the normal refresh interval
  });

  it('keeps serving when the new artifact cannot be loaded', async () => {
    const { source, cache, failures, advance } = setup();
    await cache.get('adult');
    source.version = 2;
    source.storageDown = true;
    advance(15_000);
    expect((await cache.get('adult')).version).toBe(1);
    expect(String(failures[0]?.error)).toContain('S3 unavailable');
  });

  it('fails as unavailable when nothing is loaded yet, retries after the backoff, and says when there is no production version at all', async () => {
    const { source, cache, advance } = setup();
    source.registryDown = true;
    await expect(cache.get('adult')).rejects.toThrow(
      'model "adult" cannot be served: the production pointer could not be read (TimeoutError)',
    );
    source.registryDown = false;
    source.version = undefined;
    await expect(cache.get('adult')).rejects.toBeInstanceOf(ModelUnavailableError); // within the backoff: not read again
    expect(source.reads).toBe(1);
    advance(1000);
    await expect(cache.get('adult')).rejects.toBeInstanceOf(NotFoundError);
    source.version = 1;
    expect((await cache.get('adult')).version).toBe(1);
  });

  it('answers concurrent requests during a refresh with the loaded version, and loads a first version once', async () => {
    const { source, cache, advance } = setup();
    const [a, b] = await Promise.all([cache.get('adult'), cache.get('adult')]);
    expect(a).toBe(b);
    expect(source.reads).toBe(1);
    source.version = 2;
    advance(15_000);
    const refreshing = cache.get('adult');
    expect((await cache.get('adult')).version).toBe(1); // not made to wait for the refresh
    expect((await refreshing).version).toBe(2);
  });
});

describe('a production version that cannot be loaded', () => {
  it('keeps serving the loaded version when the pointer moves to a version whose artifact is missing, remembers the failure and says what is served', async () => {
    const { source, cache: observed, failures, readings, advance } = setup();
    source.version = 8;
    expect((await observed.get('adult')).version).toBe(8);
    source.version = 7;
    source.missing.add(7);
    advance(15_000);
    expect((await observed.get('adult')).version).toBe(8);
    expect(failures.map((f) => [f.servedVersion, f.targetVersion, f.reason])).toEqual([
      [8, 7, 'its artifact is missing'],
    ]);
    expect(observed.status('adult')).toEqual({
      served: 8,
      production: 7,
      failure: { version: 7, reason: 'its artifact is missing' },
    });
    expect(readings).toEqual([
      [8, 8],
      [8, 7],
    ]);
    // Every request before the backoff ends is answered by v8 without downloading v7 again.
    const loads = source.loads;
    for (let i = 0; i < 50; i++) expect((await observed.get('adult')).version).toBe(8);
    expect(source.loads).toBe(loads);
    // Fixed (the pointer moves on, or the artifact is back): served at the next read, the failure forgotten.
    source.missing.delete(7);
    advance(1000);
    expect((await observed.get('adult')).version).toBe(7);
    expect(observed.status('adult')).toEqual({ served: 7, production: 7 });
  });

  it('answers 503 naming the model and version, never the artifact location, when nothing was ever loaded; and does not download per request', async () => {
    const { source, cache, failures, advance } = setup();
    source.damaged.add(1);
    const attempt = cache.get('adult');
    await expect(attempt).rejects.toBeInstanceOf(ModelUnavailableError);
    const message = await attempt.catch((e: Error) => e.message);
    expect(message).toBe(
      'version 1 of model "adult" cannot be served: its artifact is damaged (not the bytes the registry recorded); the operators are alerted, try again later',
    );
    expect(message).not.toMatch(/s3:|models\//);
    expect(failures[0]).toMatchObject({ servedVersion: null, targetVersion: 1, failures: 1, retryInMs: 1000 });
    for (let i = 0; i < 20; i++) await expect(cache.get('adult')).rejects.toBeInstanceOf(ModelUnavailableError);
    expect(source.loads).toBe(1);
    advance(1000);
    await expect(cache.get('adult')).rejects.toBeInstanceOf(ModelUnavailableError);
    expect(source.loads).toBe(2); // retried once the backoff passed
    expect(cache.status('adult')).toEqual({
      served: null,
      production: 1,
      failure: { version: 1, reason: 'its artifact is damaged (not the bytes the registry recorded)' },
    });
  });

  it('refuses a pinned version whose artifact is missing as unavailable, naming the version', async () => {
    const { source, cache } = setup();
    source.missing.add(3);
    await expect(cache.getPinned('adult', 3)).rejects.toThrow(
      'version 3 of model "adult" cannot be served: its artifact is missing',
    );
  });
});
