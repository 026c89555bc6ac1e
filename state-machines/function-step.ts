import { Duration } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';
import { RETRYABLE_ERROR_NAMES } from '../lambdas/core/errors.js';

/**
 * A step of a function the state machine runs (the release's, the incident response's): its payload in, its answer at
 * `resultPath`, a task timeout a minute beyond the function's own, and retries with backoff on passing failures —
 * Lambda's service errors and throttling, and the project's TransientError.
 */
export function functionStep(
  scope: Construct,
  id: string,
  step: { fn: lambda.IFunction; payload: Record<string, unknown>; resultPath: string; fnTimeout: Duration },
): tasks.LambdaInvoke {
  const task = new tasks.LambdaInvoke(scope, id, {
    lambdaFunction: step.fn,
    payload: sfn.TaskInput.fromObject(step.payload),
    payloadResponseOnly: true,
    resultPath: step.resultPath,
    taskTimeout: sfn.Timeout.duration(step.fnTimeout.plus(Duration.seconds(60))),
    retryOnServiceExceptions: true,
  });
  task.addRetry({
    errors: [...RETRYABLE_ERROR_NAMES, 'Lambda.TooManyRequestsException'],
    interval: Duration.seconds(2),
    maxAttempts: 3,
    backoffRate: 2,
    jitterStrategy: sfn.JitterType.FULL,
  });
  return task;
}
