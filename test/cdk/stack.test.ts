import { Match, Template } from 'aws-cdk-lib/assertions';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../lib/app.js';
import { loadAllModelConfigs } from '../../lib/model-configs.js';
import { candidateAlarmNames } from '../../lambdas/shared/metric-names.js';

type Json = Record<string, unknown>;
interface TaskState {
  Type: string;
  TimeoutSeconds?: number;
  Retry?: { ErrorEquals: string[] }[];
  Catch?: { ErrorEquals: string[]; Next: string }[];
  QueryLanguage?: string;
  /** A Map state's inner machine (the Tune stage). */
  ItemProcessor?: { StartAt: string; States: Record<string, TaskState> };
}

let template: Template;
let outdir: string;
let definition: { QueryLanguage?: string; States: Record<string, TaskState> };
let definitionText: string;

/** The state machine definition with the function ARNs (Fn::GetAtt) replaced by their logical ids. */
function definitionOf(value: unknown): string {
  const join = (value as { 'Fn::Join': [string, unknown[]] })['Fn::Join'];
  return join[1]
    .map((part) => {
      if (typeof part === 'string') return part;
      const getAtt = (part as { 'Fn::GetAtt'?: string[] })['Fn::GetAtt'];
      return getAtt ? `arn:${getAtt[0]}` : `<${(part as { Ref?: string }).Ref ?? 'token'}>`;
    })
    .join('');
}

function resourcesOfType(type: string): [string, { Properties: Json; Metadata?: Json }][] {
  return Object.entries(template.findResources(type)) as [string, { Properties: Json; Metadata?: Json }][];
}

/** The IAM statements attached to the role of the function whose logical id starts with `prefix`. */
function statementsOf(prefix: string): { Action: string | string[]; Resource: unknown; Condition?: Json; Effect: string }[] {
  const policies = resourcesOfType('AWS::IAM::Policy').filter(([id]) => id.startsWith(`${prefix}Role`) && id.includes('DefaultPolicy'));
  expect(policies).toHaveLength(1);
  return (policies[0]?.[1].Properties.PolicyDocument as { Statement: never[] }).Statement;
}

const actionsOf = (s: { Action: string | string[] }) => (Array.isArray(s.Action) ? s.Action : [s.Action]);
const leadingKeys = (s: { Condition?: Json }) => (s.Condition?.['ForAllValues:StringLike'] as Json | undefined)?.['dynamodb:LeadingKeys'];

beforeAll(() => {
  outdir = mkdtempSync(join(tmpdir(), 'mlops-cdk-'));
  const { app, stack } = buildApp({ outdir, stackProps: { codeVersion: 'test' } });
  app.synth();
  template = Template.fromStack(stack);
  const [, machine] = resourcesOfType('AWS::StepFunctions::StateMachine').find(([id]) => id.startsWith('Training')) as [string, { Properties: Json }];
  definitionText = definitionOf(machine.Properties.DefinitionString);
  definition = JSON.parse(definitionText);
});

describe('storage secure defaults', () => {
  it('encrypts, versions and blocks public access on every bucket', () => {
    const buckets = resourcesOfType('AWS::S3::Bucket');
    expect(buckets.length).toBeGreaterThanOrEqual(3);
    for (const [, bucket] of buckets) {
      expect(bucket.Properties).toMatchObject({
        BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
        VersioningConfiguration: { Status: 'Enabled' },
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      });
    }
  });

  it('denies non-TLS access on every bucket', () => {
    const policies = resourcesOfType('AWS::S3::BucketPolicy');
    expect(policies.length).toBe(resourcesOfType('AWS::S3::Bucket').length);
    for (const [, policy] of policies) {
      expect(policy.Properties.PolicyDocument).toMatchObject({
        Statement: expect.arrayContaining([
          expect.objectContaining({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      });
    }
  });

  it('logs data and artifact bucket access to the access-log bucket, and sends data bucket events to EventBridge', () => {
    template.hasResourceProperties('AWS::S3::Bucket', { LoggingConfiguration: { DestinationBucketName: Match.anyValue(), LogFilePrefix: 'Data/' } });
    template.hasResourceProperties('AWS::S3::Bucket', { LoggingConfiguration: { DestinationBucketName: Match.anyValue(), LogFilePrefix: 'Artifacts/' } });
    template.hasResourceProperties('AWS::S3::Bucket', {
      LoggingConfiguration: { LogFilePrefix: 'Data/' },
      NotificationConfiguration: { EventBridgeConfiguration: { EventBridgeEnabled: true } },
    });
    // Set on the bucket itself: no notifications custom resource (and its wildcard-granted function) in the stack.
    template.resourceCountIs('Custom::S3BucketNotifications', 0);
  });

  it('gives the registry point-in-time recovery, encryption, on-demand billing and deletion protection', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true },
      DeletionProtectionEnabled: true,
    });
  });

  it('can turn deletion protection off through the prop', () => {
    const { stack } = buildApp({ outdir: mkdtempSync(join(tmpdir(), 'mlops-cdk-')), stackName: 'Dev', stackProps: { deletionProtection: false, codeVersion: 'test' } });
    Template.fromStack(stack).hasResourceProperties('AWS::DynamoDB::Table', { DeletionProtectionEnabled: false });
  });
});

