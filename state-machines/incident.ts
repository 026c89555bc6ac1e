import { Duration } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';
import { ESCALATED_ERROR } from '../lambdas/shared/contracts/incident-steps.js';
import { functionStep } from './function-step.js';

/** How long an incident's alarms gather before it is announced: the alarms of one storm make one page. */
export const GROUP_WAIT = Duration.seconds(60);

/** How often the workflow watches an open incident (its resolution, tier 1's time). */
export const WATCH_INTERVAL = Duration.seconds(60);

/**
 * An incident's response, in JSONPath (issue 22). Input: `{incident}`. The incident-response function runs each step.
 *
 *   GroupWait (60 s) → Announce → Announced? ─ held (a release runs) → HoldWait (60 s) ↺ Announce
 *                                            ├ resolved (before it was told) → Resolved
 *                                            └ open → Runbook (tier 1) → tier 2 at once if an action failed, else Watch
 *   Watch (60 s) → Check → Checked? ─ resolved (settled: its resolution paged) → Resolved
 *                                   ├ tier2 (open past the model file's tier1Minutes) → NotifyTier2
 *                                   └ open ↺ Watch
 *   NotifyTier2: waits for its task token — `mlops incidents ack` or the incident's resolution → Watch;
 *                States.Timeout (acknowledgeMinutes) or Escalated (`mlops incidents escalate`) → Escalate → Watch
 *   a step that fails → EscalateFailure (tier 3 told, recorded) → ResponseFailed: never a loop
 */
export function incidentDefinition(scope: Construct, fn: lambda.IFunction, fnTimeout: Duration): sfn.IChainable {
  const step = stepOf(scope, fn, fnTimeout);
  const incident = { 'incident.$': '$.incident' };
  const resolved = new sfn.Succeed(scope, 'Resolved', { comment: 'The alarms cleared and stayed clear.' });
  const failed = new sfn.Fail(scope, 'ResponseFailed', { errorPath: '$.error.Error', causePath: '$.error.Cause' });
  const escalateFailure = step(
    'EscalateFailure',
    { action: 'escalate', ...incident, 'error.$': '$.error' },
    '$.escalated',
  );
  escalateFailure.addCatch(failed, { errors: ['States.ALL'], resultPath: '$.escalationError' });
  escalateFailure.next(failed);
  const onFailure = <T extends tasks.LambdaInvoke>(task: T): T =>
    task.addCatch(escalateFailure, { errors: ['States.ALL'], resultPath: '$.error' }) as T;
  const { watch, notify } = watchLoop(scope, fn, { step, onFailure, resolved });
  const runbook = onFailure(step('Runbook', { action: 'runbook', ...incident }, '$.runbook'));
  runbook.next(
    new sfn.Choice(scope, 'RunbookDone?')
      .when(sfn.Condition.stringEquals('$.runbook.status', 'tier2'), notify)
      .otherwise(watch),
  );
  const announce = onFailure(step('Announce', { action: 'announce', ...incident }, '$.announce'));
  const holdWait = new sfn.Wait(scope, 'HoldWait', { time: sfn.WaitTime.duration(Duration.seconds(60)) });
  holdWait.next(announce);
  const announced = new sfn.Choice(scope, 'Announced?')
    .when(sfn.Condition.stringEquals('$.announce.status', 'held'), holdWait)
    .when(sfn.Condition.stringEquals('$.announce.status', 'resolved'), resolved)
    .otherwise(runbook);
  return new sfn.Wait(scope, 'GroupWait', { time: sfn.WaitTime.duration(GROUP_WAIT) }).next(announce).next(announced);
}

type Step = (id: string, payload: Record<string, unknown>, resultPath: string) => tasks.LambdaInvoke;

/** A step of the incident-response function. */
function stepOf(scope: Construct, fn: lambda.IFunction, fnTimeout: Duration): Step {
  return (id, payload, resultPath) => functionStep(scope, id, { fn, payload, resultPath, fnTimeout });
}

/** Watch → Check → Checked? (resolved / tier 2 / open ↺), tier 2's wait for its token, and the escalation. */
function watchLoop(
  scope: Construct,
  fn: lambda.IFunction,
  parts: { step: Step; onFailure: <T extends tasks.LambdaInvoke>(task: T) => T; resolved: sfn.IChainable },
): { watch: sfn.Wait; notify: tasks.LambdaInvoke } {
  const { step, onFailure } = parts;
  const incident = { 'incident.$': '$.incident' };
  const watch = new sfn.Wait(scope, 'Watch', { time: sfn.WaitTime.duration(WATCH_INTERVAL) });
  const check = onFailure(
    step('Check', { action: 'check', ...incident, 'tier1Seconds.$': '$.announce.tier1Seconds' }, '$.check'),
  );
  const escalate = onFailure(
    step('Escalate', { action: 'escalate', ...incident, 'error.$': '$.error' }, '$.escalated'),
  );
  escalate.next(watch);
  const notify = new tasks.LambdaInvoke(scope, 'NotifyTier2', {
    lambdaFunction: fn,
    integrationPattern: sfn.IntegrationPattern.WAIT_FOR_TASK_TOKEN,
    payload: sfn.TaskInput.fromObject({ action: 'notify', ...incident, token: sfn.JsonPath.taskToken }),
    resultPath: '$.tier2',
    taskTimeout: sfn.Timeout.at('$.announce.ackSeconds'),
  });
  notify.addCatch(escalate, { errors: ['States.Timeout', ESCALATED_ERROR], resultPath: '$.error' });
  onFailure(notify);
  notify.next(watch);
  watch
    .next(check)
    .next(
      new sfn.Choice(scope, 'Checked?')
        .when(sfn.Condition.stringEquals('$.check.status', 'resolved'), parts.resolved)
        .when(sfn.Condition.stringEquals('$.check.status', 'tier2'), notify)
        .otherwise(watch),
    );
  return { watch, notify };
}
