import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../local/clock.js';
import { LocalCloudWatch } from '../../local/cloudwatch/local-cloudwatch.js';
import { LocalResources } from '../../local/template.js';

const T0 = Date.UTC(2026, 10, 26, 12);

describe('the local CloudWatch across a restart', () => {
  it("gives a composite alarm its state from its children's kept states, though none of them changes", async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'mlops-cw-'));
    const resources = new LocalResources(
      {
        Resources: {
          Child: {
            Type: 'AWS::CloudWatch::Alarm',
            Properties: {
              Namespace: 'n',
              MetricName: 'm',
              Statistic: 'Sum',
              Period: 60,
              EvaluationPeriods: 1,
              Threshold: 1,
              ComparisonOperator: 'GreaterThanOrEqualToThreshold',
              TreatMissingData: 'ignore',
            },
          },
          Parent: { Type: 'AWS::CloudWatch::CompositeAlarm', Properties: { AlarmRule: 'ALARM("Stack-Child")' } },
        },
      },
      { stackName: 'Stack', region: 'us-east-1', account: '000000000000', apiUrl: 'http://127.0.0.1:3000' },
    );
    // The child was in ALARM when the runtime stopped; with `ignore` and no data it stays so without a transition.
    mkdirSync(join(stateDir, 'cloudwatch'), { recursive: true });
    writeFileSync(
      join(stateDir, 'cloudwatch', 'alarms.json'),
      JSON.stringify({ 'Stack-Child': { state: 'ALARM', reason: 'before the restart', updatedAt: T0 - 60_000 } }),
    );
    const clock = new VirtualClock({ start: T0, rate: 0 });
    const cloudwatch = new LocalCloudWatch({
      resources,
      stateDir,
      clock,
      region: 'us-east-1',
      account: '000000000000',
      putEvent: () => undefined,
      invokeFunction: async () => undefined,
    });
    cloudwatch.start();
    expect(cloudwatch.composites.describe()[0]?.status.state).toBe('INSUFFICIENT_DATA');
    await clock.advance(60_000);
    expect(cloudwatch.alarms.describe()[0]?.status).toMatchObject({ state: 'ALARM', reason: 'before the restart' });
    expect(cloudwatch.composites.describe()[0]?.status.state).toBe('ALARM');
    await cloudwatch.stop();
  });
});
