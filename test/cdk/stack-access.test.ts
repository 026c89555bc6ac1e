import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { candidateAlarmNames } from '../../lambdas/shared/contracts/metric-names.js';
import { actionsOf, functionStatements, leadingKeys, resourcesOf, type Json } from '../helpers/template.js';
import { testApp } from '../helpers/test-app.js';

/**
 * Who may do what in the stack, and its alarms: CDK assertions on the template. Synthesized without bundling (the
 * functions' code does not change a policy or an alarm; test/cdk/stack.test.ts checks the bundles).
 */
let template: Template;
const resourcesOfType = (type: string) => resourcesOf(template, type);
const statementsOf = (prefix: string) => functionStatements(template, prefix);

beforeAll(() => {
  const { app, stack } = testApp();
  app.synth();
  template = Template.fromStack(stack);
});

describe('no run stuck RUNNING', () => {
  it("sends the training executions that FAILED, TIMED_OUT or were ABORTED to FinishRun, which may read only those executions' history", () => {
    const [machineId] =
      resourcesOfType('AWS::StepFunctions::StateMachine').find(([id]) => id.startsWith('TrainingStateMachine')) ?? [];
    const [[, rule]] = resourcesOfType('AWS::Events::Rule').filter(([id]) =>
      id.startsWith('TrainingStoppedRunRule'),
    ) as [[string, { Properties: Json }]];
    expect(rule.Properties.EventPattern).toEqual({
      source: ['aws.states'],
      'detail-type': ['Step Functions Execution Status Change'],
      detail: { status: ['FAILED', 'TIMED_OUT', 'ABORTED'], stateMachineArn: [{ Ref: machineId }] },
    });
    const [target] = rule.Properties.Targets as { Arn: Json; DeadLetterConfig?: Json; RetryPolicy?: Json }[];
    expect(JSON.stringify(target?.Arn)).toMatch(/TrainingFinishRun/);
    expect(target).toMatchObject({
      DeadLetterConfig: expect.anything(),
      RetryPolicy: { MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 86_400 },
    });
    const [[, history]] = resourcesOfType('AWS::IAM::Policy').filter(([id]) =>
      id.startsWith('TrainingFinishRunHistory'),
    ) as [[string, { Properties: Json }]];
    const statements = (history.Properties.PolicyDocument as { Statement: { Action: string; Resource: unknown }[] })
      .Statement;
    expect(statements.map((st) => st.Action)).toEqual(['states:GetExecutionHistory']);
    expect(JSON.stringify(statements[0]?.Resource)).toContain(
      `:execution:",{"Fn::GetAtt":["${machineId}","Name"]},":*"`,
    );
    expect(JSON.stringify(history.Properties.Roles)).toMatch(/TrainingFinishRunRole/);
    // Invoked asynchronously by the rule: two retries, then the pipeline's dead-letter queue.
    const [[, invoke]] = resourcesOfType('AWS::Lambda::EventInvokeConfig').filter(([id]) =>
      id.startsWith('TrainingFinishRun'),
    ) as [[string, { Properties: Json }]];
    expect(invoke.Properties).toMatchObject({
      MaximumRetryAttempts: 2,
      DestinationConfig: {
        OnFailure: { Destination: { 'Fn::GetAtt': [expect.stringMatching(/^TrainingUploadEventsDlq/), 'Arn'] } },
      },
    });
  });
});

