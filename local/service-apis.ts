import { AwsJsonServer } from './aws-json-server.js';
import type { VirtualClock } from './clock.js';
import { cloudWatchServices } from './cloudwatch/api.js';
import type { LocalCloudWatch } from './cloudwatch/local-cloudwatch.js';
import { LOCAL_CREDENTIALS } from './storage/emulators.js';
import { DEFAULT_PORTS } from './local-constants.js';
import type { LocalRuntimeOptions } from './runtime.js';
import type { Closers } from './closers.js';
import { stepFunctionsService } from './stepfunctions/api.js';
import type { LocalStateMachine } from './stepfunctions/state-machine.js';

/**
 * The Step Functions and CloudWatch APIs listen before the functions exist: their endpoints are part of the functions'
 * environment (a function starts a state machine or reads an alarm through them, as in AWS).
 */
export async function startServiceApis(
  stateMachines: Map<string, LocalStateMachine>,
  cloudwatch: { current?: LocalCloudWatch },
  clock: VirtualClock,
  ports: NonNullable<LocalRuntimeOptions['ports']>,
  closers: Closers,
): Promise<{ sfnEndpoint: string; cloudwatchEndpoint: string }> {
  const sfnApi = new AwsJsonServer('local Step Functions API', LOCAL_CREDENTIALS, [
    stepFunctionsService(stateMachines),
  ]);
  const sfnEndpoint = `http://127.0.0.1:${await sfnApi.listen(ports.stepFunctions ?? DEFAULT_PORTS.stepFunctions)}`;
  closers.add(() => sfnApi.close());
  const cloudwatchApi = new AwsJsonServer(
    'local CloudWatch API',
    LOCAL_CREDENTIALS,
    cloudWatchServices(
      () => cloudwatch.current,
      () => clock.now(),
    ),
  );
  const cloudwatchEndpoint = `http://127.0.0.1:${await cloudwatchApi.listen(ports.cloudwatch ?? DEFAULT_PORTS.cloudwatch)}`;
  closers.add(() => cloudwatchApi.close());
  return { sfnEndpoint, cloudwatchEndpoint };
}
