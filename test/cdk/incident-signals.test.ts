import { describe, expect, it } from 'vitest';
import { classifyAlarm } from '../../lambdas/core/incidents/classify.js';
import { resourcesOf, type Json } from '../helpers/template.js';
import { synthesizedTemplate } from '../helpers/test-app.js';

/** A dimension's value as deployed: a token (the queue's name) stands for the logical id CloudFormation names it by. */
const valueOf = (value: unknown): string =>
  typeof value === 'string'
    ? value
    : ((value as { 'Fn::GetAtt'?: [string] })['Fn::GetAtt']?.[0] ?? JSON.stringify(value));

describe('every alarm of the stack is known to the incident logic (issue 22)', () => {
  const template = synthesizedTemplate();
  const alarms = resourcesOf(template, 'AWS::CloudWatch::Alarm').map(([id, a]) => {
    const p = a.Properties as Json;
    const dimensions = Object.fromEntries(
      ((p.Dimensions as { Name: string; Value: unknown }[] | undefined) ?? []).map((d) => [d.Name, valueOf(d.Value)]),
    );
    const metric = { namespace: p.Namespace as string, name: p.MetricName as string, dimensions };
    return { id, signal: classifyAlarm(id, metric) };
  });

  it('classifies each metric alarm by the metric it watches: its model and its place on the causal chain', () => {
    expect(alarms.length).toBeGreaterThan(20);
    expect(alarms.filter((a) => a.signal === null).map((a) => a.id)).toEqual([]);
  });

  it('puts the model alarms and the stack-wide ones where the chain says', () => {
    const kindOf = (prefix: string) => alarms.find((a) => a.id.startsWith(prefix))?.signal;
    expect(kindOf('ModeladultInputDrift')).toMatchObject({ model: 'adult', kind: 'input_drift' });
    expect(kindOf('ModeladultRealizedDecay')).toMatchObject({ model: 'adult', kind: 'realized_decay' });
    expect(kindOf('ModeladultNoTraffic')).toMatchObject({ model: 'adult', kind: 'no_traffic' });
    expect(kindOf('ModeladultRefreshFailures')).toMatchObject({ model: 'adult', kind: 'serving_load' });
    expect(kindOf('ModeladultCandidateErrorRate')).toMatchObject({ model: 'adult', kind: 'release' });
    expect(kindOf('AlarmsPipelineFailed')).toMatchObject({ model: null, kind: 'pipeline' });
    expect(kindOf('AlarmsUploadEventsDeadLettered')).toMatchObject({ model: null, kind: 'data' });
    expect(kindOf('AlarmsPredictErrors')).toMatchObject({ model: null, kind: 'platform' });
    expect(kindOf('AlarmsApiServerErrors')).toMatchObject({ model: null, kind: 'platform' });
    expect(kindOf('LiveMonitoringDeadLettered')).toMatchObject({ model: null, kind: 'platform' });
  });
});
