import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { existsSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { PRODUCTION_ALIAS } from '../../lambdas/shared/contracts/registry-keys.js';
import type { VersionRecord } from '../../lambdas/shared/contracts/registry-records.js';
import { adultRows, functionLogLines, mlops, predictUrl, REQUEST } from '../helpers/e2e.js';
import { startTestStack, type TestStack } from '../helpers/local-stack.js';
import { signedFetch } from '../helpers/sign.js';

let stack: TestStack;
let v1: VersionRecord;
let v2: VersionRecord;

/** The repository's adult model with budgets no slow machine reaches: no scenario here is about latency or traffic. */
const ADULT_MODEL = {
  ...(JSON.parse(readFileSync('models/adult.json', 'utf8')) as Record<string, unknown>),
  monitoring: { noTrafficHours: null, maxP99LatencyMs: 60_000 },
  // Tier 1 has the hour: no scenario here is about the people of tiers 2 and 3.
  incidents: { tier1Minutes: 60 },
};

beforeAll(async () => {
  // The registry on disk, so the emulator can be stopped and brought back with its data (an outage, not a reset),
  // and the runtime restarted on the same state.
  stack = await startTestStack({ registryOnDisk: true, models: { adult: ADULT_MODEL } });
  const [first] = await stack.upload('incoming/adult/part.csv', adultRows(8000));
  const [second] = await stack.upload('incoming/adult/part-20k.csv', adultRows(20_000));
  expect([first?.status, second?.status]).toEqual(['SUCCEEDED', 'SUCCEEDED']);
  [v1, v2] = (await stack.registry.versions.list('adult')) as [VersionRecord, VersionRecord];
}, 240_000);

afterAll(async () => {
  await stack?.stop();
});

const predict = () => signedFetch({ url: predictUrl(stack, 'adult'), body: REQUEST });
const get = async (path: string) => signedFetch({ url: `${stack.runtime.endpoints.apiUrl}${path}`, method: 'GET' });

async function servedVersion(): Promise<number> {
  const response = await predict();
  expect(response.status).toBe(200);
  return ((await response.json()) as { version: number }).version;
}

/**
 * Production at `version` (through the use case, as `mlops promote` does), served by every container of the pool (4
 * locally): past the refresh interval, 20 requests at once reach each container, which reads the pointer again.
 */
async function produce(version: number): Promise<void> {
  if ((await stack.registry.aliases.get('adult'))?.version !== version)
    await mlops(stack, 'promote', 'adult', String(version), '-m', 'scenario setup');
  await stack.runtime.clock.advance(16_000);
  expect(await Promise.all(Array.from({ length: 20 }, () => servedVersion()))).toEqual(
    Array.from({ length: 20 }, () => version),
  );
}

/** Deletes a version's artifact; returns a function that puts the same bytes back. */
async function deleteArtifact(version: VersionRecord): Promise<() => Promise<void>> {
  const { bucket, key } = version.artifact;
  const bytes = await (
    await stack.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))
  ).Body?.transformToByteArray();
  await stack.s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
  return async () => {
    await stack.s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: bytes }));
  };
}

/** The pages sent so far: the notifications of the alarm topic (the incidents'), kept across restarts in the state folder. */
const pages = (): unknown[] => {
  const file = stack.runtime.cloudwatch.notificationsFile;
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { topicArn: string })
    .filter((n) => /:[^:]*AlarmsTopic/.test(n.topicArn));
};

const alarmState = (logicalIdPart: string) =>
  stack.runtime.cloudwatch.alarms.describe().find((a) => a.spec.logicalId.includes(logicalIdPart))?.status.state;
const degradedState = () => stack.runtime.cloudwatch.composites.describe()[0]?.status.state;
const emfValues = (name: string) =>
  functionLogLines(stack, 'InferencePredict')
    .filter((l) => name in l)
    .map((l) => l[name]);

describe('serving through a registry outage', () => {
  it('answers with the loaded version while the registry is down, counts the failed refreshes, and follows a rollback within 30 s once it is back', async () => {
    await produce(v2.version);
    // The runtime's clock moves a second per request (predict's time follows it): no waiting on the wall clock.
    const clock = stack.runtime.clock;
    await stack.runtime.dynamodb.stop();
    const downAt = clock.now();
    // Past the 15 s refresh interval: each refresh fails, the loaded version keeps answering.
    while (clock.now() - downAt < 18_000) {
      expect(await servedVersion()).toBe(v2.version);
      await clock.advance(1000);
    }
    const warnings = functionLogLines(stack, 'InferencePredict').filter(
      (l) => l.message === 'could not refresh the production model; serving the loaded version',
    );
    expect(warnings.length).toBeGreaterThan(0);
    expect(emfValues('ModelRefreshFailures')).toContain(1);

    await stack.runtime.dynamodb.start();
    await mlops(stack, 'rollback', 'adult', '-m', 'outage drill');
    const backAt = clock.now();
    let version = v2.version;
    while (version !== v1.version && clock.now() - backAt < 30_000) {
      version = await servedVersion();
      if (version !== v1.version) await clock.advance(1000);
    }
    expect(version).toBe(v1.version);
  }, 240_000);
});

