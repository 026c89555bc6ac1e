/**
 * The names of the pipeline's resumable steps, defined once: the state machine's states carry these names, the
 * functions record them on the run as its `step`, and a re-drive enters the state of that name.
 */
export const PIPELINE_STEPS = {
  etl: 'ETL',
  tune: 'Tune',
  refit: 'Refit',
  validate: 'Validate',
  report: 'Report',
  promote: 'Promote',
} as const;

export type PipelineStep = (typeof PIPELINE_STEPS)[keyof typeof PIPELINE_STEPS];

const RESUMABLE: readonly string[] = Object.values(PIPELINE_STEPS);

/**
 * The state a failed run resumes at: the step it failed in; a failure before ETL began resumes at ETL (the run exists
 * by then); runs recorded before the Tune stage existed say "Train", which is now the Tune stage.
 */
export function resumeStepOf(recorded: string | undefined): PipelineStep | undefined {
  if (recorded === undefined || recorded === 'RegisterRun') return PIPELINE_STEPS.etl;
  if (recorded === 'Train') return PIPELINE_STEPS.tune;
  return RESUMABLE.includes(recorded) ? (recorded as PipelineStep) : undefined;
}