describe('least-privilege IAM', () => {
  it('predict can only read: the pointers and versions, and GetObject under models/', () => {
    const statements = statementsOf('InferencePredict');
    const actions = statements.filter((s) => s.Effect === 'Allow').flatMap(actionsOf);
    expect(actions.filter((a) => /^(dynamodb:(Put|Update|Delete|BatchWrite)|s3:(Put|Delete))/.test(a))).toEqual([]);
    const dynamo = statements.filter(
      (s) => s.Effect === 'Allow' && actionsOf(s).some((a) => a.startsWith('dynamodb:')),
    );
    expect(dynamo).toHaveLength(1);
    expect(leadingKeys(dynamo[0] as never)).toEqual(['ALIAS#*', 'RELEASE#*', 'VERSION#*']);
    expect(actionsOf(dynamo[0] as never).sort()).toEqual(['dynamodb:GetItem', 'dynamodb:Query']);
    const s3Resources = JSON.stringify(
      statements.filter((s) => actionsOf(s).some((a) => a.startsWith('s3:'))).map((s) => s.Resource),
    );
    expect(s3Resources).toContain('/models/*');
    expect(s3Resources).not.toContain('/runs/*');
  });

  it('feedback writes only its own items, and reads the pointers, the release and the versions (the classes a truth may be)', () => {
    const dynamo = statementsOf('InferenceFeedback').filter(
      (s) => s.Effect === 'Allow' && actionsOf(s).some((a) => a.startsWith('dynamodb:')),
    );
    const byKeys = Object.fromEntries(
      dynamo.map((s) => [JSON.stringify(leadingKeys(s as never)), actionsOf(s as never).sort()]),
    );
    expect(byKeys).toEqual({
      '["ALIAS#*","RELEASE#*","VERSION#*"]': ['dynamodb:GetItem', 'dynamodb:Query'],
      '["FEEDBACK#*"]': ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem'],
    });
  });

  it('ETL cannot touch the production pointer: its registry access is limited to run items and the data schema', () => {
    const dynamo = statementsOf('TrainingEtl').filter(
      (s) => s.Effect === 'Allow' && actionsOf(s).some((a) => a.startsWith('dynamodb:')),
    );
    expect(dynamo.length).toBeGreaterThan(0);
    for (const statement of dynamo) expect(leadingKeys(statement)).toEqual(['RUN#*', 'SCHEMA#*']);
    expect(JSON.stringify(dynamo)).not.toContain('ALIAS#');
  });

  it('only the promote and release functions and tier 1 of incidents (its rollback) may write the production pointer', () => {
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
      const statements = (
        p.Properties.PolicyDocument as { Statement: { Action: string | string[]; Condition?: Json }[] }
      ).Statement;
      return statements.some(
        (s) => actionsOf(s).includes('dynamodb:PutItem') && JSON.stringify(s.Condition ?? {}).includes('ALIAS#'),
      );
    });
    expect(writersOfAliases.map(([id]) => id).sort()).toEqual([
      expect.stringMatching(/^IncidentsResponse/),
      expect.stringMatching(/^ReleasesRelease/),
      expect.stringMatching(/^TrainingPromote/),
    ]);
  });
});