describe('a production version whose artifact is gone', () => {
  it('refuses a rollback to it with the reason; forced past the check, serving keeps the loaded version under load, counts it, alarms, says so — and tier 1 of the incident finds the artifact missing, rolls back, resolves', async () => {
    await produce(v2.version);
    const restore = await deleteArtifact(v1);
    try {
      const refused = await mlops(stack, 'rollback', 'adult', '--to', String(v1.version), '-m', 'drill').then(
        () => undefined,
        (error: { stderr: string }) => error.stderr,
      );
      expect(refused).toContain(`version ${v1.version} of adult cannot be served: s3://`);
      expect(refused).toContain(`does not exist; production stays v${v2.version}`);
      expect((await stack.registry.aliases.get('adult'))?.version).toBe(v2.version);
      // The last rollback entry (the alarm history may append entries of the earlier outage's alarms meanwhile).
      const rollbacks = (await stack.registry.audit.list('adult')).filter((e) => e.action === 'rollback');
      expect(rollbacks.at(-1)).toMatchObject({ action: 'rollback', outcome: 'refused', version: v1.version });

      // Every container of the pool is warm with v2 (produce): a container started after the pointer moved would have
      // nothing loaded, and answer 503 until it can load what the pointer names (the next scenario).
      // Forced: the pointer written directly, past every check.
      const current = await stack.registry.aliases.get('adult');
      await stack.registry.aliases.set(
        {
          model: 'adult',
          alias: PRODUCTION_ALIAS,
          version: v1.version,
          artifact: v1.artifact,
          reason: 'forced',
          previous: [v2.version],
        },
        current?.revision ?? 0,
        {
          model: 'adult',
          actor: 'test',
          reason: 'forced',
          action: 'rollback',
          version: v1.version,
          previousVersion: v2.version,
          outcome: 'succeeded',
          detail: 'written directly',
        },
      );
      // 20 callers at once, over three minutes of the runtime's clock (refreshes, their retries, alarm evaluations).
      const clock = stack.runtime.clock;
      const statuses: number[] = [];
      const adult = {
        model: 'adult',
        state: 'behind',
        serving: v2.version,
        production: v1.version,
        message: `serving v${v2.version}; v${v1.version} could not be loaded: its artifact is missing`,
        degraded: true,
      };
      for (let second = 0; second < 180; second += 5) {
        const answers = await Promise.all(
          Array.from({ length: 20 }, async () => {
            const response = await predict();
            return {
              status: response.status,
              version:
                response.status === 200
                  ? ((await response.json()) as { version: number }).version
                  : await response.text(),
            };
          }),
        );
        statuses.push(...answers.map((a) => a.status));
        expect(answers.filter((a) => a.version !== v2.version)).toEqual([]);
        if (second === 30) {
          // Serving says so while the pointer names v1 (tier 1 of the incident below moves it back later).
          const health = await get('/v1/health');
          expect(health.status).toBe(200);
          expect(await health.json()).toMatchObject({ status: 'degraded', models: [adult] });
          expect(await (await get('/v1/models/adult')).json()).toMatchObject({
            production: { version: v1.version },
            serving: adult,
          });
        }
        await clock.advance(5000);
      }
      expect(statuses.filter((s) => s !== 200)).toEqual([]);

      const failures = functionLogLines(stack, 'InferencePredict').filter(
        (l) =>
          l.message === 'could not refresh the production model; serving the loaded version' &&
          l.targetVersion === v1.version,
      );
      expect(failures.length).toBeGreaterThan(0);
      expect(failures[0]).toMatchObject({ servedVersion: v2.version, reason: 'its artifact is missing' });
      expect(emfValues('ServedVersionMismatch')).toContain(1);
      const changes = (await stack.registry.audit.list('adult')).filter((e) => e.action === 'alarm');
      for (const alarm of ['RefreshFailures', 'ServedVersionMismatch'])
        expect(
          changes.some((e) => e.detail.includes(alarm) && e.detail.endsWith('OK → ALARM')),
          alarm,
        ).toBe(true);

      // One incident, announced once; tier 1 finds the served version's artifact missing and rolls back (issue 22).
      await vi.waitFor(async () => expect((await stack.registry.aliases.get('adult'))?.version).toBe(v2.version), {
        timeout: 30_000,
        interval: 200,
      });
      const [incident] = (await stack.incidents.list()).filter((i) => i.models.includes('adult'));
      // The likely source: the pointer's move to v1 (a deployment change), after which serving could not load it.
      expect(incident).toMatchObject({
        status: 'open',
        source: { kind: 'change', summary: expect.stringContaining(`rollback to v${v1.version}`) },
      });
      const id = incident?.id as string;
      expect(
        pages().filter((n) => (n as { subject?: string }).subject === `incident ${id} (adult) opened`),
      ).toHaveLength(1);
      const shown = (await mlops(stack, 'incidents', 'show', id)).stdout;
      expect(shown).toContain(`tier 1: verify artifact (adult): failed — v${v1.version}: `);
      expect(shown).toContain(`tier 1: roll back (adult): done — production is v${v2.version} again`);
      expect((await stack.registry.audit.list('adult')).filter((e) => e.action === 'rollback').at(-1)).toMatchObject({
        actor: 'incident response (tier 1)',
        outcome: 'succeeded',
        version: v2.version,
      });
      // Serving matches the pointer again: its alarms clear, and the incident resolves without escalation.
      for (let i = 0; i < 6 && (await stack.incidents.get(id))?.status !== 'resolved'; i++) {
        await clock.advance(5 * 60_000);
        await servedVersion();
        await new Promise((r) => setTimeout(r, 300));
      }
      expect((await stack.incidents.get(id))?.status).toBe('resolved');
      expect((await mlops(stack, 'incidents', 'show', id)).stdout).toMatch(/^tier: 1$/m);
      // Resolved for more than 30 minutes: the resolution pages once, and the storm is over.
      const resolvedPage = () =>
        pages().filter((n) => (n as { subject?: string }).subject === `incident ${id} (adult) resolved`);
      for (let i = 0; i < 4 && resolvedPage().length === 0; i++) {
        await clock.advance(31 * 60_000);
        await new Promise((r) => setTimeout(r, 500));
      }
      expect(resolvedPage()).toHaveLength(1);
    } finally {
      await restore();
    }
  }, 240_000);

  it('after a restart with the production artifact deleted: 503 naming the model and version (no bucket or key), logged, counted and alarmed; tier 1 has nothing to roll back to and records it', async () => {
    await produce(v2.version);
    // Nothing to roll back to: tier 1 of the incident can only record that, and hand it to tier 2.
    await mlops(stack, 'reject', 'adult', String(v1.version), '-m', 'no way back for tier 1');
    const restore = await deleteArtifact(v2);
    try {
      stack = await stack.restart();
      const response = await predict();
      expect(response.status).toBe(503);
      const text = await response.text();
      expect(JSON.parse(text)).toEqual({
        error: 'ModelUnavailable',
        message: `version ${v2.version} of model "adult" cannot be served: its artifact is missing; the operators are alerted, try again later`,
      });
      expect(text).not.toContain(v2.artifact.bucket);
      expect(text).not.toContain(v2.artifact.key);
      expect(response.headers.get('retry-after')).toBe('15');
      const health = await get('/v1/health');
      expect(health.status).toBe(503);
      expect(await health.json()).toMatchObject({
        status: 'unavailable',
        models: [{ model: 'adult', state: 'unavailable', serving: null, production: v2.version }],
      });

      const clock = stack.runtime.clock;
      for (let second = 0; second < 120; second += 5) {
        expect((await predict()).status).toBe(503);
        await clock.advance(5000);
      }
      const logged = functionLogLines(stack, 'InferencePredict').filter(
        (l) =>
          l.message === 'could not load the production model; the model is unavailable' &&
          l.targetVersion === v2.version,
      );
      expect(logged[0]).toMatchObject({ level: 'ERROR', reason: 'its artifact is missing' });
      expect(emfValues('ModelRefreshFailures')).toContain(1);
      // Each 503 counts as a server error of the model (its error-rate alarm's metric; here diluted by the previous
      // scenario's traffic in the same 5 minutes), and every container serving nothing reports the mismatch.
      expect(emfValues('PredictServerErrors')).toContain(1);
      expect([alarmState('ServedVersionMismatch'), degradedState()]).toEqual(['ALARM', 'ALARM']);
      // Tier 1 finds the artifact missing and nothing approved to roll back to: recorded, production unchanged (the
      // incident's group wait ends as the clock moves on).
      const refusedByTier1 = async () =>
        (await stack.registry.audit.list('adult')).filter(
          (e) => e.action === 'rollback' && e.actor === 'incident response (tier 1)' && e.outcome === 'refused',
        );
      for (let i = 0; i < 5 && (await refusedByTier1()).length === 0; i++) {
        await stack.runtime.clock.advance(60_000);
        await new Promise((r) => setTimeout(r, 1000));
      }
      expect(await refusedByTier1()).toHaveLength(1);
      expect((await stack.registry.aliases.get('adult'))?.version).toBe(v2.version);

      // A restart now pages nobody: the alarms and the composite keep their states, and nothing has changed.
      const pagesBefore = pages().length;
      expect(pagesBefore).toBeGreaterThan(0);
      stack = await stack.restart();
      expect((await predict()).status).toBe(503);
      await stack.runtime.clock.advance(120_000);
      expect([alarmState('ServedVersionMismatch'), degradedState()]).toEqual(['ALARM', 'ALARM']);
      expect(pages()).toHaveLength(pagesBefore);
    } finally {
      await restore();
    }
    // Once the artifact is back, the next retry serves it.
    const clock = stack.runtime.clock;
    await clock.advance(15_000);
    expect(await servedVersion()).toBe(v2.version);
  }, 240_000);
});
