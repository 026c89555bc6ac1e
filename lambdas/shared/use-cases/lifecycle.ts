import {
  ConflictError,
  IntegrityError,
  NotFoundError,
  SupersededError,
  UnservableVersionError,
} from '../../core/errors.js';
import type { ArtifactCheck } from '../adapters/artifacts.js';
import type { Registry } from '../adapters/registry.js';
import type { AliasRecord, AuditAction, VersionRecord } from '../contracts/registry-records.js';
import type { AuditDraft } from '../adapters/registry-write.js';
import { CANDIDATE_ALIAS, PRODUCTION_ALIAS } from '../contracts/registry-keys.js';

/**
 * Changes to what is served and approved. Each change is one conditional write to one item (the production alias
 * or the version) and its audit event, in one transaction; refused attempts are audited too, so the trail shows every
 * attempt, who made it and why.
 */

export interface Change {
  readonly model: string;
  readonly actor: string;
  readonly reason: string;
}

async function requireVersion(registry: Registry, model: string, version: number): Promise<VersionRecord> {
  const record = await registry.versions.get(model, version);
  if (record === undefined) {
    const latest = await registry.versions.latest(model);
    throw new NotFoundError(
      latest === 0
        ? `model "${model}" has no versions`
        : `model "${model}" has no version ${version} (versions 1 to ${latest} exist)`,
    );
  }
  return record;
}

/**
 * Runs a change whose write carries its own audit event (one transaction: both or neither). When the attempt is
 * refused — a check failed, or the write did not happen — a "refused" event is appended; if even that write fails,
 * the original error is still the one thrown (nothing changed, so nothing is missing from the trail).
 */
async function audited<T>(
  registry: Registry,
  change: Change,
  action: AuditAction,
  version: number,
  previousVersion: number | null,
  attempt: (succeeded: (detail: string) => AuditDraft) => Promise<T>,
): Promise<T> {
  const base = { model: change.model, actor: change.actor, reason: change.reason, action, version, previousVersion };
  try {
    return await attempt((detail) => ({ ...base, outcome: 'succeeded', detail }));
  } catch (error) {
    await registry.audit
      .append({ ...base, outcome: 'refused', detail: (error as Error).message })
      .catch(() => undefined);
    throw error;
  }
}

/** What moving the production pointer needs: the registry, and the check that the target's artifact can be served. */
export interface PointerMoves {
  readonly registry: Registry;
  readonly checkArtifact: ArtifactCheck;
}

export interface PromotionChange extends Change {
  readonly version: number;
  /**
   * The production version this change was decided against (a gate's comparison; null: there was none). When
   * production is another version now, the change is refused as SupersededError: never a silent replacement.
   */
  readonly expectedProduction?: number | null;
}

/**
 * Points production at an approved version whose artifact can be served: one write conditioned on the alias revision
 * that was read, so what was checked (the target, and the production it replaces) is what the write changes.
 */
export async function promoteVersion(
  moves: PointerMoves,
  change: PromotionChange,
  action: 'promote' | 'rollback' = 'promote',
): Promise<AliasRecord> {
  const { registry } = moves;
  const current = await registry.aliases.get(change.model, PRODUCTION_ALIAS);
  return audited(registry, change, action, change.version, current?.version ?? null, async (succeeded) => {
    const target = await requireVersion(registry, change.model, change.version);
    if (target.status !== 'approved') {
      throw new ConflictError(
        `version ${target.version} of ${change.model} is ${target.status}; only approved versions can be served${target.status === 'pending' ? ' (approve it first: mlops approve)' : ''}`,
      );
    }
    if (current?.version === target.version)
      throw new ConflictError(`version ${target.version} of ${change.model} is already in production`);
    const production = current?.version ?? null;
    if (change.expectedProduction !== undefined && production !== change.expectedProduction) {
      const compared = change.expectedProduction === null ? 'no production version' : `v${change.expectedProduction}`;
      throw new SupersededError(
        `production of ${change.model} is ${production === null ? 'gone' : `v${production}`}, but v${target.version} was compared with ${compared}; promoting it now would skip that comparison`,
      );
    }
    await checkServable(moves.checkArtifact, target, production);
    return registry.aliases.set(
      {
        model: change.model,
        alias: PRODUCTION_ALIAS,
        version: target.version,
        artifact: target.artifact,
        reason: change.reason,
        previous: current === undefined ? [] : [...current.previous, current.version],
      },
      current?.revision ?? 0,
      succeeded(`production is now v${target.version}${current ? ` (was v${current.version})` : ''}`),
    );
  });
}

