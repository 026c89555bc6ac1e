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
    expect(await findings('lambdas/core/bad.ts', "import { LAYOUT } from '../shared/contracts/layout.js';")).toEqual([
      'lambdas/core/bad.ts (core) may not import lambdas/shared/contracts/layout.js (shared/contracts): core may import only core',
    ]);
    expect(
      (await findings('lambdas/core/report/bad.ts', "import { S3Client } from '@aws-sdk/client-s3';"))[0],
    ).toContain('lambdas/core has no AWS SDK');
    expect(await findings('lambdas/core/report/fine.ts', "import { fmt } from '../gate-checks.js';")).toEqual([]);
  });

  it('fails a function that imports another function, and allows shared and core', async () => {
    expect(
      (await findings('lambdas/train/bad.ts', "import { runValidation } from '../validate/validate.js';"))[0],
    ).toContain('no function imports another');
    expect(
      await findings(
        'lambdas/train/fine.ts',
        "import { LAYOUT } from '../shared/contracts/layout.js';\nimport { extent } from '../core/extent.js';",
      ),
    ).toEqual([]);
  });

  it('fails product code that imports the local runtime from infrastructure, or tests from anywhere', async () => {
    expect((await findings('lib/bad.ts', "import { startLocalRuntime } from '../local/runtime.js';"))[0]).toContain(
      'lib may import only lib, state-machines, shared/contracts, core',
    );
    expect((await findings('local/bad.ts', "import { adult } from '../test/helpers/adult.js';"))[0]).toContain(
      'product code never imports tests',
    );
    expect((await findings('cli/bad.ts', "import { runEtl } from '../lambdas/etl/etl.js';"))[0]).toContain(
      'cli may import only cli, shared/use-cases, shared/adapters, shared/contracts, core',
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
      'lib may import only lib, state-machines, shared/contracts, core',
    );
    expect(
      (await findings('lambdas/shared/use-cases/bad.ts', "import { writeReport } from '../../../cli/report.js';"))[0],
    ).toContain('shared/use-cases may import only shared/use-cases, shared/adapters, shared/contracts, core');
    expect(
      (await findings('lambdas/promote/bad.ts', "import { connectLocal } from '../../cli/connection.js';"))[0],
    ).toContain('a function may import only its own folder');
  });

  describe('lambdas/shared in sub-layers: contracts → core; adapters → contracts; runtime → adapters; use-cases → adapters', () => {
    it('fails a contract that imports an adapter, or the AWS SDK', async () => {
      expect(
        await findings('lambdas/shared/contracts/bad.ts', "import { Registry } from '../adapters/registry.js';"),
      ).toEqual([
        'lambdas/shared/contracts/bad.ts (shared/contracts) may not import lambdas/shared/adapters/registry.js (shared/adapters): shared/contracts may import only shared/contracts, core',
      ]);
      expect(
        (await findings('lambdas/shared/contracts/bad.ts', "import { S3Client } from '@aws-sdk/client-s3';"))[0],
      ).toContain('contracts have no AWS SDK');
      expect(
        await findings('lambdas/shared/contracts/fine.ts', "import { ValidationError } from '../../core/errors.js';"),
      ).toEqual([]);
    });

    it('fails an adapter that imports the Lambda runtime, and allows contracts', async () => {
      expect(
        await findings('lambdas/shared/adapters/bad.ts', "import { tracer } from '../runtime/tracer.js';"),
      ).toEqual([
        'lambdas/shared/adapters/bad.ts (shared/adapters) may not import lambdas/shared/runtime/tracer.js (shared/runtime): shared/adapters may import only shared/adapters, shared/contracts, core',
      ]);
      expect(
        await findings('lambdas/shared/adapters/fine.ts', "import { runKey } from '../contracts/registry-keys.js';"),
      ).toEqual([]);
    });

    it('fails a use case or the CLI that imports the Lambda runtime, and infrastructure that imports an adapter', async () => {
      expect(
        (await findings('lambdas/shared/use-cases/bad.ts', "import { readEnv } from '../runtime/env.js';"))[0],
      ).toContain('shared/use-cases may import only');
      expect(
        (await findings('cli/bad.ts', "import { logger } from '../lambdas/shared/runtime/logger.js';"))[0],
      ).toContain('cli may import only');
      expect(
        (await findings('lib/bad.ts', "import { Registry } from '../lambdas/shared/adapters/registry.js';"))[0],
      ).toContain('lib may import only lib, state-machines, shared/contracts, core');
      expect(
        await findings('lambdas/shared/runtime/fine.ts', "import { Registry } from '../adapters/registry.js';"),
      ).toEqual([]);
    });

    it('fails a file placed at the root of lambdas/shared', async () => {
      expect(
        (await findings('lambdas/shared/loose.ts', "import { runKey } from './contracts/registry-keys.js';"))[0],
      ).toContain('lambdas/shared holds only its sub-layers');
    });
  });
});
