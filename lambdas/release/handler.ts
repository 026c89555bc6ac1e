import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import * as z from 'zod';
import { judgeReleaseCheck } from '../core/release-check.js';
import { releaseSchema } from '../core/release-config.js';
import { artifactCheck } from '../shared/artifacts.js';
import { createDocumentClient, createS3Client } from '../shared/clients.js';
import { readEnv } from '../shared/env.js';
import { candidateAlarmNames, PIPELINE_METRICS } from '../shared/metric-names.js';
import { metrics } from '../shared/metrics.js';
import { Registry } from '../shared/registry.js';
import { ReleaseStore } from '../shared/release-store.js';
import { stepHandler } from '../shared/step-handler.js';
import { tracer } from '../shared/tracer.js';
import { abortRelease, beginRelease, settleCheck, tickRelease, type ReleaseDeps } from '../shared/use-cases/release.js';
import { prepareCheck } from './check.js';

const env = readEnv(['REGISTRY_TABLE', 'ARTIFACTS_BUCKET', 'STACK_NAME', 'AWS_LAMBDA_FUNCTION_NAME']);
/** A model's alarms on its candidate variant, which roll a release back (named from the stack's name). */
const candidateAlarms = (model: string): string[] => Object.values(candidateAlarmNames(env.STACK_NAME, model));
const documents = createDocumentClient();
const registry = new Registry(documents, env.REGISTRY_TABLE);
const s3 = createS3Client();
const cloudwatch = tracer.captureAWSv3Client(new CloudWatchClient({}));

const deps: ReleaseDeps = {
  registry,
  checkArtifact: artifactCheck(s3),
  releases: new ReleaseStore(documents, env.REGISTRY_TABLE),
  alarmsInAlarm: async (names) => {
    if (names.length === 0) return [];
    const answer = await cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: [...names], StateValue: 'ALARM' }));
    return (answer.MetricAlarms ?? []).map((a) => a.AlarmName ?? '');
  },
  now: () => new Date(),
  actor: `release (${env.AWS_LAMBDA_FUNCTION_NAME})`,
  signalInProgress: (model, running) => {
    const single = metrics.singleMetric();
    single.addDimension('model', model);
    single.addMetric(PIPELINE_METRICS.releaseInProgress, 'Count', running ? 1 : 0);
  },
};

const model = z.string().min(1);
const inputSchema = z.discriminatedUnion('action', [
  z.object({
    action: z.literal('begin'),
    model,
    candidateVersion: z.number().int().positive(),
    release: releaseSchema,
    executionArn: z.string().optional(),
  }),
  z.object({
    action: z.literal('prepare-check'),
    model,
    candidateVersion: z.number().int().positive(),
    rows: z.number().int().positive(),
  }),
  z.object({
    action: z.literal('judge-check'),
    model,
    candidateVersion: z.number().int().positive(),
    budgetMs: z.number().positive(),
    expected: z.array(z.unknown()),
    response: z.object({
      statusCode: z.number().optional(),
      body: z.string().optional(),
      headers: z.record(z.string(), z.string()).optional(),
    }),
  }),
  z.object({ action: z.literal('tick'), model, minutesLeft: z.number().int().min(0) }),
  z.object({ action: z.literal('abort'), model, reason: z.string() }),
]);
type Input = z.infer<typeof inputSchema>;

async function run(input: Input): Promise<Record<string, unknown>> {
  switch (input.action) {
    case 'begin': {
      const record = await beginRelease(deps, {
        model: input.model,
        candidateVersion: input.candidateVersion,
        config: input.release,
        ...(input.executionArn ? { executionArn: input.executionArn } : {}),
      });
      return { releaseId: record.releaseId, bakeMinutes: record.bakeMinutes, mode: record.mode };
    }
    case 'prepare-check':
      return {
        ...(await prepareCheck(registry, s3, env.ARTIFACTS_BUCKET, input.model, input.candidateVersion, input.rows)),
      };
    case 'judge-check': {
      const record = await deps.releases.get(input.model);
      if (record === undefined) throw new Error(`no release of ${input.model} to judge`);
      const problems = judgeReleaseCheck(
        input.response,
        input.expected as Parameters<typeof judgeReleaseCheck>[1],
        input.candidateVersion,
        input.budgetMs,
      );
      const settled = await settleCheck(deps, record, problems);
      return { passed: settled.state === 'running', minutesLeft: settled.bakeMinutes, problems };
    }
    case 'tick': {
      const { outcome, minutesLeft, record } = await tickRelease(
        deps,
        input.model,
        candidateAlarms(input.model),
        input.minutesLeft,
      );
      return { outcome, minutesLeft, share: record?.share ?? 0 };
    }
    case 'abort':
      return { state: (await abortRelease(deps, input.model, input.reason))?.state ?? 'none' };
  }
}

/** The release state machine's steps: begin, the release check, a minute of bake at a time, abort on failure. */
export const handler = stepHandler({
  input: inputSchema,
  correlate: (input) => ({ model: input.model }),
  run: (input) => run(input),
  done: (result, input) => ({
    message: `release ${input.action}`,
    fields: { ...result, expected: undefined, event: undefined },
  }),
});
