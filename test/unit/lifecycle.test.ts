import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { promoteRun } from '../../lambdas/promote/promote.js';
import { promoteVersion, rollback, setApproval, setCandidate } from '../../lambdas/shared/use-cases/lifecycle.js';
import type { Registry, VersionRecord, VersionStatus } from '../../lambdas/shared/registry.js';
import { registerTestVersion, startTestRegistry } from '../helpers/registry-table.js';

let registry: Registry;
let stop: () => Promise<void>;

beforeAll(async () => {
  ({ registry, stop } = await startTestRegistry());
});

afterAll(() => stop());

async function register(model: string, status: VersionStatus): Promise<VersionRecord> {
  return registerTestVersion(registry, model, `run-${Math.random()}`, status);
}

const who = { actor: 'alice@laptop', reason: 'test' };

describe('promotion, rollback and approval with an audit trail', () => {
  it('20 concurrent promotions end with exactly one production version and 20 audit events', async () => {
    const versions = await Promise.all(Array.from({ length: 20 }, () => register('race', 'approved')));
    // Truly concurrent: every promotion has read production (none yet) before any of them writes. Without this
    // barrier a slow caller may read after the first write and legitimately win second (see the next test).
    let allRead: () => void = () => undefined;
    const arrived = new Promise<void>((resolve) => {
      allRead = resolve;
    });
    let reads = 0;
    const barrier = Object.create(registry) as Registry;
    barrier.getAlias = async (...args: Parameters<Registry['getAlias']>) => {
      const alias = await registry.getAlias(...args);
      if (++reads === 20) allRead();
      await arrived;
      return alias;
    };
    const results = await Promise.allSettled(versions.map((v) => promoteVersion(barrier, { model: 'race', version: v.version, ...who })));
    const winners = results.filter((r): r is PromiseFulfilledResult<Awaited<ReturnType<typeof promoteVersion>>> => r.status === 'fulfilled');
    expect(winners).toHaveLength(1);
    const production = await registry.getAlias('race');
    expect(production?.version).toBe(winners[0]?.value.version);
    const audit = await registry.listAudit('race');
    expect(audit).toHaveLength(20);
    expect(audit.filter((e) => e.outcome === 'succeeded').map((e) => e.version)).toEqual([production?.version]);
    expect(audit.filter((e) => e.outcome === 'refused').every((e) => e.detail.includes('changed while this change was being made'))).toBe(true);
    expect(audit.every((e) => e.actor === 'alice@laptop' && e.reason === 'test' && e.action === 'promote')).toBe(true);
  });

  it('loses no update when promotions interleave freely: the successes form one chain, each over the one before', async () => {
    const versions = await Promise.all(Array.from({ length: 20 }, () => register('chain', 'approved')));
    const results = await Promise.allSettled(versions.map((v) => promoteVersion(registry, { model: 'chain', version: v.version, ...who })));
    const won = results.filter((r) => r.status === 'fulfilled').length;
    const audit = await registry.listAudit('chain');
    expect(audit).toHaveLength(20);
    const succeeded = audit.filter((e) => e.outcome === 'succeeded');
    expect(succeeded).toHaveLength(won);
    succeeded.forEach((e, i) => expect(e.previousVersion).toBe(i === 0 ? null : succeeded[i - 1]?.version));
    const production = await registry.getAlias('chain');
    expect(production).toMatchObject({ version: succeeded.at(-1)?.version, revision: won });
  });

  it('rolls back to the version before, audited with who and why, and refuses when there is none', async () => {
    const [v1, v2] = [await register('roll', 'approved'), await register('roll', 'approved')];
    await expect(rollback(registry, { model: 'roll', ...who })).rejects.toThrow('model "roll" has no production version to roll back');
    await promoteVersion(registry, { model: 'roll', version: v1.version, ...who });
    await expect(rollback(registry, { model: 'roll', ...who })).rejects.toThrow('has no previous approved version to roll back to (production is v1)');
    await promoteVersion(registry, { model: 'roll', version: v2.version, ...who, reason: 'better model' });
    const back = await rollback(registry, { model: 'roll', actor: 'bob@ops', reason: 'v2 misbehaves' });
    expect(back).toMatchObject({ version: 1, previous: [1, 2] });
    const last = (await registry.listAudit('roll')).at(-1);
    expect(last).toMatchObject({ action: 'rollback', actor: 'bob@ops', reason: 'v2 misbehaves', version: 1, previousVersion: 2, outcome: 'succeeded' });
  });

  it('moves the candidate alias to newer versions only (runs can finish out of order)', async () => {
    const [a, b] = [await register('cand', 'approved'), await register('cand', 'pending')];
    expect((await setCandidate(registry, { model: 'cand', version: b.version, ...who }))?.version).toBe(b.version);
    expect(await setCandidate(registry, { model: 'cand', version: a.version, ...who })).toBeUndefined();
    expect((await registry.getAlias('cand', 'candidate'))?.version).toBe(b.version);
  });

  it('a model that requires approval: the promote step leaves production alone and ends the run awaiting approval', async () => {
    const live = await register('manual', 'approved');
    await promoteVersion(registry, { model: 'manual', version: live.version, ...who });
    const pending = await register('manual', 'pending');
    const trigger = { bucket: 'b', key: 'incoming/manual/a.csv', etag: 'e', versionId: null, size: 1 };
    await registry.createRun({ model: 'manual', runId: pending.runId, status: 'RUNNING', trigger, startedAt: 't', updatedAt: 't' });
    const result = await promoteRun(registry, { model: 'manual', runId: pending.runId, trigger, duplicate: false }, { version: pending.version, metrics: {}, gate: { passed: true, summary: 'ok' }, comparedWith: live.version }, 'pipeline (test)', 'direct');
    expect(result).toEqual({ version: pending.version, previousVersion: live.version, promoted: false, release: false });
    expect((await registry.getAlias('manual'))?.version).toBe(live.version);
    expect((await registry.getAlias('manual', 'candidate'))?.version).toBe(pending.version);
    expect(await registry.getRun('manual', pending.runId)).toMatchObject({ status: 'AWAITING_APPROVAL', reason: expect.stringContaining(`mlops approve manual ${pending.version}`) });
    await setApproval(registry, { model: 'manual', version: pending.version, ...who }, 'approve');
    await promoteVersion(registry, { model: 'manual', version: pending.version, ...who });
    expect((await registry.getAlias('manual'))?.version).toBe(pending.version);
  });

  it('serves only approved versions: pending ones must be approved, rejected ones never', async () => {
    const pending = await register('gated', 'pending');
    const rejected = await register('gated', 'rejected');
    await expect(promoteVersion(registry, { model: 'gated', version: pending.version, ...who })).rejects.toThrow('is pending; only approved versions can be served (approve it first: mlops approve)');
    await expect(promoteVersion(registry, { model: 'gated', version: rejected.version, ...who })).rejects.toThrow('is rejected; only approved versions can be served');
    await expect(setApproval(registry, { model: 'gated', version: rejected.version, ...who }, 'approve')).rejects.toThrow('is rejected, not pending');
    const approved = await setApproval(registry, { model: 'gated', version: pending.version, ...who }, 'approve');
    expect(approved).toMatchObject({ status: 'approved', revision: 2 });
    await promoteVersion(registry, { model: 'gated', version: pending.version, ...who });
    await expect(setApproval(registry, { model: 'gated', version: pending.version, ...who }, 'reject')).rejects.toThrow('is in production');
    await expect(promoteVersion(registry, { model: 'gated', version: 99, ...who })).rejects.toThrow('model "gated" has no version 99 (versions 1 to 2 exist)');
    const actions = (await registry.listAudit('gated')).map((e) => `${e.action}:${e.outcome}`);
    expect(actions).toEqual(['promote:refused', 'promote:refused', 'approve:refused', 'approve:succeeded', 'promote:succeeded', 'reject:refused', 'promote:refused']);
  });
});
