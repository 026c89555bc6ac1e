/** A local Lambda function as the template declares it, how its failures are named, and what it reports. */

export interface LocalFunctionSpec {
  /** Logical id in the template. */
  readonly logicalId: string;
  readonly functionName: string;
  readonly arn: string;
  /** The bundled asset directory and the handler (`index.handler`). */
  readonly assetDir: string;
  readonly handler: string;
  readonly environment: Record<string, string>;
  readonly timeoutSeconds: number;
  readonly memoryMb: number;
  /**
   * ReservedConcurrentExecutions: at most this many containers, and an invocation beyond them is throttled
   * (TooManyRequestsException), not queued, as Lambda does for synchronous invokes. Without it the local host queues
   * beyond `maxContainers` (the machine, not the account, is the limit here).
   */
  readonly reservedConcurrency?: number;
  /** TracingConfig Mode Active: each invocation gets a new `_X_AMZN_TRACE_ID`, as Lambda gives it. @default false */
  readonly tracing?: boolean;
  /** Where its lines go: LoggingConfig.LogGroup. @default `/aws/lambda/<function name>` */
  readonly logGroup?: string;
}

/** An error thrown by a local function, named as Lambda would report it (the error's own name, or Sandbox.Timedout). */
export class LambdaFunctionError extends Error {
  constructor(
    override readonly name: string,
    message: string,
    readonly remoteStack = '',
  ) {
    super(message);
  }
}

/** What Lambda counts per invocation (AWS/Lambda Invocations, Errors, Duration, Throttles). */
export interface InvocationRecord {
  readonly functionName: string;
  readonly durationMs: number;
  readonly outcome: 'succeeded' | 'failed' | 'throttled';
}

export interface FunctionObserver {
  /** Each line the function writes (stdout or stderr), as CloudWatch Logs receives it in the function's log group. */
  readonly onLogLine?: (logGroup: string, line: string) => void;
  readonly onInvocation?: (record: InvocationRecord) => void;
}
