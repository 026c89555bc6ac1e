import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { versionCard } from '../lambdas/shared/use-cases/card.js';
import type { Connection } from './connection.js';

export interface ReportOptions {
  readonly out?: string;
  readonly open?: boolean;
}

/** Writes the model card of a version (default: production, else the latest) to a file, and opens it if asked. */
export async function writeReport(
  connection: Connection,
  model: string,
  version: number | undefined,
  options: ReportOptions,
): Promise<string> {
  const card = await versionCard(connection, model, version);
  const out = resolve(options.out ?? `reports/${model}-v${card.version}.html`);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, card.html);
  if (options.open) await openInBrowser(out);
  return out;
}

/**
 * Opens a file with the desktop's opener. Without one (a server, a container) the card is still written: say so and
 * how to view it, instead of failing.
 */
export async function openInBrowser(
  file: string,
  opener = process.platform === 'darwin' ? 'open' : 'xdg-open',
): Promise<boolean> {
  const child = spawn(opener, [file], { detached: true, stdio: 'ignore' });
  const opened = await new Promise<boolean>((resolve) => {
    child.once('spawn', () => resolve(true));
    child.once('error', () => resolve(false));
  });
  if (opened) child.unref();
  else console.error(`could not open it: no "${opener}" on this machine (no desktop?); open ${file} in a browser`);
  return opened;
}
