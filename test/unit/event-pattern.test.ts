import { describe, expect, it } from 'vitest';
import { objectCreatedEvent } from '../../local/events/event-bus.js';
import { matchesPattern } from '../../local/events/event-pattern.js';

const event = objectCreatedEvent({
  bucket: 'data',
  key: 'incoming/adult/a.csv',
  size: 10,
  etag: 'abc',
  reason: 'PutObject',
  region: 'us-east-1',
  account: '0',
});

describe('EventBridge pattern matching', () => {
  it('matches the upload rule the stack synthesizes', () => {
    const pattern = {
      source: ['aws.s3'],
      'detail-type': ['Object Created'],
      detail: { bucket: { name: ['data'] }, object: { key: [{ prefix: 'incoming/' }] } },
    };
    expect(matchesPattern(pattern, event)).toBe(true);
    expect(matchesPattern({ ...pattern, detail: { ...pattern.detail, bucket: { name: ['other'] } } }, event)).toBe(
      false,
    );
    expect(
      matchesPattern({ ...pattern, detail: { ...pattern.detail, object: { key: [{ prefix: 'outgoing/' }] } } }, event),
    ).toBe(false);
  });

  it('supports exists, anything-but, suffix, numeric, wildcard and array fields', () => {
    expect(matchesPattern({ detail: { object: { etag: [{ exists: true }] } } }, event)).toBe(true);
    expect(matchesPattern({ detail: { object: { 'version-id': [{ exists: false }] } } }, event)).toBe(true);
    expect(matchesPattern({ source: [{ 'anything-but': ['aws.ec2'] }] }, event)).toBe(true);
    expect(matchesPattern({ detail: { object: { key: [{ suffix: '.csv' }] } } }, event)).toBe(true);
    expect(matchesPattern({ detail: { object: { size: [{ numeric: ['>', 5, '<=', 10] }] } } }, event)).toBe(true);
    expect(matchesPattern({ detail: { object: { size: [{ numeric: ['>', 10] }] } } }, event)).toBe(false);
    expect(matchesPattern({ detail: { object: { key: [{ wildcard: 'incoming/*/a.csv' }] } } }, event)).toBe(true);
    expect(matchesPattern({ resources: ['arn:aws:s3:::data'] }, event)).toBe(true);
  });

  it('matches "$or" as documented: any of its sub-patterns, together with the fields beside it', () => {
    // The documented example: source "aws.cloudwatch" and either metricName "CPUUtilization" or namespace "AWS/EC2".
    const pattern = {
      source: ['aws.cloudwatch'],
      $or: [{ metricName: ['CPUUtilization'] }, { namespace: ['AWS/EC2'] }],
    };
    expect(
      matchesPattern(pattern, { source: 'aws.cloudwatch', metricName: 'CPUUtilization', namespace: 'AWS/Lambda' }),
    ).toBe(true);
    expect(matchesPattern(pattern, { source: 'aws.cloudwatch', metricName: 'Errors', namespace: 'AWS/EC2' })).toBe(
      true,
    );
    expect(matchesPattern(pattern, { source: 'aws.cloudwatch', metricName: 'Errors', namespace: 'AWS/Lambda' })).toBe(
      false,
    );
    expect(matchesPattern(pattern, { source: 'aws.ec2', metricName: 'CPUUtilization' })).toBe(false);
    // Nested inside a field: an alarm change into or out of ALARM.
    const alarmChanges = {
      detail: { $or: [{ state: { value: ['ALARM'] } }, { previousState: { value: ['ALARM'] } }] },
    };
    expect(
      matchesPattern(alarmChanges, { detail: { state: { value: 'OK' }, previousState: { value: 'ALARM' } } }),
    ).toBe(true);
    expect(
      matchesPattern(alarmChanges, {
        detail: { state: { value: 'OK' }, previousState: { value: 'INSUFFICIENT_DATA' } },
      }),
    ).toBe(false);
    expect(() => matchesPattern({ $or: { a: ['b'] } }, event)).toThrow('"$or" must be an array of patterns');
  });

  it('refuses an operator it does not know instead of matching silently', () => {
    expect(() => matchesPattern({ source: [{ cidr: '10.0.0.0/8' }] }, event)).toThrow(
      'the EventBridge operator "cidr" is not supported',
    );
  });
});
