import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { promoteVersion } from '../../lambdas/shared/use-cases/lifecycle.js';
import { Registry } from '../../lambdas/shared/adapters/registry.js';
import { localDynamoClient } from '../../local/storage/emulators.js';
import { movesOver, registerTestVersion, startTestRegistry, versionFixture } from '../helpers/registry-table.js';

let registry: Registry;
let endpoint: string;
let stop: () => Promise<void>;

beforeAll(async () => {
  ({ registry, endpoint, stop } = await startTestRegistry());
});

afterAll(() => stop());

const trigger = { bucket: 'b', key: 'incoming/m/a.csv', etag: 'e', versionId: null, size: 1 };
const who = { actor: 'alice@laptop', reason: 'test' };

describe("registry on AWS's DynamoDB Local, with transactions", () => {
  it('records a run once: a second create for the same id reports a duplicate', async () => {
    const run = { model: 'm', runId: 'run-1', status: 'RUNNING' as const, trigger, startedAt: 't', updatedAt: 't' };
    expect(await registry.runs.create(run)).toBe(true);
    expect(await registry.runs.create(run)).toBe(false);
  });

  it('never changes a finished run, but accepts a retried identical final write', async () => {
    await registry.runs.create({
      model: 'm',
      runId: 'run-2',
      status: 'RUNNING',
      trigger,
      startedAt: 't',
      updatedAt: 't',
    });
    await registry.runs.update('m', 'run-2', { status: 'PROMOTED' });
    await registry.runs.update('m', 'run-2', { status: 'PROMOTED' });
    await expect(registry.runs.update('m', 'run-2', { status: 'FAILED', reason: 'late' })).rejects.toThrow(
      'run run-2 of model m is already PROMOTED',
    );
    expect((await registry.runs.get('m', 'run-2'))?.status).toBe('PROMOTED');
  });

  it('gives 50 concurrent registrations the versions 1..50 with no gap or duplicate (counter, backoff and jitter)', async () => {
    const versions = await Promise.all(
      Array.from({ length: 50 }, (_, i) => registerTestVersion(registry, 'concurrent', `run-${i}`)),
    );
    expect(versions.map((v) => v.version).sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    const stored = await registry.versions.list('concurrent');
    expect(stored.map((v) => v.version)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect(await registry.versions.latest('concurrent')).toBe(50);
    for (const v of versions) expect((await registry.runs.get('concurrent', v.runId))?.version).toBe(v.version);
  });

  it('registers at most one version per run: a re-driven Validate gets the version it registered before', async () => {
    const first = await registerTestVersion(registry, 'redrive', 'run-x');
    const again = await registry.versions.register(versionFixture('redrive', 'run-x'), { metrics: { roc_auc: 0.9 } });
    expect(again.version).toBe(first.version);
    expect(await registry.versions.list('redrive')).toHaveLength(1);
    expect(await registry.versions.latest('redrive')).toBe(1);
    await expect(registry.versions.register(versionFixture('redrive', 'no-such-run'))).rejects.toThrow(
      'run no-such-run of redrive does not exist',
    );
  });

  it("lets exactly one of 20 concurrent alias changes from the same revision win, and audits only the winner's", async () => {
    const target = (version: number) => ({
      model: 'race',
      alias: 'production',
      version,
      artifact: { bucket: 'a', key: 'k', sha256: 's' },
      reason: 'test',
      previous: [],
    });
    const audit = (version: number) => ({
      model: 'race',
      actor: 'a',
      reason: 'r',
      action: 'promote' as const,
      version,
      previousVersion: null,
      outcome: 'succeeded' as const,
      detail: `v${version}`,
    });
    await registry.aliases.set(target(1), 0, audit(1));
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) => registry.aliases.set(target(i + 2), 1, audit(i + 2))),
    );
    const winners = results.filter((r) => r.status === 'fulfilled');
    expect(winners).toHaveLength(1);
    const losers = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(String(losers[0]?.reason)).toContain('changed while this change was being made (expected revision 1)');
    const alias = await registry.aliases.get('race');
    expect(alias?.revision).toBe(2);
    expect(alias?.version).toBe((winners[0] as PromiseFulfilledResult<{ version: number }>).value.version);
    expect((await registry.audit.list('race')).map((e) => e.version).sort((a, b) => a - b)).toEqual([
      1,
      alias?.version,
    ]);
  });
});

/**
 * A registry whose client fails its first TransactWriteItems: before the request leaves (the process dies between
 * its reads and its write), or after the write with the answer lost (the SDK retries with the same request token).
 */
