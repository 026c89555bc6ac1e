import { Duration } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';
import { functionStep } from './function-step.js';

export interface ReleaseStepFunctions {
  /** The release function: begin, prepare-check, judge-check, tick, abort. */
  readonly release: lambda.IFunction;
  /** The serving function, invoked directly with the release check's request. */
  readonly predict: lambda.IFunction;
}

/**
 * A release of a candidate that passed its gate, in JSONPath. Input: `{model, candidateVersion, release}` (the run's
 * model file's `release` section).
 *
 *   Begin → PrepareCheck → InvokeCandidate → JudgeCheck → CheckPassed? → Bake (1 min) → Tick → Outcome? ─ baking ↺ Bake
 *                                                           ↘ CheckFailed                      ↘ Promoted / RolledBack / Stopped
 *   any task fails → Abort (share 0, audited) → ReleaseFailed
 *
 * A bake is a loop of one-minute waits so the candidate's alarms are read every minute (a rollback within a minute,
 * then serving drops the candidate within its refresh interval) and ReleaseInProgress is published every minute
 * (the model's "degraded" alarm stays suppressed while the release runs).
 */
export function releaseDefinition(
  scope: Construct,
  fns: ReleaseStepFunctions,
  timeouts: { release: Duration; predict: Duration },
): sfn.IChainable {
  const calls = releaseTasks(scope, fns, timeouts);
  const guarded = abortOnFailure(scope, calls.step);
  const bake = bakeLoop(
    scope,
    guarded(
      calls.step(
        'Tick',
        { action: 'tick', 'model.$': '$.model', 'minutesLeft.$': '$.verdict.minutesLeft' },
        '$.verdict',
      ),
    ),
  );
  const passed = new sfn.Choice(scope, 'CheckPassed?')
    .when(sfn.Condition.booleanEquals('$.verdict.passed', true), bake)
    .otherwise(
      new sfn.Succeed(scope, 'CheckFailed', {
        comment: 'The release check rejected the candidate before any traffic.',
      }),
    );
  return releaseCheck(calls, guarded).next(passed);
}

/** Begin, then the release check: rows of the test split through the candidate, judged against the validated answers. */
function releaseCheck(
  calls: ReturnType<typeof releaseTasks>,
  guarded: <T extends tasks.LambdaInvoke>(task: T) => T,
): sfn.Chain {
  const { step } = calls;
  const begin = guarded(
    step(
      'Begin',
      {
        action: 'begin',
        'model.$': '$.model',
        'candidateVersion.$': '$.candidateVersion',
        'release.$': '$.release',
        'executionArn.$': '$$.Execution.Id',
      },
      '$.begun',
    ),
  );
  const prepare = guarded(
    step(
      'PrepareCheck',
      {
        action: 'prepare-check',
        'model.$': '$.model',
        'candidateVersion.$': '$.candidateVersion',
        'rows.$': '$.release.checkRows',
      },
      '$.check',
    ),
  );
  const invoke = guarded(calls.invokeCandidate());
  const judge = guarded(
    step(
      'JudgeCheck',
      {
        action: 'judge-check',
        'model.$': '$.model',
        'candidateVersion.$': '$.candidateVersion',
        'budgetMs.$': '$.release.checkLatencyMs',
        'expected.$': '$.check.expected',
        'response.$': '$.check.invoked.response',
      },
      '$.verdict',
    ),
  );
  return begin.next(prepare).next(invoke).next(judge);
}

type ReleaseStep = (id: string, payload: Record<string, unknown>, resultPath: string) => tasks.LambdaInvoke;

/** The release function's steps (retried with backoff on passing failures) and the direct call of the candidate. */
function releaseTasks(
  scope: Construct,
  fns: ReleaseStepFunctions,
  timeouts: { release: Duration; predict: Duration },
): { step: ReleaseStep; invokeCandidate: () => tasks.LambdaInvoke } {
  const margin = Duration.seconds(60);
  return {
    step: (id, payload, resultPath) =>
      functionStep(scope, id, { fn: fns.release, payload, resultPath, fnTimeout: timeouts.release }),
    // The optimized integration (the payload from a path); its result is {Payload, StatusCode, ExecutedVersion}.
    invokeCandidate: () =>
      new tasks.LambdaInvoke(scope, 'InvokeCandidate', {
        lambdaFunction: fns.predict,
        payload: sfn.TaskInput.fromJsonPathAt('$.check.event'),
        resultSelector: { 'response.$': '$.Payload' },
        resultPath: '$.check.invoked',
        taskTimeout: sfn.Timeout.duration(timeouts.predict.plus(margin)),
        retryOnServiceExceptions: true,
      }),
  };
}

/** Any task that fails goes to Abort (share 0, audited), then ReleaseFailed. */
function abortOnFailure(scope: Construct, step: ReleaseStep): <T extends tasks.LambdaInvoke>(task: T) => T {
  const failed = new sfn.Fail(scope, 'ReleaseFailed', { errorPath: '$.error.Error', causePath: '$.error.Cause' });
  const abort = step(
    'Abort',
    { action: 'abort', 'model.$': '$.model', 'reason.$': "States.Format('a release step failed: {}', $.error.Cause)" },
    '$.aborted',
  );
  abort.addCatch(failed, { errors: ['States.ALL'], resultPath: '$.abortError' });
  abort.next(failed);
  return <T extends tasks.LambdaInvoke>(task: T): T =>
    task.addCatch(abort, { errors: ['States.ALL'], resultPath: '$.error' }) as T;
}

/** A minute's wait, then a tick (alarms read, ReleaseInProgress published), until the release is promoted or ends. */
function bakeLoop(scope: Construct, tick: tasks.LambdaInvoke): sfn.Wait {
  const bake = new sfn.Wait(scope, 'Bake', { time: sfn.WaitTime.duration(Duration.minutes(1)) });
  const outcome = new sfn.Choice(scope, 'Outcome?')
    .when(sfn.Condition.stringEquals('$.verdict.outcome', 'baking'), bake)
    .when(sfn.Condition.stringEquals('$.verdict.outcome', 'promoted'), new sfn.Succeed(scope, 'Promoted'))
    .when(
      sfn.Condition.stringEquals('$.verdict.outcome', 'rolled-back'),
      new sfn.Succeed(scope, 'RolledBack', { comment: 'An alarm fired: production answers everything again.' }),
    )
    .otherwise(
      new sfn.Succeed(scope, 'Stopped', { comment: 'The release was aborted (mlops release <model> abort).' }),
    );
  bake.next(tick).next(outcome);
  return bake;
}
