import { randomUUID } from 'node:crypto';
import { matchesPattern } from './event-pattern.js';
import { readPath, transformInput, type InputTransformer } from './input-transformer.js';

export interface LocalRuleTarget {
  readonly id: string;
  readonly arn: string;
  /** Constant input (the target's `Input`), or a JSONPath like `$.detail` (`InputPath`); else the whole event. */
  readonly input?: string;
  readonly inputPath?: string;
  readonly inputTransformer?: InputTransformer;
}

export interface LocalRule {
  readonly name: string;
  readonly arn?: string;
  readonly pattern: Record<string, unknown>;
  readonly targets: LocalRuleTarget[];
}

export interface EventBridgeEvent {
  readonly version: '0';
  readonly id: string;
  readonly 'detail-type': string;
  readonly source: string;
  readonly account: string;
  readonly time: string;
  readonly region: string;
  readonly resources: string[];
  readonly detail: Record<string, unknown>;
}

export type TargetInvoker = (arn: string, input: unknown, rule: LocalRule) => void;

/** The default event bus: puts an event to every rule whose pattern matches, as EventBridge does. */
export class LocalEventBus {
  constructor(
    private readonly rules: readonly LocalRule[],
    private readonly invoke: TargetInvoker,
    /** Sees every event put on the bus, matched or not (the runtime keeps a journal of them). */
    private readonly onPut: (event: EventBridgeEvent) => void = () => undefined,
  ) {}

  put(event: EventBridgeEvent): number {
    this.onPut(event);
    let delivered = 0;
    for (const rule of this.rules) {
      if (!matchesPattern(rule.pattern, event)) continue;
      for (const target of rule.targets) {
        this.invoke(target.arn, targetInput(target, event, rule), rule);
        delivered += 1;
      }
    }
    return delivered;
  }
}

/**
 * What a target receives: its constant Input, the part of the event its InputPath selects, what its InputTransformer
 * makes of the event, or the whole event.
 */
export function targetInput(
  target: LocalRuleTarget,
  event: EventBridgeEvent,
  rule?: Pick<LocalRule, 'name' | 'arn'>,
): unknown {
  if (target.input !== undefined) return JSON.parse(target.input) as unknown;
  if (target.inputTransformer !== undefined) {
    const name = rule?.name ?? 'schedule';
    return transformInput(target.inputTransformer, event as unknown as Record<string, unknown>, {
      ruleName: name,
      ruleArn: rule?.arn ?? `arn:aws:events:${event.region}:${event.account}:rule/${name}`,
      ingestionTime: event.time,
    });
  }
  if (target.inputPath !== undefined) return readPath(event, target.inputPath);
  return event;
}

/** Builds the "Object Created" event S3 sends to EventBridge for a new object. */
export function objectCreatedEvent(options: {
  bucket: string;
  key: string;
  size: number;
  etag?: string;
  reason: string;
  region: string;
  account: string;
  sourceIp?: string;
}): EventBridgeEvent {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'Object Created',
    source: 'aws.s3',
    account: options.account,
    time: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
    region: options.region,
    resources: [`arn:aws:s3:::${options.bucket}`],
    detail: {
      version: '0',
      bucket: { name: options.bucket },
      object: {
        key: options.key,
        size: options.size,
        ...(options.etag ? { etag: options.etag } : {}),
        sequencer: Date.now().toString(16).toUpperCase(),
      },
      'request-id': randomUUID(),
      requester: options.account,
      'source-ip-address': options.sourceIp ?? '127.0.0.1',
      reason: options.reason,
    },
  };
}
