import { Duration } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';

export interface TrainingStepFunctions {
  readonly registerRun: lambda.IFunction;
  readonly etl: lambda.IFunction;
  readonly train: lambda.IFunction;
  readonly validate: lambda.IFunction;
  readonly promote: lambda.IFunction;
  readonly report: lambda.IFunction;
  readonly finishRun: lambda.IFunction;
}

/** Step timeouts: each task's TimeoutSeconds is its function's timeout plus a margin for the invoke itself. */
export interface TrainingStepTimeouts {
  readonly registerRun: Duration;
  readonly etl: Duration;
  readonly train: Duration;
  readonly validate: Duration;
  readonly promote: Duration;
  readonly report: Duration;
  readonly finishRun: Duration;
}

const INVOKE_MARGIN = Duration.seconds(60);

/**
 * The training pipeline, in JSONPath (the local interpreter ignores JSONata):
 *
 *   Resume? → RegisterRun → Duplicate? → ETL → Train → Validate → Report → GatePassed? → Promote
 *                                                                           ↘ RecordRejected
 *   (a failed Report is recorded in $.reportError and the run goes on: the card must not block a release)
 *   any step fails → RecordFailure → RunFailed
 *
 * The execution input is the EventBridge "Object Created" event. State accumulates under `run`, `etl`, `train`,
 * `validation`; only S3 locations and summaries travel between states (the payload limit is 256 KB).
 */
export function trainingDefinition(scope: Construct, fns: TrainingStepFunctions, timeouts: TrainingStepTimeouts): sfn.IChainable {
  const step = (id: string, fn: lambda.IFunction, timeout: Duration, payload: Record<string, unknown>, resultPath: string): tasks.LambdaInvoke => {
    const task = new tasks.LambdaInvoke(scope, id, {
      lambdaFunction: fn,
      payload: sfn.TaskInput.fromObject(payload),
      payloadResponseOnly: true,
      resultPath,
      taskTimeout: sfn.Timeout.duration(timeout.plus(INVOKE_MARGIN)),
      retryOnServiceExceptions: true,
    });
    task.addRetry({
      // Throttling (account concurrency reached) clears by itself: wait longer than for service errors.
      errors: ['Lambda.TooManyRequestsException'],
      interval: Duration.seconds(5),
      maxAttempts: 8,
      backoffRate: 2,
      jitterStrategy: sfn.JitterType.FULL,
    });
    return task;
  };

  const failureNotRecorded = new sfn.Fail(scope, 'FailureNotRecorded', {
    comment: 'The run failed and recording the failure failed too; see the execution history.',
    errorPath: '$.recordingError.Error',
    causePath: '$.recordingError.Cause',
  });
  const recordFailure = step(
    'RecordFailure',
    fns.finishRun,
    timeouts.finishRun,
    { outcome: 'FAILED', 'state.$': '$' },
    '$.failure',
  ).addCatch(failureNotRecorded, { errors: ['States.ALL'], resultPath: '$.recordingError' });
  recordFailure.next(
    new sfn.Fail(scope, 'RunFailed', { errorPath: '$.error.Error', causePath: '$.failure.reason' }),
  );

  const withCatch = (task: tasks.LambdaInvoke): tasks.LambdaInvoke => {
    task.addCatch(recordFailure, { errors: ['States.ALL'], resultPath: '$.error' });
    return task;
  };

  const registerRun = withCatch(
    step(
      'RegisterRun',
      fns.registerRun,
      timeouts.registerRun,
      { 'event.$': '$', 'executionId.$': '$$.Execution.Id' },
      '$.run',
    ),
  );
  const etl = withCatch(step('ETL', fns.etl, timeouts.etl, { 'run.$': '$.run' }, '$.etl'));
  const train = withCatch(step('Train', fns.train, timeouts.train, { 'run.$': '$.run', 'etl.$': '$.etl' }, '$.train'));
  const validate = withCatch(
    step('Validate', fns.validate, timeouts.validate, { 'run.$': '$.run', 'etl.$': '$.etl', 'train.$': '$.train' }, '$.validation'),
  );
  const promote = withCatch(
    step('Promote', fns.promote, timeouts.promote, { 'run.$': '$.run', 'validation.$': '$.validation' }, '$.promotion'),
  );
  const report = step('Report', fns.report, timeouts.report, { 'run.$': '$.run', 'etl.$': '$.etl' }, '$.report');
  const recordRejected = withCatch(
    step('RecordRejected', fns.finishRun, timeouts.finishRun, { outcome: 'REJECTED', 'state.$': '$' }, '$.rejection'),
  );

  const gatePassed = new sfn.Choice(scope, 'GatePassed?')
    .when(sfn.Condition.booleanEquals('$.validation.gate.passed', true), promote.next(new sfn.Succeed(scope, 'Promoted')))
    .otherwise(recordRejected.next(new sfn.Succeed(scope, 'Rejected')));
  report.addCatch(gatePassed, { errors: ['States.ALL'], resultPath: '$.reportError' });

  registerRun.next(
    new sfn.Choice(scope, 'Duplicate?')
      .when(sfn.Condition.booleanEquals('$.run.duplicate', true), new sfn.Succeed(scope, 'AlreadyRegistered', {
        comment: 'The same object (bucket, key, ETag) already has a run: nothing to do.',
      }))
      .otherwise(
        etl
          .next(train)
          .next(validate)
          .next(report)
          .next(gatePassed),
      ),
  );

  // A re-drive of a FAILED run (mlops runs redrive) starts a new execution at the step that failed, with the state
  // the run had reached; an upload event has no `resume` and starts at RegisterRun.
  const resumable = { ETL: etl, Train: train, Validate: validate, Report: report, Promote: promote } as const;
  const resume = new sfn.Choice(scope, 'Resume?');
  for (const [name, state] of Object.entries(resumable)) {
    resume.when(sfn.Condition.and(sfn.Condition.isPresent('$.resume.step'), sfn.Condition.stringEquals('$.resume.step', name)), state);
  }
  return resume.otherwise(registerRun);
}
