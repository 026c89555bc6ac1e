import type { Duration } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';
import { PIPELINE_STEPS } from '../lambdas/shared/contracts/pipeline-steps.js';

/** The search's states: the Tune Map over the planned trainings, and the choice between Refit and a single split. */

export type StepFactory = (
  id: string,
  fn: lambda.IFunction,
  timeout: Duration,
  payload: Record<string, unknown>,
  resultPath: string,
) => tasks.LambdaInvoke;

/**
 * The Tune stage: a Map over the trials ETL planned, each trained by the Train function; at most
 * `$.etl.tuning.concurrency` at once (the model file's budget). A trial whose training fails after its retries becomes
 * `{trial, error}` so the others still count; Validate picks the best candidate and fails only if none trained.
 */
export function tuneStage(scope: Construct, step: StepFactory, train: lambda.IFunction, timeout: Duration): sfn.Map {
  const trainCandidate = step(
    'TrainCandidate',
    train,
    timeout,
    { 'run.$': '$.run', 'etl.$': '$.etl', 'training.$': '$.training' },
    '$',
  );
  const trialFailed = new sfn.Pass(scope, 'TrialFailed', {
    parameters: { trial: { 'id.$': '$.training.trial', 'fold.$': '$.training.fold' }, 'error.$': '$.error' },
  });
  trainCandidate.addCatch(trialFailed, { errors: ['States.ALL'], resultPath: '$.error' });
  const map = new sfn.Map(scope, PIPELINE_STEPS.tune, {
    itemsPath: '$.etl.tuning.trainings',
    maxConcurrencyPath: '$.etl.tuning.concurrency',
    itemSelector: { 'run.$': '$.run', 'etl.$': '$.etl', 'training.$': '$$.Map.Item.Value' },
    resultPath: '$.tuning',
  });
  map.itemProcessor(trainCandidate);
  return map;
}

/**
 * Between Tune and Validate: a run that cross-validates has its choice made out of fold and the chosen trial refit on
 * the training and validation rows (Refit, on the Train function); one that does not records that there is nothing to
 * refit. A state that already has `$.refit` (a re-drive of Validate) goes straight on.
 */
export function selectionStage(scope: Construct, refit: tasks.LambdaInvoke, validate: tasks.LambdaInvoke): sfn.Choice {
  const singleSplit = new sfn.Pass(scope, 'SingleSplit', {
    comment: 'The trials were compared on the validation split: Validate takes the chosen one as trained.',
    result: sfn.Result.fromObject({ crossValidated: false }),
    resultPath: '$.refit',
  });
  const path = '$.etl.tuning.crossValidation';
  return new sfn.Choice(scope, 'CrossValidated?')
    .when(sfn.Condition.isPresent('$.refit'), validate)
    .when(sfn.Condition.or(sfn.Condition.isNotPresent(path), sfn.Condition.isNull(path)), singleSplit.next(validate))
    .otherwise(refit.next(validate));
}