describe('functions', () => {
  it('run Node.js 22 on arm64 with X-Ray tracing', () => {
    const functions = resourcesOfType('AWS::Lambda::Function').filter(([, f]) => f.Metadata?.['aws:asset:is-bundled'] === true);
    expect(functions).toHaveLength(11);
    for (const [, fn] of functions) {
      expect(fn.Properties).toMatchObject({ Runtime: 'nodejs22.x', Architectures: ['arm64'], TracingConfig: { Mode: 'Active' } });
    }
  });

  it('ship the TF.js .wasm files inside the assets of the functions that run models, and the model files with ETL', () => {
    const assetOf = (prefix: string) => {
      const [, fn] = resourcesOfType('AWS::Lambda::Function').find(([id]) => id.startsWith(prefix)) as [string, { Metadata: Json }];
      return readdirSync(join(outdir, String(fn.Metadata['aws:asset:path'])));
    };
    for (const prefix of ['InferencePredict', 'TrainingTrain', 'TrainingValidate']) {
      expect(assetOf(prefix)).toEqual(expect.arrayContaining(['index.mjs', 'tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm']));
    }
    expect(assetOf('TrainingEtl')).toContain('models');
    expect(assetOf('TrainingEtl')).not.toContain('tfjs-backend-wasm.wasm');
  });

  it('keeps the predict bundle within the 3 MB target (the .wasm files aside)', () => {
    const [, fn] = resourcesOfType('AWS::Lambda::Function').find(([id]) => id.startsWith('InferencePredict')) as [string, { Metadata: Json }];
    const bundle = join(outdir, String(fn.Metadata['aws:asset:path']), 'index.mjs');
    expect(statSync(bundle).size).toBeLessThanOrEqual(3_000_000);
  });
});

