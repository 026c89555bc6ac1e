import type { Template } from 'aws-cdk-lib/assertions';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { actionsOf, functionStatements, leadingKeys, resourcesOf, type Json } from '../helpers/template.js';
import { synthesizedTemplate } from '../helpers/test-app.js';

/** The monitor of live traffic in the template: its schedules from the model files, and what it may touch. */
let template: Template;

beforeAll(() => {
  const models = mkdtempSync(join(tmpdir(), 'mlops-models-'));
  const base = { task: 'binary', label: 'class', positiveClass: '>50K' };
  const write = (name: string, extra: object) =>
    writeFileSync(join(models, `${name}.json`), JSON.stringify({ name, ...base, ...extra }));
  write('often', { monitoring: { schedule: 'rate(5 minutes)' } });
  write('daily', { monitoring: { schedule: 'rate(1 day)' }, retraining: { schedule: 'rate(7 days)' } });
  write('plain', { retraining: { onAlarm: false } });
  template = synthesizedTemplate({ stackProps: { modelsDir: models } });
});

interface Widget {
  properties: { title: string; metrics?: unknown[][]; period?: number };
}

/** A model's dashboard widgets: the body is a join of text and tokens (the region), the tokens a placeholder. */
function widgetsOf(model: string): Widget[] {
  const [[, dashboard]] = resourcesOf(template, 'AWS::CloudWatch::Dashboard').filter(([id]) =>
    id.startsWith(`Model${model}`),
  ) as [[string, { Properties: { DashboardBody: Json } }]];
  const joined = (dashboard.Properties.DashboardBody as { 'Fn::Join': [string, (string | Json)[]] })['Fn::Join'][1]
    .map((part) => (typeof part === 'string' ? part : 'REGION'))
    .join('');
  return (JSON.parse(joined) as { widgets: Widget[] }).widgets;
}

