import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint();

/** The layer rule's findings for a line of code placed at a path of the repository (nothing is written). */
async function findings(path: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(`${code}\nexport const used = 1;\n`, { filePath: path });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'project/layers').map((m) => m.message);
}

describe('the layers are enforced by ESLint (eslint-rules/layers.js)', () => {
  it('fails a core module that imports shared code or the AWS SDK', async () => {
    expect(await findings('lambdas/core/bad.ts', "import { LAYOUT } from '../shared/layout.js';")).toEqual([
      'lambdas/core/bad.ts (core) may not import lambdas/shared/layout.js (shared): core may import only core',
    ]);
    expect(
      (await findings('lambdas/core/report/bad.ts', "import { S3Client } from '@aws-sdk/client-s3';"))[0],
    ).toContain('lambdas/core has no AWS SDK');
    expect(await findings('lambdas/core/report/fine.ts', "import { fmt } from '../gate-types.js';")).toEqual([]);
  });

  it('fails a function that imports another function, and allows shared and core', async () => {
    expect(
      (await findings('lambdas/train/bad.ts', "import { runValidation } from '../validate/validate.js';"))[0],
    ).toContain('no function imports another');
    expect(
      await findings(
        'lambdas/train/fine.ts',
        "import { LAYOUT } from '../shared/layout.js';\nimport { extent } from '../core/extent.js';",
      ),
    ).toEqual([]);
  });

  it('fails product code that imports the local runtime from infrastructure, or tests from anywhere', async () => {
    expect((await findings('lib/bad.ts', "import { startLocalRuntime } from '../local/runtime.js';"))[0]).toContain(
      'lib may import only lib, state-machines, shared, core',
    );
    expect((await findings('local/bad.ts', "import { adult } from '../test/helpers/adult.js';"))[0]).toContain(
      'product code never imports tests',
    );
    expect((await findings('cli/bad.ts', "import { runEtl } from '../lambdas/etl/etl.js';"))[0]).toContain(
      'cli may import only cli, shared, core',
    );
    expect(
      await findings(
        'cli/commands/fine.ts',
        "import { reproduceVersion } from '../../lambdas/shared/use-cases/reproduce.js';",
      ),
    ).toEqual([]);
  });

  it('fails product code that imports the CLI', async () => {
    expect((await findings('lib/bad.ts', "import { runCli } from '../cli/program.js';"))[0]).toContain(
      'lib may import only lib, state-machines, shared, core',
    );
    expect(
      (await findings('lambdas/shared/use-cases/bad.ts', "import { writeReport } from '../../../cli/report.js';"))[0],
    ).toContain('shared may import only core, shared');
    expect(
      (await findings('lambdas/promote/bad.ts', "import { connectLocal } from '../../cli/connection.js';"))[0],
    ).toContain('a function may import only its own folder');
  });
});
