import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);

describe('mlops --stack', () => {
  it('explains what to do when the stack cannot be read (no network: CloudFormation pointed at a closed loopback port)', async () => {
    const env = {
      PATH: process.env.PATH ?? '',
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'secret',
      AWS_ENDPOINT_URL_CLOUDFORMATION: 'http://127.0.0.1:9',
      AWS_ENDPOINT_URL_STS: 'http://127.0.0.1:9',
      AWS_MAX_ATTEMPTS: '1',
    };
    const result = run(
      process.execPath,
      ['--import', 'tsx', 'bin/mlops.ts', '--stack', 'NoSuchStack', 'versions', 'adult'],
      { env },
    );
    await expect(result).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining('mlops: cannot read stack "NoSuchStack"'),
    });
    await expect(result).rejects.toMatchObject({
      stderr: expect.stringContaining('deploy it with npx cdk deploy, or check --region and your AWS credentials'),
    });
  }, 30_000);
});
