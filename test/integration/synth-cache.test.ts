import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fingerprint, synthesizeApp } from '../../local/synth-cache.js';

function modelsDirWith(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'mlops-models-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

describe('the synthesized app is reused only when none of its inputs changed (local/synth-cache.ts)', () => {
  const adult = readFileSync('models/adult.json', 'utf8');

  it('fingerprints model files by content, not by where they are', () => {
    expect(fingerprint(modelsDirWith({ 'adult.json': adult }))).toBe(
      fingerprint(modelsDirWith({ 'adult.json': adult })),
    );
    expect(fingerprint(modelsDirWith({ 'adult.json': adult }))).toBe(fingerprint('models'));
  });

  it('changes the fingerprint when a model file changes, is added or is renamed', () => {
    const base = fingerprint(modelsDirWith({ 'adult.json': adult }));
    expect(fingerprint(modelsDirWith({ 'adult.json': adult.replace('"epochs": 20', '"epochs": 21') }))).not.toBe(base);
    expect(
      fingerprint(modelsDirWith({ 'adult.json': adult, 'other.json': adult.replace('"adult"', '"other"') })),
    ).not.toBe(base);
    expect(fingerprint(modelsDirWith({ 'adult2.json': adult }))).not.toBe(base);
  });

  it("reuses the test run's global synthesis for the repository's model files", () => {
    const app = synthesizeApp();
    expect(app.reused).toBe(true);
    expect(existsSync(join(app.outdir, app.templateFile))).toBe(true);
    expect(app.stackName).toBe('ServerlessMlops');
  });
});
