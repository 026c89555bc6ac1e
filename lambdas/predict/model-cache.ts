import { ModelUnavailableError, NotFoundError, RequestValidationError } from '../core/errors.js';
import type { AliasRecord, ArtifactRecord, VersionRecord } from '../shared/contracts/registry-records.js';
import { isActive, type ReleaseRecord } from '../shared/adapters/release-store.js';
import { PRODUCTION_ALIAS } from '../shared/contracts/registry-keys.js';
import { errorKind, loadFailureReason } from './load-failure.js';

/** Pinned versions kept loaded per container. */
export const PINNED_VERSIONS = 4;

/** What the cache needs of a loaded model: serving it is the caller's business, freeing it is the cache's. */
export interface Disposable {
  dispose(): void;
}

export interface ServedModel<P extends Disposable> {
  readonly version: number;
  readonly predictor: P;
  /** The active release and its candidate, loaded beside production while the release is checking or running. */
  readonly release?: {
    readonly record: ReleaseRecord;
    readonly candidate: { readonly version: number; readonly predictor: P };
  };
}

/** Where the production pointer and the artifacts come from (the registry and S3 in the function). */
export interface ModelSource<P extends Disposable> {
  getAlias(model: string, alias: string): Promise<AliasRecord | undefined>;
  /** The model's release item (read with the production pointer at each refresh). */
  getRelease(model: string): Promise<ReleaseRecord | undefined>;
  getVersion(model: string, version: number): Promise<VersionRecord | undefined>;
  load(artifact: ArtifactRecord): Promise<P>;
}

/**
 * A refresh that failed: the pointer could not be read (`targetVersion` absent) or its version not loaded. The loaded
 * version, if any, keeps serving; without one the model is unavailable until a retry succeeds.
 */
export interface RefreshFailure {
  readonly model: string;
  readonly servedVersion: number | null;
  readonly targetVersion?: number;
  /** Why, in words a caller may read (no bucket or key): "its artifact is missing". */
  readonly reason: string;
  readonly failures: number;
  readonly retryInMs: number;
  readonly error: unknown;
}

/** What a container serves of a model against what the registry points at (health and the model's description). */
export interface ServingStatus {
  readonly served: number | null;
  /** The production version as last read; null when the model has none. */
  readonly production: number | null;
  /** The latest refresh's failure, while it lasts: the version it could not load (if known) and why. */
  readonly failure?: { readonly version?: number; readonly reason: string };
}

export interface CacheOptions {
  /** How long a loaded version is served before the production pointer is read again. */
  readonly refreshMs: number;
  /** First wait after a failed refresh; it doubles per failure up to `refreshMs`. @default 1000 */
  readonly retryMs?: number;
  readonly now?: () => number;
  readonly onRefreshFailure?: (failure: RefreshFailure) => void;
  /** Every refresh that read the pointer: what is served against what the pointer names. */
  readonly onPointerRead?: (reading: { model: string; served: number | null; production: number }) => void;
  /** A release's candidate could not be loaded: production serves everything meanwhile (and the release check fails). */
  readonly onCandidateFailure?: (failure: { model: string; version: number; error: unknown }) => void;
}

interface Entry<P extends Disposable> {
  served?: ServedModel<P>;
  pending?: Promise<ServedModel<P>>;
  /** When the pointer is next read. */
  checkAt: number;
  failures: number;
  /** The production version as last read (null: the model has none). */
  production?: number | null;
  /** The latest refresh's failure; requests before `checkAt` do not load again (no download per request). */
  failure?: { readonly version?: number; readonly reason: string };
}