describe('training state machine', () => {
  /** Every state, those inside the Tune Map's item processor included. */
  const allStates = (states: Record<string, TaskState> = definition.States): [string, TaskState][] =>
    Object.entries(states).flatMap(([name, s]) => [[name, s] as [string, TaskState], ...(s.ItemProcessor ? allStates(s.ItemProcessor.States) : [])]);
  const tasks = () => allStates().filter(([, s]) => s.Type === 'Task');

  it('is Standard, logs ALL with execution data, and traces with X-Ray', () => {
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineType: 'STANDARD',
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: { Level: 'ALL', IncludeExecutionData: true, Destinations: Match.anyValue() },
    });
  });

  it('runs ETL → Tune → Validate → gate → Promote (or a release) or RecordRejected → Report (the card after the decision)', () => {
    expect(tasks().map(([name]) => name).sort()).toEqual(['ETL', 'Promote', 'RecordFailure', 'RecordRejected', 'RegisterRun', 'Report', 'StartRelease', 'TrainCandidate', 'Validate']);
    expect(definition.States.ETL).toMatchObject({ Next: 'Tune' });
    expect(definition.States.Tune).toMatchObject({ Next: 'Validate' });
    expect(definition.States.Validate).toMatchObject({ Next: 'GatePassed?', Parameters: { 'tuning.$': '$.tuning' } });
    expect(definition.States['GatePassed?']).toMatchObject({
      Type: 'Choice',
      Choices: [{ Variable: '$.validation.gate.passed', BooleanEquals: true, Next: 'Promote' }],
      Default: 'RecordRejected',
    });
    expect(definition.States.Promote).toMatchObject({ Next: 'Release?', Parameters: { 'releaseMode.$': '$.etl.config.release.mode' } });
    // A version handed to a canary or shadow release starts the release state machine (not awaited), then Report.
    expect(definition.States['Release?']).toMatchObject({ Type: 'Choice', Choices: [{ Variable: '$.promotion.release', BooleanEquals: true, Next: 'StartRelease' }], Default: 'Report' });
    expect(definition.States.StartRelease).toMatchObject({ Resource: expect.stringContaining(':states:startExecution'), Next: 'Report' });
    expect(definitionText).toContain(':stateMachine:ServerlessMlops-release');
    expect(definition.States.RecordRejected).toMatchObject({ Next: 'Report' });
    expect(definition.States.Report).toMatchObject({ Next: 'Outcome?' });
  });

  it('tunes with a Map over the trials ETL planned, at the model file\'s concurrency; a failed trial is recorded, not fatal', () => {
    expect(definition.States.Tune).toMatchObject({
      Type: 'Map',
      ItemsPath: '$.etl.tuning.trials',
      MaxConcurrencyPath: '$.etl.tuning.concurrency',
      ItemSelector: { 'run.$': '$.run', 'etl.$': '$.etl', 'trial.$': '$$.Map.Item.Value' },
      ResultPath: '$.tuning',
      Catch: [{ ErrorEquals: ['States.ALL'], Next: 'RecordFailure', ResultPath: '$.error' }],
    });
    const inner = definition.States.Tune?.ItemProcessor;
    expect(inner?.StartAt).toBe('TrainCandidate');
    expect(inner?.States.TrainCandidate).toMatchObject({ Parameters: { 'trial.$': '$.trial' }, ResultPath: '$', End: true });
    expect(inner?.States.TrialFailed).toMatchObject({ Type: 'Pass', Parameters: { trial: { 'id.$': '$.trial.id', 'role.$': '$.trial.role' }, 'error.$': '$.error' }, End: true });
  });

  it('starts at Resume?: an upload goes to RegisterRun, a re-drive of a failed run straight to its failed step', () => {
    const whole = JSON.parse(definitionText) as { StartAt: string };
    expect(whole.StartAt).toBe('Resume?');
    const resume = definition.States['Resume?'] as unknown as { Choices: { Next: string }[]; Default: string };
    expect(resume.Default).toBe('RegisterRun');
    expect(resume.Choices.map((c) => c.Next)).toEqual(['ETL', 'Tune', 'Validate', 'Report', 'Promote']);
  });

  it('sets an explicit TimeoutSeconds on every task (the local interpreter defaults to 60 s)', () => {
    for (const [name, state] of tasks()) expect(state.TimeoutSeconds, name).toBeGreaterThan(0);
    expect(definition.States.Tune?.ItemProcessor?.States.TrainCandidate?.TimeoutSeconds).toBeGreaterThanOrEqual(15 * 60);
  });

  it('retries Lambda service errors and the functions\' passing failures (TransientError) on every task; nothing else', () => {
    for (const [name, state] of tasks()) {
      // Starting a release is a Step Functions call, not a function: its failures are retried as a task failure.
      if (name === 'StartRelease') {
        expect(state.Retry?.flatMap((r) => r.ErrorEquals)).toEqual(['States.TaskFailed']);
        continue;
      }
      // Data, configuration and integrity errors are not in the list: they fail the run at once.
      expect(state.Retry?.flatMap((r) => r.ErrorEquals).sort(), name).toEqual([
        'Lambda.AWSLambdaException',
        'Lambda.ClientExecutionTimeoutException',
        'Lambda.SdkClientException',
        'Lambda.ServiceException',
        'Lambda.TooManyRequestsException',
        'TransientError',
      ]);
    }
  });

  it('catches every error on every task: steps record the run as FAILED, the recorder itself ends in a Fail state', () => {
    // A failed model card does not undo the decision already made; a failed trial is recorded and the search goes on.
    const catchTarget: Record<string, string> = { RecordFailure: 'FailureNotRecorded', Report: 'Outcome?', TrainCandidate: 'TrialFailed' };
    for (const [name, state] of tasks()) {
      expect(state.Catch?.[0]?.ErrorEquals, name).toEqual(['States.ALL']);
      expect(state.Catch?.[0]?.Next, name).toBe(catchTarget[name] ?? 'RecordFailure');
    }
    expect(definition.States.RunFailed).toMatchObject({ Type: 'Fail', ErrorPath: '$.error.Error', CausePath: '$.failure.reason' });
  });

  it('uses JSONPath only: no JSONata anywhere', () => {
    expect(definition.QueryLanguage ?? 'JSONPath').toBe('JSONPath');
    for (const [, state] of allStates()) expect(state.QueryLanguage ?? 'JSONPath').toBe('JSONPath');
    expect(definitionText).not.toContain('{%');
    expect(definitionText).not.toMatch(/"(Arguments|Output|Assign)"/);
  });
});