function faultyRegistry(fault: 'before-write' | 'response-lost'): { registry: Registry; fired: () => boolean } {
  const client = localDynamoClient(endpoint, 'us-east-1');
  let armed = true;
  const middleware =
    (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) => async (args: unknown) => {
      if (!armed || context.commandName !== 'TransactWriteItemsCommand') return next(args);
      armed = false;
      if (fault === 'before-write')
        throw Object.assign(new Error('the process died before the write'), { name: 'InjectedCrash' });
      await next(args);
      throw Object.assign(new Error('socket hang up after the write'), {
        name: 'TimeoutError',
        $retryable: {},
        $metadata: {},
      });
    };
  // The SDK types each step's middleware separately; this one only passes the call on or throws.
  if (fault === 'before-write') client.middlewareStack.add(middleware as never, { step: 'build', name: 'injectFault' });
  else client.middlewareStack.add(middleware as never, { step: 'deserialize', name: 'injectFault' });
  return {
    registry: new Registry(
      DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } }),
      'registry',
    ),
    fired: () => !armed,
  };
}

describe('a promotion interrupted mid-way leaves production and the audit trail consistent', () => {
  it('a crash before the write: production unchanged, the attempt audited as refused, nothing claims success', async () => {
    const [v1, v2] = [
      await registerTestVersion(registry, 'crash', 'run-1'),
      await registerTestVersion(registry, 'crash', 'run-2'),
    ];
    await promoteVersion(movesOver(registry), { model: 'crash', version: v1.version, ...who });
    const faulty = faultyRegistry('before-write');
    await expect(
      promoteVersion(movesOver(faulty.registry), { model: 'crash', version: v2.version, ...who }),
    ).rejects.toThrow('the process died before the write');
    expect(faulty.fired()).toBe(true);
    expect((await registry.aliases.get('crash'))?.version).toBe(v1.version);
    const audit = await registry.audit.list('crash');
    expect(audit.map((e) => `${e.outcome} v${e.version}`)).toEqual([
      `succeeded v${v1.version}`,
      `refused v${v2.version}`,
    ]);
  });

  it('a lost answer after the write: the retried transaction (same token) applies once; one change, one audit event', async () => {
    const [v1, v2] = [
      await registerTestVersion(registry, 'lost', 'run-1'),
      await registerTestVersion(registry, 'lost', 'run-2'),
    ];
    await promoteVersion(movesOver(registry), { model: 'lost', version: v1.version, ...who });
    const faulty = faultyRegistry('response-lost');
    const alias = await promoteVersion(movesOver(faulty.registry), { model: 'lost', version: v2.version, ...who });
    expect(faulty.fired()).toBe(true);
    expect(alias.version).toBe(v2.version);
    const production = await registry.aliases.get('lost');
    expect(production).toMatchObject({ version: v2.version, revision: 2 });
    const audit = await registry.audit.list('lost');
    expect(audit.map((e) => `${e.outcome} v${e.version}`)).toEqual([
      `succeeded v${v1.version}`,
      `succeeded v${v2.version}`,
    ]);
  });

  it('refuses a malformed item where it is read, naming its key and the field (IntegrityError, not a cast)', async () => {
    const version = await registerTestVersion(registry, 'damaged', 'run-d');
    const db = DynamoDBDocumentClient.from(localDynamoClient(endpoint, 'us-east-1'));
    const key = { pk: 'VERSION#damaged', sk: String(version.version).padStart(10, '0') };
    const stored = (await db.send(new GetCommand({ TableName: 'registry', Key: key }))).Item ?? {};
    await db.send(
      new PutCommand({ TableName: 'registry', Item: { ...stored, metrics: 'not a map', artifact: { bucket: 'a' } } }),
    );
    const malformed = {
      name: 'IntegrityError',
      message: expect.stringMatching(
        /the registry's version item VERSION#damaged \/ 0+1 is malformed at (metrics|artifact\.key)/,
      ),
    };
    await expect(registry.versions.get('damaged', version.version)).rejects.toMatchObject(malformed);
    await expect(registry.versions.list('damaged')).rejects.toMatchObject(malformed);
    await db.send(
      new PutCommand({
        TableName: 'registry',
        Item: {
          pk: 'RUN#damaged',
          sk: 'run-x',
          model: 'damaged',
          runId: 'run-x',
          status: 'DONE',
          trigger,
          startedAt: 't',
          updatedAt: 't',
        },
      }),
    );
    await expect(registry.runs.get('damaged', 'run-x')).rejects.toMatchObject({
      name: 'IntegrityError',
      message: expect.stringContaining('RUN#damaged / run-x is malformed at status'),
    });
    db.destroy();
  });

  it('reads a version recorded before the learning-rate schedule existed as trained at a constant rate', async () => {
    const version = await registerTestVersion(registry, 'older', 'run-o');
    const db = DynamoDBDocumentClient.from(localDynamoClient(endpoint, 'us-east-1'));
    const key = { pk: 'VERSION#older', sk: String(version.version).padStart(10, '0') };
    const stored = (await db.send(new GetCommand({ TableName: 'registry', Key: key }))).Item ?? {};
    const { learningRateSchedule: _schedule, ...older } = stored.hyperparameters as Record<string, unknown>;
    await db.send(new PutCommand({ TableName: 'registry', Item: { ...stored, hyperparameters: older } }));
    expect((await registry.versions.get('older', version.version))?.hyperparameters.learningRateSchedule).toBe(
      'constant',
    );
    db.destroy();
  });
});
