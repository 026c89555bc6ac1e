import type { IncomingMessage, ServerResponse } from 'node:http';
import { LoopbackServer, readBody } from './loopback-server.js';
import { verifySigV4, type Credentials } from './sigv4.js';
import { executionHistory, type HistoryEvent } from './sfn-history.js';
import type { LocalExecution, LocalStateMachine } from './step-functions.js';

/**
 * The part of the Step Functions API the CLI and the functions use (StartExecution, DescribeExecution,
 * GetExecutionHistory), in AWS's JSON 1.0 protocol, so `@aws-sdk/client-sfn` talks to the local state machines exactly
 * as it talks to AWS.
 */
export class LocalStepFunctionsApi {
  private readonly server = new LoopbackServer('local Step Functions API', (req, res) => this.handle(req, res));

  constructor(
    private readonly machines: ReadonlyMap<string, LocalStateMachine>,
    private readonly credentials: Credentials,
  ) {}

  listen(port: number): Promise<number> {
    return this.server.listen(port);
  }

  close(): Promise<void> {
    return this.server.close();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = (await readBody(req)) as Buffer;
    const fail = (status: number, type: string, message: string) => {
      res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0' });
      res.end(JSON.stringify({ __type: type, message }));
    };
    const verdict = await verifySigV4({ method: req.method ?? 'POST', url: req.url ?? '/', headers: req.headers, body }, this.credentials);
    if (!verdict.ok) return fail(403, 'UnrecognizedClientException', verdict.reason);
    const action = String(req.headers['x-amz-target'] ?? '').replace(/^AWSStepFunctions\./, '');
    let input: Record<string, unknown>;
    try {
      input = JSON.parse(body.toString('utf8') || '{}') as Record<string, unknown>;
    } catch {
      return fail(400, 'SerializationException', 'the body is not JSON');
    }
    const reply = (value: unknown) => {
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
      res.end(JSON.stringify(value));
    };
    if (action === 'StartExecution') {
      const machine = this.machines.get(String(input.stateMachineArn));
      if (machine === undefined) return fail(400, 'StateMachineDoesNotExist', `State Machine Does Not Exist: '${String(input.stateMachineArn)}'`);
      const name = typeof input.name === 'string' ? input.name : undefined;
      if (name !== undefined && machine.executions.some((e) => e.name === name)) {
        return fail(400, 'ExecutionAlreadyExists', `Execution Already Exists: '${name}'`);
      }
      let executionInput: unknown;
      try {
        executionInput = JSON.parse(typeof input.input === 'string' ? input.input : '{}');
      } catch {
        return fail(400, 'InvalidExecutionInput', 'input is not JSON');
      }
      const execution = machine.start(executionInput, name);
      return reply({ executionArn: execution.executionArn, startDate: execution.startedAt.getTime() / 1000 });
    }
    if (action === 'DescribeExecution') {
      const execution = this.find(String(input.executionArn));
      if (execution === undefined) return fail(400, 'ExecutionDoesNotExist', `Execution Does Not Exist: '${String(input.executionArn)}'`);
      return reply({
        executionArn: execution.executionArn,
        stateMachineArn: execution.stateMachineArn,
        name: execution.name,
        status: execution.status,
        startDate: execution.startedAt.getTime() / 1000,
        input: JSON.stringify(execution.input),
        ...(execution.output !== undefined ? { output: JSON.stringify(execution.output) } : {}),
        ...(execution.error ? { error: execution.error.error, cause: execution.error.cause } : {}),
      });
    }
    if (action === 'GetExecutionHistory') {
      const execution = this.find(String(input.executionArn));
      if (execution === undefined) return fail(400, 'ExecutionDoesNotExist', `Execution Does Not Exist: '${String(input.executionArn)}'`);
      return reply(historyPage(execution, input));
    }
    return fail(400, 'UnknownOperationException', `the local Step Functions API does not implement ${action || '(no X-Amz-Target)'}`);
  }

  private find(arn: string): LocalExecution | undefined {
    for (const machine of this.machines.values()) {
      const found = machine.executions.find((e) => e.executionArn === arn);
      if (found) return found;
    }
    return undefined;
  }
}

/** One page of an execution's history: `maxResults` (default 100, at most 1000) from `nextToken`, in either order. */
function historyPage(execution: LocalExecution, input: Record<string, unknown>): { events: HistoryEvent[]; nextToken?: string } {
  const all = executionHistory(execution, input.includeExecutionData !== false);
  const ordered = input.reverseOrder === true ? [...all].reverse() : all;
  const size = Math.min(1000, Math.max(1, typeof input.maxResults === 'number' && input.maxResults > 0 ? input.maxResults : 100));
  const from = typeof input.nextToken === 'string' ? Number(input.nextToken) || 0 : 0;
  const events = ordered.slice(from, from + size);
  return { events, ...(from + size < ordered.length ? { nextToken: String(from + size) } : {}) };
}
