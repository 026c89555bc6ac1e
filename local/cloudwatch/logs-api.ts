import * as z from 'zod';
import { AwsJsonError, type AwsJsonService } from '../aws-json-server.js';
import type { LogStore } from './log-store.js';

/** The part of the CloudWatch Logs API (AWS JSON 1.1, `Logs_20140328.<Operation>`) the CLI reads logs with. */
export const LOGS_TARGET_PREFIX = 'Logs_20140328.';
const PAGE = 1000;

const describeLogGroupsInput = z.object({ logGroupNamePrefix: z.string().optional() });
const filterLogEventsInput = z.object({
  logGroupName: z.string().min(1),
  startTime: z.number().optional(),
  endTime: z.number().optional(),
  filterPattern: z.string().optional(),
  limit: z.number().int().min(1).max(10_000).optional(),
  nextToken: z.string().optional(),
});

export class LogsApiError extends AwsJsonError {}

/** CloudWatch Logs' operations over the local log groups (AWS JSON 1.1), on the CloudWatch endpoint. */
export function logsService(
  cloudwatch: () => { readonly logs: LogStore; readonly region: string; readonly account: string },
): AwsJsonService {
  const operation = (name: string) => (input: unknown) => {
    const { logs, region, account } = cloudwatch();
    return handleLogsOperation(logs, name, input, region, account);
  };
  return {
    targetPrefix: LOGS_TARGET_PREFIX,
    contentType: 'application/x-amz-json-1.1',
    name: 'CloudWatch Logs',
    operations: { DescribeLogGroups: operation('DescribeLogGroups'), FilterLogEvents: operation('FilterLogEvents') },
    internalErrorType: 'ServiceUnavailableException',
  };
}

export function handleLogsOperation(
  store: LogStore,
  operation: string,
  input: unknown,
  region: string,
  account: string,
): unknown {
  if (operation === 'DescribeLogGroups') {
    const { logGroupNamePrefix } = parse(describeLogGroupsInput, input);
    return {
      logGroups: store
        .groups(logGroupNamePrefix)
        .map((name) => ({ logGroupName: name, arn: `arn:aws:logs:${region}:${account}:log-group:${name}:*` })),
    };
  }
  if (operation === 'FilterLogEvents') {
    const request = parse(filterLogEventsInput, input);
    if (!store.groups(request.logGroupName).includes(request.logGroupName))
      throw new LogsApiError('ResourceNotFoundException', 'The specified log group does not exist.');
    const all = store.filter(request.logGroupName, {
      ...(request.startTime !== undefined ? { start: request.startTime } : {}),
      ...(request.endTime !== undefined ? { end: request.endTime } : {}),
      ...(request.filterPattern !== undefined ? { pattern: request.filterPattern } : {}),
    });
    const offset = request.nextToken === undefined ? 0 : Number(request.nextToken);
    const limit = Math.min(request.limit ?? PAGE, PAGE);
    const events = all.slice(offset, offset + limit);
    return {
      events,
      searchedLogStreams: [],
      ...(offset + limit < all.length ? { nextToken: String(offset + limit) } : {}),
    };
  }
  throw new LogsApiError(
    'UnknownOperationException',
    `the local CloudWatch Logs API does not implement ${operation || '(no operation)'}`,
  );
}

function parse<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const parsed = schema.safeParse(input);
  if (!parsed.success)
    throw new LogsApiError(
      'InvalidParameterException',
      parsed.error.issues.map((i) => `${i.path.join('.') || '(request)'}: ${i.message}`).join('; '),
    );
  return parsed.data as z.infer<S>;
}
