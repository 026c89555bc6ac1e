import { GetExecutionHistoryCommand, SFNClient } from '@aws-sdk/client-sfn';
import * as z from 'zod';
import { createDocumentClient } from '../shared/runtime/clients.js';
import { PIPELINE_METRICS } from '../shared/contracts/metric-names.js';
import { readEnv } from '../shared/runtime/env.js';
import { finishInputSchema } from '../shared/contracts/pipeline-state.js';
import { Registry } from '../shared/adapters/registry.js';
import { stepHandler } from '../shared/runtime/step-handler.js';
import { tracer } from '../shared/runtime/tracer.js';
import { correlationOfState, finishRun } from './finish-run.js';
import { endStoppedRun, executionStatusChangeSchema, runOfExecution, type EnteredState } from './stopped-execution.js';

const env = readEnv(['REGISTRY_TABLE']);
const registry = new Registry(createDocumentClient(), env.REGISTRY_TABLE);
const sfn = tracer.captureAWSv3Client(new SFNClient({}));

/** The states an execution entered, newest first, read page by page from its history. */
async function* enteredStates(executionArn: string): AsyncIterable<EnteredState> {
  let nextToken: string | undefined;
  do {
    const page = await sfn.send(
      new GetExecutionHistoryCommand({
        executionArn,
        reverseOrder: true,
        includeExecutionData: true,
        maxResults: 1000,
        nextToken,
      }),
    );
    for (const event of page.events ?? []) {
      const entered = event.stateEnteredEventDetails;
      if (entered?.name !== undefined)
        yield { name: entered.name, ...(entered.input !== undefined ? { input: entered.input } : {}) };
    }
    nextToken = page.nextToken;
  } while (nextToken !== undefined);
}

/**
 * Ends runs: the state machine's Catch hands it a REJECTED or FAILED run with the state so far; the Step Functions
 * status-change rule hands it an execution that ended outside that Catch (aborted, timed out, or failed recording its
 * failure), whose run it marks FAILED where it stopped.
 */
export const handler = stepHandler({
  input: z.union([finishInputSchema, executionStatusChangeSchema]),
  correlate: (input) =>
    'outcome' in input ? correlationOfState(input.state) : (runOfExecution(input) ?? { model: '_unassigned' }),
  run: (input) => ('outcome' in input ? finishRun(registry, input) : endStoppedRun(registry, enteredStates, input)),
  done: (result) => {
    if ('ignored' in result) return { message: 'nothing to end', fields: { reason: result.ignored } };
    return {
      message: `run ${result.status.toLowerCase()}`,
      fields: { ...result },
      counts: { [result.status === 'FAILED' ? PIPELINE_METRICS.runsFailed : PIPELINE_METRICS.runsRejected]: 1 },
    };
  },
});
