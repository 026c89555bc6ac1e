import { AwsJsonServer } from './aws-json-server.js';
import type { VirtualClock } from './clock.js';
import { cloudWatchServices } from './cloudwatch/api.js';
import type { LocalCloudWatch } from './cloudwatch/local-cloudwatch.js';
import { LOCAL_CREDENTIALS } from './storage/emulators.js';
import { DEFAULT_PORTS } from './local-constants.js';
import type { LocalRuntimeOptions } from './runtime.js';
import type { Closers } from './closers.js';
import { LocalSnsApi } from './sns/sns-api.js';
import { stepFunctionsService } from './stepfunctions/api.js';
import type { LocalResources } from './template.js';
import type { LocalStateMachine } from './stepfunctions/state-machine.js';
import type { TaskTokens } from './stepfunctions/task-tokens.js';

/**
 * The Step Functions, CloudWatch and SNS APIs listen before the functions exist: their endpoints are part of the
 * functions' environment (a function starts a state machine, reads an alarm or publishes to a topic through them, as
 * in AWS). A message published to one of the template's topics lands in the notification sink, as an alarm's does.
 */
export async function startServiceApis(
  stepFunctions: { machines: Map<string, LocalStateMachine>; tokens: TaskTokens },
  cloudwatch: { current?: LocalCloudWatch },
  clock: VirtualClock,
  ports: NonNullable<LocalRuntimeOptions['ports']>,
  closers: Closers,
  resources: LocalResources,
): Promise<{ sfnEndpoint: string; cloudwatchEndpoint: string; snsEndpoint: string }> {
  const sfnApi = new AwsJsonServer('local Step Functions API', LOCAL_CREDENTIALS, [
    stepFunctionsService(stepFunctions.machines, stepFunctions.tokens),
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
  const topics = resources.ofType('AWS::SNS::Topic').map(([id]) => resources.arn(id));
  const snsApi = new LocalSnsApi(
    {
      arns: () => topics,
      publish: (topicArn, subject, message) => cloudwatch.current?.publish(topicArn, subject, message, clock.now()),
    },
    LOCAL_CREDENTIALS,
  );
  const snsEndpoint = `http://127.0.0.1:${await snsApi.listen(ports.sns ?? DEFAULT_PORTS.sns)}`;
  closers.add(() => snsApi.close());
  return { sfnEndpoint, cloudwatchEndpoint, snsEndpoint };
}
