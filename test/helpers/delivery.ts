import type { Template } from 'aws-cdk-lib/assertions';

type Resource = { Type: string; Properties?: Record<string, unknown> };

/** Services that invoke a Lambda function asynchronously (fire and forget): their failures need somewhere to go. */
const ASYNC_INVOKERS = [
  'events.amazonaws.com',
  's3.amazonaws.com',
  'sns.amazonaws.com',
  'scheduler.amazonaws.com',
  'cloudwatch.amazonaws.com',
];

function logicalIdOf(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const getAtt = (value as { 'Fn::GetAtt'?: [string, string] })['Fn::GetAtt'];
  if (getAtt) return getAtt[0];
  return (value as { Ref?: string }).Ref;
}

/**
 * Every asynchronous delivery in a template that has no dead-letter queue or on-failure destination, as a sentence
 * per problem: EventBridge rule targets, SNS subscriptions, and functions that an asynchronous service may invoke.
 * cdk-nag's packs check some of these only for some resource types; this covers all of them.
 */
export function undeliverablePaths(template: Template): string[] {
  const resources = template.toJSON().Resources as Record<string, Resource>;
  const problems: string[] = [];
  const entries = Object.entries(resources);
  for (const [id, r] of entries.filter(([, r]) => r.Type === 'AWS::Events::Rule')) {
    for (const target of (r.Properties?.Targets as
      { Id: string; DeadLetterConfig?: { Arn?: unknown } }[] | undefined) ?? []) {
      if (!target.DeadLetterConfig?.Arn)
        problems.push(`EventBridge rule ${id}: target ${target.Id} has no dead-letter queue`);
    }
  }
  for (const [id, r] of entries.filter(([, r]) => r.Type === 'AWS::Scheduler::Schedule')) {
    const target = r.Properties?.Target as { DeadLetterConfig?: { Arn?: unknown } } | undefined;
    if (!target?.DeadLetterConfig?.Arn) problems.push(`schedule ${id} has no dead-letter queue`);
  }
  for (const [id, r] of entries.filter(([, r]) => r.Type === 'AWS::SNS::Subscription')) {
    if (!r.Properties?.RedrivePolicy) problems.push(`SNS subscription ${id} has no dead-letter queue (RedrivePolicy)`);
  }
  const asyncFunctions = new Set(
    entries
      .filter(
        ([, r]) => r.Type === 'AWS::Lambda::Permission' && ASYNC_INVOKERS.includes(String(r.Properties?.Principal)),
      )
      .map(([, r]) => logicalIdOf(r.Properties?.FunctionName))
      .filter((id): id is string => id !== undefined),
  );
  const onFailure = new Set(
    entries
      .filter(([, r]) => r.Type === 'AWS::Lambda::EventInvokeConfig')
      .filter(([, r]) => (r.Properties?.DestinationConfig as { OnFailure?: unknown } | undefined)?.OnFailure)
      .map(([, r]) => logicalIdOf(r.Properties?.FunctionName) ?? String(r.Properties?.FunctionName)),
  );
  for (const fn of asyncFunctions) {
    const props = resources[fn]?.Properties ?? {};
    if (!props.DeadLetterConfig && !onFailure.has(fn)) {
      problems.push(
        `function ${fn} is invoked asynchronously but has neither a dead-letter queue nor an on-failure destination`,
      );
    }
  }
  return problems;
}
