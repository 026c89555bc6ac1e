import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { NotFoundError } from '../../lambdas/core/errors.js';
import { getObjectBytes } from '../../lambdas/shared/objects.js';
import { renderRunCard } from '../../lambdas/shared/card.js';
import type { Connection } from './connection.js';

export interface ReportOptions {
  readonly out?: string;
  readonly open?: boolean;
}

/**
 * Writes the model card of a version (default: production, else the latest) to a file: the stored card when the
 * pipeline made one, else rendered now from the stored evaluation with the same code.
 */
export async function writeReport(connection: Connection, model: string, versionText: string | undefined, options: ReportOptions): Promise<string> {
  const { registry, s3 } = connection;
  let version: number;
  if (versionText !== undefined) {
    version = Number(versionText);
    if (!Number.isInteger(version) || version < 1) throw new Error(`"${versionText}" is not a version number (1, 2, …)`);
  } else {
    const production = await registry.getAlias(model);
    version = production?.version ?? (await registry.latestVersion(model));
    if (version === 0) throw new NotFoundError(`model "${model}" has no versions yet: upload data under incoming/${model}/ first`);
  }
  const record = await registry.getVersion(model, version);
  if (record === undefined) throw new NotFoundError(`model "${model}" has no version ${version} (latest is ${await registry.latestVersion(model)})`);
  const run = await registry.getRun(model, record.runId);
  const html =
    run?.report !== undefined
      ? (await getObjectBytes(s3, run.report)).toString('utf8')
      : await renderRunCard(s3, registry, connection.artifactsBucket, model, record.runId);
  const out = resolve(options.out ?? `reports/${model}-v${version}.html`);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, html);
  if (options.open) await openInBrowser(out);
  return out;
}

/**
 * Opens a file with the desktop's opener. Without one (a server, a container) the card is still written: say so and
 * how to view it, instead of failing.
 */
export async function openInBrowser(file: string, opener = process.platform === 'darwin' ? 'open' : 'xdg-open'): Promise<boolean> {
  const child = spawn(opener, [file], { detached: true, stdio: 'ignore' });
  const opened = await new Promise<boolean>((resolve) => {
    child.once('spawn', () => resolve(true));
    child.once('error', () => resolve(false));
  });
  if (opened) child.unref();
  else console.error(`could not open it: no "${opener}" on this machine (no desktop?); open ${file} in a browser`);
  return opened;
}
