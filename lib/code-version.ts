import { execFileSync } from 'node:child_process';

/**
 * The git commit the stack is synthesized from, recorded with every model version as lineage; "-dirty" marks
 * uncommitted changes, and "unknown" means the source is not a git checkout.
 */
export function codeVersion(cwd: string = process.cwd()): string {
  try {
    const commit = execFileSync('git', ['rev-parse', 'HEAD'], {
      cwd,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], {
      cwd,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    return dirty === '' ? commit : `${commit}-dirty`;
  } catch {
    return 'unknown';
  }
}
