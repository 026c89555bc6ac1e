import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalExecution } from '../../local/stepfunctions/state-machine.js';
import { ADULT, functionLogLines, mlops, predictUrl, REQUEST } from '../helpers/e2e.js';
import { startTestStack, type TestStack } from '../helpers/local-stack.js';
import { signedFetch } from '../helpers/sign.js';

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack();
});

afterAll(async () => {
  await stack?.stop();
});

describe('a model with no production version', () => {
  it('answers 404 with a message', async () => {
    const response = await signedFetch({ url: predictUrl(stack, 'unserved'), body: REQUEST });
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({
      message: expect.stringContaining('model "unserved" has no production version yet'),
    });
  });

  it('records an upload for a model with no model file as FAILED with the reason', async () => {
    const [execution] = await stack.upload('incoming/nosuchmodel/data.csv', 'a,b\n1,2\n');
    expect(execution?.status).toBe('FAILED');
    const [run] = await stack.registry.runs.list('nosuchmodel');
    expect(run?.reason).toContain('no model file models/nosuchmodel.json is deployed (known models: adult)');
    // `mlops runs` without a model lists every model's runs.
    const all = JSON.parse((await mlops(stack, '--json', 'runs')).stdout) as { model: string }[];
    expect(new Set(all.map((r) => r.model))).toContain('nosuchmodel');
  });
});

