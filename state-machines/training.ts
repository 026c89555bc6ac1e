import { Duration } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';
import { RETRYABLE_ERROR_NAMES } from '../lambdas/core/errors.js';
import { PIPELINE_STEPS } from '../lambdas/shared/contracts/pipeline-steps.js';
import { selectionStage, tuneStage, type StepFactory } from './search-stages.js';

export interface TrainingStepFunctions {
  readonly registerRun: lambda.IFunction;
  readonly etl: lambda.IFunction;
  readonly train: lambda.IFunction;
  readonly validate: lambda.IFunction;
  readonly promote: lambda.IFunction;
  readonly report: lambda.IFunction;
  readonly finishRun: lambda.IFunction;
  /** The release state machine, started (not awaited) for a version handed to a canary or shadow release. */
  readonly release: sfn.IStateMachine;
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
 *   Resume? → RegisterRun → Duplicate? → ETL → Tune → CrossValidated? → Validate → GatePassed? → Promote → Release? → Report → Outcome?
 *                                                   ↘ Refit ↗                      ↘ RecordRejected ↗  ↘ StartRelease ↗
 *   StartRelease hands a version to the release state machine when its model file asks for a canary or shadow.
 *   Tune is a Map over the trainings ETL planned — each trial of the search and the linear baseline, once or, when the
 *   run cross-validates, once per fold — each trained by the Train function, `$.etl.tuning.concurrency` at a time; a
 *   training that fails is recorded and the search goes on. Refit (the Train function again) chooses out of fold and
 *   trains the chosen trial and the baseline on train + validation; a run compared on one split skips it.
 *   Report runs after the decision, so the card states the outcome; a failed Report is recorded in $.reportError
 *   and the run still ends as decided (the card must not undo a release).
 *   any step fails → RecordFailure → RunFailed
 *
 * The execution input is the EventBridge "Object Created" event. State accumulates under `run`, `etl`, `tuning`,
 * `refit`, `validation`; only S3 locations and summaries travel between states (the payload limit is 256 KB).
 */
export function trainingDefinition(
  scope: Construct,
  fns: TrainingStepFunctions,
  timeouts: TrainingStepTimeouts,
): sfn.IChainable {
  const states = pipelineSteps(scope, fns, timeouts);
  const { registerRun, etl, tune, validate } = states;
  registerRun.next(
    new sfn.Choice(scope, 'Duplicate?')
      .when(
        sfn.Condition.booleanEquals('$.run.duplicate', true),
        new sfn.Succeed(scope, 'AlreadyRegistered', {
          comment: 'The same object (bucket, key, ETag) already has a run: nothing to do.',
        }),
      )
      .otherwise(etl.next(tune).next(states.selection)),
  );
  validate.next(decision(scope, states));
  // A re-drive of a FAILED run (mlops runs redrive) starts a new execution at the step that failed, with the state
  // the run had reached; an upload event has no `resume` and starts at RegisterRun.
  const resumable = {
    [PIPELINE_STEPS.etl]: etl,
    [PIPELINE_STEPS.tune]: tune,
    [PIPELINE_STEPS.refit]: states.refit,
    // Through the choice: a run that failed in Validate before Refit existed has no $.refit yet.
    [PIPELINE_STEPS.validate]: states.selection,
    [PIPELINE_STEPS.report]: states.report,
    [PIPELINE_STEPS.promote]: states.promote,
  };
  const resume = new sfn.Choice(scope, 'Resume?');
  for (const [name, state] of Object.entries(resumable)) {
    resume.when(
      sfn.Condition.and(sfn.Condition.isPresent('$.resume.step'), sfn.Condition.stringEquals('$.resume.step', name)),
      state,
    );
  }
  return resume.otherwise(registerRun);
}

interface PipelineSteps {
  readonly registerRun: tasks.LambdaInvoke;
  readonly etl: tasks.LambdaInvoke;
  readonly tune: sfn.Map;
  readonly refit: tasks.LambdaInvoke;
  /** After Tune: Refit when the run cross-validates, then Validate. */
  readonly selection: sfn.Choice;
  readonly validate: tasks.LambdaInvoke;
  readonly promote: tasks.LambdaInvoke;
  readonly startRelease: tasks.StepFunctionsStartExecution;
  readonly report: tasks.LambdaInvoke;
  readonly recordRejected: tasks.LambdaInvoke;
}

/** The pipeline's tasks, each but Report caught into RecordFailure (a failed card must not undo the decision). */
function pipelineSteps(scope: Construct, fns: TrainingStepFunctions, timeouts: TrainingStepTimeouts): PipelineSteps {
  const step = stepFactory(scope);
  const recordFailure = recordFailureState(scope, step, fns.finishRun, timeouts.finishRun);
  const withCatch = <T extends tasks.LambdaInvoke | sfn.Map | tasks.StepFunctionsStartExecution>(state: T): T => {
    state.addCatch(recordFailure, { errors: ['States.ALL'], resultPath: '$.error' });
    return state;
  };
  const validate = withCatch(
    step(
      'Validate',
      fns.validate,
      timeouts.validate,
      { 'run.$': '$.run', 'etl.$': '$.etl', 'tuning.$': '$.tuning', 'refit.$': '$.refit' },
      '$.validation',
    ),
  );
  const refit = withCatch(
    step('Refit', fns.train, timeouts.train, { 'run.$': '$.run', 'etl.$': '$.etl', 'tuning.$': '$.tuning' }, '$.refit'),
  );
  return {
    refit,
    validate,
    selection: selectionStage(scope, refit, validate),
    registerRun: withCatch(
      step(
        'RegisterRun',
        fns.registerRun,
        timeouts.registerRun,
        { 'event.$': '$', 'executionId.$': '$$.Execution.Id' },
        '$.run',
      ),
    ),
    etl: withCatch(step('ETL', fns.etl, timeouts.etl, { 'run.$': '$.run' }, '$.etl')),
    tune: withCatch(tuneStage(scope, step, fns.train, timeouts.train)),
    promote: withCatch(
      step(
        'Promote',
        fns.promote,
        timeouts.promote,
        { 'run.$': '$.run', 'validation.$': '$.validation', 'releaseMode.$': '$.etl.config.release.mode' },
        '$.promotion',
      ),
    ),
    startRelease: withCatch(startReleaseState(scope, fns.release)),
    report: step('Report', fns.report, timeouts.report, { 'run.$': '$.run', 'etl.$': '$.etl' }, '$.report'),
    recordRejected: withCatch(
      step('RecordRejected', fns.finishRun, timeouts.finishRun, { outcome: 'REJECTED', 'state.$': '$' }, '$.rejection'),
    ),
  };
}

/** After Validate: promote (and maybe release) or record the rejection, then the card, then the outcome. */
function decision(scope: Construct, states: PipelineSteps): sfn.Choice {
  const { promote, startRelease, report, recordRejected } = states;
  const outcome = new sfn.Choice(scope, 'Outcome?')
    .when(
      sfn.Condition.booleanEquals('$.validation.gate.passed', true),
      new sfn.Succeed(scope, 'Released', { comment: 'Promoted, or awaiting approval' }),
    )
    .otherwise(new sfn.Succeed(scope, 'Rejected'));
  report.addCatch(outcome, { errors: ['States.ALL'], resultPath: '$.reportError' });
  report.next(outcome);
  return new sfn.Choice(scope, 'GatePassed?')
    .when(
      sfn.Condition.booleanEquals('$.validation.gate.passed', true),
      promote.next(
        new sfn.Choice(scope, 'Release?')
          .when(sfn.Condition.booleanEquals('$.promotion.release', true), startRelease.next(report))
          .otherwise(report),
      ),
    )
    .otherwise(recordRejected.next(report));
}

/**
 * A Lambda task of the pipeline: the function's timeout plus a margin, service errors retried by CDK, the functions'
 * own passing failures and Lambda throttling retried here with jittered backoff.
 */
function stepFactory(scope: Construct): StepFactory {
  return (id, fn, timeout, payload, resultPath) => {
    const task = new tasks.LambdaInvoke(scope, id, {
      lambdaFunction: fn,
      payload: sfn.TaskInput.fromObject(payload),
      payloadResponseOnly: true,
      resultPath,
      taskTimeout: sfn.Timeout.duration(timeout.plus(INVOKE_MARGIN)),
      retryOnServiceExceptions: true,
    });
    task.addRetry({
      // The functions' own passing failures (throttled or unavailable dependencies, as TransientError): back off and
      // try again; data, configuration and integrity errors are not retried, they fail the run at once.
      errors: [...RETRYABLE_ERROR_NAMES],
      interval: Duration.seconds(2),
      maxAttempts: 3,
      backoffRate: 2,
      jitterStrategy: sfn.JitterType.FULL,
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
}

/** Where every step's failure goes: the run recorded as FAILED with its reason, then the execution fails. */
function recordFailureState(
  scope: Construct,
  step: StepFactory,
  finishRun: lambda.IFunction,
  timeout: Duration,
): tasks.LambdaInvoke {
  const failureNotRecorded = new sfn.Fail(scope, 'FailureNotRecorded', {
    comment: 'The run failed and recording the failure failed too; see the execution history.',
    errorPath: '$.recordingError.Error',
    causePath: '$.recordingError.Cause',
  });
  const recordFailure = step('RecordFailure', finishRun, timeout, { outcome: 'FAILED', 'state.$': '$' }, '$.failure');
  recordFailure.addCatch(failureNotRecorded, { errors: ['States.ALL'], resultPath: '$.recordingError' });
  recordFailure.next(new sfn.Fail(scope, 'RunFailed', { errorPath: '$.error.Error', causePath: '$.failure.reason' }));
  return recordFailure;
}

/** Hands the version to the release state machine; the release runs for its own time (bake periods of minutes to a day). */
function startReleaseState(scope: Construct, release: sfn.IStateMachine): tasks.StepFunctionsStartExecution {
  const task = new tasks.StepFunctionsStartExecution(scope, 'StartRelease', {
    stateMachine: release,
    integrationPattern: sfn.IntegrationPattern.REQUEST_RESPONSE,
    input: sfn.TaskInput.fromObject({
      'model.$': '$.run.model',
      'candidateVersion.$': '$.promotion.version',
      'release.$': '$.etl.config.release',
    }),
    resultPath: '$.release',
    taskTimeout: sfn.Timeout.duration(Duration.minutes(1)),
  });
  task.addRetry({
    errors: ['States.TaskFailed'],
    interval: Duration.seconds(2),
    maxAttempts: 3,
    backoffRate: 2,
    jitterStrategy: sfn.JitterType.FULL,
  });
  return task;
}
