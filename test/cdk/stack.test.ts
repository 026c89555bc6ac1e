import { Match, Template } from 'aws-cdk-lib/assertions';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../lib/app.js';
import { loadAllModelConfigs } from '../../lib/model-configs.js';
import { resourcesOf, type Json } from '../helpers/template.js';
import { synthesizedTemplate } from '../helpers/test-app.js';

interface TaskState {
  Type: string;
  TimeoutSeconds?: number;
  Retry?: { ErrorEquals: string[] }[];
  Catch?: { ErrorEquals: string[]; Next: string }[];
  QueryLanguage?: string;
  Parameters?: Record<string, unknown>;
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

const resourcesOfType = (type: string) => resourcesOf(template, type);

beforeAll(() => {
  outdir = mkdtempSync(join(tmpdir(), 'mlops-cdk-'));
  const { app, stack } = buildApp({ outdir, stackProps: { codeVersion: 'test' } });
  app.synth();
  template = Template.fromStack(stack);
  const [, machine] = resourcesOfType('AWS::StepFunctions::StateMachine').find(([id]) => id.startsWith('Training')) as [
    string,
    { Properties: Json },
  ];
  definitionText = definitionOf(machine.Properties.DefinitionString);
  definition = JSON.parse(definitionText);
});

describe('storage secure defaults', () => {
  it('encrypts, versions and blocks public access on every bucket', () => {
    const buckets = resourcesOfType('AWS::S3::Bucket');
    expect(buckets.length).toBeGreaterThanOrEqual(3);
    for (const [, bucket] of buckets) {
      expect(bucket.Properties).toMatchObject({
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
        },
        VersioningConfiguration: { Status: 'Enabled' },
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
      });
    }
  });

  it('denies non-TLS access on every bucket', () => {
    const policies = resourcesOfType('AWS::S3::BucketPolicy');
    expect(policies.length).toBe(resourcesOfType('AWS::S3::Bucket').length);
    for (const [, policy] of policies) {
      expect(policy.Properties.PolicyDocument).toMatchObject({
        Statement: expect.arrayContaining([
          expect.objectContaining({
            Effect: 'Deny',
            Action: 's3:*',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      });
    }
  });

  it('logs data and artifact bucket access to the access-log bucket, and sends data bucket events to EventBridge', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      LoggingConfiguration: { DestinationBucketName: Match.anyValue(), LogFilePrefix: 'Data/' },
    });
    template.hasResourceProperties('AWS::S3::Bucket', {
      LoggingConfiguration: { DestinationBucketName: Match.anyValue(), LogFilePrefix: 'Artifacts/' },
    });
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
    synthesizedTemplate({ stackName: 'Dev', stackProps: { deletionProtection: false } }).hasResourceProperties(
      'AWS::DynamoDB::Table',
      { DeletionProtectionEnabled: false },
    );
  });
});

describe('functions', () => {
  it('run Node.js 22 on arm64 with X-Ray tracing', () => {
    const functions = resourcesOfType('AWS::Lambda::Function').filter(
      ([, f]) => f.Metadata?.['aws:asset:is-bundled'] === true,
    );
    expect(functions).toHaveLength(15);
    for (const [, fn] of functions) {
      expect(fn.Properties).toMatchObject({
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        TracingConfig: { Mode: 'Active' },
      });
    }
  });

  it('ship the TF.js .wasm files inside the assets of the functions that run models, and the model files with ETL', () => {
    const assetOf = (prefix: string) => {
      const [, fn] = resourcesOfType('AWS::Lambda::Function').find(([id]) => id.startsWith(prefix)) as [
        string,
        { Metadata: Json },
      ];
      return readdirSync(join(outdir, String(fn.Metadata['aws:asset:path'])));
    };
    for (const prefix of ['InferencePredict', 'TrainingTrain', 'TrainingValidate']) {
      expect(assetOf(prefix)).toEqual(
        expect.arrayContaining([
          'index.mjs',
          'tfjs-backend-wasm.wasm',
          'tfjs-backend-wasm-simd.wasm',
          'tfjs-backend-wasm-threaded-simd.wasm',
        ]),
      );
    }
    expect(assetOf('TrainingEtl')).toContain('models');
    expect(assetOf('TrainingEtl')).not.toContain('tfjs-backend-wasm.wasm');
  });

  it('keeps the predict bundle within the 3 MB target (the .wasm files aside)', () => {
    const [, fn] = resourcesOfType('AWS::Lambda::Function').find(([id]) => id.startsWith('InferencePredict')) as [
      string,
      { Metadata: Json },
    ];
    const bundle = join(outdir, String(fn.Metadata['aws:asset:path']), 'index.mjs');
    expect(statSync(bundle).size).toBeLessThanOrEqual(3_000_000);
  });
});

describe('training state machine', () => {
  /** Every state, those inside the Tune Map's item processor included. */
  const allStates = (states: Record<string, TaskState> = definition.States): [string, TaskState][] =>
    Object.entries(states).flatMap(([name, s]) => [
      [name, s] as [string, TaskState],
      ...(s.ItemProcessor ? allStates(s.ItemProcessor.States) : []),
    ]);
  const tasks = () => allStates().filter(([, s]) => s.Type === 'Task');

  it('is Standard, logs ALL with execution data, and traces with X-Ray', () => {
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineType: 'STANDARD',
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: { Level: 'ALL', IncludeExecutionData: true, Destinations: Match.anyValue() },
    });
  });

