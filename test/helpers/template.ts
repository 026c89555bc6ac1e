import type { Template } from 'aws-cdk-lib/assertions';
import { expect } from 'vitest';

export type Json = Record<string, unknown>;

/** The template's resources of one type, by logical id. */
export function resourcesOf(template: Template, type: string): [string, { Properties: Json; Metadata?: Json }][] {
  return Object.entries(template.findResources(type)) as [string, { Properties: Json; Metadata?: Json }][];
}

/** The IAM statements attached to the role of the function whose logical id starts with `prefix`. */
export function functionStatements(
  template: Template,
  prefix: string,
): { Action: string | string[]; Resource: unknown; Condition?: Json; Effect: string }[] {
  const policies = resourcesOf(template, 'AWS::IAM::Policy').filter(
    ([id]) => id.startsWith(`${prefix}Role`) && id.includes('DefaultPolicy'),
  );
  expect(policies).toHaveLength(1);
  return (policies[0]?.[1].Properties.PolicyDocument as { Statement: never[] }).Statement;
}

export const actionsOf = (s: { Action: string | string[] }): string[] =>
  Array.isArray(s.Action) ? s.Action : [s.Action];

/** The registry item prefixes a DynamoDB statement is limited to. */
export const leadingKeys = (s: { Condition?: Json }): unknown =>
  (s.Condition?.['ForAllValues:StringLike'] as Json | undefined)?.['dynamodb:LeadingKeys'];
