import { Duration } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';
import { RETRYABLE_ERROR_NAMES } from '../lambdas/core/errors.js';
import { ESCALATED_ERROR } from '../lambdas/shared/contracts/incident-steps.js';

/** How long an incident's alarms gather before it is announced: the alarms of one storm make one page. */
export const GROUP_WAIT = Duration.seconds(60);

/**
 * An incident's response, in JSONPath (issue 22). Input: `{incident}`. The incident-response function runs each step.
 *
 *   GroupWait (60 s) → Announce → Announced? ─ held (a release runs) → HoldWait (60 s) ↺ Announce
 *                                            ├ resolved → Resolved
 *                                            └ open → Tier1Wait (the model file's tier1Minutes) → Check → Cleared?
 *   Cleared? ─ resolved → Resolved
 *            └ open → NotifyTier2 (waits for the task token: `mlops incidents ack` | resolution) → Acknowledged
 *                        ├ States.Timeout (acknowledgeMinutes) / Escalated (`mlops incidents escalate`) → Escalate
 *   any other failure of a step → Escalate (recorded, never looped) → Escalated
 */
export function incidentDefinition(scope: Construct, fn: lambda.IFunction, fnTimeout: Duration): sfn.IChainable {
  const step = (id: string, payload: Record<string, unknown>, resultPath: string) => {
    const task = new tasks.LambdaInvoke(scope, id, {
      lambdaFunction: fn,
      payload: sfn.TaskInput.fromObject(payload),
      payloadResponseOnly: true,
      resultPath,
      taskTimeout: sfn.Timeout.duration(fnTimeout.plus(Duration.seconds(60))),
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
  };
  const incident = { 'incident.$': '$.incident' };
  const resolved = new sfn.Succeed(scope, 'Resolved', { comment: 'The alarms cleared.' });
  const escalate = step('Escalate', { action: 'escalate', ...incident, 'error.$': '$.error' }, '$.escalated');
  escalate.addCatch(new sfn.Fail(scope, 'EscalationFailed', { errorPath: '$.escalationError.Error' }), {
    errors: ['States.ALL'],
    resultPath: '$.escalationError',
  });
  escalate.next(new sfn.Succeed(scope, 'Escalated', { comment: 'The model developers have it.' }));
  const onFailure = <T extends tasks.LambdaInvoke>(task: T): T =>
    task.addCatch(escalate, { errors: ['States.ALL'], resultPath: '$.error' }) as T;

  const announce = onFailure(step('Announce', { action: 'announce', ...incident }, '$.announce'));
  const holdWait = new sfn.Wait(scope, 'HoldWait', { time: sfn.WaitTime.duration(Duration.seconds(60)) });
  const check = onFailure(step('Check', { action: 'check', ...incident }, '$.check'));
  const tier1Wait = new sfn.Wait(scope, 'Tier1Wait', { time: sfn.WaitTime.secondsPath('$.announce.tier1Seconds') });
  const notify = new tasks.LambdaInvoke(scope, 'NotifyTier2', {
    lambdaFunction: fn,
    integrationPattern: sfn.IntegrationPattern.WAIT_FOR_TASK_TOKEN,
    payload: sfn.TaskInput.fromObject({ action: 'notify', ...incident, token: sfn.JsonPath.taskToken }),
    resultPath: '$.tier2',
    taskTimeout: sfn.Timeout.at('$.announce.ackSeconds'),
  });
  notify.addCatch(escalate, { errors: ['States.Timeout', ESCALATED_ERROR], resultPath: '$.error' });
  onFailure(notify);
  notify.next(new sfn.Succeed(scope, 'Acknowledged', { comment: 'Tier 2 has it, or the alarms cleared meanwhile.' }));

  holdWait.next(announce);
  const cleared = new sfn.Choice(scope, 'Cleared?')
    .when(sfn.Condition.stringEquals('$.check.status', 'resolved'), resolved)
    .otherwise(notify);
  const announced = new sfn.Choice(scope, 'Announced?')
    .when(sfn.Condition.stringEquals('$.announce.status', 'held'), holdWait)
    .when(sfn.Condition.stringEquals('$.announce.status', 'resolved'), resolved)
    .otherwise(tier1Wait.next(check).next(cleared));
  return new sfn.Wait(scope, 'GroupWait', { time: sfn.WaitTime.duration(GROUP_WAIT) }).next(announce).next(announced);
}