/** A version whose artifact is missing or damaged never becomes production (serving could not load it). */
async function checkServable(check: ArtifactCheck, target: VersionRecord, production: number | null): Promise<void> {
  try {
    await check(target);
  } catch (error) {
    if (!(error instanceof NotFoundError) && !(error instanceof IntegrityError)) throw error;
    const stays = production === null ? 'nothing is in production' : `production stays v${production}`;
    throw new UnservableVersionError(
      `version ${target.version} of ${target.model} cannot be served: ${error.message}; ${stays}`,
      { cause: error },
    );
  }
}

/**
 * Points the `candidate` alias at a version that passed its gate (one write conditioned on the alias revision). A
 * newer candidate replaces an older one; an older one never replaces a newer (runs can finish out of order). Runs
 * finishing together race for the alias: the loser reads it again and tries once more, or finds a newer one there.
 */
export async function setCandidate(
  registry: Registry,
  change: Change & { readonly version: number },
): Promise<AliasRecord | undefined> {
  const target = await requireVersion(registry, change.model, change.version);
  for (let attempt = 1; ; attempt++) {
    const current = await registry.aliases.get(change.model, CANDIDATE_ALIAS);
    if (current !== undefined && current.version >= target.version) return undefined;
    try {
      return await audited(registry, change, 'alias', target.version, current?.version ?? null, (succeeded) =>
        registry.aliases.set(
          {
            model: change.model,
            alias: CANDIDATE_ALIAS,
            version: target.version,
            artifact: target.artifact,
            reason: change.reason,
            previous: current === undefined ? [] : [...current.previous, current.version],
          },
          current?.revision ?? 0,
          succeeded(`candidate is now v${target.version}`),
        ),
      );
    } catch (error) {
      if (!(error instanceof ConflictError) || attempt >= 5) throw error;
    }
  }
}

/** Moves production back to the version before it (or to `to`), which must be approved. */
export async function rollback(moves: PointerMoves, change: Change & { readonly to?: number }): Promise<AliasRecord> {
  const { registry } = moves;
  const current = await registry.aliases.get(change.model, PRODUCTION_ALIAS);
  if (current === undefined) {
    await registry.audit.append({
      model: change.model,
      actor: change.actor,
      reason: change.reason,
      action: 'rollback',
      version: change.to ?? 0,
      previousVersion: null,
      outcome: 'refused',
      detail: 'no production version',
    });
    throw new ConflictError(`model "${change.model}" has no production version to roll back`);
  }
  let target = change.to;
  if (target === undefined) {
    for (const candidate of [...current.previous].reverse()) {
      if (
        candidate !== current.version &&
        (await registry.versions.get(change.model, candidate))?.status === 'approved'
      ) {
        target = candidate;
        break;
      }
    }
  }
  if (target === undefined) {
    await registry.audit.append({
      model: change.model,
      actor: change.actor,
      reason: change.reason,
      action: 'rollback',
      version: current.version,
      previousVersion: current.version,
      outcome: 'refused',
      detail: 'no previous approved version',
    });
    throw new ConflictError(
      `model "${change.model}" has no previous approved version to roll back to (production is v${current.version}); name one with --to`,
    );
  }
  return promoteVersion(moves, { ...change, version: target }, 'rollback');
}

/** Sets a version's approval state: approve a pending one, reject a pending or approved one, archive any. */
export async function setApproval(
  registry: Registry,
  change: Change & { readonly version: number },
  action: 'approve' | 'reject' | 'archive',
): Promise<VersionRecord> {
  const production = await registry.aliases.get(change.model, PRODUCTION_ALIAS);
  const target = await requireVersion(registry, change.model, change.version);
  const next = ({ approve: 'approved', reject: 'rejected', archive: 'archived' } as const)[action];
  return audited(registry, change, action, change.version, production?.version ?? null, async (succeeded) => {
    if (action === 'approve' && target.status !== 'pending') {
      throw new ConflictError(
        `version ${target.version} of ${change.model} is ${target.status}, not pending; only pending versions can be approved`,
      );
    }
    if (action !== 'approve' && production?.version === target.version) {
      throw new ConflictError(
        `version ${target.version} of ${change.model} is in production; promote or roll back to another version first`,
      );
    }
    if (target.status === next)
      throw new ConflictError(`version ${target.version} of ${change.model} is already ${next}`);
    return registry.versions.setStatus(
      target,
      next,
      change.reason,
      succeeded(`version ${target.version} is now ${next}`),
    );
  });
}
