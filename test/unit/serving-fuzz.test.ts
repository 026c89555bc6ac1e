import middy from '@middy/core';
import type { APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { Predictor } from '../../lambdas/core/artifact.js';
import { resolveHyperparameters } from '../../lambdas/core/hyperparameters.js';
import { fitPreprocessor } from '../../lambdas/core/preprocess.js';
import { trainModel } from '../../lambdas/core/training.js';
import { captureAnswer } from '../../lambdas/predict/capture.js';
import { ProductionModelCache, type ModelSource } from '../../lambdas/predict/model-cache.js';
import { predict } from '../../lambdas/predict/predict.js';
import { routingBucket } from '../../lambdas/predict/routing.js';
import { errorResponses, jsonBody, jsonResponse, type JsonEvent } from '../../lambdas/shared/runtime/http.js';
import type { VersionRecord } from '../../lambdas/shared/contracts/registry-records.js';
import type { ReleaseRecord } from '../../lambdas/shared/adapters/release-store.js';
import { adult } from '../helpers/adult.js';

let production: Predictor;
let candidate: Predictor;
let release: ReleaseRecord | undefined;
let cache: ProductionModelCache<Predictor>;
let source: ModelSource<Predictor>;
const instances = [
  {
    age: 39,
    workclass: 'State-gov',
    education: 'Bachelors',
    'education-num': 13,
    'marital-status': 'Never-married',
    occupation: 'Adm-clerical',
    relationship: 'Not-in-family',
    'capital-gain': 2174,
    'capital-loss': 0,
    'hours-per-week': 40,
    'native-country': 'United-States',
  },
];

beforeAll(async () => {
  const { config, prepared } = await adult();
  const train = prepared.splits.train;
  const pre = fitPreprocessor(train, config);
  const small = (seed: number) => ({
    ...resolveHyperparameters(config.hyperparameters, { trainingRows: train.origins.length, task: config.task }),
    hiddenUnits: [8],
    epochs: 1,
    seed,
  });
  production = await Predictor.load(
    (await trainModel(config, pre, train, prepared.splits.validation, small(1))).artifact,
    { lazyTfjs: true },
  );
  candidate = await Predictor.load(
    (await trainModel(config, pre, train, prepared.splits.validation, small(2))).artifact,
    { lazyTfjs: true },
  );
  const artifact = { bucket: 'b', key: 'k', sha256: 'x' };
  // The registry and S3 of the serving cache: production is v1; a release's candidate is v2, each already loaded.
  source = {
    getAlias: async (model) => ({
      model,
      alias: 'production',
      version: 1,
      artifact,
      revision: 1,
      updatedAt: '',
      reason: '',
      previous: [],
    }),
    getRelease: async () => release,
    getVersion: async (model, version) =>
      ({
        model,
        version,
        runId: 'r',
        status: 'approved',
        revision: 1,
        artifact: { ...artifact, key: 'candidate' },
      }) as VersionRecord,
    load: async (a) => (a.key === 'candidate' ? candidate : production),
  };
  cache = new ProductionModelCache<Predictor>(source, { refreshMs: 0 });
}, 120_000);

const running = (mode: 'canary' | 'shadow', share: number): ReleaseRecord => ({
  model: 'adult',
  releaseId: 'rel-1',
  mode,
  candidateVersion: 2,
  productionVersion: 1,
  steps: [share],
  stepIndex: 0,
  share,
  bakeMinutes: 1,
  state: 'running',
  startedAt: '',
  updatedAt: '',
  revision: 2,
});

describe('shadow releases', () => {
  it('answer with production, and have the candidate score the same instances for capture, for keys in the share', async () => {
    release = running('shadow', 50);
    const inShare = Array.from({ length: 100 }, (_, i) => `k${i}`).find((k) => routingBucket(k) < 50) as string;
    const outShare = Array.from({ length: 100 }, (_, i) => `k${i}`).find((k) => routingBucket(k) >= 50) as string;
    const shadowed = await predict(cache, 'adult', { instances }, 'req-1', { key: inShare });
    expect(shadowed.answer).toMatchObject({ version: 1, variant: 'production' });
    expect(shadowed.shadow?.answer).toMatchObject({ version: 2, variant: 'candidate' });
    expect(shadowed.shadow?.answer?.predictions[0]?.id).toBe(shadowed.answer.predictions[0]?.id);
    expect(shadowed.shadow?.latencyMs).toBeGreaterThan(0);
    const lines: string[] = [];
    captureAnswer(
      { samplePercent: 100, redaction: { drop: [], hash: [] } },
      { requestId: 'req-1', instances: shadowed.instances, time: new Date() },
      {
        ...(shadowed.shadow?.answer as NonNullable<NonNullable<typeof shadowed.shadow>['answer']>),
        variant: 'candidate-shadow',
      },
      (l) => lines.push(l),
    );
    expect(JSON.parse(lines[0] as string)).toMatchObject({ variant: 'candidate-shadow', version: 2 });
    expect((await predict(cache, 'adult', { instances }, 'req-2', { key: outShare })).shadow).toBeUndefined();
    release = undefined;
  });

  it("never let the candidate's failure reach the caller: production answers, the shadow's failure is reported", async () => {
    release = running('shadow', 50);
    const inShare = Array.from({ length: 100 }, (_, i) => `k${i}`).find((k) => routingBucket(k) < 50) as string;
    const failing = {
      ...candidate,
      predictInstances: () => {
        throw new Error('candidate exploded');
      },
      prepare: async () => undefined,
    } as unknown as Predictor;
    const original = candidate;
    candidate = failing;
    try {
      // A fresh cache: the candidate is loaded again (the broken one).
      const fresh = new ProductionModelCache<Predictor>(source, { refreshMs: 0 });
      const outcome = await predict(fresh, 'adult', { instances }, 'req-3', { key: inShare });
      expect(outcome.answer).toMatchObject({ version: 1, variant: 'production' });
      expect(outcome.shadow).toMatchObject({ failure: 'candidate exploded' });
      expect(outcome.shadow?.answer).toBeUndefined();
    } finally {
      candidate = original;
      release = undefined;
    }
  });
});

/** The predict function's HTTP chain around predict(), as the handler builds it; its capture writes to `captured`. */
function chain(captured: string[]) {
  return middy<JsonEvent, APIGatewayProxyStructuredResultV2>()
    .use(jsonBody())
    .use(errorResponses())
    .handler(async (event) => {
      const outcome = await predict(cache, event.pathParameters?.model, event.body, 'req', { key: 'k' });
      captureAnswer(
        { samplePercent: 100, redaction: { drop: [], hash: [] } },
        { requestId: 'req', instances: outcome.instances, time: new Date() },
        outcome.answer,
        (l) => captured.push(l),
      );
      return jsonResponse(200, outcome.answer);
    });
}

const event = (body: string, model = 'adult'): JsonEvent =>
  ({
    version: '2.0',
    routeKey: 'POST /v1/models/{model}/predict',
    rawPath: `/v1/models/${model}/predict`,
    rawQueryString: '',
    headers: {},
    isBase64Encoded: false,
    pathParameters: { model },
    body,
  }) as unknown as JsonEvent;

/** JSON values of every kind, nested, with the numbers JSON can carry and strings of any content. */
const anyJson = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.constant(null),
    fc.boolean(),
    fc.double(),
    fc.integer(),
    fc.string(),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.string(), tie('value'), { maxKeys: 4 }),
  ),
})).value;