/**
 * Keeps each model's production version loaded for the life of the container. The production pointer is read again
 * once `refreshMs` has passed, so a promotion or rollback is served within that time plus one load. While a refresh
 * runs, and when it fails for any reason (the registry or S3 unreachable or throttled, an artifact missing or
 * damaged), the loaded version keeps answering; the failure is reported and remembered, and the pointer read again
 * after a backoff (doubling from `retryMs`, never longer than `refreshMs`). A request fails only when no version was
 * ever loaded: with ModelUnavailableError (503) naming the model and the version, never where its artifact lives.
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
    if (entry.pending === undefined && entry.failure !== undefined && this.now() < entry.checkAt)
      throw unavailable(model, entry.failure);
    entry.pending ??= this.refresh(model, entry).finally(() => {
      entry.pending = undefined;
    });
    return entry.pending;
  }

  /** What this container serves of the model against the pointer; undefined before its first request. */
  status(model: string): ServingStatus | undefined {
    const entry = this.entries.get(model);
    if (entry === undefined) return undefined;
    return {
      served: entry.served?.version ?? null,
      production: entry.production ?? null,
      ...(entry.failure ? { failure: entry.failure } : {}),
    };
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
      void evicted.then(
        (served) => served.predictor.dispose(),
        () => undefined,
      );
    }
    return loading;
  }

  private async loadPinned(model: string, version: number): Promise<ServedModel<P>> {
    const record = await this.source.getVersion(model, version);
    if (record === undefined) throw new NotFoundError(`model "${model}" has no version ${version}`);
    if (record.status !== 'approved') {
      throw new RequestValidationError(
        `version ${version} of ${model} is ${record.status}; only approved versions can be served (leave "version" out to be served the release)`,
      );
    }
    try {
      return { version, predictor: await this.source.load(record.artifact) };
    } catch (error) {
      throw unavailable(model, { version, reason: loadFailureReason(error) }, error);
    }
  }

  private async refresh(model: string, entry: Entry<P>): Promise<ServedModel<P>> {
    let alias: AliasRecord | undefined;
    let release: ReleaseRecord | undefined;
    try {
      [alias, release] = await Promise.all([
        this.source.getAlias(model, PRODUCTION_ALIAS),
        this.source.getRelease(model),
      ]);
    } catch (error) {
      return this.failed(
        model,
        entry,
        { reason: `the production pointer could not be read (${errorKind(error)})` },
        error,
      );
    }
    entry.production = alias?.version ?? null;
    if (alias === undefined) {
      if (entry.served === undefined) {
        throw new NotFoundError(
          `model "${model}" has no production version yet: upload training data to incoming/${model}/ and wait for a run to pass its gate`,
        );
      }
      return this.failed(
        model,
        entry,
        { reason: 'the production pointer is gone' },
        new Error(`the production pointer of ${model} is gone`),
      );
    }
    let predictor: P;
    try {
      predictor =
        entry.served?.version === alias.version ? entry.served.predictor : await this.source.load(alias.artifact);
    } catch (error) {
      return this.failed(model, entry, { version: alias.version, reason: loadFailureReason(error) }, error);
    }
    const next = await this.withRelease(model, alias.version, predictor, release, entry.served);
    this.swap(entry, next);
    this.options.onPointerRead?.({ model, served: next.version, production: alias.version });
    return next;
  }

  /** Serves `next` from now on, freeing what it replaces (predictions run synchronously: nothing still uses it). */
  private swap(entry: Entry<P>, next: ServedModel<P>): void {
    if (entry.served !== undefined && entry.served.predictor !== next.predictor) entry.served.predictor.dispose();
    const oldCandidate = entry.served?.release?.candidate.predictor;
    if (
      oldCandidate !== undefined &&
      oldCandidate !== next.release?.candidate.predictor &&
      oldCandidate !== next.predictor
    )
      oldCandidate.dispose();
    entry.served = next;
    entry.failures = 0;
    entry.failure = undefined;
    entry.checkAt = this.now() + this.options.refreshMs;
  }

  /** A refresh failed: remembered and reported, retried after a backoff; the loaded version answers meanwhile. */
  private failed(
    model: string,
    entry: Entry<P>,
    failure: NonNullable<Entry<P>['failure']>,
    error: unknown,
  ): ServedModel<P> {
    entry.failures += 1;
    entry.failure = failure;
    const retryInMs = Math.min(this.options.refreshMs, (this.options.retryMs ?? 1000) * 2 ** (entry.failures - 1));
    entry.checkAt = this.now() + retryInMs;
    const servedVersion = entry.served?.version ?? null;
    this.options.onRefreshFailure?.({
      model,
      servedVersion,
      ...(failure.version !== undefined ? { targetVersion: failure.version } : {}),
      reason: failure.reason,
      failures: entry.failures,
      retryInMs,
      error,
    });
    if (failure.version !== undefined)
      this.options.onPointerRead?.({ model, served: servedVersion, production: failure.version });
    if (entry.served === undefined) throw unavailable(model, failure, error);
    return entry.served;
  }

  /** Production with the active release's candidate beside it, when there is one that loads. */
  private async withRelease(
    model: string,
    version: number,
    predictor: P,
    release: ReleaseRecord | undefined,
    loaded: ServedModel<P> | undefined,
  ): Promise<ServedModel<P>> {
    if (!isActive(release) || release.candidateVersion === version) return { version, predictor };
    const loadedCandidate = loaded?.release?.candidate;
    if (loadedCandidate?.version === release.candidateVersion)
      return { version, predictor, release: { record: release, candidate: loadedCandidate } };
    try {
      const candidate = {
        version: release.candidateVersion,
        predictor: await this.loadVersion(model, release.candidateVersion),
      };
      return { version, predictor, release: { record: release, candidate } };
    } catch (error) {
      // A broken candidate must not take production down with it.
      this.options.onCandidateFailure?.({ model, version: release.candidateVersion, error });
      return { version, predictor };
    }
  }

  private async loadVersion(model: string, version: number): Promise<P> {
    const record = await this.source.getVersion(model, version);
    if (record === undefined) throw new NotFoundError(`model "${model}" has no version ${version}`);
    return this.source.load(record.artifact);
  }
}

/** The 503 of a model nothing serves: the model, the version and why, without the artifact's location. */
function unavailable(
  model: string,
  failure: { readonly version?: number; readonly reason: string },
  cause?: unknown,
): ModelUnavailableError {
  const what = failure.version !== undefined ? `version ${failure.version} of model "${model}"` : `model "${model}"`;
  return new ModelUnavailableError(
    `${what} cannot be served: ${failure.reason}; the operators are alerted, try again later`,
    { cause },
  );
}
