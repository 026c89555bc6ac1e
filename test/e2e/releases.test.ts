import { GetObjectCommand } from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EvaluationReport } from '../../lambdas/core/report/types.js';
import { dumpDom } from '../helpers/chromium.js';
import { withDerivedColumn } from '../helpers/adult.js';
import { adultRows, awaitServed, mlops, servedVersion } from '../helpers/e2e.js';
import { startTestStack, type TestStack } from '../helpers/local-stack.js';

let stack: TestStack;
/** How long after v2's promotion the warm predict function served it (measured while the setup went on). */
let servedV2: Promise<{ version: number; afterMs: number }>;

/**
 * One model's history, built once: v1 from 8,000 rows (served, so the predict container is warm), v2 from 20,000
 * rows (promoted over v1), then two candidates the gate rejects against production — a small data set and one with
 * a leaked copy of the label. Each test reads this history; the rollback test is the only one that changes it.
 */
beforeAll(async () => {
  stack = await startTestStack();
  const [first] = await stack.upload('incoming/adult/part-8k.csv', adultRows(8000));
  expect(first?.status).toBe('SUCCEEDED');
  expect(await servedVersion(stack, 'adult')).toBe(1);
  const [second] = await stack.upload('incoming/adult/adult-20k.csv', adultRows(20000));
  expect(second?.status).toBe('SUCCEEDED');
  servedV2 = awaitServed(stack, 'adult', 2);
  await stack.upload('incoming/adult/adult-1500.csv', adultRows(1500));
  const leaky = withDerivedColumn(adultRows(8000), 'leak', (row) => (row.class === '>50K' ? 'rich' : 'not-rich'));
  await stack.upload('incoming/adult/leaky.csv', leaky);
}, 400_000);

afterAll(async () => {
  await stack?.stop();
});

