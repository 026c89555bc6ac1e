import { Aspects } from 'aws-cdk-lib';
import { AwsSolutionsChecks, NagSuppressions, ServerlessChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';

/**
 * Adds the cdk-nag rule packs the project is held to (AwsSolutions and Serverless) to everything under `scope`.
 * cdk-nag v2 works as an Aspect: each unsuppressed finding becomes an error annotation, so `cdk synth` and
 * `cdk deploy` stop, and `npm test` fails (test/cdk/nag.test.ts). Suppressions live next to the resource they are
 * about, narrowed with `appliesTo`, and docs/compliance.md lists them.
 */
export function addComplianceChecks(scope: IConstruct): void {
  Aspects.of(scope).add(new AwsSolutionsChecks({ verbose: true }));
  Aspects.of(scope).add(new ServerlessChecks({ verbose: true }));
}

/** A cdk-nag suppression: the rule, why it does not apply here, and (for granular rules) the exact findings. */
export interface Suppression {
  readonly id: string;
  readonly reason: string;
  /** Finding ids (`Resource::...`, `Action::...`) or `/regex/` strings; required for IAM4/IAM5. */
  readonly appliesTo?: readonly string[];
}

const GRANULAR_RULES = new Set(['AwsSolutions-IAM4', 'AwsSolutions-IAM5']);

/**
 * Suppresses cdk-nag findings on `construct` and the resources under it. IAM wildcard rules must name the findings
 * they cover, so a later, broader grant on the same role still fails the check.
 */
export function suppress(construct: IConstruct, suppressions: readonly Suppression[]): void {
  for (const s of suppressions) {
    if (GRANULAR_RULES.has(s.id) && !s.appliesTo?.length) {
      throw new Error(`a ${s.id} suppression must list the findings it applies to (appliesTo), not the whole rule`);
    }
  }
  NagSuppressions.addResourceSuppressions(
    construct,
    suppressions.map((s) => ({
      id: s.id,
      reason: s.reason,
      ...(s.appliesTo ? { appliesTo: s.appliesTo.map((a) => (a.startsWith('/') ? { regex: a } : a)) } : {}),
    })),
    true,
  );
}
