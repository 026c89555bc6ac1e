import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordFeedback } from '../../lambdas/feedback/feedback.js';
import { ServedClasses } from '../../lambdas/feedback/served-classes.js';
import { FeedbackStore } from '../../lambdas/shared/adapters/feedback-store.js';
import { PRODUCTION_ALIAS } from '../../lambdas/shared/contracts/registry-keys.js';
import type { Registry } from '../../lambdas/shared/adapters/registry.js';
import { ReleaseStore } from '../../lambdas/shared/adapters/release-store.js';
import { localDynamoClient } from '../../local/storage/emulators.js';
import { startTestRegistry, versionFixture } from '../helpers/registry-table.js';

let store: FeedbackStore;
let registry: Registry;
let releases: ReleaseStore;
let deps: { store: FeedbackStore; classes: ServedClasses; modelsDir: string };
let stop: () => Promise<void>;
const lines: string[] = [];
const write = (line: string) => lines.push(line);
const id = (i = 0) => `${randomUUID()}.${i}`;

beforeAll(async () => {
  const started = await startTestRegistry();
  stop = started.stop;
  const documents = DynamoDBDocumentClient.from(localDynamoClient(started.endpoint, 'us-east-1'));
  store = new FeedbackStore(documents, 'registry');
  registry = started.registry;
  releases = new ReleaseStore(documents, 'registry');
  // The deployed model files: classifiers and a regressor (feedback checks the truth's type against the task).
  const dir = mkdtempSync(join(tmpdir(), 'mlops-feedback-models-'));
  writeFileSync(join(dir, 'churn.json'), JSON.stringify({ name: 'churn', task: 'binary', label: 'y' }));
  writeFileSync(join(dir, 'price.json'), JSON.stringify({ name: 'price', task: 'regression', label: 'y' }));
  writeFileSync(join(dir, 'grade.json'), JSON.stringify({ name: 'grade', task: 'multiclass', label: 'y' }));
  deps = { store, classes: new ServedClasses(registry, releases), modelsDir: dir };
  await serve('churn', 'r1', ['no', 'yes']);
});

/** Registers a version with these classes and points production at it, as a promotion would. */
async function serve(model: string, runId: string, classes: string[]): Promise<number> {
  const trigger = { bucket: 'b', key: `incoming/${model}/a.csv`, etag: 'e', versionId: null, size: 1 };
  await registry.runs.create({ model, runId, status: 'RUNNING', trigger, startedAt: 't', updatedAt: 't' });
  const version = await registry.versions.register({ ...versionFixture(model, runId), classes });
  const current = await registry.aliases.get(model, PRODUCTION_ALIAS);
  await registry.aliases.set(
    {
      model,
      alias: PRODUCTION_ALIAS,
      version: version.version,
      artifact: version.artifact,
      reason: 'test',
      previous: current ? [...current.previous, current.version] : [],
    },
    current?.revision ?? 0,
    {
      model,
      actor: 'test',
      reason: 'test',
      action: 'promote',
      version: version.version,
      previousVersion: current?.version ?? null,
      outcome: 'succeeded',
      detail: 'test',
    },
  );
  return version.version;
}

afterAll(async () => {
  await stop();
});

