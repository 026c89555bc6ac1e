import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Registry } from '../../lambdas/shared/registry.js';
import { startTestRegistry, versionFixture } from '../helpers/registry-table.js';

let registry: Registry;
let stop: () => Promise<void>;

beforeAll(async () => {
  ({ registry, stop } = await startTestRegistry());
});

afterAll(() => stop());

const trigger = { bucket: 'b', key: 'incoming/m/a.csv', etag: 'e', versionId: null, size: 1 };

const candidate = (model: string, runId: string) => versionFixture(model, runId);

describe('registry on the local DynamoDB emulator (no transactions needed)', () => {
  it('records a run once: a second create for the same id reports a duplicate', async () => {
    const run = { model: 'm', runId: 'run-1', status: 'RUNNING' as const, trigger, startedAt: 't', updatedAt: 't' };
    expect(await registry.createRun(run)).toBe(true);
    expect(await registry.createRun(run)).toBe(false);
  });

  it('never changes a finished run, but accepts a retried identical final write', async () => {
    await registry.createRun({ model: 'm', runId: 'run-2', status: 'RUNNING', trigger, startedAt: 't', updatedAt: 't' });
    await registry.updateRun('m', 'run-2', { status: 'PROMOTED' });
    await registry.updateRun('m', 'run-2', { status: 'PROMOTED' });
    await expect(registry.updateRun('m', 'run-2', { status: 'FAILED', reason: 'late' })).rejects.toThrow('run run-2 of model m is already PROMOTED');
    expect((await registry.getRun('m', 'run-2'))?.status).toBe('PROMOTED');
  });

  it('gives 50 concurrent registrations the versions 1..50 with no gap or duplicate', async () => {
    const versions = await Promise.all(Array.from({ length: 50 }, (_, i) => registry.registerVersion(candidate('concurrent', `run-${i}`))));
    expect(versions.map((v) => v.version).sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    const stored = await registry.listVersions('concurrent');
    expect(new Set(stored.map((v) => v.runId)).size).toBe(50);
  });

  it('lets exactly one of 20 concurrent promotions from the same revision win', async () => {
    const target = (version: number) => ({ model: 'race', alias: 'production', version, artifact: { bucket: 'a', key: 'k', sha256: 's' }, reason: 'test', previous: [] });
    await registry.setAlias(target(1), 0);
    const results = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => registry.setAlias(target(i + 2), 1)));
    const winners = results.filter((r) => r.status === 'fulfilled');
    expect(winners).toHaveLength(1);
    const losers = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(String(losers[0]?.reason)).toContain('changed while this change was being made (expected revision 1)');
    const alias = await registry.getAlias('race');
    expect(alias?.revision).toBe(2);
    expect(alias?.version).toBe((winners[0] as PromiseFulfilledResult<{ version: number }>).value.version);
  });
});
