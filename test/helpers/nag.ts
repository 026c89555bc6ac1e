import type { Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';

export interface NagFinding {
  readonly path: string;
  readonly message: string;
}

/** Every unsuppressed cdk-nag finding (errors and warnings of any pack) on a synthesized stack. */
export function nagFindings(stack: Stack): NagFinding[] {
  const annotations = Annotations.fromStack(stack);
  const pattern = Match.stringLikeRegexp('^(AwsSolutions|Serverless|CdkNagValidationFailure)');
  return [...annotations.findError('*', pattern), ...annotations.findWarning('*', pattern)].map((m) => ({
    path: m.id,
    message: String(m.entry.data).split('\n')[0] ?? '',
  }));
}