describe('releases: each candidate against production, a new version served, rollback, lineage, reproduction', () => {
  it('serves a newly promoted version within 30 seconds, from the same warm container', async () => {
    const { version, afterMs } = await servedV2;
    expect(version).toBe(2);
    expect(afterMs).toBeLessThan(30_000);
    expect(
      (await stack.registry.runs.get('adult', (await stack.registry.versions.get('adult', 2))?.runId as string))
        ?.status,
    ).toBe('PROMOTED');
    const predictFn = [...stack.runtime.functions.values()].find((fn) =>
      fn.spec.logicalId.startsWith('InferencePredict'),
    );
    expect(predictFn?.coldStarts).toBe(1);
  });

  it('compares each candidate with production on the same test split and stores fairness by sex and race', async () => {
    const runs = await stack.registry.runs.list('adult');
    const second = runs.find((r) => r.trigger.key === 'incoming/adult/adult-20k.csv');
    const version = await stack.registry.versions.get('adult', second?.version as number);
    expect(version?.comparedWith).toBe(1);
    expect(version?.gate.checks.map((c) => c.kind)).toEqual(
      expect.arrayContaining(['minimum', 'maximum', 'vs_production', 'feature_share']),
    );
    const report = JSON.parse(
      (await (
        await stack.s3.send(new GetObjectCommand({ Bucket: version?.evaluation.bucket, Key: version?.evaluation.key }))
      ).Body?.transformToString()) ?? '{}',
    ) as EvaluationReport;
    expect(report.fairness.map((f) => f.attribute)).toEqual(['sex', 'race']);
    expect(report.fairness[0]?.groups.map((g) => g.group).sort()).toEqual(['Female', 'Male']);
    expect(report.production?.version).toBe(1);
    expect(report.candidate.roc?.fpr.length).toBeGreaterThan(10);
    expect(report.candidate.calibration?.bins).toHaveLength(10);
    expect(report.candidate.slices.map((s) => s.column)).toEqual(['sex', 'race']);
    // Skew between the two training sets: the 8k rows are a slice of the same data, so nothing drifts.
    expect(report.drift?.features.length).toBeGreaterThan(10);
    expect(report.drift?.driftedFeatures).toEqual([]);
    expect(second?.schemaVersion).toBe(1);
  });

  it('rejects a candidate worse than production by more than the allowed change, and production stays', async () => {
    const run = (await stack.registry.runs.list('adult')).find((r) => r.trigger.key.endsWith('adult-1500.csv'));
    expect(run?.status).toBe('REJECTED');
    const check = run?.gate?.checks.find((c) => c.kind === 'vs_production');
    expect(check).toMatchObject({ metric: 'roc_auc.vs_production', passed: false });
    expect(run?.reason).toMatch(/roc_auc [\d.]+ is [\d.]+ worse than production v2/);
    const audit = await stack.registry.audit.list('adult');
    expect(audit.filter((e) => e.action === 'promote' && e.outcome === 'succeeded').map((e) => e.version)).toEqual([
      1, 2,
    ]);
  });

  it('rejects a model that leans on a leaked copy of the label (the leak check)', async () => {
    const run = (await stack.registry.runs.list('adult')).find((r) => r.trigger.key.endsWith('leaky.csv'));
    expect(run?.status).toBe('REJECTED');
    expect(run?.gate?.checks.find((c) => c.kind === 'leak')).toMatchObject({
      metric: 'leak.leak',
      passed: false,
      severity: 'blocking',
      value: 1,
    });
    expect(run?.reason).toContain('feature "leak" alone predicts the label (AUC 1.000): a leak?');
    expect(run?.anomalies).toEqual([
      expect.objectContaining({ kind: 'new_column', column: 'leak', severity: 'warning' }),
    ]);
  });

  it('writes a model card per run that renders in headless Chromium with its charts; `mlops report` fetches it', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'mlops-card-')), 'adult.html');
    const { stdout } = await mlops(stack, 'report', 'adult', '2', '--out', out);
    expect(stdout.trim()).toBe(out);
    const html = readFileSync(out, 'utf8');
    expect(html).not.toMatch(/<script|<link|src="http|href="http/); // self-contained: nothing fetched at view time
    const { dom, log } = await dumpDom(pathToFileURL(out).href);
    expect(log).not.toMatch(/Uncaught|SyntaxError|Failed to load/);
    const titles = [
      'ROC curve',
      'Precision–recall curve',
      'Calibration (reliability)',
      'Confusion matrix',
      'Selection rate by sex',
      'Selection rate by race',
      'Share of influence (permutation importance)',
    ];
    for (const title of titles) expect(dom).toContain(title);
    expect((dom.match(/<svg/g) ?? []).length).toBeGreaterThanOrEqual(titles.length + 1);
    for (const section of ['verdict', 'metrics', 'fairness', 'slices', 'importance', 'drift', 'data', 'lineage'])
      expect(dom).toContain(`id="${section}"`);
    for (const fact of ['incoming/adult/adult-20k.csv', 'weights sha256', 'production v1']) expect(dom).toContain(fact);
    const rejected = (await stack.registry.runs.list('adult')).find((r) => r.trigger.key.endsWith('leaky.csv'));
    expect(rejected?.report?.key).toMatch(/report\.html$/);
  });

  it('reproduces a version bit for bit from its recorded lineage (`mlops reproduce`)', async () => {
    const result = JSON.parse((await mlops(stack, '--json', 'reproduce', 'adult', '2')).stdout) as {
      identical: boolean;
      checks: { what: string; same: boolean }[];
    };
    expect(result.checks.find((c) => c.what === 'weights sha256')).toMatchObject({ same: true });
    expect(result.checks.find((c) => c.what === 'roc_auc')).toMatchObject({ same: true });
    expect(result.identical).toBe(true);
  }, 120_000);

  it('rolls back with `mlops rollback`: predict answers the previous version within 30 s; the audit trail and lineage show both changes', async () => {
    const cli = (...args: string[]) => mlops(stack, ...args);
    const versions = JSON.parse((await cli('--json', 'versions', 'adult')).stdout) as {
      version: number;
      status: string;
    }[];
    expect(versions.map((v) => v.status)).toEqual(['approved', 'approved', 'rejected', 'rejected']);
    expect((await cli('versions', 'adult')).stdout).toMatch(/v2\s+approved\s+production, candidate/);
    const rejected = versions.find((v) => v.status === 'rejected')?.version as number;
    await expect(cli('promote', 'adult', String(rejected), '-m', 'try it')).rejects.toMatchObject({
      stderr: expect.stringContaining('only approved versions can be served'),
    });
    await expect(cli('rollback', 'adult')).rejects.toMatchObject({
      stderr: expect.stringContaining("required option '-m, --reason <text>' not specified"),
    });

    const { stdout } = await cli('rollback', 'adult', '-m', 'v2 answers slowly in production');
    expect(stdout.trim()).toBe('adult rolled back: v1 is in production (was v2)');
    expect((await awaitServed(stack, 'adult', 1)).version).toBe(1);

    const audit = JSON.parse((await cli('--json', 'audit', 'adult')).stdout) as {
      action: string;
      version: number;
      actor: string;
      reason: string;
      outcome: string;
    }[];
    // Lifecycle changes (alarm changes, recorded in the same trail, are another story).
    const succeeded = audit.filter((e) => e.outcome === 'succeeded' && e.action !== 'alias' && e.action !== 'alarm');
    expect(succeeded.map((e) => `${e.action} v${e.version}`)).toEqual(['promote v1', 'promote v2', 'rollback v1']);
    // The candidate alias followed each version that passed its gate.
    expect(audit.filter((e) => e.action === 'alias').map((e) => e.version)).toEqual([1, 2]);
    expect(succeeded[1]?.actor).toMatch(/^pipeline \(ServerlessMlops-TrainingPromote/);
    expect(succeeded[1]?.reason).toMatch(/^run run-[0-9a-f]+ passed the gate/);
    expect(succeeded[2]).toMatchObject({
      reason: 'v2 answers slowly in production',
      actor: expect.stringMatching(/^[^@]+@.+/),
    });
    expect(audit.find((e) => e.outcome === 'refused')).toMatchObject({ action: 'promote', version: rejected });
    // The operator's rollback is counted as a metric of the model too (the pipeline's promotions by the function).
    expect(
      stack.runtime.cloudwatch.metrics.list({
        namespace: 'ServerlessMlops',
        name: 'Rollbacks',
        dimensions: [{ name: 'model', value: 'adult' }],
      }),
    ).toEqual([
      { namespace: 'ServerlessMlops', name: 'Rollbacks', dimensions: { service: 'mlops-cli', model: 'adult' } },
    ]);

    const models = JSON.parse((await cli('--json', 'models')).stdout) as { model: string; production: number }[];
    expect(models).toEqual([{ model: 'adult', production: 1, versions: 4 }]);
    const predicted = JSON.parse((await cli('--json', 'predict', 'adult', 'examples/requests/adult.json')).stdout) as {
      version: number;
    };
    expect(predicted.version).toBe(1);

    // Lineage: what produced a version, which versions were trained on a data object, and the decisions about it.
    const lineage = JSON.parse((await cli('--json', 'lineage', 'adult', '1')).stdout) as {
      version: { data: { key: string; sha256: string }[] };
      audit: { action: string; actor: string }[];
    };
    expect(lineage.version.data).toEqual([
      expect.objectContaining({
        key: 'incoming/adult/part-8k.csv',
        sha256: createHash('sha256').update(adultRows(8000)).digest('hex'),
      }),
    ]);
    // The decisions about v1. This stack runs on the real clock, so on a loaded machine a slow answer can raise the
    // latency alarm while v1 serves: such changes are recorded against v1 too, by CloudWatch, and are not decisions.
    const [alarms, decisions] = [
      lineage.audit.filter((e) => e.action === 'alarm'),
      lineage.audit.filter((e) => e.action !== 'alarm'),
    ];
    expect(decisions.map((e) => e.action)).toEqual(['alias', 'promote', 'alias', 'promote', 'rollback']);
    expect(alarms.every((e) => e.actor === 'cloudwatch')).toBe(true);
    const sha = lineage.version.data[0]?.sha256 as string;
    const bySha = JSON.parse((await cli('--json', 'lineage', '--data', sha)).stdout) as {
      model: string;
      version: number;
    }[];
    expect(bySha).toEqual([expect.objectContaining({ model: 'adult', version: 1 })]);
    const byUri = JSON.parse(
      (await cli('--json', 'lineage', '--data', `s3://${stack.dataBucket}/incoming/adult/adult-20k.csv`)).stdout,
    ) as { version: number }[];
    expect(byUri.map((r) => r.version)).toEqual([2]);
  }, 120_000);
});