describe('upload trigger', () => {
  it('starts the state machine for objects created under incoming/ in the data bucket, with retries and a dead-letter queue', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.s3'],
        'detail-type': ['Object Created'],
        detail: { bucket: { name: [{ Ref: Match.stringLikeRegexp('^StorageDataBucket') }] }, object: { key: [{ prefix: 'incoming/' }] } },
      },
      Targets: [
        Match.objectLike({
          Arn: { Ref: Match.stringLikeRegexp('^TrainingStateMachine') },
          DeadLetterConfig: { Arn: Match.anyValue() },
          RetryPolicy: { MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 7200 },
        }),
      ],
    });
    template.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true });
  });

  it('deduplicates in the first step: RegisterRun gets the execution id and a duplicate ends without training', () => {
    expect(definition.States.RegisterRun).toMatchObject({ Parameters: { 'event.$': '$', 'executionId.$': '$$.Execution.Id' } });
    expect(definition.States['Duplicate?']).toMatchObject({ Choices: [{ Variable: '$.run.duplicate', BooleanEquals: true, Next: 'AlreadyRegistered' }] });
  });
});

describe('least-privilege IAM', () => {
  it('predict can only read: the pointers and versions, and GetObject under models/', () => {
    const statements = statementsOf('InferencePredict');
    const actions = statements.filter((s) => s.Effect === 'Allow').flatMap(actionsOf);
    expect(actions.filter((a) => /^(dynamodb:(Put|Update|Delete|BatchWrite)|s3:(Put|Delete))/.test(a))).toEqual([]);
    const dynamo = statements.filter((s) => s.Effect === 'Allow' && actionsOf(s).some((a) => a.startsWith('dynamodb:')));
    expect(dynamo).toHaveLength(1);
    expect(leadingKeys(dynamo[0] as never)).toEqual(['ALIAS#*', 'RELEASE#*', 'VERSION#*']);
    expect(actionsOf(dynamo[0] as never).sort()).toEqual(['dynamodb:GetItem', 'dynamodb:Query']);
    const s3Resources = JSON.stringify(statements.filter((s) => actionsOf(s).some((a) => a.startsWith('s3:'))).map((s) => s.Resource));
    expect(s3Resources).toContain('/models/*');
    expect(s3Resources).not.toContain('/runs/*');
  });

  it('ETL cannot touch the production pointer: its registry access is limited to run items and the data schema', () => {
    const dynamo = statementsOf('TrainingEtl').filter((s) => s.Effect === 'Allow' && actionsOf(s).some((a) => a.startsWith('dynamodb:')));
    expect(dynamo.length).toBeGreaterThan(0);
    for (const statement of dynamo) expect(leadingKeys(statement)).toEqual(['RUN#*', 'SCHEMA#*']);
    expect(JSON.stringify(dynamo)).not.toContain('ALIAS#');
  });

  it('only the promote and release functions may write the production pointer', () => {
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem'],
            Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['ALIAS#*', 'RUN#*'] } },
          }),
        ]),
      },
    });
    const writersOfAliases = resourcesOfType('AWS::IAM::Policy').filter(([, p]) => {
      const statements = (p.Properties.PolicyDocument as { Statement: { Action: string | string[]; Condition?: Json }[] }).Statement;
      return statements.some((s) => actionsOf(s).includes('dynamodb:PutItem') && JSON.stringify(s.Condition ?? {}).includes('ALIAS#'));
    });
    expect(writersOfAliases.map(([id]) => id).sort()).toEqual([expect.stringMatching(/^ReleasesRelease/), expect.stringMatching(/^TrainingPromote/)]);
  });
});

