import {
  DescribeLogGroupsCommand,
  FilterLogEventsCommand,
  type FilteredLogEvent,
} from '@aws-sdk/client-cloudwatch-logs';
import type { Connection } from '../connection.js';
import type { CliContext } from '../context.js';
import { parseSince } from '../time.js';

/** The stack's functions by the names people use for them, and the construct that holds each. */
const FUNCTIONS: Record<string, string> = {
  'register-run': 'TrainingRegisterRun',
  etl: 'TrainingEtl',
  train: 'TrainingTrain',
  validate: 'TrainingValidate',
  promote: 'TrainingPromote',
  report: 'TrainingReport',
  'finish-run': 'TrainingFinishRun',
  predict: 'InferencePredict',
};

/** The function's log group: `<stack>-<construct>Logs<hash>`, with CloudFormation's suffix when deployed. */
async function logGroupOf(c: Connection, fn: string): Promise<string> {
  const construct = FUNCTIONS[fn];
  if (construct === undefined) throw new Error(`no function "${fn}": one of ${Object.keys(FUNCTIONS).join(', ')}`);
  const prefix = `${c.stackName}-${construct}Logs`;
  const { logGroups = [] } = await c.logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: prefix }));
  const group = logGroups.find(
    (g) => g.logGroupName !== undefined && /^[0-9A-F]{8}(-|$)/.test(g.logGroupName.slice(prefix.length)),
  );
  if (group?.logGroupName === undefined)
    throw new Error(`no log group ${prefix}… yet: the function has not run (or the stack is not ${c.stackName})`);
  return group.logGroupName;
}

async function eventsSince(
  c: Connection,
  group: string,
  start: number,
  pattern: string | undefined,
): Promise<FilteredLogEvent[]> {
  const events: FilteredLogEvent[] = [];
  let nextToken: string | undefined;
  do {
    const page = await c.logs.send(
      new FilterLogEventsCommand({
        logGroupName: group,
        startTime: start,
        ...(pattern ? { filterPattern: pattern } : {}),
        ...(nextToken ? { nextToken } : {}),
      }),
    );
    events.push(...(page.events ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return events;
}

/** A function's log lines, from its log group: locally and against a deployed stack. */
export function logsCommands(ctx: CliContext): void {
  ctx.program
    .command('logs')
    .description(`a function's log lines (${Object.keys(FUNCTIONS).join(', ')})`)
    .argument('<function>')
    .option('--since <when>', 'how far back: 15m, 2h, 7d, or a date-time', '1h')
    .option('--filter <pattern>', "a CloudWatch Logs filter pattern, e.g. '{ $.level = \"ERROR\" }' or '?ERROR ?WARN'")
    .option('-f, --follow', 'keep printing new lines (Ctrl-C to stop)')
    .action(
      ctx.withConnection(async (c, fn: string, options: { since: string; filter?: string; follow?: boolean }) => {
        const group = await logGroupOf(c, fn);
        const seen = new Set<string>();
        let start = parseSince(options.since);
        const show = (events: FilteredLogEvent[]) => {
          for (const e of events) {
            if (e.eventId !== undefined && seen.has(e.eventId)) continue;
            if (e.eventId !== undefined) seen.add(e.eventId);
            start = Math.max(start, e.timestamp ?? start);
            console.log(
              ctx.json()
                ? JSON.stringify({ timestamp: e.timestamp, message: e.message })
                : `${new Date(e.timestamp ?? 0).toISOString()}  ${e.message ?? ''}`,
            );
          }
        };
        show(await eventsSince(c, group, start, options.filter));
        while (options.follow) {
          await new Promise((resolve) => setTimeout(resolve, 2000));
          show(await eventsSince(c, group, start, options.filter));
        }
      }),
    );
}
