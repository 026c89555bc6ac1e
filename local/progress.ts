import type { LocalExecution, StepEvent } from './stepfunctions/state-machine.js';

const STEP_STATES = new Set([
  'RegisterRun',
  'ETL',
  'Tune',
  'Validate',
  'Report',
  'Promote',
  'RecordRejected',
  'RecordFailure',
]);

interface TrialOutput {
  id?: string;
  role?: string;
  validationLoss?: number | null;
  epochsRun?: number;
  stoppedBy?: string;
}

/** Prints a run's steps as they happen: one line when a step starts, one when it ends with its time. */
export function printProgress(
  execution: LocalExecution,
  event: StepEvent,
  write: (line: string) => void = console.log,
): void {
  const short = execution.name.slice(0, 8);
  const state = event.state ?? '';
  if (event.type === 'ExecutionStarted') write(`[${short}] run started`);
  if (event.type === 'StateEntered' && STEP_STATES.has(state)) write(`[${short}]   ${state} …`);
  if (event.type === 'StateExited' && STEP_STATES.has(state)) {
    const previous = [...execution.events].reverse().find((e) => e !== event && e.state === state);
    if (previous?.type === 'StateFailed') return; // already reported as failed
    const entered = [...execution.events].reverse().find((e) => e.type === 'StateEntered' && e.state === state);
    const seconds = entered ? ((event.timestamp - entered.timestamp) / 1000).toFixed(1) : '?';
    write(`[${short}]   ${state} done in ${seconds}s`);
  }
  if (event.type === 'StateFailed' && STEP_STATES.has(state))
    write(`[${short}]   ${state} failed: ${event.error ?? ''}`);
  if (event.type === 'StateExited' && state === 'TrainCandidate') {
    const trial = (event.output ?? {}) as TrialOutput;
    const loss = typeof trial.validationLoss === 'number' ? trial.validationLoss.toFixed(4) : 'n/a';
    write(
      `[${short}]     ${trial.role === 'baseline' ? 'linear baseline' : `candidate ${trial.id ?? '?'}`}: validation loss ${loss} after ${trial.epochsRun ?? '?'} epochs (${trial.stoppedBy ?? '?'})`,
    );
  }
  if (event.type === 'StateRetried') write(`[${short}]   ${state} retrying`);
}

interface Summary {
  run?: { runId?: string; model?: string; duplicate?: boolean };
  etl?: { rows?: Record<string, number> };
  validation?: {
    version?: number;
    metrics?: Record<string, number | null>;
    gate?: { passed?: boolean; summary?: string };
  };
  promotion?: { version?: number; previousVersion?: number | null; promoted?: boolean };
  failure?: { reason?: string; errorType?: string };
}

/** A few lines on how a finished run ended: metrics, gate, version, or the reason it failed. */
export function describeOutcome(execution: LocalExecution): string[] {
  const exited = execution.events.filter((e) => e.type === 'StateExited' || e.type === 'ExecutionSucceeded');
  const last = (exited.at(-1)?.output ?? execution.output ?? {}) as Summary;
  const caught = [...execution.events].reverse().find((e) => e.type === 'StateExited' && e.state === 'RecordFailure');
  const failure = (caught?.output as Summary | undefined)?.failure;
  const lines: string[] = [];
  const short = execution.name.slice(0, 8);
  if (execution.status !== 'SUCCEEDED') {
    lines.push(`[${short}] run FAILED: ${failure?.reason ?? execution.error?.cause ?? 'see .mlops/logs'}`);
    return lines;
  }
  if (last.run?.duplicate) {
    lines.push(
      `[${short}] duplicate upload: run ${last.run.runId ?? ''} already exists for this object; nothing to do`,
    );
    return lines;
  }
  const v = last.validation;
  if (last.etl?.rows) {
    const r = last.etl.rows;
    lines.push(
      `[${short}] data: ${r.read} rows read, ${r.kept} kept (train ${r.train}, validation ${r.validation}, test ${r.test})`,
    );
  }
  if (v?.metrics) {
    const metrics = Object.entries(v.metrics).map(([k, value]) => `${k} ${value === null ? 'n/a' : value.toFixed(4)}`);
    lines.push(`[${short}] test metrics: ${metrics.join(', ')}`);
  }
  if (v?.gate) lines.push(`[${short}] gate ${v.gate.passed ? 'PASSED' : 'FAILED'}: ${v.gate.summary ?? ''}`);
  const model = last.run?.model ?? 'model';
  if (last.promotion?.version !== undefined && last.promotion.promoted === false) {
    const version = last.promotion.version;
    lines.push(
      `[${short}] ${model} version ${version} passed its gate and awaits approval; production unchanged (mlops approve ${model} ${version} -m …, then mlops promote ${model} ${version} -m …)`,
    );
  } else if (last.promotion?.version !== undefined) {
    const previous = last.promotion.previousVersion;
    lines.push(
      `[${short}] ${model} version ${last.promotion.version} is now in production${previous ? ` (was ${previous})` : ''}`,
    );
  } else if (v?.version !== undefined) {
    lines.push(`[${short}] version ${v.version} registered as REJECTED; production unchanged`);
  }
  return lines;
}
