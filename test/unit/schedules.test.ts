import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../local/clock.js';
import { loadSchedules, runSchedules } from '../../local/events/schedules.js';
import { LocalResources } from '../../local/template.js';

const T0 = Date.UTC(2026, 10, 26, 9, 0, 0); // a Thursday

function setup(resources: Record<string, unknown>) {
  const template = new LocalResources(
    {
      Resources: {
        Fn: { Type: 'AWS::Lambda::Function' },
        Machine: { Type: 'AWS::StepFunctions::StateMachine' },
        ...resources,
      } as never,
    },
    { stackName: 'Stack', region: 'us-east-1', account: '000000000000', apiUrl: 'http://127.0.0.1:3000' },
  );
  const clock = new VirtualClock({ start: T0, rate: 0 });
  const delivered: { arn: string; input: unknown; at: string; source: string }[] = [];
  const schedules = loadSchedules(template, 'us-east-1', '000000000000', (arn, input, source) =>
    delivered.push({ arn, input, source, at: new Date(clock.now()).toISOString() }),
  );
  const stop = runSchedules(schedules, clock);
  return { clock, delivered, stop, schedules };
}

describe("the template's schedules on the runtime's clock", () => {
  it('fires a scheduled rule every 15 minutes with a "Scheduled Event" to its targets, in seconds of test time', async () => {
    const { clock, delivered, stop } = setup({
      Every15: {
        Type: 'AWS::Events::Rule',
        Properties: {
          ScheduleExpression: 'rate(15 minutes)',
          Targets: [{ Id: 'f', Arn: { 'Fn::GetAtt': ['Fn', 'Arn'] } }],
        },
      },
      Disabled: {
        Type: 'AWS::Events::Rule',
        Properties: {
          ScheduleExpression: 'rate(1 minute)',
          State: 'DISABLED',
          Targets: [{ Id: 'f', Arn: { 'Fn::GetAtt': ['Fn', 'Arn'] } }],
        },
      },
      Pattern: {
        Type: 'AWS::Events::Rule',
        Properties: {
          EventPattern: { source: ['aws.s3'] },
          Targets: [{ Id: 'f', Arn: { 'Fn::GetAtt': ['Fn', 'Arn'] } }],
        },
      },
    });
    await clock.advance(60 * 60_000);
    expect(delivered.map((d) => d.at)).toEqual([
      '2026-11-26T09:15:00.000Z',
      '2026-11-26T09:30:00.000Z',
      '2026-11-26T09:45:00.000Z',
      '2026-11-26T10:00:00.000Z',
    ]);
    expect(delivered[0]).toMatchObject({
      arn: 'arn:aws:lambda:us-east-1:000000000000:function:Stack-Fn',
      input: {
        'detail-type': 'Scheduled Event',
        source: 'aws.events',
        time: '2026-11-26T09:15:00Z',
        resources: ['arn:aws:events:us-east-1:000000000000:rule/Stack-Every15'],
        detail: {},
      },
    });
    stop();
    await clock.advance(60 * 60_000);
    expect(delivered).toHaveLength(4);
  });

  it("fires a Scheduler schedule in its time zone between its start and end dates, with the target's input", async () => {
    const { clock, delivered } = setup({
      Nightly: {
        Type: 'AWS::Scheduler::Schedule',
        Properties: {
          ScheduleExpression: 'cron(0 2 * * ? *)',
          ScheduleExpressionTimezone: 'Europe/Berlin',
          EndDate: '2026-11-29T00:00:00Z',
          FlexibleTimeWindow: { Mode: 'OFF' },
          Target: {
            Arn: { Ref: 'Machine' },
            Input:
              '{"model":"adult","check":"drift","at":"<aws.scheduler.scheduled-time>","attempt":"<aws.scheduler.attempt-number>"}',
            RoleArn: 'arn:aws:iam::000000000000:role/x',
          },
        },
      },
      Once: {
        Type: 'AWS::Scheduler::Schedule',
        Properties: {
          ScheduleExpression: 'at(2026-11-26T12:00:00)',
          FlexibleTimeWindow: { Mode: 'OFF' },
          Target: { Arn: { 'Fn::GetAtt': ['Fn', 'Arn'] } },
        },
      },
    });
    await clock.advance(7 * 24 * 3600_000);
    expect(delivered.map((d) => [d.at, d.source])).toEqual([
      ['2026-11-26T12:00:00.000Z', 'schedule Once'],
      ['2026-11-27T01:00:00.000Z', 'schedule Nightly'], // 02:00 in Berlin (UTC+1 in winter)
      ['2026-11-28T01:00:00.000Z', 'schedule Nightly'],
    ]);
    expect(delivered[1]).toMatchObject({
      arn: 'arn:aws:states:us-east-1:000000000000:stateMachine:Stack-Machine',
      // Scheduler's context attributes, filled in at each invocation: the time it was scheduled for.
      input: { model: 'adult', check: 'drift', at: '2026-11-27T01:00:00Z', attempt: '1' },
    });
  });
});