describe('end to end through the local runtime: the example data uploaded → pipeline → promoted → served', () => {
  let execution: LocalExecution | undefined;
  const predict = () => predictUrl(stack, 'adult');

  beforeAll(async () => {
    const started = await stack.upload('incoming/adult/adult.csv', ADULT);
    expect(started).toHaveLength(1);
    execution = started[0];
  });

  it('trains adult.csv to a promoted version with test ROC AUC >= 0.88', async () => {
    expect(execution?.status).toBe('SUCCEEDED');
    const runs = await stack.registry.runs.list('adult');
    expect(runs).toHaveLength(1);
    const run = runs[0];
    expect(run).toMatchObject({ status: 'PROMOTED', version: 1, trigger: { key: 'incoming/adult/adult.csv' } });
    expect(run?.metrics?.roc_auc).toBeGreaterThanOrEqual(0.88);
    expect(run?.data?.[0]?.sha256).toBe('6d8898ef78f064108f1a565b6e09580bb7274d4b94d819e8e19c3ea3ad291209');
    const version = await stack.registry.versions.get('adult', 1);
    expect(version).toMatchObject({ status: 'approved', revision: 1, backend: 'wasm', gate: { passed: true } });
    expect(version?.artifact.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect((await stack.registry.aliases.get('adult'))?.version).toBe(1);
  });

  it("logs every pipeline function's lines with the model and run id, and its metrics as embedded-format lines", async () => {
    const [run] = await stack.registry.runs.list('adult');
    for (const part of ['RegisterRun', 'Etl', 'Train', 'Validate', 'Promote', 'Report']) {
      const logs = functionLogLines(stack, `Training${part}`).filter((l) => l.level !== undefined);
      for (const line of logs) {
        expect(line, part).toMatchObject({ model: expect.any(String), function_request_id: expect.any(String) });
        // A run id exists once the model file is known: an upload for a model without one fails before it has one.
        if (line.model !== 'nosuchmodel') expect(line, part).toMatchObject({ runId: expect.any(String) });
      }
      const ofThisRun = logs.filter((l) => l.model === 'adult');
      expect(ofThisRun.length, part).toBeGreaterThan(0);
      for (const line of ofThisRun) expect(line, part).toMatchObject({ runId: run?.runId });
    }
    const emf = functionLogLines(stack, 'TrainingEtl').find((l) => l._aws !== undefined && l.model === 'adult');
    expect(emf).toMatchObject({
      RowsRead: 32561,
      _aws: { CloudWatchMetrics: [{ Namespace: 'ServerlessMlops', Dimensions: [expect.arrayContaining(['model'])] }] },
    });
    expect(
      functionLogLines(stack, 'TrainingValidate').find((l) => l._aws !== undefined && l.model === 'adult'),
    ).toMatchObject({ GatePassed: 1, GateRejected: 0 });
    // The first invocation of a container is its cold start, as Powertools reports it in Lambda.
    expect(functionLogLines(stack, 'TrainingEtl').find((l) => l.level !== undefined)).toMatchObject({
      cold_start: true,
      xray_trace_id: expect.stringMatching(/^1-[0-9a-f]{8}-[0-9a-f]{24}$/),
    });
    // …and counted once per container by the handler shape (Powertools' ColdStart metric, by function name).
    for (const part of ['Etl', 'Train', 'Validate']) {
      const coldStarts = functionLogLines(stack, `Training${part}`).filter((l) => l.ColdStart !== undefined);
      expect(coldStarts.length, part).toBeGreaterThan(0);
      expect(coldStarts[0], part).toMatchObject({ ColdStart: 1, function_name: expect.stringContaining(part) });
    }
  });

  it('traces every pipeline function with X-Ray: the handler annotated with model and run, each S3 and DynamoDB call a subsegment', () => {
    const etlLog = functionLogLines(stack, 'TrainingEtl').find((l) => l.level !== undefined && l.model === 'adult') as {
      xray_trace_id: string;
      runId: string;
      cold_start: boolean;
    };
    const segments = readFileSync(join(stack.stateDir, 'logs', 'xray-segments.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map(
        (l) =>
          JSON.parse(l) as {
            name: string;
            trace_id: string;
            namespace?: string;
            annotations?: Record<string, unknown>;
            aws?: { operation?: string };
          },
      );
    const ofEtl = segments.filter((s) => s.trace_id === etlLog.xray_trace_id);
    expect(ofEtl.find((s) => s.name === '## index.handler')?.annotations).toMatchObject({
      model: 'adult',
      runId: etlLog.runId,
      Service: 'mlops-etl',
      ColdStart: etlLog.cold_start,
    });
    expect(ofEtl.filter((s) => s.namespace === 'aws' && s.name === 'S3').map((s) => s.aws?.operation)).toEqual(
      expect.arrayContaining(['GetObject', 'PutObject']),
    );
    expect(ofEtl.some((s) => s.namespace === 'aws' && s.name === 'DynamoDB')).toBe(true);
    const services = new Set(segments.map((s) => s.annotations?.Service).filter((s) => s !== undefined));
    for (const service of [
      'mlops-register-run',
      'mlops-etl',
      'mlops-train',
      'mlops-validate',
      'mlops-promote',
      'mlops-report',
    ])
      expect(services).toContain(service);
  });

  it('serves predictions with class probabilities over the SigV4-signed HTTP API', async () => {
    const response = await signedFetch({ url: predict(), body: REQUEST });
    expect(response.status).toBe(200);
    const body = (await response.json()) as {
      model: string;
      version: number;
      predictions: { label: string; probabilities: Record<string, number> }[];
    };
    expect(body).toMatchObject({ model: 'adult', version: 1 });
    expect(body.predictions).toHaveLength(2);
    for (const p of body.predictions) {
      expect(Object.keys(p.probabilities).sort()).toEqual(['<=50K', '>50K']);
      expect((p.probabilities['<=50K'] as number) + (p.probabilities['>50K'] as number)).toBeCloseTo(1, 5);
    }
    // A senior executive with large capital gains vs. a young clerk: the model must rank them this way.
    expect(body.predictions[1]?.probabilities['>50K']).toBeGreaterThan(
      body.predictions[0]?.probabilities['>50K'] as number,
    );
  });

  it('scores a category the model never learned as unknown and says so, per instance', async () => {
    const [first, second] = JSON.parse(REQUEST).instances as Record<string, unknown>[];
    const response = await signedFetch({
      url: predict(),
      body: JSON.stringify({ instances: [first, { ...second, workclass: 'Space-force' }] }),
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { predictions: unknown[]; warnings?: unknown[] };
    expect(body.predictions).toHaveLength(2);
    expect(body.warnings).toEqual([
      {
        instance: 1,
        feature: 'workclass',
        value: 'Space-force',
        message: 'not a category the model learned; scored as an unknown value',
      },
    ]);
  });

  it('writes local.json with the endpoints and plain credentials (no SDK internals)', () => {
    const local = JSON.parse(readFileSync(join(stack.stateDir, 'local.json'), 'utf8')) as {
      credentials: Record<string, unknown>;
    };
    expect(local.credentials).toEqual({ accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' });
  });

  it('rejects unsigned requests with 403 (IAM authorization)', async () => {
    const response = await fetch(predict(), {
      method: 'POST',
      body: REQUEST,
      headers: { 'content-type': 'application/json' },
    });
    expect(response.status).toBe(403);
  });

  it.each([
    ['a non-JSON body', 'not json', /the body is not valid JSON/],
    ['a missing feature', JSON.stringify({ instances: [{ age: 30 }] }), /instances\[0\]\.workclass is missing/],
    [
      'a wrong type',
      JSON.stringify({ instances: [{ ...JSON.parse(REQUEST).instances[0], age: 'old' }] }),
      /instances\[0\]\.age must be a finite number or null/,
    ],
    [
      'more than 1000 instances',
      JSON.stringify({ instances: Array.from({ length: 1001 }, () => JSON.parse(REQUEST).instances[0]) }),
      /"instances" has 1001 items/,
    ],
  ])('answers %s with 400 naming the problem', async (_what, body, message) => {
    const response = await signedFetch({ url: predict(), body });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { message: string }).message).toMatch(message);
  });

  it('starts no second run when the same file is uploaded again', async () => {
    const [again] = await stack.upload('incoming/adult/adult.csv', ADULT);
    expect(again?.status).toBe('SUCCEEDED');
    expect(again?.events.some((e) => e.type === 'StateEntered' && e.state === 'AlreadyRegistered')).toBe(true);
    expect(again?.events.some((e) => e.type === 'StateEntered' && e.state === 'ETL')).toBe(false);
    expect(await stack.registry.runs.list('adult')).toHaveLength(1);
  });
});