describe('append-only audit trail', () => {
  it('no role of the stack can update or delete audit items: allows exclude AUDIT#, and an explicit deny covers them', () => {
    const policies = resourcesOfType('AWS::IAM::Policy').map(
      ([id, p]) =>
        [
          id,
          (
            p.Properties.PolicyDocument as {
              Statement: { Effect: string; Action: string | string[]; Condition?: Json }[];
            }
          ).Statement,
        ] as const,
    );
    let rolesWithRegistryAccess = 0;
    for (const [id, statements] of policies) {
      const dynamoAllows = statements.filter(
        (s) => s.Effect === 'Allow' && actionsOf(s).some((a) => a.startsWith('dynamodb:') || a === '*'),
      );
      for (const statement of dynamoAllows) {
        const tampering = actionsOf(statement).filter((a) =>
          /^(dynamodb:(UpdateItem|DeleteItem|BatchWriteItem|\*)|\*)$/.test(a),
        );
        if (tampering.length === 0) continue;
        const keys = (leadingKeys(statement) ?? []) as string[];
        expect(keys.length, `${id} allows ${tampering.join(', ')} without a LeadingKeys condition`).toBeGreaterThan(0);
        expect(
          keys.filter((k) => k.startsWith('AUDIT#')),
          id,
        ).toEqual([]);
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
    expect(rolesWithRegistryAccess).toBe(15);
  });

  it('the promote function may append audit events (PutItem only)', () => {
    const appends = statementsOf('TrainingPromote').filter(
      (s) => s.Effect === 'Allow' && JSON.stringify(leadingKeys(s as never) ?? []).includes('AUDIT#'),
    );
    expect(appends.map((s) => actionsOf(s))).toEqual([['dynamodb:PutItem']]);
  });
});

describe('alarms', () => {
  it('gives every alarm an action and an explicit missing-data treatment, and every composite an action', () => {
    for (const [id, alarm] of resourcesOfType('AWS::CloudWatch::Alarm')) {
      expect((alarm.Properties.AlarmActions as unknown[] | undefined)?.length, id).toBeGreaterThan(0);
      expect(['breaching', 'notBreaching', 'ignore', 'missing'], id).toContain(alarm.Properties.TreatMissingData);
    }
    for (const [id, alarm] of resourcesOfType('AWS::CloudWatch::CompositeAlarm'))
      expect((alarm.Properties.AlarmActions as unknown[]).length, id).toBeGreaterThan(0);
  });

  it("declares each model's alarms from its model file: error rate, p99 latency, no traffic (production's silence counted from its promotion), failed run, and serving's load failures", () => {
    const perModel = Object.fromEntries(
      resourcesOfType('AWS::CloudWatch::Alarm')
        .filter(([id]) => id.startsWith('Modeladult') && !id.includes('Candidate'))
        .map(([, a]) => [a.Properties.MetricName, a.Properties]),
    );
    const dims = [
      { Name: 'model', Value: 'adult' },
      { Name: 'service', Value: 'mlops-predict' },
    ];
    expect(perModel.PredictServerErrors).toMatchObject({
      Namespace: 'ServerlessMlops',
      Dimensions: dims,
      Statistic: 'Average',
      Period: 300,
      Threshold: 0.05,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'notBreaching',
    });
    expect(perModel.PredictLatency).toMatchObject({
      Dimensions: dims,
      ExtendedStatistic: 'p99',
      Threshold: 2000,
      ComparisonOperator: 'GreaterThanThreshold',
    });
    // The monitor's figure, on its schedule (15 minutes): a fresh model is not silent for the hours before it.
    expect(perModel.ProductionSilentHours).toMatchObject({
      Dimensions: [
        { Name: 'model', Value: 'adult' },
        { Name: 'service', Value: 'mlops-monitor' },
      ],
      Statistic: 'Maximum',
      Period: 900,
      EvaluationPeriods: 1,
      Threshold: 24,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
    });
    expect(perModel.RunsFailed).toMatchObject({
      Dimensions: [
        { Name: 'model', Value: 'adult' },
        { Name: 'service', Value: 'mlops-finish-run' },
      ],
      Statistic: 'Sum',
      Threshold: 1,
    });
    // What serving counts about loading the model: refresh failures, a candidate that cannot load, serving off the
    // pointer, requests while no version is in production.
    const atLeast = {
      Dimensions: dims,
      Period: 300,
      EvaluationPeriods: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
    };
    expect(perModel.ModelRefreshFailures).toMatchObject({ ...atLeast, Statistic: 'Sum', Threshold: 3 });
    expect(perModel.CandidateLoadFailures).toMatchObject({ ...atLeast, Statistic: 'Sum', Threshold: 1 });
    expect(perModel.ServedVersionMismatch).toMatchObject({ ...atLeast, Statistic: 'Maximum', Threshold: 1 });
    expect(perModel.PredictModelMissing).toMatchObject({ ...atLeast, Statistic: 'Sum', Threshold: 10 });
    // The candidate's alarms during a release: the same limits, per minute, on the candidate variant's metrics.
    const candidate = Object.fromEntries(
      resourcesOfType('AWS::CloudWatch::Alarm')
        .filter(([id]) => id.startsWith('ModeladultCandidate'))
        .map(([, a]) => [a.Properties.MetricName, a.Properties]),
    );
    const variantDims = [...dims, { Name: 'variant', Value: 'candidate' }].sort((a, b) => a.Name.localeCompare(b.Name));
    expect(candidate.PredictServerErrors).toMatchObject({
      Dimensions: variantDims,
      Statistic: 'Average',
      Period: 60,
      Threshold: 0.05,
      TreatMissingData: 'notBreaching',
    });
    expect(candidate.PredictLatency).toMatchObject({
      Dimensions: variantDims,
      ExtendedStatistic: 'p99',
      Period: 60,
      Threshold: 2000,
    });
  });

  it("names each model's candidate alarms from the stack and model names, so the release function needs only the stack's name", () => {
    const names = resourcesOfType('AWS::CloudWatch::Alarm')
      .filter(([id]) => id.startsWith('ModeladultCandidate'))
      .map(([, a]) => a.Properties.AlarmName);
    expect(names.sort()).toEqual(Object.values(candidateAlarmNames('ServerlessMlops', 'adult')).sort());
    const [, release] = resourcesOfType('AWS::Lambda::Function').find(([id]) => id.startsWith('ReleasesRelease')) as [
      string,
      { Properties: Json },
    ];
    const variables = (release.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
    // The same variables for one model or a hundred: nothing per model travels in the environment (4 KB at most).
    expect(variables.STACK_NAME).toBe('ServerlessMlops');
    expect(Object.keys(variables).some((name) => name.includes('ALARM'))).toBe(false);
    const describe = statementsOf('ReleasesRelease').filter((s) => actionsOf(s).includes('cloudwatch:DescribeAlarms'));
    expect(describe).toHaveLength(1);
    expect(JSON.stringify(describe[0]?.Resource)).toMatch(/:alarm:ServerlessMlops-\*-candidate-\*"\]\]\}$/);
  });

  it('pages once per model with a composite "degraded" alarm over them, suppressed while a release is in progress', () => {
    const [[, composite]] = resourcesOfType('AWS::CloudWatch::CompositeAlarm') as [
      [string, { Properties: Record<string, unknown> }],
    ];
    const release = resourcesOfType('AWS::CloudWatch::Alarm').find(
      ([, a]) => a.Properties.MetricName === 'ReleaseInProgress',
    );
    expect(composite.Properties).toMatchObject({
      ActionsSuppressor: { 'Fn::GetAtt': [release?.[0], 'Arn'] },
      ActionsSuppressorWaitPeriod: 120,
      ActionsSuppressorExtensionPeriod: 300,
    });
    const rule = JSON.stringify(composite.Properties.AlarmRule);
    for (const metric of [
      'PredictServerErrors',
      'PredictLatency',
      'ProductionSilentHours',
      'RunsFailed',
      'ModelRefreshFailures',
      'CandidateLoadFailures',
      'ServedVersionMismatch',
      'PredictModelMissing',
    ]) {
      const [id] =
        resourcesOfType('AWS::CloudWatch::Alarm').find(
          ([i, a]) => i.startsWith('Modeladult') && a.Properties.MetricName === metric,
        ) ?? [];
      expect(rule, metric).toContain(id);
    }
    expect(rule).toMatch(/^\{"Fn::Join":\["",\["\(ALARM\(\\""/);
    expect(resourcesOfType('AWS::CloudWatch::Dashboard')).toHaveLength(1);
  });
});

describe('what the nag suppressions rely on', () => {
  const XRAY = ['xray:PutTelemetryRecords', 'xray:PutTraceSegments'];
  const LOG_DELIVERY = [
    'logs:CreateLogDelivery',
    'logs:DeleteLogDelivery',
    'logs:DescribeLogGroups',
    'logs:DescribeResourcePolicies',
    'logs:GetLogDelivery',
    'logs:ListLogDeliveries',
    'logs:PutResourcePolicy',
    'logs:UpdateLogDelivery',
    'xray:GetSamplingRules',
    'xray:GetSamplingTargets',
  ];
  const allowStatements = () =>
    resourcesOfType('AWS::IAM::Policy').flatMap(([id, p]) =>
      (
        p.Properties.PolicyDocument as { Statement: { Effect: string; Action: string | string[]; Resource: unknown }[] }
      ).Statement.filter((s) => s.Effect === 'Allow').map((s) => ({
        policy: id,
        actions: actionsOf(s),
        resources: Array.isArray(s.Resource) ? s.Resource : [s.Resource],
      })),
    );

  it('uses Resource "*" only for X-Ray, log delivery and the monitor reading metrics, which have no resource-level permissions', () => {
    const starred = allowStatements().filter((s) => s.resources.includes('*'));
    expect(starred.length).toBeGreaterThan(0);
    for (const s of starred) {
      const allowed = /^(Training|Releases|Incidents)StateMachineRole/.test(s.policy)
        ? [...XRAY, ...LOG_DELIVERY]
        : /^LiveMonitoringMonitorRole/.test(s.policy)
          ? [...XRAY, 'cloudwatch:GetMetricData']
          : XRAY;
      expect(
        s.actions.filter((a) => !allowed.includes(a)),
        s.policy,
      ).toEqual([]);
    }
  });

  it('names every S3 and DynamoDB action exactly: no wildcard actions anywhere', () => {
    const wildcards = allowStatements().flatMap((s) =>
      s.actions.filter((a) => a.includes('*')).map((a) => `${s.policy}: ${a}`),
    );
    expect(wildcards).toEqual([]);
  });

  it('attaches no AWS managed policy: each function may write only to its own log group', () => {
    for (const [, role] of resourcesOfType('AWS::IAM::Role')) expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^TrainingEtlRole') }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
            Effect: 'Allow',
            Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^TrainingEtlLogs'), 'Arn'] },
          },
        ]),
      },
    });
  });

  it('lets a reader see 404 for a missing object (ListBucket on the bucket), and scopes object reads to the prefix', () => {
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^TrainingRegisterRunRole') }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: ['s3:GetObject', 's3:GetObjectVersion'],
            Resource: Match.arrayWith([
              {
                'Fn::Join': [
                  '',
                  [{ 'Fn::GetAtt': [Match.stringLikeRegexp('^StorageDataBucket'), 'Arn'] }, '/incoming/*'],
                ],
              },
            ]),
          }),
          Match.objectLike({
            Action: 's3:ListBucket',
            Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^StorageDataBucket'), 'Arn'] },
          }),
        ]),
      },
    });
  });
});
