import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Flags for a headless Chromium that makes no network connection of its own (see the machine notes). */
function flags(): string[] {
  return [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    `--user-data-dir=${mkdtempSync(join(tmpdir(), 'chromium-'))}`,
  ];
}

export function requireChromium(): void {
  if (!existsSync(CHROMIUM))
    throw new Error(`${CHROMIUM} not found: install Debian's chromium (apt-get install chromium) or set CHROMIUM_PATH`);
}

/** Loads a page and returns the DOM after rendering, plus what Chromium logged. */
export async function dumpDom(url: string): Promise<{ dom: string; log: string }> {
  requireChromium();
  const { stdout, stderr } = await run(
    CHROMIUM,
    [...flags(), '--enable-logging=stderr', '--v=0', '--virtual-time-budget=2000', '--dump-dom', url],
    { maxBuffer: 64 * 1024 * 1024, timeout: 60_000 },
  );
  return { dom: stdout, log: stderr };
}

export async function screenshot(url: string, file: string): Promise<void> {
  requireChromium();
  await run(CHROMIUM, [...flags(), '--window-size=1280,4000', `--screenshot=${file}`, url], { timeout: 60_000 });
}
