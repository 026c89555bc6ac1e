import { SendTaskFailureCommand, SendTaskSuccessCommand } from '@aws-sdk/client-sfn';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { SIGNAL_LABELS } from '../../lambdas/core/incidents/signals.js';
import { getObjectBytes } from '../../lambdas/shared/adapters/objects.js';
import { incidentPageKey } from '../../lambdas/shared/contracts/layout.js';
import type { IncidentResponse } from '../../lambdas/shared/adapters/incident-responses.js';
import type { IncidentRecord } from '../../lambdas/shared/adapters/incident-store.js';
import { actOnIncident, type IncidentAction } from '../../lambdas/shared/use-cases/incident-actions.js';
import type { Connection } from '../connection.js';
import type { CliContext } from '../context.js';
import { formatTable } from '../format.js';
import { openInBrowser } from '../report.js';

/** `mlops incidents`: the incidents, one in detail, and what the people of tiers 2 and 3 do to them. */
export function incidentCommands(ctx: CliContext): void {
  const incidents = ctx.program
    .command('incidents')
    .description('incidents: alarm storms grouped, their likely source named, and the response to each')
    .argument('[model]', 'only the incidents of this model')
    .option('--open', 'only the open ones')
    .action(
      ctx.withConnection(async (c, model: string | undefined, options: { open?: boolean }) => {
        const all = await c.incidents.store.list();
        const listed = all.filter(
          (i) => (model === undefined || i.models.includes(model)) && (!options.open || i.status === 'open'),
        );
        const tiers = await Promise.all(listed.map(async (i) => (await c.incidents.responses.get(i.id))?.tier ?? null));
        ctx.print(
          listed.map((i, n) => ({ ...i, tier: tiers[n] })),
          () =>
            listed.length === 0
              ? `no incidents${model ? ` of ${model}` : ''}`
              : formatTable(
                  ['ID', 'STATUS', 'TIER', 'MODELS', 'OPENED', 'ALARMS', 'LIKELY SOURCE'],
                  listed.map((i, n) => [
                    i.id,
                    i.status,
                    tiers[n],
                    i.models.join(', ') || 'stack',
                    i.openedAt.slice(0, 16),
                    i.members.length,
                    i.source.kind === 'uncertain' ? `uncertain: ${i.source.summary}` : i.source.summary,
                  ]),
                ),
        );
      }),
    );
  incidents
    .command('show')
    .description('one incident: its source, members, tier and timeline')
    .argument('<id>')
    .option('--open', "write the incident's page to reports/ and open it in a browser")
    .option('--out <file>', "write the incident's page (HTML) to this file")
    .action(
      ctx.withConnection(async (c, id: string, options: { open?: boolean; out?: string }) => {
        const incident = await c.incidents.store.get(id);
        if (incident === undefined) throw new Error(`no incident ${id}: mlops incidents lists them`);
        const response = (await c.incidents.responses.get(id)) ?? null;
        const page = options.open === true || options.out !== undefined ? await savePage(c, id, options) : undefined;
        ctx.print({ ...incident, response, ...(page ? { page } : {}) }, () =>
          [showText(incident, response), ...(page ? ['', `page: ${page}`] : [])].join('\n'),
        );
      }),
    );
  for (const [name, action, description] of [
    ['ack', 'acknowledge', 'acknowledge an incident at tier 2: its escalation to the model developers stops'],
    ['escalate', 'escalate', 'send an incident on to tier 3 (the model developers) now'],
    ['resolve', 'resolve', 'resolve an incident by hand (a later alarm of it reopens it)'],
  ] as const)
    actionCommand(ctx, incidents.command(name).description(description), action);
}

function actionCommand(ctx: CliContext, command: ReturnType<CliContext['program']['command']>, action: IncidentAction) {
  command
    .argument('<id>')
    .requiredOption('-m, --message <text>', 'what you found or did (recorded on the incident and in the audit trail)')
    .action(
      ctx.withConnection(async (c, id: string, options: { message: string }) => {
        const result = await actOnIncident(actionDeps(c), action, {
          incident: id,
          actor: c.actor,
          message: options.message,
        });
        ctx.print({ incident: id, action, done: result.done }, () => `incident ${id}: ${result.done}`);
      }),
    );
}

/** Fetches the page the response function keeps for the incident (as it stood after its last step). */
async function savePage(c: Connection, id: string, options: { open?: boolean; out?: string }): Promise<string> {
  const location = { bucket: c.artifactsBucket, key: incidentPageKey(id) };
  let bytes: Uint8Array;
  try {
    bytes = await getObjectBytes(c.s3, location);
  } catch (error) {
    throw new Error(`incident ${id} has no page yet: it is written once the incident is announced`, { cause: error });
  }
  const out = resolve(options.out ?? `reports/incident-${id}.html`);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, bytes);
  if (options.open === true) await openInBrowser(out);
  return out;
}

/** The use case's dependencies through the CLI's connection: the response workflow answered with SendTask*. */
function actionDeps(c: Connection) {
  return {
    store: c.incidents.store,
    responses: c.incidents.responses,
    registry: c.registry,
    tokens: {
      succeed: async (token: string, output: Record<string, unknown>) => {
        await c.sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: JSON.stringify(output) }));
      },
      fail: async (token: string, error: string, cause: string) => {
        await c.sfn.send(new SendTaskFailureCommand({ taskToken: token, error, cause }));
      },
    },
    now: () => new Date(),
  };
}

function showText(incident: IncidentRecord, response: IncidentResponse | null): string {
  const lines = [
    incident.line,
    '',
    `status: ${incident.status}${incident.resolvedAt ? ` (resolved ${incident.resolvedAt})` : ''} · opened ${incident.openedAt}`,
    `tier: ${response?.tier ?? '1 (not announced yet)'}${response?.acknowledged ? ` · acknowledged by ${response.acknowledged.by} at ${response.acknowledged.at}` : ''}`,
    `evidence: ${incident.source.evidence} (confidence ${incident.source.confidence.toFixed(2)})`,
    '',
    formatTable(
      ['ALARM', 'SIGNAL', 'STATE', 'FIRST ALARM', 'REASON'],
      incident.members.map((m) => [m.alarmName, SIGNAL_LABELS[m.kind], m.state, m.firstAlarmAt.slice(0, 19), m.reason]),
    ),
  ];
  if (response !== null && response.timeline.length > 0)
    lines.push('', 'timeline:', ...response.timeline.map((e) => `  ${e.at.slice(0, 19)}  ${e.actor}: ${e.what}`));
  return lines.join('\n');
}