describe('the predict route under fuzzing (fast-check, 1,000+ cases each)', () => {
  it('answers any JSON body, any instance values and any model name with a 4xx and a message, or a 200 — never a 5xx — and captures only answered requests', async () => {
    const context = { awsRequestId: 'r' } as Context;
    const feature = fc.constantFrom(...Object.keys(instances[0] as object));
    const mutatedInstance = fc.tuple(feature, anyJson).map(([name, value]) => ({ ...instances[0], [name]: value }));
    const body = fc.oneof(
      anyJson.map((v) => JSON.stringify(v)),
      fc.array(mutatedInstance, { minLength: 0, maxLength: 3 }).map((list) => JSON.stringify({ instances: list })),
      fc.record({ instances: fc.constant(instances), version: anyJson }).map((v) => JSON.stringify(v)),
      fc.string(),
      fc.constantFrom(
        '{"instances": [{"age": 1e400}]}',
        '{"instances": [' + '['.repeat(5000) + ']'.repeat(5000) + ']}',
        '{"instances": "' + 'x'.repeat(2_000_000) + '"}',
      ),
    );
    const model = fc.oneof(fc.constant('adult'), fc.string({ maxLength: 70 }));
    await fc.assert(
      fc.asyncProperty(body, model, async (text, name) => {
        const captured: string[] = [];
        const response = await chain(captured)(event(text, name), context);
        expect(response.statusCode).toBeLessThan(500);
        const answer = JSON.parse(response.body as string) as { message?: string };
        if (response.statusCode !== 200) {
          expect(answer.message?.length).toBeGreaterThan(0);
          expect(captured).toEqual([]);
        } else {
          expect(captured).toHaveLength(1);
        }
      }),
      { numRuns: 1200 },
    );
  }, 120_000);
});