describe('feedback: ground truth by prediction id, on DynamoDB Local', () => {
  it('records each id once and writes a SageMaker ground-truth line for it; the same truth again is a duplicate and writes nothing', async () => {
    const first = id(0);
    const second = id(1);
    lines.length = 0;
    const answer = await recordFeedback(
      deps,
      'churn',
      {
        feedback: [
          { predictionId: first, label: 'yes' },
          { predictionId: second, label: 'no' },
        ],
      },
      write,
      new Date('2026-11-26T10:00:00Z'),
    );
    expect(answer.results).toEqual([
      { predictionId: first, status: 'recorded' },
      { predictionId: second, status: 'recorded' },
    ]);
    expect(lines.map((l) => JSON.parse(l) as Record<string, unknown>)[0]).toEqual({
      mlopsRecord: 'feedback',
      model: 'churn',
      predictionId: first,
      groundTruthData: { data: '"yes"', encoding: 'JSON', observedContentType: 'application/json' },
      eventMetadata: { eventId: first, inferenceId: first.slice(0, -2) },
      receivedAt: '2026-11-26T10:00:00.000Z',
      eventVersion: '0',
    });
    lines.length = 0;
    const again = await recordFeedback(deps, 'churn', { predictionId: first, label: 'yes' }, write);
    expect(again.results).toEqual([{ predictionId: first, status: 'duplicate' }]);
    expect(lines).toEqual([]);
  });

  it('writes the line of a truth that was stored but whose line never was (the function died in between), once, on the retry', async () => {
    const lost = id(0);
    // The first attempt stored the truth and died before writing its line.
    expect(await store.record('churn', lost, 'yes', new Date('2026-11-26T11:00:00Z'))).toEqual({
      status: 'recorded',
      emitted: false,
      receivedAt: '2026-11-26T11:00:00.000Z',
    });
    lines.length = 0;
    const retry = await recordFeedback(
      deps,
      'churn',
      { predictionId: lost, label: 'yes' },
      write,
      new Date('2026-11-26T11:05:00Z'),
    );
    expect(retry.results).toEqual([{ predictionId: lost, status: 'duplicate' }]);
    expect(lines.map((l) => JSON.parse(l) as { predictionId: string; receivedAt: string })).toEqual([
      expect.objectContaining({ predictionId: lost, receivedAt: '2026-11-26T11:00:00.000Z' }),
    ]);
    lines.length = 0;
    await recordFeedback(deps, 'churn', { predictionId: lost, label: 'yes' }, write);
    expect(lines).toEqual([]);
  });

  it("refuses a different truth for a recorded id with 409 (the first truth stands), recording the batch's other ids", async () => {
    const recorded = id();
    await recordFeedback(deps, 'churn', { predictionId: recorded, label: 'yes' }, write);
    const fresh = id();
    lines.length = 0;
    await expect(
      recordFeedback(
        deps,
        'churn',
        {
          feedback: [
            { predictionId: recorded, label: 'no' },
            { predictionId: fresh, label: 'no' },
          ],
        },
        write,
      ),
    ).rejects.toMatchObject({
      name: 'ConflictError',
      message: expect.stringContaining(`already have a different truth recorded: ${recorded}`),
    });
    expect(lines.map((l) => (JSON.parse(l) as { predictionId: string }).predictionId)).toEqual([fresh]);
  });

  it.each([
    [
      'a malformed id',
      'churn',
      { predictionId: 'not-an-id', label: 'yes' },
      /predictionId is not a prediction id this API gave out/,
    ],
    [
      'a repeated id',
      'churn',
      {
        feedback: [
          { predictionId: 'f'.repeat(8) + '-0000-4000-8000-' + '0'.repeat(12) + '.0', label: 'a' },
          { predictionId: 'f'.repeat(8) + '-0000-4000-8000-' + '0'.repeat(12) + '.0', label: 'a' },
        ],
      },
      /appears twice in the request/,
    ],
    [
      'a number for a classifier',
      'churn',
      { predictionId: `${randomUUID()}.0`, label: 1 },
      /feedback\[0\]\.label must be a string \(the true class\) for the binary model churn/,
    ],
    [
      'a class for a regressor',
      'price',
      { predictionId: `${randomUUID()}.0`, label: 'high' },
      /must be a finite number \(the true value\) for the regression model price/,
    ],
    ['an unknown field', 'churn', { predictionId: `${randomUUID()}.0`, label: 'a', note: 'x' }, /unknown field "note"/],
    ['no label', 'churn', { predictionId: `${randomUUID()}.0` }, /label/],
    [
      'more than 100 items',
      'churn',
      { feedback: Array.from({ length: 101 }, (_, i) => ({ predictionId: `${randomUUID()}.${i}`, label: 'a' })) },
      /feedback/,
    ],
  ])('answers %s with a 400 naming it', async (_what, model, body, message) => {
    await expect(recordFeedback(deps, model, body, write)).rejects.toMatchObject({
      name: 'RequestValidationError',
      message: expect.stringMatching(message),
    });
  });

  it('refuses a truth that is not a class of the served version with a 400 naming the classes, recording nothing of the request', async () => {
    const good = id(0);
    lines.length = 0;
    for (const label of ['banana', 'yes ', 'Yes']) {
      await expect(
        recordFeedback(
          deps,
          'churn',
          {
            feedback: [
              { predictionId: good, label: 'yes' },
              { predictionId: id(1), label },
            ],
          },
          write,
        ),
      ).rejects.toMatchObject({
        name: 'RequestValidationError',
        message: `feedback[1].label ${JSON.stringify(label)} is not a class that churn v1 predicts: send one of "no", "yes" exactly (classes are case- and space-sensitive)`,
      });
    }
    expect(lines).toEqual([]);
    expect((await recordFeedback(deps, 'churn', { predictionId: good, label: 'yes' }, write)).results).toEqual([
      { predictionId: good, status: 'recorded' },
    ]);
  });

  it("accepts the classes of a release's candidate while it runs, and a class a promotion added at once (what a container kept is read again before a refusal)", async () => {
    const v1 = await serve('grade', 'g1', ['a', 'b']);
    expect((await recordFeedback(deps, 'grade', { predictionId: id(), label: 'a' }, write)).results[0]?.status).toBe(
      'recorded',
    );
    await expect(recordFeedback(deps, 'grade', { predictionId: id(), label: 'c' }, write)).rejects.toMatchObject({
      message: expect.stringContaining('"c" is not a class that grade v1 predicts: send one of "a", "b"'),
    });
    // A canary of v2, which knows a third class: truths for the predictions it answers may name it.
    await registry.runs.create({
      model: 'grade',
      runId: 'g2',
      status: 'RUNNING',
      trigger: { bucket: 'b', key: 'incoming/grade/a.csv', etag: 'e', versionId: null, size: 1 },
      startedAt: 't',
      updatedAt: 't',
    });
    const v2 = await registry.versions.register({ ...versionFixture('grade', 'g2'), classes: ['a', 'b', 'c'] });
    const at = new Date().toISOString();
    await releases.begin({
      model: 'grade',
      releaseId: 'r',
      mode: 'canary',
      candidateVersion: v2.version,
      productionVersion: v1,
      steps: [10, 100],
      stepIndex: 0,
      share: 10,
      bakeMinutes: 5,
      state: 'running',
      startedAt: at,
      updatedAt: at,
    });
    expect((await recordFeedback(deps, 'grade', { predictionId: id(), label: 'c' }, write)).results[0]?.status).toBe(
      'recorded',
    );
    await expect(recordFeedback(deps, 'grade', { predictionId: id(), label: 'd' }, write)).rejects.toMatchObject({
      message: expect.stringContaining('"d" is not a class that grade v1 and v2 predict: send one of "a", "b", "c"'),
    });
    // A promotion straight to a version with a fourth class: accepted on the first truth that names it.
    const v3 = await serve('grade', 'g3', ['a', 'b', 'c', 'd']);
    expect(v3).toBe(3);
    expect((await recordFeedback(deps, 'grade', { predictionId: id(), label: 'd' }, write)).results[0]?.status).toBe(
      'recorded',
    );
  });

  it('answers an undeployed model with 404', async () => {
    await expect(recordFeedback(deps, 'ghost', { predictionId: id(), label: 'a' }, write)).rejects.toMatchObject({
      name: 'NotFoundError',
      message: 'model "ghost" is not deployed (no model file models/ghost.json)',
    });
  });

  it('answers any body with a 4xx-class error or a result, never anything else, and writes lines only for recorded ids (fast-check, 1,000 cases)', async () => {
    const anyJson = fc.letrec((tie) => ({
      value: fc.oneof(
        { depthSize: 'small' },
        fc.constant(null),
        fc.boolean(),
        fc.double(),
        fc.string(),
        fc.array(tie('value'), { maxLength: 3 }),
        fc.dictionary(fc.string(), tie('value'), { maxKeys: 3 }),
      ),
    })).value;
    const item = fc.record({
      predictionId: fc.oneof(
        fc.uuid().map((u) => `${u}.0`),
        fc.string(),
      ),
      label: anyJson,
    });
    const body = fc.oneof(
      anyJson,
      item,
      fc.record({ feedback: fc.array(item, { maxLength: 4 }) }),
      fc.record({ feedback: anyJson }),
    );
    const model = fc.oneof(fc.constantFrom('churn', 'price'), fc.string({ maxLength: 10 }));
    await fc.assert(
      fc.asyncProperty(body, model, async (b, m) => {
        const written: string[] = [];
        try {
          const answer = await recordFeedback(deps, m, b, (line) => written.push(line));
          expect(written).toHaveLength(answer.results.filter((r) => r.status === 'recorded').length);
        } catch (error) {
          expect(['RequestValidationError', 'NotFoundError', 'ConflictError']).toContain((error as Error).name);
          expect((error as Error).message.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 1000 },
    );
  }, 120_000);
});
