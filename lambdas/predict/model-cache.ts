import { NotFoundError, RequestValidationError } from '../core/errors.js';

/** Pinned versions kept loaded per container. */
export const PINNED_VERSIONS = 4;
import type { AliasRecord, ArtifactRecord, VersionRecord } from '../shared/registry.js';
import { isActive, type ReleaseRecord } from '../shared/release-store.js';
import { PRODUCTION_ALIAS } from '../shared/registry-keys.js';

/** What the cache needs of a loaded model: serving it is the caller's business, freeing it is the cache's. */
export interface Disposable {
  dispose(): void;
}

export interface ServedModel<P extends Disposable> {
  readonly version: number;
  readonly predictor: P;
  /** The active release and its candidate, loaded beside production while the release is checking or running. */
  readonly release?: { readonly record: ReleaseRecord; readonly candidate: { readonly version: number; readonly predictor: P } };
}

/** Where the production pointer and the artifacts come from (the registry and S3 in the function). */
export interface ModelSource<P extends Disposable> {
  getAlias(model: string, alias: string): Promise<AliasRecord | undefined>;
  /** The model's release item (read with the production pointer at each refresh). */
  getRelease(model: string): Promise<ReleaseRecord | undefined>;
  getVersion(model: string, version: number): Promise<VersionRecord | undefined>;
  load(artifact: ArtifactRecord): Promise<P>;
}

/** A refresh that failed while a version was loaded: the loaded one keeps serving. */
export interface RefreshFailure {
  readonly model: string;
  readonly servedVersion: number;
  readonly failures: number;
  readonly retryInMs: number;
  readonly error: unknown;
}

export interface CacheOptions {
  /** How long a loaded version is served before the production pointer is read again. */
  readonly refreshMs: number;
  /** First wait after a failed refresh; it doubles per failure up to `refreshMs`. @default 1000 */
  readonly retryMs?: number;
  readonly now?: () => number;
  readonly onRefreshFailure?: (failure: RefreshFailure) => void;
  /** A release's candidate could not be loaded: production serves everything meanwhile (and the release check fails). */
  readonly onCandidateFailure?: (failure: { model: string; version: number; error: unknown }) => void;
}

interface Entry<P extends Disposable> {
  served?: ServedModel<P>;
  pending?: Promise<ServedModel<P>>;
  /** When the pointer is next read. */
  checkAt: number;
  failures: number;
}

/**
 * Keeps each model's production version loaded for the life of the container. The production pointer is read again
 * once `refreshMs` has passed, so a promotion or rollback is served within that time plus one load. While a refresh
 * runs, and when it fails (the registry or S3 unreachable, throttled, a bad artifact), the loaded version keeps
 * answering; the failure is reported and the pointer read again after a backoff (doubling from `retryMs`, never
 * longer than `refreshMs`). A request fails only when nothing is loaded yet.
 */
export class ProductionModelCache<P extends Disposable> {
  private readonly entries = new Map<string, Entry<P>>();
  /** Versions asked for by number: immutable, so kept without refresh, the least recently used dropped first. */
  private readonly pinned = new Map<string, Promise<ServedModel<P>>>();
  private readonly now: () => number;

  constructor(
    private readonly source: ModelSource<P>,
    private readonly options: CacheOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  /** What serves the model now; `fresh` reads the pointers again first (a request forcing the candidate). */
  async get(model: string, options: { fresh?: boolean } = {}): Promise<ServedModel<P>> {
    const entry = this.entries.get(model) ?? { checkAt: 0, failures: 0 };
    this.entries.set(model, entry);
    if (options.fresh === true && entry.pending === undefined) entry.checkAt = 0;
    if (entry.served !== undefined && (this.now() < entry.checkAt || entry.pending !== undefined)) return entry.served;
    entry.pending ??= this.refresh(model, entry).finally(() => {
      entry.pending = undefined;
    });
    return entry.pending;
  }

  /** An approved version by number (a caller pinning one); at most PINNED_VERSIONS stay loaded. */
  async getPinned(model: string, version: number): Promise<ServedModel<P>> {
    const key = `${model}#${version}`;
    let loading = this.pinned.get(key);
    if (loading === undefined) {
      loading = this.loadPinned(model, version);
      loading.catch(() => this.pinned.delete(key));
    }
    this.pinned.delete(key);
    this.pinned.set(key, loading);
    for (const [oldest, evicted] of this.pinned) {
      if (this.pinned.size <= PINNED_VERSIONS) break;
      this.pinned.delete(oldest);
      void evicted.then((served) => served.predictor.dispose(), () => undefined);
    }
    return loading;
  }

  private async loadPinned(model: string, version: number): Promise<ServedModel<P>> {
    const record = await this.source.getVersion(model, version);
    if (record === undefined) throw new NotFoundError(`model "${model}" has no version ${version}`);
    if (record.status !== 'approved') {
      throw new RequestValidationError(`version ${version} of ${model} is ${record.status}; only approved versions can be served (leave "version" out to be served the release)`);
    }
    return { version, predictor: await this.source.load(record.artifact) };
  }

  private async refresh(model: string, entry: Entry<P>): Promise<ServedModel<P>> {
    try {
      const next = await this.read(model, entry.served);
      // Predictions run synchronously, so no request can still be using the version being replaced.
      if (entry.served !== undefined && entry.served.predictor !== next.predictor) entry.served.predictor.dispose();
      const oldCandidate = entry.served?.release?.candidate.predictor;
      if (oldCandidate !== undefined && oldCandidate !== next.release?.candidate.predictor && oldCandidate !== next.predictor) oldCandidate.dispose();
      entry.served = next;
      entry.failures = 0;
      entry.checkAt = this.now() + this.options.refreshMs;
      return next;
    } catch (error) {
      if (entry.served === undefined || error instanceof NotFoundError) throw error;
      entry.failures += 1;
      const retryInMs = Math.min(this.options.refreshMs, (this.options.retryMs ?? 1000) * 2 ** (entry.failures - 1));
      entry.checkAt = this.now() + retryInMs;
      this.options.onRefreshFailure?.({ model, servedVersion: entry.served.version, failures: entry.failures, retryInMs, error });
      return entry.served;
    }
  }

  private async read(model: string, loaded: ServedModel<P> | undefined): Promise<ServedModel<P>> {
    const [alias, release] = await Promise.all([this.source.getAlias(model, PRODUCTION_ALIAS), this.source.getRelease(model)]);
    if (alias === undefined) {
      throw new NotFoundError(
        `model "${model}" has no production version yet: upload training data to incoming/${model}/ and wait for a run to pass its gate`,
      );
    }
    const predictor = loaded?.version === alias.version ? loaded.predictor : await this.source.load(alias.artifact);
    if (!isActive(release) || release.candidateVersion === alias.version) return { version: alias.version, predictor };
    const loadedCandidate = loaded?.release?.candidate;
    if (loadedCandidate?.version === release.candidateVersion) return { version: alias.version, predictor, release: { record: release, candidate: loadedCandidate } };
    try {
      const candidate = { version: release.candidateVersion, predictor: await this.loadVersion(model, release.candidateVersion) };
      return { version: alias.version, predictor, release: { record: release, candidate } };
    } catch (error) {
      // A broken candidate must not take production down with it.
      this.options.onCandidateFailure?.({ model, version: release.candidateVersion, error });
      return { version: alias.version, predictor };
    }
  }

  private async loadVersion(model: string, version: number): Promise<P> {
    const record = await this.source.getVersion(model, version);
    if (record === undefined) throw new NotFoundError(`model "${model}" has no version ${version}`);
    return this.source.load(record.artifact);
  }
}
