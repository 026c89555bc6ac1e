import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { createServiceClients } from './clients.js';
import type { Connection } from './connection.js';

/**
 * Connects the CLI to a deployed stack: its outputs name the buckets, table and API; the user's own AWS credentials
 * (the SDK's default chain: environment, profile, SSO, instance role) sign every call, and the caller's IAM
 * principal is what the audit trail records as the actor.
 */
export async function connectStack(stackName: string, region?: string): Promise<Connection> {
  const config = region === undefined ? {} : { region };
  const cloudFormation = new CloudFormationClient(config);
  const sts = new STSClient(config);
  try {
    const outputs = await stackOutputs(cloudFormation, stackName);
    const { ArtifactsBucketName, DataBucketName, RegistryTableName, ApiUrl, TrainingStateMachineArn } = outputs;
    const { MonitorFunctionName, RetrainFunctionName } = outputs;
    if (!ArtifactsBucketName || !DataBucketName || !RegistryTableName || !ApiUrl || !TrainingStateMachineArn) {
      throw new Error(
        `stack "${stackName}" lacks the serverless-mlops outputs (ArtifactsBucketName, DataBucketName, RegistryTableName, ApiUrl): is it this project's stack?`,
      );
    }
    if (!MonitorFunctionName || !RetrainFunctionName)
      throw new Error(
        `stack "${stackName}" has no MonitorFunctionName or RetrainFunctionName output: it predates monitoring; deploy it again`,
      );
    const clients = createServiceClients(config);
    const { s3, sfn } = clients;
    const [credentials, identity, resolvedRegion] = await Promise.all([
      s3.config.credentials(),
      sts.send(new GetCallerIdentityCommand({})),
      s3.config.region(),
    ]);
    return {
      s3,
      registry: clients.registry(RegistryTableName),
      releases: clients.releases(RegistryTableName),
      uploads: clients.uploads(RegistryTableName),
      artifactsBucket: ArtifactsBucketName,
      dataBucket: DataBucketName,
      apiUrl: ApiUrl.replace(/\/$/, ''),
      sfn,
      cloudwatch: clients.cloudwatch,
      logs: clients.logs,
      lambda: clients.lambda,
      monitors: clients.monitors(RegistryTableName),
      incidents: clients.incidents(RegistryTableName),
      monitorFunctionName: MonitorFunctionName,
      retrainFunctionName: RetrainFunctionName,
      stackName,
      stateMachineArn: TrainingStateMachineArn,
      region: resolvedRegion,
      credentials,
      actor: identity.Arn ?? 'unknown IAM principal',
      close: () => clients.destroy(),
    };
  } finally {
    cloudFormation.destroy();
    sts.destroy();
  }
}

/** The stack's outputs, by key; a stack that cannot be read is an error saying what to check. */
async function stackOutputs(cloudFormation: CloudFormationClient, stackName: string): Promise<Record<string, string>> {
  try {
    const { Stacks } = await cloudFormation.send(new DescribeStacksCommand({ StackName: stackName }));
    return Object.fromEntries((Stacks?.[0]?.Outputs ?? []).map((o) => [o.OutputKey ?? '', o.OutputValue ?? '']));
  } catch (error) {
    throw new Error(
      `cannot read stack "${stackName}" (${(error as Error).message}); deploy it with npx cdk deploy, or check --region and your AWS credentials`,
      { cause: error },
    );
  }
}