  it('runs ETL → Tune → (Refit when cross-validated) → Validate → gate → Promote (or a release) or RecordRejected → Report', () => {
    expect(
      tasks()
        .map(([name]) => name)
        .sort(),
    ).toEqual([
      'ETL',
      'Promote',
      'RecordFailure',
      'RecordRejected',
      'Refit',
      'RegisterRun',
      'Report',
      'StartRelease',
      'TrainCandidate',
      'Validate',
    ]);
    expect(definition.States.ETL).toMatchObject({ Next: 'Tune' });
    expect(definition.States.Tune).toMatchObject({ Next: 'CrossValidated?' });
    // A state that has $.refit (a re-drive of Validate) goes on; a run without folds records that nothing is refit.
    expect(definition.States['CrossValidated?']).toMatchObject({
      Type: 'Choice',
      Choices: [
        { Variable: '$.refit', IsPresent: true, Next: 'Validate' },
        {
          Or: [
            { Variable: '$.etl.tuning.crossValidation', IsPresent: false },
            { Variable: '$.etl.tuning.crossValidation', IsNull: true },
          ],
          Next: 'SingleSplit',
        },
      ],
      Default: 'Refit',
    });
    expect(definition.States.SingleSplit).toMatchObject({
      Type: 'Pass',
      Result: { crossValidated: false },
      ResultPath: '$.refit',
      Next: 'Validate',
    });
    // Refit runs on the Train function (the same bundle, memory and timeout), with the Tune stage's results.
    expect(definition.States.Refit).toMatchObject({
      Parameters: { 'tuning.$': '$.tuning', 'etl.$': '$.etl' },
      ResultPath: '$.refit',
      Next: 'Validate',
    });
    expect(JSON.stringify(definition.States.Refit?.Parameters)).toBe(
      JSON.stringify(definition.States.Tune?.ItemProcessor?.States.TrainCandidate?.Parameters).replace(
        '"training.$":"$.training"',
        '"tuning.$":"$.tuning"',
      ),
    );
    expect(definition.States.Validate).toMatchObject({
      Next: 'GatePassed?',
      Parameters: { 'tuning.$': '$.tuning', 'refit.$': '$.refit' },
    });
    expect(definition.States['GatePassed?']).toMatchObject({
      Type: 'Choice',
      Choices: [{ Variable: '$.validation.gate.passed', BooleanEquals: true, Next: 'Promote' }],
      Default: 'RecordRejected',
    });
    expect(definition.States.Promote).toMatchObject({
      Next: 'Release?',
      Parameters: { 'releaseMode.$': '$.etl.config.release.mode' },
    });
    // A version handed to a canary or shadow release starts the release state machine (not awaited), then Report.
    expect(definition.States['Release?']).toMatchObject({
      Type: 'Choice',
      Choices: [{ Variable: '$.promotion.release', BooleanEquals: true, Next: 'StartRelease' }],
      Default: 'Report',
    });
    expect(definition.States.StartRelease).toMatchObject({
      Resource: expect.stringContaining(':states:startExecution'),
      Next: 'Report',
    });
    expect(definitionText).toContain(':stateMachine:ServerlessMlops-release');
    expect(definition.States.RecordRejected).toMatchObject({ Next: 'Report' });
    expect(definition.States.Report).toMatchObject({ Next: 'Outcome?' });
  });

