import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { GateResult } from '../lambdas/core/gate-checks.js';
import type { RunStatus } from '../lambdas/shared/contracts/registry-records.js';
import { connectLocal } from './connection.js';
import { writeReport } from './report.js';
import { uploadData, waitForRun } from './runs.js';
import { listModelNames } from '../lambdas/shared/contracts/model-files.js';

export interface ModelCiDataset {
  readonly model: string;
  readonly file: string;
}

export interface ModelCiResult extends ModelCiDataset {
  readonly runId: string;
  readonly status: RunStatus;
  readonly passed: boolean;
  readonly version?: number;
  readonly gate?: GateResult;
  readonly reason?: string;
  /** The model card written for the run's version. */
  readonly card?: string;
}

export interface ModelCiOptions {
  readonly datasets: readonly ModelCiDataset[];
  /** Where model cards go. @default no cards written */
  readonly cardDir?: string;
  readonly log?: (line: string) => void;
  /**
   * Starts a fresh local runtime with its state in `stateDir` (the entry point gives it: the CLI only talks to a
   * runtime, it does not contain one).
   */
  readonly startRuntime: (stateDir: string) => Promise<{ stop(): Promise<void> }>;
}

/** A gate pass: the version was promoted, or waits for a person's approval (models with requireApproval). */
const PASSING: readonly RunStatus[] = ['PROMOTED', 'AWAITING_APPROVAL'];

/** Every model of models/ with its example data set, examples/data/<model>.csv; a model without one is an error. */
export function defaultDatasets(): ModelCiDataset[] {
  return listModelNames(join(import.meta.dirname, '..', 'models')).map((name) => {
    const file = join(import.meta.dirname, '..', 'examples', 'data', `${name}.csv`);
    if (!existsSync(file))
      throw new Error(
        `model "${name}" has no example data: add examples/data/${name}.csv or pass --data ${name}=<file>`,
      );
    return { model: name, file };
  });
}

/**
 * Model CI: the whole pipeline of the real stack (synthesized, bundled, run by a fresh local runtime against fresh
 * emulators) on each data set, through the runtime's endpoints as the CLI uses them. A data set passes when its run ends with the gate passed; a blocking data anomaly,
 * a failed step or a rejected gate fails it. Nothing is shared with `npm start`'s state.
 */
export async function runModelCi(options: ModelCiOptions): Promise<ModelCiResult[]> {
  const log = options.log ?? (() => undefined);
  const stateDir = mkdtempSync(join(tmpdir(), 'mlops-model-ci-'));
  const runtime = await options.startRuntime(stateDir);
  const connection = connectLocal(stateDir);
  const results: ModelCiResult[] = [];
  try {
    for (const dataset of options.datasets) {
      log(`${dataset.model}: uploading ${dataset.file}`);
      const { runId } = await uploadData(connection, dataset.model, basename(dataset.file), readFileSync(dataset.file));
      const run = await waitForRun(connection, dataset.model, runId, {
        timeoutMs: 15 * 60_000,
        pollMs: 200,
        onProgress: (r) => log(`${dataset.model}:   ${r.status}${r.step ? ` at ${r.step}` : ''}`),
      });
      const card =
        options.cardDir && run.version !== undefined
          ? await writeReport(connection, dataset.model, run.version, {
              out: join(options.cardDir, `${dataset.model}-v${run.version}.html`),
            })
          : undefined;
      results.push({
        ...dataset,
        runId,
        status: run.status,
        passed: PASSING.includes(run.status),
        ...(run.version !== undefined ? { version: run.version } : {}),
        ...(run.gate ? { gate: run.gate } : {}),
        ...(run.reason ? { reason: run.reason } : {}),
        ...(card ? { card } : {}),
      });
    }
  } finally {
    connection.close();
    await runtime.stop();
    rmSync(stateDir, { recursive: true, force: true });
  }
  return results;
}

/** The results as Markdown: one section per data set with its gate checks (for the CI log and the job summary). */
export function formatModelCi(results: readonly ModelCiResult[]): string {
  const lines = ['# Model CI', ''];
  for (const r of results) {
    lines.push(`## ${r.passed ? '✅' : '❌'} ${r.model} — ${r.status}${r.version ? ` (v${r.version})` : ''}`, '');
    lines.push(`Data: \`${r.file}\`, run \`${r.runId}\``, '');
    if (r.gate) {
      lines.push('| check | value | threshold | result |', '|---|---|---|---|');
      for (const c of r.gate.checks) {
        const result = c.passed
          ? 'pass'
          : c.severity === 'warning'
            ? `warning: ${c.description}`
            : `**fail**: ${c.description}`;
        lines.push(
          `| ${c.metric} | ${c.value === null ? 'n/a' : c.value.toFixed(4)} | ${c.comparison} ${c.threshold} | ${result} |`,
        );
      }
      lines.push('');
    }
    if (!r.passed) lines.push(`Reason: ${r.reason ?? r.gate?.summary ?? 'see the run in the registry'}`, '');
    if (r.card) lines.push(`Model card: \`${r.card}\``, '');
  }
  return lines.join('\n');
}
