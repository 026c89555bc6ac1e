import type { S3Client } from '@aws-sdk/client-s3';
import { judgeReleaseCheck } from '../core/release-check.js';
import type { ReleaseStepInput } from '../shared/contracts/release-steps.js';
import { abortRelease, beginRelease, settleCheck, tickRelease, type ReleaseDeps } from '../shared/use-cases/release.js';
import { prepareCheck } from './check.js';

/** What the release steps need besides the release use case's own: S3 for the check rows, the candidate's alarms. */
export interface ReleaseStepDeps extends ReleaseDeps {
  readonly s3: S3Client;
  readonly artifactsBucket: string;
  /** A model's alarms on its candidate variant, which roll a release back. */
  readonly candidateAlarms: (model: string) => string[];
}

/** One step of a release, by its action: what the state machine reads next from the answer. */
export async function runReleaseStep(deps: ReleaseStepDeps, input: ReleaseStepInput): Promise<Record<string, unknown>> {
  switch (input.action) {
    case 'begin': {
      const record = await beginRelease(deps, {
        model: input.model,
        candidateVersion: input.candidateVersion,
        config: input.release,
        ...(input.executionArn ? { executionArn: input.executionArn } : {}),
      });
      return { releaseId: record.releaseId, bakeMinutes: record.bakeMinutes, mode: record.mode };
    }
    case 'prepare-check':
      return {
        ...(await prepareCheck(
          deps.registry,
          deps.s3,
          deps.artifactsBucket,
          input.model,
          input.candidateVersion,
          input.rows,
        )),
      };
    case 'judge-check': {
      const record = await deps.releases.get(input.model);
      if (record === undefined) throw new Error(`no release of ${input.model} to judge`);
      const problems = judgeReleaseCheck(
        input.response,
        input.expected as Parameters<typeof judgeReleaseCheck>[1],
        input.candidateVersion,
        input.budgetMs,
      );
      const settled = await settleCheck(deps, record, problems);
      return { passed: settled.state === 'running', minutesLeft: settled.bakeMinutes, problems };
    }
    case 'tick': {
      const { outcome, minutesLeft, record } = await tickRelease(
        deps,
        input.model,
        deps.candidateAlarms(input.model),
        input.minutesLeft,
      );
      return { outcome, minutesLeft, share: record?.share ?? 0 };
    }
    case 'abort':
      return { state: (await abortRelease(deps, input.model, input.reason))?.state ?? 'none' };
  }
}
