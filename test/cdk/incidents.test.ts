import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { actionsOf, functionStatements, leadingKeys, resourcesOf, type Json } from '../helpers/template.js';
import { testApp } from '../helpers/test-app.js';

/**
 * Incidents in the template (issue 22): every alarm reaches the incident rule, every alarm still has an action and an
 * explicit missing-data treatment, pages come from the incident function only, and its role is least privilege.
 */
let template: Template;
let stackName: string;

beforeAll(() => {
  const { app, stack } = testApp();
  app.synth();
  stackName = stack.stackName;
  template = Template.fromStack(stack);
});

const alarms = () => [
  ...resourcesOf(template, 'AWS::CloudWatch::Alarm'),
  ...resourcesOf(template, 'AWS::CloudWatch::CompositeAlarm'),
];
const refsOf = (value: unknown): string[] =>
  ((value ?? []) as { Ref?: string }[]).map((a) => a.Ref ?? JSON.stringify(a));
const incidentDeadLetterAlarm = () =>
  resourcesOf(template, 'AWS::CloudWatch::Alarm').find(([id]) => id.startsWith('IncidentsDeadLettered'));

describe('the incident rule', () => {
  it("matches every change of the stack's alarms into or out of ALARM, by the stack's name at the start of the alarm's", () => {
    const [[, rule]] = resourcesOf(template, 'AWS::Events::Rule').filter(([id]) =>
      id.startsWith('IncidentsAlarmChanges'),
    ) as [[string, { Properties: Json }]];
    expect(rule.Properties.EventPattern).toEqual({
      source: ['aws.cloudwatch'],
      'detail-type': ['CloudWatch Alarm State Change'],
      detail: {
        alarmName: [{ prefix: `${stackName}-` }],
        $or: [{ state: { value: ['ALARM'] } }, { previousState: { value: ['ALARM'] } }],
      },
    });
    const [target] = rule.Properties.Targets as { Arn: Json; Input?: unknown; DeadLetterConfig?: Json }[];
    expect(JSON.stringify(target?.Arn)).toMatch(/IncidentsIncident/);
    // The whole event: the function reads the alarm's metric from it.
    expect(target?.Input).toBeUndefined();
    expect(target).toMatchObject({
      DeadLetterConfig: expect.anything(),
      RetryPolicy: { MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 86_400 },
    });
    // CloudFormation names an alarm without a name `<stack>-<logical id>-<suffix>`; the named ones begin with the
    // stack's name too — except the incident function's own dead-letter alarm, which must not report to it.
    for (const [id, alarm] of alarms()) {
      const name = alarm.Properties.AlarmName as string | undefined;
      if (id === incidentDeadLetterAlarm()?.[0]) expect(name).toBe(`incident-pages-undelivered-${stackName}`);
      else if (name !== undefined) expect(name.startsWith(`${stackName}-`), id).toBe(true);
    }
  });

  it('sends the response workflows that end early (stopped, failed, timed out) to the incident function too', () => {
    const [[, rule]] = resourcesOf(template, 'AWS::Events::Rule').filter(([id]) =>
      id.startsWith('IncidentsResponseEnded'),
    ) as [[string, { Properties: Json }]];
    expect(rule.Properties.EventPattern).toEqual({
      source: ['aws.states'],
      'detail-type': ['Step Functions Execution Status Change'],
      detail: {
        status: ['ABORTED', 'FAILED', 'TIMED_OUT'],
        stateMachineArn: [{ Ref: expect.stringMatching(/^IncidentsStateMachine/) }],
      },
    });
    const [target] = rule.Properties.Targets as { Arn: Json; DeadLetterConfig?: Json }[];
    expect(JSON.stringify(target?.Arn)).toMatch(/IncidentsIncident/);
    expect(target?.DeadLetterConfig).toBeDefined();
  });

  it('every alarm still has an action and says what missing data means; only the dead-letter alarm pages directly', () => {
    for (const [id, alarm] of alarms()) {
      const actions = refsOf(alarm.Properties.AlarmActions);
      expect(actions.length, id).toBeGreaterThan(0);
      if (!id.startsWith('Model') || !id.includes('Composite'))
        if ('MetricName' in alarm.Properties || 'Metrics' in alarm.Properties)
          expect(['breaching', 'notBreaching'], id).toContain(alarm.Properties.TreatMissingData);
      const pages = actions.filter((a) => /^AlarmsTopic/.test(a));
      if (id === incidentDeadLetterAlarm()?.[0]) expect(pages, id).toHaveLength(1);
      else expect(pages, `${id} pages the alarm topic itself`).toEqual([]);
    }
  });
});

