import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);

describe('the mlops command', () => {
  it('runs as `npx mlops` from the repository (package.json "bin"), with no build step', async () => {
    const { stdout } = await run('npx', ['--no-install', 'mlops', '--help'], {
      env: { ...process.env, npm_config_update_notifier: 'false' },
    });
    expect(stdout).toContain('Usage: mlops [options] [command]');
    expect(stdout).toMatch(/promote \[options\] <model> \[version\]/);
  }, 60_000);
});