describe('append-only audit trail', () => {
  it('no role of the stack can update or delete audit items: allows exclude AUDIT#, and an explicit deny covers them', () => {
    const policies = resourcesOfType('AWS::IAM::Policy').map(([id, p]) => [id, (p.Properties.PolicyDocument as { Statement: { Effect: string; Action: string | string[]; Condition?: Json }[] }).Statement] as const);
    let rolesWithRegistryAccess = 0;
    for (const [id, statements] of policies) {
      const dynamoAllows = statements.filter((s) => s.Effect === 'Allow' && actionsOf(s).some((a) => a.startsWith('dynamodb:') || a === '*'));
      for (const statement of dynamoAllows) {
        const tampering = actionsOf(statement).filter((a) => /^(dynamodb:(UpdateItem|DeleteItem|BatchWriteItem|\*)|\*)$/.test(a));
        if (tampering.length === 0) continue;
        const keys = (leadingKeys(statement) ?? []) as string[];
        expect(keys.length, `${id} allows ${tampering.join(', ')} without a LeadingKeys condition`).toBeGreaterThan(0);
        expect(keys.filter((k) => k.startsWith('AUDIT#')), id).toEqual([]);
      }
      if (dynamoAllows.length === 0) continue;
      rolesWithRegistryAccess += 1;
      expect(statements, id).toContainEqual(
        expect.objectContaining({
          Effect: 'Deny',
          Action: expect.arrayContaining(['dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem']),
          Condition: { 'ForAnyValue:StringLike': { 'dynamodb:LeadingKeys': ['AUDIT#*'] } },
        }),
      );
    }
    expect(rolesWithRegistryAccess).toBe(11);
  });

  it('the promote function may append audit events (PutItem only)', () => {
    const appends = statementsOf('TrainingPromote').filter((s) => s.Effect === 'Allow' && JSON.stringify(leadingKeys(s as never) ?? []).includes('AUDIT#'));
    expect(appends.map((s) => actionsOf(s))).toEqual([['dynamodb:PutItem']]);
  });
});

describe('inference API', () => {
  it('routes every v1 route to its function with IAM authorization', () => {
    for (const routeKey of ['POST /v1/models/{model}/predict', 'POST /v1/models/{model}/feedback', 'GET /v1/models/{model}', 'GET /v1/health', 'GET /v1/openapi.json']) {
      template.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: routeKey, AuthorizationType: 'AWS_IAM' });
    }
    template.hasResourceProperties('AWS::ApiGatewayV2::Integration', { IntegrationType: 'AWS_PROXY', PayloadFormatVersion: '2.0' });
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', { AccessLogSettings: { DestinationArn: Match.anyValue(), Format: Match.anyValue() } });
  });

  it('outputs bucket names, API URL and state machine ARN', () => {
    for (const name of ['DataBucketName', 'ArtifactsBucketName', 'RegistryTableName', 'ApiUrl', 'TrainingStateMachineArn']) template.hasOutput(name, {});
  });
});

