import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordFeedback } from '../../lambdas/feedback/feedback.js';
import { FeedbackStore } from '../../lambdas/shared/feedback-store.js';
import { localDynamoClient } from '../../local/emulators.js';
import { startTestRegistry } from '../helpers/registry-table.js';

let store: FeedbackStore;
let stop: () => Promise<void>;
const lines: string[] = [];
const write = (line: string) => lines.push(line);
const id = (i = 0) => `${randomUUID()}.${i}`;

beforeAll(async () => {
  const started = await startTestRegistry();
  stop = started.stop;
  store = new FeedbackStore(DynamoDBDocumentClient.from(localDynamoClient(started.endpoint, 'us-east-1')), 'registry');
  // Two deployed model files: a classifier and a regressor (feedback checks the truth's type against the task).
  const dir = mkdtempSync(join(tmpdir(), 'mlops-feedback-models-'));
  writeFileSync(join(dir, 'churn.json'), JSON.stringify({ name: 'churn', task: 'binary', label: 'y' }));
  writeFileSync(join(dir, 'price.json'), JSON.stringify({ name: 'price', task: 'regression', label: 'y' }));
  process.env.MODELS_DIR = dir;
});

afterAll(async () => {
  delete process.env.MODELS_DIR;
  await stop();
});

describe('feedback: ground truth by prediction id, on DynamoDB Local', () => {
  it('records each id once and writes a SageMaker ground-truth line for it; the same truth again is a duplicate and writes nothing', async () => {
    const first = id(0);
    const second = id(1);
    lines.length = 0;
    const answer = await recordFeedback(store, 'churn', { feedback: [{ predictionId: first, label: 'yes' }, { predictionId: second, label: 'no' }] }, write, new Date('2026-11-26T10:00:00Z'));
    expect(answer.results).toEqual([{ predictionId: first, status: 'recorded' }, { predictionId: second, status: 'recorded' }]);
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
    const again = await recordFeedback(store, 'churn', { predictionId: first, label: 'yes' }, write);
    expect(again.results).toEqual([{ predictionId: first, status: 'duplicate' }]);
    expect(lines).toEqual([]);
  });

  it('writes the line of a truth that was stored but whose line never was (the function died in between), once, on the retry', async () => {
    const lost = id(0);
    // The first attempt stored the truth and died before writing its line.
    expect(await store.record('churn', lost, 'yes', new Date('2026-11-26T11:00:00Z'))).toEqual({ status: 'recorded', emitted: false, receivedAt: '2026-11-26T11:00:00.000Z' });
    lines.length = 0;
    const retry = await recordFeedback(store, 'churn', { predictionId: lost, label: 'yes' }, write, new Date('2026-11-26T11:05:00Z'));
    expect(retry.results).toEqual([{ predictionId: lost, status: 'duplicate' }]);
    expect(lines.map((l) => JSON.parse(l) as { predictionId: string; receivedAt: string })).toEqual([expect.objectContaining({ predictionId: lost, receivedAt: '2026-11-26T11:00:00.000Z' })]);
    lines.length = 0;
    await recordFeedback(store, 'churn', { predictionId: lost, label: 'yes' }, write);
    expect(lines).toEqual([]);
  });

  it('refuses a different truth for a recorded id with 409 (the first truth stands), recording the batch\'s other ids', async () => {
    const recorded = id();
    await recordFeedback(store, 'churn', { predictionId: recorded, label: 'yes' }, write);
    const fresh = id();
    lines.length = 0;
    await expect(recordFeedback(store, 'churn', { feedback: [{ predictionId: recorded, label: 'no' }, { predictionId: fresh, label: 'no' }] }, write)).rejects.toMatchObject({
      name: 'ConflictError',
      message: expect.stringContaining(`already have a different truth recorded: ${recorded}`),
    });
    expect(lines.map((l) => (JSON.parse(l) as { predictionId: string }).predictionId)).toEqual([fresh]);
  });

  it.each([
    ['a malformed id', 'churn', { predictionId: 'not-an-id', label: 'yes' }, /predictionId is not a prediction id this API gave out/],
    ['a repeated id', 'churn', { feedback: [{ predictionId: 'f'.repeat(8) + '-0000-4000-8000-' + '0'.repeat(12) + '.0', label: 'a' }, { predictionId: 'f'.repeat(8) + '-0000-4000-8000-' + '0'.repeat(12) + '.0', label: 'a' }] }, /appears twice in the request/],
    ['a number for a classifier', 'churn', { predictionId: `${randomUUID()}.0`, label: 1 }, /feedback\[0\]\.label must be a string \(the true class\) for the binary model churn/],
    ['a class for a regressor', 'price', { predictionId: `${randomUUID()}.0`, label: 'high' }, /must be a finite number \(the true value\) for the regression model price/],
    ['an unknown field', 'churn', { predictionId: `${randomUUID()}.0`, label: 'a', note: 'x' }, /unknown field "note"/],
    ['no label', 'churn', { predictionId: `${randomUUID()}.0` }, /label/],
    ['more than 100 items', 'churn', { feedback: Array.from({ length: 101 }, (_, i) => ({ predictionId: `${randomUUID()}.${i}`, label: 'a' })) }, /feedback/],
  ])('answers %s with a 400 naming it', async (_what, model, body, message) => {
    await expect(recordFeedback(store, model, body, write)).rejects.toMatchObject({ name: 'RequestValidationError', message: expect.stringMatching(message) });
  });

  it('answers an undeployed model with 404', async () => {
    await expect(recordFeedback(store, 'ghost', { predictionId: id(), label: 'a' }, write)).rejects.toMatchObject({ name: 'NotFoundError', message: 'model "ghost" is not deployed (no model file models/ghost.json)' });
  });

  it('answers any body with a 4xx-class error or a result, never anything else, and writes lines only for recorded ids (fast-check, 1,000 cases)', async () => {
    const anyJson = fc.letrec((tie) => ({
      value: fc.oneof({ depthSize: 'small' }, fc.constant(null), fc.boolean(), fc.double(), fc.string(), fc.array(tie('value'), { maxLength: 3 }), fc.dictionary(fc.string(), tie('value'), { maxKeys: 3 })),
    })).value;
    const item = fc.record({ predictionId: fc.oneof(fc.uuid().map((u) => `${u}.0`), fc.string()), label: anyJson });
    const body = fc.oneof(anyJson, item, fc.record({ feedback: fc.array(item, { maxLength: 4 }) }), fc.record({ feedback: anyJson }));
    const model = fc.oneof(fc.constantFrom('churn', 'price'), fc.string({ maxLength: 10 }));
    await fc.assert(
      fc.asyncProperty(body, model, async (b, m) => {
        const written: string[] = [];
        try {
          const answer = await recordFeedback(store, m, b, (line) => written.push(line));
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