  it("tunes with a Map over the trainings ETL planned (trial × fold), at the model file's concurrency; a failed one is recorded, not fatal", () => {
    expect(definition.States.Tune).toMatchObject({
      Type: 'Map',
      ItemsPath: '$.etl.tuning.trainings',
      MaxConcurrencyPath: '$.etl.tuning.concurrency',
      ItemSelector: { 'run.$': '$.run', 'etl.$': '$.etl', 'training.$': '$$.Map.Item.Value' },
      ResultPath: '$.tuning',
      Catch: [{ ErrorEquals: ['States.ALL'], Next: 'RecordFailure', ResultPath: '$.error' }],
    });
    const inner = definition.States.Tune?.ItemProcessor;
    expect(inner?.StartAt).toBe('TrainCandidate');
    expect(inner?.States.TrainCandidate).toMatchObject({
      Parameters: { 'training.$': '$.training' },
      ResultPath: '$',
      End: true,
    });
    expect(inner?.States.TrialFailed).toMatchObject({
      Type: 'Pass',
      Parameters: { trial: { 'id.$': '$.training.trial', 'fold.$': '$.training.fold' }, 'error.$': '$.error' },
      End: true,
    });
  });

  it('starts at Resume?: an upload goes to RegisterRun, a re-drive of a failed run straight to its failed step', () => {
    const whole = JSON.parse(definitionText) as { StartAt: string };
    expect(whole.StartAt).toBe('Resume?');
    const resume = definition.States['Resume?'] as unknown as { Choices: { Next: string }[]; Default: string };
    expect(resume.Default).toBe('RegisterRun');
    // Validate through CrossValidated?: a run from before Refit existed has no $.refit to hand to Validate.
    expect(resume.Choices.map((c) => c.Next)).toEqual(['ETL', 'Tune', 'Refit', 'CrossValidated?', 'Report', 'Promote']);
  });

  it('sets an explicit TimeoutSeconds on every task (the local interpreter defaults to 60 s)', () => {
    for (const [name, state] of tasks()) expect(state.TimeoutSeconds, name).toBeGreaterThan(0);
    expect(definition.States.Tune?.ItemProcessor?.States.TrainCandidate?.TimeoutSeconds).toBeGreaterThanOrEqual(
      15 * 60,
    );
  });

  it("retries Lambda service errors and the functions' passing failures (TransientError) on every task; nothing else", () => {
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
    const catchTarget: Record<string, string> = {
      RecordFailure: 'FailureNotRecorded',
      Report: 'Outcome?',
      TrainCandidate: 'TrialFailed',
    };
    for (const [name, state] of tasks()) {
      expect(state.Catch?.[0]?.ErrorEquals, name).toEqual(['States.ALL']);
      expect(state.Catch?.[0]?.Next, name).toBe(catchTarget[name] ?? 'RecordFailure');
    }
    expect(definition.States.RunFailed).toMatchObject({
      Type: 'Fail',
      ErrorPath: '$.error.Error',
      CausePath: '$.failure.reason',
    });
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
        detail: {
          bucket: { name: [{ Ref: Match.stringLikeRegexp('^StorageDataBucket') }] },
          object: { key: [{ prefix: 'incoming/' }] },
        },
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
    expect(definition.States.RegisterRun).toMatchObject({
      Parameters: { 'event.$': '$', 'executionId.$': '$$.Execution.Id' },
    });
    expect(definition.States['Duplicate?']).toMatchObject({
      Choices: [{ Variable: '$.run.duplicate', BooleanEquals: true, Next: 'AlreadyRegistered' }],
    });
  });
});

describe('inference API', () => {
  it('routes every v1 route to its function with IAM authorization', () => {
    for (const routeKey of [
      'POST /v1/models/{model}/predict',
      'POST /v1/models/{model}/feedback',
      'GET /v1/models/{model}',
      'GET /v1/health',
      'GET /v1/openapi.json',
    ]) {
      template.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: routeKey, AuthorizationType: 'AWS_IAM' });
    }
    template.hasResourceProperties('AWS::ApiGatewayV2::Integration', {
      IntegrationType: 'AWS_PROXY',
      PayloadFormatVersion: '2.0',
    });
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      AccessLogSettings: { DestinationArn: Match.anyValue(), Format: Match.anyValue() },
    });
  });

  it('outputs bucket names, API URL and state machine ARN', () => {
    for (const name of [
      'DataBucketName',
      'ArtifactsBucketName',
      'RegistryTableName',
      'ApiUrl',
      'TrainingStateMachineArn',
    ])
      template.hasOutput(name, {});
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
