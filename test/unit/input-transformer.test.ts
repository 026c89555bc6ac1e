import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LocalEventBus, type EventBridgeEvent } from '../../local/events/event-bus.js';
import { readPath, transformInput } from '../../local/events/input-transformer.js';

/** The EC2 state-change event of EventBridge's "input transformation" page, and the variables its examples define. */
const EC2_EVENT = {
  version: '0',
  id: '7bf73129-1428-4cd3-a780-95db273d1602',
  'detail-type': 'EC2 Instance State-change Notification',
  source: 'aws.ec2',
  account: '123456789012',
  time: '2015-11-11T21:29:54Z',
  region: 'us-east-1',
  resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111'],
  detail: { 'instance-id': 'i-0123456789', state: 'RUNNING' },
};
const PATHS = {
  timestamp: '$.time',
  instance: '$.detail.instance-id',
  state: '$.detail.state',
  resource: '$.resources[0]',
};
const CONTEXT = {
  ruleName: 'my-rule',
  ruleArn: 'arn:aws:events:us-east-1:123456789012:rule/my-rule',
  ingestionTime: '2015-11-11T21:29:55Z',
};

describe('EventBridge input transformer (documented examples)', () => {
  it('fills a JSON template: placeholders outside strings take JSON values, inside strings their text', () => {
    const out = transformInput(
      {
        InputPathsMap: PATHS,
        InputTemplate:
          '{"timestamp": <timestamp>, "message": "At <timestamp> the EC2 instance <instance> changed state to <state>."}',
      },
      EC2_EVENT,
      CONTEXT,
    );
    expect(out).toEqual({
      timestamp: '2015-11-11T21:29:54Z',
      message: 'At 2015-11-11T21:29:54Z the EC2 instance i-0123456789 changed state to RUNNING.',
    });
  });

  it('fills a text template as a string, and reads array indexes', () => {
    expect(
      transformInput(
        { InputPathsMap: PATHS, InputTemplate: '<instance> is in state <state> (<resource>)' },
        EC2_EVENT,
        CONTEXT,
      ),
    ).toBe('i-0123456789 is in state RUNNING (arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111)');
  });

  it('offers the predefined variables: rule name and ARN, ingestion time, the event without and with detail', () => {
    const out = transformInput(
      {
        InputTemplate:
          '{"rule": <aws.events.rule-name>, "arn": "<aws.events.rule-arn>", "at": <aws.events.event.ingestion-time>, "event": <aws.events.event>, "full": <aws.events.event.json>}',
      },
      EC2_EVENT,
      CONTEXT,
    );
    const { detail: _d, ...withoutDetail } = EC2_EVENT;
    expect(out).toEqual({
      rule: 'my-rule',
      arn: CONTEXT.ruleArn,
      at: CONTEXT.ingestionTime,
      event: withoutDetail,
      full: EC2_EVENT,
    });
  });

  it('puts whole objects where asked, null for an absent path, and escapes quotes inside strings', () => {
    const event = { ...EC2_EVENT, detail: { note: 'say "hi"\n', nested: { a: [1, 2] } } };
    const out = transformInput(
      {
        InputPathsMap: { note: '$.detail.note', nested: '$.detail.nested', missing: '$.detail.nope' },
        InputTemplate: '{"n": "<note>", "o": <nested>, "m": <missing>, "x": "\\"<missing>\\""}',
      },
      event,
      CONTEXT,
    );
    expect(out).toEqual({ n: 'say "hi"\n', o: { a: [1, 2] }, m: null, x: '""' });
  });

  it('refuses reserved variable names and JSON path syntax EventBridge does not support', () => {
    expect(() =>
      transformInput({ InputPathsMap: { 'aws.mine': '$.time' }, InputTemplate: '<aws.mine>' }, EC2_EVENT, CONTEXT),
    ).toThrow(/reserved/);
    expect(() => readPath(EC2_EVENT, '$..state')).toThrow(/does not support/);
    expect(() => readPath(EC2_EVENT, 'detail')).toThrow(/must start with \$/);
  });

  it('round-trips any string value placed inside a JSON string (property)', () => {
    fc.assert(
      fc.property(fc.string(), (value) => {
        const out = transformInput(
          { InputPathsMap: { v: '$.detail.v' }, InputTemplate: '{"a": "<v>", "b": <v>}' },
          { ...EC2_EVENT, detail: { v: value } },
          CONTEXT,
        );
        expect(out).toEqual({ a: value, b: value });
      }),
    );
  });

  it('is what a rule target receives on the local bus', () => {
    const received: unknown[] = [];
    const bus = new LocalEventBus(
      [
        {
          name: 'r',
          arn: 'arn:aws:events:us-east-1:123456789012:rule/r',
          pattern: { source: ['aws.ec2'] },
          targets: [
            {
              id: 't',
              arn: 'arn:fn',
              inputTransformer: {
                InputPathsMap: { state: '$.detail.state' },
                InputTemplate: '{"model": "iris", "state": <state>, "rule": <aws.events.rule-name>}',
              },
            },
          ],
        },
      ],
      (_arn, input) => received.push(input),
    );
    expect(bus.put(EC2_EVENT as unknown as EventBridgeEvent)).toBe(1);
    expect(received).toEqual([{ model: 'iris', state: 'RUNNING', rule: 'r' }]);
  });
});