describe('the roles of incidents', () => {
  it('the incident function reads and writes incidents, reads the audit trail and runs, pages, starts responses: nothing else', () => {
    const statements = functionStatements(template, 'IncidentsIncident');
    const allows = statements.filter((s) => s.Effect === 'Allow');
    const dynamo = allows.filter((s) => actionsOf(s).some((a) => a.startsWith('dynamodb:')));
    expect(dynamo.map((s) => [actionsOf(s).sort(), leadingKeys(s)])).toEqual(
      expect.arrayContaining([
        [
          ['dynamodb:GetItem', 'dynamodb:Query'],
          ['AUDIT#*', 'RUN#*'],
        ],
        [['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem'], ['INCIDENT#*']],
      ]),
    );
    expect(dynamo).toHaveLength(2);
    const publish = allows.filter((s) => actionsOf(s).includes('sns:Publish'));
    expect(publish.map((s) => refsOf([s.Resource]))).toEqual([[expect.stringMatching(/^AlarmsTopic/)]]);
    const states = allows.filter((s) => actionsOf(s).some((a) => a.startsWith('states:')));
    expect(states.map((s) => [actionsOf(s).sort(), JSON.stringify(s.Resource)])).toEqual([
      [['states:SendTaskSuccess', 'states:StartExecution'], expect.stringContaining(':stateMachine:')],
    ]);
    expect(JSON.stringify(states[0]?.Resource)).toContain('-incident');
    const others = allows
      .flatMap(actionsOf)
      .filter((a) => !a.startsWith('dynamodb:') && !a.startsWith('states:') && a !== 'sns:Publish')
      .sort();
    // Its log group, X-Ray tracing, and the dead-letter queue of failed invocations.
    expect(others).toEqual([
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      'sqs:GetQueueAttributes',
      'sqs:GetQueueUrl',
      'sqs:SendMessage',
      'xray:PutTelemetryRecords',
      'xray:PutTraceSegments',
    ]);
  });

  it('the response function: incidents, the pointer it rolls back, the artifacts it checks, the topics, its own wait', () => {
    const allows = functionStatements(template, 'IncidentsResponse').filter((s) => s.Effect === 'Allow');
    const dynamo = allows.filter((s) => actionsOf(s).some((a) => a.startsWith('dynamodb:')));
    expect(dynamo.map((s) => [actionsOf(s).sort(), leadingKeys(s)])).toEqual(
      expect.arrayContaining([
        [
          ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem'],
          ['ALIAS#*', 'INCIDENT#*'],
        ],
        [['dynamodb:GetItem', 'dynamodb:Query'], ['VERSION#*']],
        [['dynamodb:PutItem'], ['AUDIT#*']],
      ]),
    );
    expect(dynamo).toHaveLength(3);
    const invokes = allows.filter((s) => actionsOf(s).includes('lambda:InvokeFunction'));
    expect(JSON.stringify(invokes)).toMatch(/ContinuousTrainingRetrain/);
    expect(JSON.stringify(invokes)).not.toMatch(/InferencePredict|TrainingPromote/);
    const topics = allows
      .filter((s) => actionsOf(s).includes('sns:Publish'))
      .flatMap((s) => refsOf(Array.isArray(s.Resource) ? s.Resource : [s.Resource]));
    expect(topics.sort()).toEqual([
      expect.stringMatching(/^AlarmsTopic/),
      expect.stringMatching(/^IncidentsDataScientistsTopic/),
      expect.stringMatching(/^IncidentsModelDevelopersTopic/),
    ]);
    const states = allows.filter((s) => actionsOf(s).some((a) => a.startsWith('states:')));
    expect(states.map((s) => actionsOf(s))).toEqual([['states:SendTaskSuccess']]);
  });

  it("the workflow's role invokes the response function only; it logs and traces", () => {
    const [[, machine]] = resourcesOf(template, 'AWS::StepFunctions::StateMachine').filter(([id]) =>
      id.startsWith('IncidentsStateMachine'),
    ) as [[string, { Properties: Json }]];
    expect(machine.Properties).toMatchObject({
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: { Level: 'ALL', IncludeExecutionData: true },
    });
    const policies = resourcesOf(template, 'AWS::IAM::Policy').filter(([id]) =>
      id.startsWith('IncidentsStateMachineRole'),
    );
    const invokes = policies.flatMap(([, p]) =>
      (
        p.Properties.PolicyDocument as { Statement: { Action: string | string[]; Resource: unknown }[] }
      ).Statement.filter((s) => actionsOf(s).includes('lambda:InvokeFunction')),
    );
    expect(JSON.stringify(invokes)).toMatch(/IncidentsResponse/);
    expect(JSON.stringify(invokes)).not.toMatch(/IncidentsIncident[A-Z0-9]/);
  });
});
