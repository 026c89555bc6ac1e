import type { S3Client } from '@aws-sdk/client-s3';
import { Predictor } from '../core/artifact.js';
import { NotFoundError } from '../core/errors.js';
import { fetchArtifact } from '../shared/artifacts.js';
import type { Registry } from '../shared/registry.js';
import { PRODUCTION_ALIAS } from '../shared/registry-keys.js';

export interface ServedModel {
  readonly version: number;
  readonly predictor: Predictor;
}

interface Entry {
  checkedAt: number;
  served?: ServedModel;
  pending?: Promise<ServedModel>;
}

/**
 * Keeps each model's production version loaded for the life of the container. The production pointer is read again
 * once `refreshMs` has passed, so a promotion or rollback is served within that time plus one load; requests in the
 * meantime are answered by the version already loaded, never by a half-loaded one.
 */
export class ProductionModelCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly registry: Registry,
    private readonly s3: S3Client,
    private readonly refreshMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  async get(model: string): Promise<ServedModel> {
    const entry = this.entries.get(model);
    if (entry?.served !== undefined && this.now() - entry.checkedAt < this.refreshMs) return entry.served;
    if (entry?.pending !== undefined) return entry.pending;
    const current = entry ?? { checkedAt: 0 };
    this.entries.set(model, current);
    current.pending = this.refresh(model, current.served).finally(() => {
      current.pending = undefined;
    });
    const served = await current.pending;
    // Predictions run synchronously, so no request can still be using the version being replaced.
    if (current.served !== undefined && current.served !== served) current.served.predictor.dispose();
    current.served = served;
    current.checkedAt = this.now();
    return served;
  }

  private async refresh(model: string, loaded: ServedModel | undefined): Promise<ServedModel> {
    const alias = await this.registry.getAlias(model, PRODUCTION_ALIAS);
    if (alias === undefined) {
      throw new NotFoundError(
        `model "${model}" has no production version yet: upload training data to incoming/${model}/ and wait for a run to pass its gate`,
      );
    }
    if (loaded?.version === alias.version) return loaded;
    const predictor = await Predictor.load(await fetchArtifact(this.s3, alias.artifact));
    return { version: alias.version, predictor };
  }
}
