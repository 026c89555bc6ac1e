import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EvaluationReport } from '../../lambdas/core/report/types.js';
import { dumpDom } from '../helpers/chromium.js';
import { signedFetch } from '../helpers/sign.js';

const run = promisify(execFile);
import { startTestStack, type TestStack } from '../helpers/local-stack.js';

const run_ = (...args: string[]) => run(process.execPath, ['--import', 'tsx', 'bin/mlops.ts', '--state-dir', stack.stateDir, ...args]);

const ADULT = readFileSync('examples/data/adult.csv', 'utf8');
const REQUEST = readFileSync('examples/requests/adult.json', 'utf8');

let stack: TestStack;
let predictUrl: string;

/** The adult data with one column removed, as a user might upload by mistake. */
function withoutColumn(csv: string, column: string): string {
  const lines = csv.trimEnd().split('\n');
  const index = (lines[0] as string).split(',').indexOf(column);
  return lines.map((line) => line.split(',').filter((_, i) => i !== index).join(',')).join('\n');
}

beforeAll(async () => {
  stack = await startTestStack();
  predictUrl = `${stack.runtime.endpoints.apiUrl}/v1/models/adult/predict`;
});

afterAll(async () => {
  await stack?.stop();
});

describe('end to end through the local runtime: upload → pipeline → promoted → served', () => {
  it('answers 404 with a message before any model is in production', async () => {
    const response = await signedFetch({ url: predictUrl, body: REQUEST });
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ message: expect.stringContaining('model "adult" has no production version yet') });
  });

  it('trains adult.csv to a promoted version with test ROC AUC >= 0.88', async () => {
    const [execution, ...others] = await stack.upload('incoming/adult/adult.csv', ADULT);
    expect(others).toHaveLength(0);
    expect(execution?.status).toBe('SUCCEEDED');
    const runs = await stack.registry.listRuns('adult');
    expect(runs).toHaveLength(1);
    const run = runs[0];
    expect(run).toMatchObject({ status: 'PROMOTED', version: 1, trigger: { key: 'incoming/adult/adult.csv' } });
    expect(run?.metrics?.roc_auc).toBeGreaterThanOrEqual(0.88);
    expect(run?.data?.[0]?.sha256).toBe('6d8898ef78f064108f1a565b6e09580bb7274d4b94d819e8e19c3ea3ad291209');
    const version = await stack.registry.getVersion('adult', 1);
    expect(version).toMatchObject({ status: 'approved', revision: 1, backend: 'wasm', gate: { passed: true } });
    expect(version?.artifact.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect((await stack.registry.getAlias('adult'))?.version).toBe(1);
  });

  it('logs every pipeline function\'s lines with the model and run id, and its metrics as embedded-format lines', async () => {
    const [run] = await stack.registry.listRuns('adult');
    const dir = join(stack.stateDir, 'logs', 'functions');
    const linesOf = (part: string) => {
      const file = readdirSync(dir).find((f) => f.includes(part));
      if (file === undefined) throw new Error(`no log of ${part}`);
      return readFileSync(join(dir, file), 'utf8').split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
    };
    for (const part of ['RegisterRun', 'Etl', 'Train', 'Validate', 'Promote', 'Report']) {
      const logs = linesOf(`Training${part}`).filter((l) => l.level !== undefined);
      expect(logs.length, part).toBeGreaterThan(0);
      for (const line of logs) expect(line, part).toMatchObject({ model: 'adult', runId: run?.runId, function_request_id: expect.any(String) });
    }
    const emf = linesOf('TrainingEtl').find((l) => l._aws !== undefined);
    expect(emf).toMatchObject({ model: 'adult', RowsRead: 32561, _aws: { CloudWatchMetrics: [{ Namespace: 'ServerlessMlops', Dimensions: [expect.arrayContaining(['model'])] }] } });
    expect(linesOf('TrainingValidate').find((l) => l._aws !== undefined)).toMatchObject({ GatePassed: 1, GateRejected: 0 });
    expect(linesOf('TrainingEtl')[0]).toMatchObject({ cold_start: true, xray_trace_id: expect.stringMatching(/^1-[0-9a-f]{8}-[0-9a-f]{24}$/) });
  });

  it('traces every pipeline function with X-Ray: the handler annotated with model and run, each S3 and DynamoDB call a subsegment', () => {
    const [etlLog] = readFileSync(join(stack.stateDir, 'logs', 'functions', readdirSync(join(stack.stateDir, 'logs', 'functions')).find((f) => f.includes('TrainingEtl')) as string), 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('{"level"'))
      .map((l) => JSON.parse(l) as { xray_trace_id: string; runId: string });
    const segments = readFileSync(join(stack.stateDir, 'logs', 'xray-segments.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as {
      name: string; trace_id: string; namespace?: string; annotations?: Record<string, unknown>; aws?: { operation?: string };
    });
    const ofEtl = segments.filter((s) => s.trace_id === etlLog?.xray_trace_id);
    expect(ofEtl.find((s) => s.name === '## index.handler')?.annotations).toMatchObject({ model: 'adult', runId: etlLog?.runId, Service: 'mlops-etl', ColdStart: true });
    expect(ofEtl.filter((s) => s.namespace === 'aws' && s.name === 'S3').map((s) => s.aws?.operation)).toEqual(expect.arrayContaining(['GetObject', 'PutObject']));
    expect(ofEtl.some((s) => s.namespace === 'aws' && s.name === 'DynamoDB')).toBe(true);
    const services = new Set(segments.map((s) => s.annotations?.Service).filter((s) => s !== undefined));
    for (const service of ['mlops-register-run', 'mlops-etl', 'mlops-train', 'mlops-validate', 'mlops-promote', 'mlops-report']) expect(services).toContain(service);
  });

  it('serves predictions with class probabilities over the SigV4-signed HTTP API', async () => {
    const response = await signedFetch({ url: predictUrl, body: REQUEST });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { model: string; version: number; predictions: { label: string; probabilities: Record<string, number> }[] };
    expect(body).toMatchObject({ model: 'adult', version: 1 });
    expect(body.predictions).toHaveLength(2);
    for (const p of body.predictions) {
      expect(Object.keys(p.probabilities).sort()).toEqual(['<=50K', '>50K']);
      expect((p.probabilities['<=50K'] as number) + (p.probabilities['>50K'] as number)).toBeCloseTo(1, 5);
    }
    // A senior executive with large capital gains vs. a young clerk: the model must rank them this way.
    expect(body.predictions[1]?.probabilities['>50K']).toBeGreaterThan(body.predictions[0]?.probabilities['>50K'] as number);
  });

  it('scores a category the model never learned as unknown and says so, per instance', async () => {
    const [first, second] = JSON.parse(REQUEST).instances as Record<string, unknown>[];
    const response = await signedFetch({ url: predictUrl, body: JSON.stringify({ instances: [first, { ...second, workclass: 'Space-force' }] }) });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { predictions: unknown[]; warnings?: unknown[] };
    expect(body.predictions).toHaveLength(2);
    expect(body.warnings).toEqual([{ instance: 1, feature: 'workclass', value: 'Space-force', message: 'not a category the model learned; scored as an unknown value' }]);
  });

  it('writes local.json with the endpoints and plain credentials (no SDK internals)', () => {
    const local = JSON.parse(readFileSync(join(stack.stateDir, 'local.json'), 'utf8')) as { credentials: Record<string, unknown> };
    expect(local.credentials).toEqual({ accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' });
  });

  it('rejects unsigned requests with 403 (IAM authorization)', async () => {
    const response = await fetch(predictUrl, { method: 'POST', body: REQUEST, headers: { 'content-type': 'application/json' } });
    expect(response.status).toBe(403);
  });

  it.each([
    ['a non-JSON body', 'not json', /the body is not valid JSON/],
    ['a missing feature', JSON.stringify({ instances: [{ age: 30 }] }), /instances\[0\]\.workclass is missing/],
    ['a wrong type', JSON.stringify({ instances: [{ ...JSON.parse(REQUEST).instances[0], age: 'old' }] }), /instances\[0\]\.age must be a finite number or null/],
    ['more than 1000 instances', JSON.stringify({ instances: Array.from({ length: 1001 }, () => JSON.parse(REQUEST).instances[0]) }), /"instances" has 1001 items/],
  ])('answers %s with 400 naming the problem', async (_what, body, message) => {
    const response = await signedFetch({ url: predictUrl, body });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { message: string }).message).toMatch(message);
  });

  it('serves a newly promoted version within 30 seconds, from the same warm container', async () => {
    const newer = ADULT.split('\n').slice(0, 20001).join('\n');
    const [execution] = await stack.upload('incoming/adult/adult-20k.csv', newer);
    expect(execution?.status).toBe('SUCCEEDED');
    expect((await stack.registry.getAlias('adult'))?.version).toBe(2);
    const promotedAt = Date.now();
    let version = 1;
    while (version !== 2 && Date.now() - promotedAt < 30_000) {
      const response = await signedFetch({ url: predictUrl, body: REQUEST });
      expect(response.status).toBe(200);
      version = ((await response.json()) as { version: number }).version;
      if (version !== 2) await new Promise((r) => setTimeout(r, 500));
    }
    expect(version).toBe(2);
    const predictFn = [...stack.runtime.functions.values()].find((fn) => fn.spec.logicalId.startsWith('InferencePredict'));
    expect(predictFn?.coldStarts).toBe(1);
  });

  it('compares each candidate with production on the same test split and stores fairness by sex and race', async () => {
    const runs = await stack.registry.listRuns('adult');
    const second = runs.find((r) => r.trigger.key === 'incoming/adult/adult-20k.csv');
    const version = await stack.registry.getVersion('adult', second?.version as number);
    expect(version?.comparedWith).toBe(1);
    expect(version?.gate.checks.map((c) => c.kind)).toEqual(expect.arrayContaining(['minimum', 'maximum', 'vs_production', 'feature_share']));
    const report = JSON.parse(
      (await (await stack.s3.send(new GetObjectCommand({ Bucket: version?.evaluation.bucket, Key: version?.evaluation.key }))).Body?.transformToString()) ?? '{}',
    ) as EvaluationReport;
    expect(report.fairness.map((f) => f.attribute)).toEqual(['sex', 'race']);
    expect(report.fairness[0]?.groups.map((g) => g.group).sort()).toEqual(['Female', 'Male']);
    expect(report.production?.version).toBe(1);
    expect(report.candidate.roc?.fpr.length).toBeGreaterThan(10);
    expect(report.candidate.calibration?.bins).toHaveLength(10);
    expect(report.candidate.slices.map((s) => s.column)).toEqual(['sex', 'race']);
    // Skew between the two training sets: the 20k rows are a slice of the same data, so nothing drifts.
    expect(report.drift?.features.length).toBeGreaterThan(10);
    expect(report.drift?.driftedFeatures).toEqual([]);
    expect(second?.schemaVersion).toBe(1);
  });

  it('rejects a candidate worse than production by more than the allowed change, and production stays', async () => {
    const small = ADULT.split('\n').slice(0, 1501).join('\n');
    const [execution] = await stack.upload('incoming/adult/adult-1500.csv', small);
    expect(execution?.status).toBe('SUCCEEDED');
    const run = (await stack.registry.listRuns('adult')).find((r) => r.trigger.key.endsWith('adult-1500.csv'));
    expect(run?.status).toBe('REJECTED');
    const check = run?.gate?.checks.find((c) => c.kind === 'vs_production');
    expect(check).toMatchObject({ metric: 'roc_auc.vs_production', passed: false });
    expect(run?.reason).toMatch(/roc_auc [\d.]+ is [\d.]+ worse than production v2/);
    expect((await stack.registry.getAlias('adult'))?.version).toBe(2);
  });

  it('rejects a model that leans on a leaked copy of the label (the leak check)', async () => {
    const lines = ADULT.trimEnd().split('\n').slice(0, 8001);
    const leaky = lines.map((line, i) => (i === 0 ? `${line},leak` : `${line},${line.slice(line.lastIndexOf(',') + 1) === '>50K' ? 'rich' : 'not-rich'}`)).join('\n');
    const [execution] = await stack.upload('incoming/adult/leaky.csv', leaky);
    expect(execution?.status).toBe('SUCCEEDED');
    const run = (await stack.registry.listRuns('adult')).find((r) => r.trigger.key.endsWith('leaky.csv'));
    expect(run?.status).toBe('REJECTED');
    expect(run?.gate?.checks.find((c) => c.kind === 'leak')).toMatchObject({ metric: 'leak.leak', passed: false, severity: 'blocking', value: 1 });
    expect(run?.reason).toContain('feature "leak" alone predicts the label (AUC 1.000): a leak?');
    expect(run?.anomalies).toEqual([expect.objectContaining({ kind: 'new_column', column: 'leak', severity: 'warning' })]);
    expect((await stack.registry.getAlias('adult'))?.version).toBe(2);
  });

  it('writes a model card per run that renders in headless Chromium with its charts; `mlops report` fetches it', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'mlops-card-')), 'adult.html');
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'bin/mlops.ts', '--state-dir', stack.stateDir, 'report', 'adult', '2', '--out', out]);
    expect(stdout.trim()).toBe(out);
    const html = readFileSync(out, 'utf8');
    expect(html).not.toMatch(/<script|<link|src="http|href="http/); // self-contained: nothing fetched at view time
    const { dom, log } = await dumpDom(pathToFileURL(out).href);
    expect(log).not.toMatch(/Uncaught|SyntaxError|Failed to load/);
    const titles = ['ROC curve', 'Precision–recall curve', 'Calibration (reliability)', 'Confusion matrix', 'Selection rate by sex', 'Selection rate by race', 'Share of influence (permutation importance)'];
    for (const title of titles) expect(dom).toContain(title);
    expect((dom.match(/<svg/g) ?? []).length).toBeGreaterThanOrEqual(titles.length + 1);
    for (const section of ['verdict', 'metrics', 'fairness', 'slices', 'importance', 'drift', 'data', 'lineage']) expect(dom).toContain(`id="${section}"`);
    for (const fact of ['incoming/adult/adult-20k.csv', 'weights sha256', 'production v1']) expect(dom).toContain(fact);
    const rejected = (await stack.registry.listRuns('adult')).find((r) => r.trigger.key.endsWith('leaky.csv'));
    expect(rejected?.report?.key).toMatch(/report\.html$/);
  });

  it('starts no second run when the same file is uploaded again', async () => {
    const [execution] = await stack.upload('incoming/adult/adult.csv', ADULT);
    expect(execution?.status).toBe('SUCCEEDED');
    expect(execution?.events.some((e) => e.type === 'StateEntered' && e.state === 'AlreadyRegistered')).toBe(true);
    expect(execution?.events.some((e) => e.type === 'StateEntered' && e.state === 'ETL')).toBe(false);
    expect(await stack.registry.listRuns('adult')).toHaveLength(4);
  });

  it('fails a run whose CSV lacks the label column, naming it, and leaves production unchanged', async () => {
    const [execution] = await stack.upload('incoming/adult/no-label.csv', withoutColumn(ADULT, 'class'));
    expect(execution?.status).toBe('FAILED');
    const run = (await stack.registry.listRuns('adult')).find((r) => r.trigger.key === 'incoming/adult/no-label.csv');
    expect(run).toMatchObject({ status: 'FAILED', errorType: 'DataValidationError' });
    // The data schema (from the first accepted upload) catches it before typing: the reason names the column.
    expect(run?.reason).toContain('does not match the data schema v1: missing_column: column "class" is missing');
    expect((await stack.registry.getAlias('adult'))?.version).toBe(2);
    const response = await signedFetch({ url: predictUrl, body: REQUEST });
    expect(((await response.json()) as { version: number }).version).toBe(2);
  });

  it('stops a run before training when the data breaks the schema (a renamed column), naming the column', async () => {
    const lines = ADULT.split('\n').slice(0, 3001);
    lines[0] = (lines[0] as string).replace(/^age,/, 'years,');
    const [execution] = await stack.upload('incoming/adult/renamed.csv', lines.join('\n'));
    expect(execution?.status).toBe('FAILED');
    expect(execution?.events.some((e) => e.type === 'StateEntered' && e.state === 'Train')).toBe(false);
    const run = (await stack.registry.listRuns('adult')).find((r) => r.trigger.key.endsWith('renamed.csv'));
    expect(run?.reason).toContain('missing_column: column "age" is missing (the schema v1 has it)');
    expect(run?.anomalies?.map((a) => `${a.kind}:${a.column}`)).toEqual(['missing_column:age', 'new_column:years']);
  });

  it('fails a malformed CSV with the line number of the problem', async () => {
    const lines = ADULT.split('\n').slice(0, 200);
    lines[120] = `${lines[120]},extra`;
    const [wrongCount] = await stack.upload('incoming/adult/wrong-count.csv', lines.join('\n'));
    expect(wrongCount?.status).toBe('FAILED');
    const runs = await stack.registry.listRuns('adult');
    expect(runs.find((r) => r.trigger.key.endsWith('wrong-count.csv'))?.reason).toMatch(/^incoming\/adult\/wrong-count\.csv:121: wrong number of columns/);

    const quoted = ADULT.split('\n').slice(0, 200);
    quoted[50] = `${quoted[50]?.replace('State-gov', '"State-gov')}`.replace(/^(\d+),/, '$1,"');
    const [unbalanced] = await stack.upload('incoming/adult/unbalanced.csv', quoted.join('\n'));
    expect(unbalanced?.status).toBe('FAILED');
    const after = await stack.registry.listRuns('adult');
    expect(after.find((r) => r.trigger.key.endsWith('unbalanced.csv'))?.reason).toMatch(/unbalanced\.csv:\d+: .*(never closed|malformed)/);
  });

  it('fails when too many rows have non-numeric values, reporting the count', async () => {
    const lines = ADULT.split('\n').slice(0, 1001);
    for (let i = 1; i <= 50; i++) lines[i * 10] = (lines[i * 10] as string).replace(/^\d+,/, 'unknown,');
    const [execution] = await stack.upload('incoming/adult/bad-ages.csv', lines.join('\n'));
    expect(execution?.status).toBe('FAILED');
    const run = (await stack.registry.listRuns('adult')).find((r) => r.trigger.key.endsWith('bad-ages.csv'));
    expect(run?.reason).toMatch(/^50 of 1000 rows \(5\.00%\) have bad values, more than the 1\.00% allowed .* "age": 50 bad \(e\.g\. incoming\/adult\/bad-ages\.csv:11 "unknown"/);
    expect((await stack.registry.getAlias('adult'))?.version).toBe(2);
  });

  it('rolls back with `mlops rollback`: predict answers the previous version within 30 s, and the audit trail shows both changes', async () => {
    const cli = (...args: string[]) => run(process.execPath, ['--import', 'tsx', 'bin/mlops.ts', '--state-dir', stack.stateDir, ...args]);
    const versions = JSON.parse((await cli('--json', 'versions', 'adult')).stdout) as { version: number; status: string }[];
    expect(versions.map((v) => v.status)).toEqual(['approved', 'approved', 'rejected', 'rejected']);
    expect((await cli('versions', 'adult')).stdout).toMatch(/v2\s+approved\s+production, candidate/);
    const rejected = versions.find((v) => v.status === 'rejected')?.version as number;
    await expect(cli('promote', 'adult', String(rejected), '-m', 'try it')).rejects.toMatchObject({ stderr: expect.stringContaining('only approved versions can be served') });
    await expect(cli('rollback', 'adult')).rejects.toMatchObject({ stderr: expect.stringContaining("required option '-m, --reason <text>' not specified") });

    const { stdout } = await cli('rollback', 'adult', '-m', 'v2 answers slowly in production');
    expect(stdout.trim()).toBe('adult rolled back: v1 is in production (was v2)');
    const rolledBackAt = Date.now();
    let version = 2;
    while (version !== 1 && Date.now() - rolledBackAt < 30_000) {
      const response = await signedFetch({ url: predictUrl, body: REQUEST });
      version = ((await response.json()) as { version: number }).version;
      if (version !== 1) await new Promise((r) => setTimeout(r, 500));
    }
    expect(version).toBe(1);

    const audit = JSON.parse((await cli('--json', 'audit', 'adult')).stdout) as { action: string; version: number; actor: string; reason: string; outcome: string }[];
    const succeeded = audit.filter((e) => e.outcome === 'succeeded' && e.action !== 'alias');
    expect(succeeded.map((e) => `${e.action} v${e.version}`)).toEqual(['promote v1', 'promote v2', 'rollback v1']);
    // The candidate alias followed each version that passed its gate.
    expect(audit.filter((e) => e.action === 'alias').map((e) => e.version)).toEqual([1, 2]);
    expect(succeeded[1]?.actor).toMatch(/^pipeline \(ServerlessMlops-TrainingPromote/);
    expect(succeeded[1]?.reason).toMatch(/^run run-[0-9a-f]+ passed the gate/);
    expect(succeeded[2]).toMatchObject({ reason: 'v2 answers slowly in production', actor: expect.stringMatching(/^[^@]+@.+/) });
    expect(audit.find((e) => e.outcome === 'refused')).toMatchObject({ action: 'promote', version: rejected });

    const models = JSON.parse((await cli('--json', 'models')).stdout) as { model: string; production: number }[];
    expect(models).toEqual([{ model: 'adult', production: 1, versions: 4 }]);
    const predicted = JSON.parse((await cli('--json', 'predict', 'adult', 'examples/requests/adult.json')).stdout) as { version: number };
    expect(predicted.version).toBe(1);
  });

  it('answers lineage questions: what produced a version, which versions were trained on a data object', async () => {
    const cli = (...args: string[]) => run(process.execPath, ['--import', 'tsx', 'bin/mlops.ts', '--state-dir', stack.stateDir, ...args]);
    const lineage = JSON.parse((await cli('--json', 'lineage', 'adult', '1')).stdout) as { version: { data: { key: string; sha256: string }[] }; audit: { action: string }[] };
    expect(lineage.version.data).toEqual([expect.objectContaining({ key: 'incoming/adult/adult.csv', sha256: '6d8898ef78f064108f1a565b6e09580bb7274d4b94d819e8e19c3ea3ad291209' })]);
    expect(lineage.audit.map((e) => e.action)).toEqual(['alias', 'promote', 'alias', 'promote', 'rollback']);
    const bySha = JSON.parse((await cli('--json', 'lineage', '--data', '6d8898ef78f064108f1a565b6e09580bb7274d4b94d819e8e19c3ea3ad291209')).stdout) as { model: string; version: number }[];
    expect(bySha).toEqual([expect.objectContaining({ model: 'adult', version: 1 })]);
    const byUri = JSON.parse((await cli('--json', 'lineage', '--data', `s3://${stack.dataBucket}/incoming/adult/adult-20k.csv`)).stdout) as { version: number }[];
    expect(byUri.map((r) => r.version)).toEqual([2]);
  });

  it('reproduces a version bit for bit from its recorded lineage (`mlops reproduce`)', async () => {
    const cli = (...args: string[]) => run(process.execPath, ['--import', 'tsx', 'bin/mlops.ts', '--state-dir', stack.stateDir, ...args]);
    const result = JSON.parse((await cli('--json', 'reproduce', 'adult', '2')).stdout) as { identical: boolean; checks: { what: string; same: boolean }[] };
    expect(result.checks.find((c) => c.what === 'weights sha256')).toMatchObject({ same: true });
    expect(result.checks.find((c) => c.what === 'roc_auc')).toMatchObject({ same: true });
    expect(result.identical).toBe(true);
  }, 120_000);

  it('re-drives a failed run from the failed step without redoing ETL and training (`mlops runs redrive`)', async () => {
    const cli = (...args: string[]) => run(process.execPath, ['--import', 'tsx', 'bin/mlops.ts', '--state-dir', stack.stateDir, ...args]);
    // An operator breaks production's artifact: the next run's Validate step (which re-scores production) fails.
    const production = await stack.registry.getAlias('adult');
    const artifact = production?.artifact as { bucket: string; key: string };
    const original = await (await stack.s3.send(new GetObjectCommand({ Bucket: artifact.bucket, Key: artifact.key }))).Body?.transformToByteArray();
    await stack.s3.send(new PutObjectCommand({ Bucket: artifact.bucket, Key: artifact.key, Body: 'damaged' }));
    const [failed] = await stack.upload('incoming/adult/adult-4k.csv', ADULT.split('\n').slice(0, 4001).join('\n'));
    expect(failed?.status).toBe('FAILED');
    const failedRun = (await stack.registry.listRuns('adult')).find((r) => r.trigger.key.endsWith('adult-4k.csv'));
    expect(failedRun).toMatchObject({ status: 'FAILED', step: 'Validate', errorType: 'IntegrityError' });

    // Re-driven while still broken, it fails again, and `--wait` says so with a failing exit code.
    const again = await cli('--json', 'runs', 'redrive', 'adult', failedRun?.runId as string, '--wait').then(
      () => undefined,
      (error: { code?: number; stdout?: string }) => error,
    );
    expect(again?.code).toBe(1);
    expect(JSON.parse(again?.stdout ?? '{}')).toMatchObject({ step: 'Validate', status: 'FAILED', runStatus: 'FAILED' });

    // Restored, the run resumes at Validate: the new execution enters no ETL or Tune state.
    await stack.s3.send(new PutObjectCommand({ Bucket: artifact.bucket, Key: artifact.key, Body: original }));
    const { stdout } = await cli('--json', 'runs', 'redrive', 'adult', failedRun?.runId as string, '--wait');
    expect(JSON.parse(stdout)).toMatchObject({ step: 'Validate', status: 'SUCCEEDED' });
    const resumed = stack.runtime.executions().at(-1);
    const entered = resumed?.events.filter((e) => e.type === 'StateEntered').map((e) => e.state);
    expect(entered?.slice(0, 2)).toEqual(['Resume?', 'Validate']);
    expect(entered).not.toContain('ETL');
    expect(entered).not.toContain('Tune');
    const after = await stack.registry.getRun('adult', failedRun?.runId as string);
    expect(after).toMatchObject({ redrives: 2 });
    expect(['PROMOTED', 'REJECTED']).toContain(after?.status);
    await expect(cli('runs', 'redrive', 'adult', failedRun?.runId as string)).rejects.toMatchObject({ stderr: expect.stringContaining('only FAILED runs can be re-driven') });
  }, 120_000);

  it('records an upload for a model with no model file as FAILED with the reason', async () => {
    const [execution] = await stack.upload('incoming/nosuchmodel/data.csv', 'a,b\n1,2\n');
    expect(execution?.status).toBe('FAILED');
    const [run] = await stack.registry.listRuns('nosuchmodel');
    expect(run?.reason).toContain('no model file models/nosuchmodel.json is deployed (known models: adult)');
    // `mlops runs` without a model lists every model's runs.
    const all = JSON.parse((await run_('--json', 'runs')).stdout) as { model: string }[];
    expect(new Set(all.map((r) => r.model))).toEqual(new Set(['adult', 'nosuchmodel']));
  });
});