describe('the monitor of live traffic', () => {
  it('runs each model on its own schedule from the model file (15 minutes by default), retried, then dead-lettered', () => {
    const schedules = resourcesOf(template, 'AWS::Scheduler::Schedule')
      .map(([, s]) => s.Properties)
      .filter((s) => JSON.stringify((s.Target as Json).Arn).includes('LiveMonitoringMonitor'));
    const byModel = Object.fromEntries(
      schedules.map((s) => {
        const target = s.Target as { Input: string; Arn: Json; RetryPolicy: Json; DeadLetterConfig?: Json };
        return [(JSON.parse(target.Input) as { model: string }).model, { s, target }];
      }),
    );
    expect(Object.keys(byModel).sort()).toEqual(['daily', 'often', 'plain']);
    expect(byModel.often?.s.ScheduleExpression).toBe('rate(5 minutes)');
    expect(byModel.daily?.s.ScheduleExpression).toBe('rate(1 day)');
    expect(byModel.plain?.s.ScheduleExpression).toBe('rate(15 minutes)');
    for (const { s, target } of Object.values(byModel)) {
      expect(s.FlexibleTimeWindow).toEqual({ Mode: 'OFF' });
      expect(JSON.parse(target.Input)).toEqual(
        expect.objectContaining({ trigger: 'schedule', scheduledTime: '<aws.scheduler.scheduled-time>' }),
      );
      expect(JSON.stringify(target.Arn)).toMatch(/LiveMonitoringMonitor/);
      expect(target.RetryPolicy).toEqual({ MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 3600 });
      expect(JSON.stringify(target.DeadLetterConfig)).toMatch(/LiveMonitoringUndelivered/);
    }
  });

  it("the schedules' role may invoke the monitor and dead-letter, nothing else", () => {
    const [[, policy]] = resourcesOf(template, 'AWS::IAM::Policy').filter(([id]) =>
      id.startsWith('LiveMonitoringScheduleRole'),
    ) as [[string, { Properties: Json }]];
    const statements = (
      policy.Properties.PolicyDocument as { Statement: { Action: string | string[]; Resource: unknown }[] }
    ).Statement;
    expect(statements.flatMap((s) => actionsOf(s)).sort()).toEqual(['lambda:InvokeFunction', 'sqs:SendMessage']);
    for (const s of statements) expect(JSON.stringify(s.Resource)).toMatch(/LiveMonitoring(Monitor|Undelivered)/);
  });

  it('the monitor reads capture, feedback, the runs’ references and the served artifact, and writes only its window items and reports', () => {
    const statements = functionStatements(template, 'LiveMonitoringMonitor');
    const allows = statements.filter((s) => s.Effect === 'Allow');
    const dynamo = allows.filter((s) => actionsOf(s).some((a) => a.startsWith('dynamodb:')));
    expect(
      Object.fromEntries(dynamo.map((s) => [JSON.stringify(leadingKeys(s as never)), actionsOf(s).sort()])),
    ).toEqual({
      '["ALIAS#*","VERSION#*"]': ['dynamodb:GetItem', 'dynamodb:Query'],
      '["MONITOR#*"]': ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query'],
    });
    const s3 = allows.filter((s) => actionsOf(s).some((a) => a.startsWith('s3:')));
    expect([...new Set(s3.flatMap((s) => actionsOf(s)))].sort()).toEqual([
      's3:GetObject',
      's3:GetObjectVersion',
      's3:ListBucket',
      's3:PutObject',
    ]);
    const prefixes = (action: string) =>
      s3
        .filter((s) => actionsOf(s).includes(action))
        .flatMap((s) => (Array.isArray(s.Resource) ? s.Resource : [s.Resource]))
        .map((resource) => /\/([a-z-]+)\/\*"\]\]\}$/.exec(JSON.stringify(resource))?.[1])
        .sort();
    // The served version's artifact (influence re-scores labelled windows with it) besides the references.
    expect(prefixes('s3:GetObject')).toEqual(['capture', 'feedback', 'models', 'runs']);
    // Its reports, and nothing else.
    expect(prefixes('s3:PutObject')).toEqual(['monitoring']);
  });
});

describe("alarms on the monitor's figures", () => {
  const alarmsOf = (model: string) =>
    resourcesOf(template, 'AWS::CloudWatch::Alarm')
      .filter(([id]) => id.startsWith(`Model${model}`))
      .map(([id, a]) => [id.replace(/[0-9A-F]{8}$/, '').slice(`Model${model}`.length), a.Properties] as const);

  it('judges the production variant per schedule interval, 2 of 3 windows, missing data not breaching', () => {
    const byName = Object.fromEntries(alarmsOf('often'));
    const expected = {
      InputDrift: ['DriftedFeatureShare', 0],
      PredictionDrift: ['PredictionDrift', 0.5],
      EstimatedDecay: ['EstimatedPerformanceDrop', 0.05],
      RealizedDecay: ['RealizedPerformanceDrop', 0.05],
    } as const;
    for (const [name, [metric, threshold]] of Object.entries(expected)) {
      expect(byName[name], name).toMatchObject({
        MetricName: metric,
        Namespace: 'ServerlessMlops',
        Dimensions: expect.arrayContaining([
          { Name: 'service', Value: 'mlops-monitor' },
          { Name: 'model', Value: 'often' },
          { Name: 'variant', Value: 'production' },
        ]),
        Statistic: 'Maximum',
        Period: 300,
        EvaluationPeriods: 3,
        DatapointsToAlarm: 2,
        Threshold: threshold,
        ComparisonOperator: 'GreaterThanThreshold',
        TreatMissingData: 'notBreaching',
        AlarmActions: [expect.anything()],
      });
    }
    expect(Object.fromEntries(alarmsOf('daily')).InputDrift).toMatchObject({ Period: 86_400 });
  });

  it("the no-traffic alarm watches production's silence counted from its promotion; no figure is no silence", () => {
    const noTraffic = Object.fromEntries(alarmsOf('often')).NoTraffic as Json;
    expect(noTraffic).toMatchObject({
      MetricName: 'ProductionSilentHours',
      Namespace: 'ServerlessMlops',
      Statistic: 'Maximum',
      Period: 300,
      EvaluationPeriods: 1,
      Threshold: 24,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
      AlarmActions: [expect.anything()],
    });
    expect(noTraffic.Dimensions).toEqual([
      { Name: 'model', Value: 'often' },
      { Name: 'service', Value: 'mlops-monitor' },
    ]);
    // The monitor reads predict's request count for it: GetMetricData, which has no resource-level permissions.
    const reads = functionStatements(template, 'LiveMonitoringMonitor').filter((st) =>
      actionsOf(st).some((a) => a.startsWith('cloudwatch:')),
    );
    expect(reads.flatMap((st) => actionsOf(st).filter((a) => a.startsWith('cloudwatch:')))).toEqual([
      'cloudwatch:GetMetricData',
    ]);
    expect(reads.map((st) => st.Resource)).toEqual(['*']);
  });

  it('rolls drift and decay into one "needs retraining" composite per model, quiet during a release', () => {
    const composites = resourcesOf(template, 'AWS::CloudWatch::CompositeAlarm').filter(([id]) =>
      /^Modeloften.*NeedsRetraining/.test(id),
    );
    expect(composites).toHaveLength(1);
    const [[, composite]] = composites as [[string, { Properties: Json }]];
    const rule = JSON.stringify(composite.Properties.AlarmRule);
    for (const child of ['InputDrift', 'PredictionDrift', 'EstimatedDecay', 'RealizedDecay'])
      expect(rule).toContain(`Modeloften${child}`);
    expect(JSON.stringify(composite.Properties.ActionsSuppressor)).toMatch(/ModeloftenReleaseInProgress/);
    expect(composite.Properties.AlarmActions).toHaveLength(1);
  });

  it("the model's dashboard shows drift, estimated against realized performance, and the retraining runs", () => {
    const widgets = widgetsOf('often');
    const graph = (title: RegExp) => {
      const found = widgets.find((w) => title.test(w.properties.title));
      if (found === undefined) throw new Error(`no widget ${title}`);
      return found.properties.metrics?.map((m) => m.filter((x) => typeof x === 'string').join(' ')) ?? [];
    };
    const monitored = (metric: string) =>
      `ServerlessMlops ${metric} model often service mlops-monitor variant production`;
    expect(graph(/often: drift/)).toEqual([
      expect.stringContaining(monitored('DriftedFeatureShare')),
      expect.stringContaining(monitored('PredictionDrift')),
      expect.stringContaining(monitored('FeatureInfluenceGrowth')),
    ]);
    expect(graph(/often: performance, estimated .* and realized/)).toEqual([
      expect.stringContaining(monitored('EstimatedPerformance')),
      expect.stringContaining(monitored('RealizedPerformance')),
    ]);
    expect(graph(/often: retraining runs/)).toEqual([
      expect.stringContaining('ServerlessMlops RetrainingsStarted model often service mlops-retrain'),
      expect.stringContaining('ServerlessMlops RetrainingsWithNothingNew model often service mlops-retrain'),
    ]);
    // One point per monitored window: the schedule's interval (a day for this model; CloudWatch's default of 5
    // minutes is left out of the body).
    const daily = widgetsOf('daily');
    for (const title of [/daily: drift/, /daily: performance/]) {
      const metrics = daily.find((w) => title.test(w.properties.title))?.properties.metrics ?? [];
      expect(metrics.length).toBeGreaterThan(0);
      for (const metric of metrics) expect(metric.at(-1)).toMatchObject({ period: 86_400, stat: 'Maximum' });
    }
  });
});

describe('continuous training', () => {
  it("retrains on each model's needs-retraining alarm going to ALARM (unless the model file says no), retried, then dead-lettered", () => {
    const rules = resourcesOf(template, 'AWS::Events::Rule').filter(([id]) => id.startsWith('ContinuousTrainingRule'));
    expect(rules.map(([id]) => id.replace(/[0-9A-F]{8}$/, '')).sort()).toEqual([
      'ContinuousTrainingRuledaily',
      'ContinuousTrainingRuleoften',
    ]);
    for (const [id, rule] of rules) {
      const model = id.includes('daily') ? 'daily' : 'often';
      const pattern = rule.Properties.EventPattern as Json;
      expect(pattern).toMatchObject({
        source: ['aws.cloudwatch'],
        'detail-type': ['CloudWatch Alarm State Change'],
        detail: { state: { value: ['ALARM'] } },
      });
      expect(JSON.stringify(pattern.resources)).toMatch(new RegExp(`Model${model}NeedsRetraining`));
      const [target] = rule.Properties.Targets as {
        Arn: Json;
        InputTransformer: Json;
        DeadLetterConfig: Json;
        RetryPolicy: Json;
      }[];
      expect(JSON.stringify(target?.Arn)).toMatch(/ContinuousTrainingRetrain/);
      expect(JSON.stringify(target?.InputTransformer)).toContain(`\\"trigger\\":\\"alarm\\"`);
      expect(target?.RetryPolicy).toEqual({ MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 86_400 });
      expect(JSON.stringify(target?.DeadLetterConfig)).toMatch(/ContinuousTrainingUndelivered/);
    }
  });

  it('retrains on the retraining schedule a model file sets, and no other', () => {
    const schedules = resourcesOf(template, 'AWS::Scheduler::Schedule')
      .map(([, s]) => s.Properties)
      .filter((s) => JSON.stringify((s.Target as Json).Arn).includes('ContinuousTrainingRetrain'));
    expect(schedules).toHaveLength(1);
    expect(schedules[0]).toMatchObject({ ScheduleExpression: 'rate(7 days)', FlexibleTimeWindow: { Mode: 'OFF' } });
    expect(JSON.parse((schedules[0]?.Target as { Input: string }).Input)).toEqual({
      model: 'daily',
      trigger: 'schedule',
    });
  });

  it('the retrain function may start the training pipeline and write its own items, audit events and feedback rows, nothing else', () => {
    const allows = functionStatements(template, 'ContinuousTrainingRetrain').filter((s) => s.Effect === 'Allow');
    const dynamo = allows.filter((s) => actionsOf(s).some((a) => a.startsWith('dynamodb:')));
    expect(
      Object.fromEntries(dynamo.map((s) => [JSON.stringify(leadingKeys(s as never)), actionsOf(s).sort()])),
    ).toEqual({
      '["ALIAS#*","RUN#*"]': ['dynamodb:GetItem', 'dynamodb:Query'],
      '["AUDIT#*"]': ['dynamodb:PutItem'],
      '["RETRAIN#*"]': ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem'],
    });
    const states = allows.filter((s) => actionsOf(s).some((a) => a.startsWith('states:')));
    expect(states.map((s) => actionsOf(s))).toEqual([['states:StartExecution']]);
    expect(JSON.stringify(states[0]?.Resource)).toMatch(/TrainingStateMachine/);
    const writes = allows.filter((s) => actionsOf(s).includes('s3:PutObject'));
    expect(writes.map((s) => JSON.stringify(s.Resource))).toEqual([expect.stringMatching(/\/retraining\/\*"\]\]\}$/)]);
    expect(
      allows.flatMap((s) => actionsOf(s)).filter((a) => a.startsWith('lambda:') || a.startsWith('s3:Delete')),
    ).toEqual([]);
  });
});