describe('alarms', () => {
  it('gives every alarm an action and an explicit missing-data treatment, and every composite an action', () => {
    for (const [id, alarm] of resourcesOfType('AWS::CloudWatch::Alarm')) {
      expect((alarm.Properties.AlarmActions as unknown[] | undefined)?.length, id).toBeGreaterThan(0);
      expect(['breaching', 'notBreaching', 'ignore', 'missing'], id).toContain(alarm.Properties.TreatMissingData);
    }
    for (const [id, alarm] of resourcesOfType('AWS::CloudWatch::CompositeAlarm')) expect((alarm.Properties.AlarmActions as unknown[]).length, id).toBeGreaterThan(0);
  });

  it("declares each model's alarms from its model file: error rate, p99 latency, no traffic (missing data breaching), failed run", () => {
    const perModel = Object.fromEntries(resourcesOfType('AWS::CloudWatch::Alarm').filter(([id]) => id.startsWith('Modeladult') && !id.includes('Candidate')).map(([, a]) => [a.Properties.MetricName, a.Properties]));
    const dims = [{ Name: 'model', Value: 'adult' }, { Name: 'service', Value: 'mlops-predict' }];
    expect(perModel.PredictServerErrors).toMatchObject({ Namespace: 'ServerlessMlops', Dimensions: dims, Statistic: 'Average', Period: 300, Threshold: 0.05, ComparisonOperator: 'GreaterThanThreshold', TreatMissingData: 'notBreaching' });
    expect(perModel.PredictLatency).toMatchObject({ Dimensions: dims, ExtendedStatistic: 'p99', Threshold: 2000, ComparisonOperator: 'GreaterThanThreshold' });
    expect(perModel.PredictRequests).toMatchObject({ Dimensions: dims, Statistic: 'SampleCount', Period: 3600, EvaluationPeriods: 24, Threshold: 1, ComparisonOperator: 'LessThanThreshold', TreatMissingData: 'breaching' });
    expect(perModel.RunsFailed).toMatchObject({ Dimensions: [{ Name: 'model', Value: 'adult' }, { Name: 'service', Value: 'mlops-finish-run' }], Statistic: 'Sum', Threshold: 1 });
    // The candidate's alarms during a release: the same limits, per minute, on the candidate variant's metrics.
    const candidate = Object.fromEntries(resourcesOfType('AWS::CloudWatch::Alarm').filter(([id]) => id.startsWith('ModeladultCandidate')).map(([, a]) => [a.Properties.MetricName, a.Properties]));
    const variantDims = [...dims, { Name: 'variant', Value: 'candidate' }].sort((a, b) => a.Name.localeCompare(b.Name));
    expect(candidate.PredictServerErrors).toMatchObject({ Dimensions: variantDims, Statistic: 'Average', Period: 60, Threshold: 0.05, TreatMissingData: 'notBreaching' });
    expect(candidate.PredictLatency).toMatchObject({ Dimensions: variantDims, ExtendedStatistic: 'p99', Period: 60, Threshold: 2000 });
  });

  it("names each model's candidate alarms from the stack and model names, so the release function needs only the stack's name", () => {
    const names = resourcesOfType('AWS::CloudWatch::Alarm').filter(([id]) => id.startsWith('ModeladultCandidate')).map(([, a]) => a.Properties.AlarmName);
    expect(names.sort()).toEqual(Object.values(candidateAlarmNames('ServerlessMlops', 'adult')).sort());
    const [, release] = resourcesOfType('AWS::Lambda::Function').find(([id]) => id.startsWith('ReleasesRelease')) as [string, { Properties: Json }];
    const variables = (release.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
    // The same variables for one model or a hundred: nothing per model travels in the environment (4 KB at most).
    expect(variables.STACK_NAME).toBe('ServerlessMlops');
    expect(Object.keys(variables).some((name) => name.includes('ALARM'))).toBe(false);
    const describe = statementsOf('ReleasesRelease').filter((s) => actionsOf(s).includes('cloudwatch:DescribeAlarms'));
    expect(describe).toHaveLength(1);
    expect(JSON.stringify(describe[0]?.Resource)).toMatch(/:alarm:ServerlessMlops-\*-candidate-\*"\]\]\}$/);
  });

  it('pages once per model with a composite "degraded" alarm over them, suppressed while a release is in progress', () => {
    const [[, composite]] = resourcesOfType('AWS::CloudWatch::CompositeAlarm') as [[string, { Properties: Record<string, unknown> }]];
    const release = resourcesOfType('AWS::CloudWatch::Alarm').find(([, a]) => a.Properties.MetricName === 'ReleaseInProgress');
    expect(composite.Properties).toMatchObject({ ActionsSuppressor: { 'Fn::GetAtt': [release?.[0], 'Arn'] }, ActionsSuppressorWaitPeriod: 120, ActionsSuppressorExtensionPeriod: 300 });
    const rule = JSON.stringify(composite.Properties.AlarmRule);
    for (const metric of ['PredictServerErrors', 'PredictLatency', 'PredictRequests', 'RunsFailed']) {
      const [id] = resourcesOfType('AWS::CloudWatch::Alarm').find(([i, a]) => i.startsWith('Modeladult') && a.Properties.MetricName === metric) ?? [];
      expect(rule, metric).toContain(id);
    }
    expect(rule).toMatch(/^\{"Fn::Join":\["",\["\(ALARM\(\\""/);
    expect(resourcesOfType('AWS::CloudWatch::Dashboard')).toHaveLength(1);
  });
});

describe('model files are checked at synth', () => {
  it('a bad model file stops the synth with its name and problem', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mlops-models-'));
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'good.json'), JSON.stringify({ name: 'good', task: 'binary', label: 'y' }));
    expect(loadAllModelConfigs(dir).map((c) => c.name)).toEqual(['good']);
    writeFileSync(join(dir, 'bad.json'), JSON.stringify({ name: 'bad', task: 'binary' }));
    expect(() => loadAllModelConfigs(dir)).toThrow(/Invalid model file models\/bad\.json:\n {2}- label:/);
    expect(existsSync(join(dir, 'good.json'))).toBe(true);
  });
});

describe('what the nag suppressions rely on', () => {
  const XRAY = ['xray:PutTelemetryRecords', 'xray:PutTraceSegments'];
  const LOG_DELIVERY = [
    'logs:CreateLogDelivery', 'logs:DeleteLogDelivery', 'logs:DescribeLogGroups', 'logs:DescribeResourcePolicies',
    'logs:GetLogDelivery', 'logs:ListLogDeliveries', 'logs:PutResourcePolicy', 'logs:UpdateLogDelivery',
    'xray:GetSamplingRules', 'xray:GetSamplingTargets',
  ];
  const allowStatements = () =>
    resourcesOfType('AWS::IAM::Policy').flatMap(([id, p]) =>
      (p.Properties.PolicyDocument as { Statement: { Effect: string; Action: string | string[]; Resource: unknown }[] }).Statement.filter(
        (s) => s.Effect === 'Allow',
      ).map((s) => ({ policy: id, actions: actionsOf(s), resources: Array.isArray(s.Resource) ? s.Resource : [s.Resource] })),
    );

  it('uses Resource "*" only for X-Ray and log delivery, which have no resource-level permissions', () => {
    const starred = allowStatements().filter((s) => s.resources.includes('*'));
    expect(starred.length).toBeGreaterThan(0);
    for (const s of starred) {
      const allowed = /^(Training|Releases)StateMachineRole/.test(s.policy) ? [...XRAY, ...LOG_DELIVERY] : XRAY;
      expect(s.actions.filter((a) => !allowed.includes(a)), s.policy).toEqual([]);
    }
  });

  it('names every S3 and DynamoDB action exactly: no wildcard actions anywhere', () => {
    const wildcards = allowStatements().flatMap((s) => s.actions.filter((a) => a.includes('*')).map((a) => `${s.policy}: ${a}`));
    expect(wildcards).toEqual([]);
  });

  it('attaches no AWS managed policy: each function may write only to its own log group', () => {
    for (const [, role] of resourcesOfType('AWS::IAM::Role')) expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^TrainingEtlRole') }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          { Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Effect: 'Allow', Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^TrainingEtlLogs'), 'Arn'] } },
        ]),
      },
    });
  });

  it('lets a reader see 404 for a missing object (ListBucket on the bucket), and scopes object reads to the prefix', () => {
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^TrainingRegisterRunRole') }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Action: ['s3:GetObject', 's3:GetObjectVersion'], Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [Match.stringLikeRegexp('^StorageDataBucket'), 'Arn'] }, '/incoming/*']] } }),
          Match.objectLike({ Action: 's3:ListBucket', Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^StorageDataBucket'), 'Arn'] } }),
        ]),
      },
    });
  });
});
