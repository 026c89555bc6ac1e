import { startLocalRuntime, type LocalRuntime } from './runtime.js';

/** The runtime model CI runs against: fresh, on free ports, the registry in memory (nothing is kept). */
export function startModelCiRuntime(stateDir: string): Promise<LocalRuntime> {
  return startLocalRuntime({
    stateDir,
    ports: { api: 0, s3: 0, dynamodb: 0, stepFunctions: 0, cloudwatch: 0, lambda: 0, sns: 0 },
    inMemoryDynamo: true,
  });
}
