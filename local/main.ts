import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import type { ApiSettings } from '../lib/api-settings.js';
import { projectContext } from '../lib/app.js';
import { environmentApiSettings } from '../lib/environments.js';
import { localS3Client } from './storage/emulators.js';
import { DEFAULT_PORTS } from './local-constants.js';
import { describeOutcome, printProgress } from './progress.js';
import { startLocalRuntime } from './runtime.js';
import { describeStartError } from './start-errors.js';

const DEMO_MODEL = 'adult';
const DEMO_FILE = join(import.meta.dirname, '..', 'examples', 'data', 'adult.csv');

const { values } = parseArgs({
  options: {
    fresh: { type: 'boolean', default: false },
    'state-dir': { type: 'string', default: '.mlops' },
    'api-port': { type: 'string', default: String(DEFAULT_PORTS.api) },
    's3-port': { type: 'string', default: String(DEFAULT_PORTS.s3) },
    'dynamodb-port': { type: 'string', default: String(DEFAULT_PORTS.dynamodb) },
    'sfn-port': { type: 'string', default: String(DEFAULT_PORTS.stepFunctions) },
    'cloudwatch-port': { type: 'string', default: String(DEFAULT_PORTS.cloudwatch) },
    'no-demo': { type: 'boolean', default: false },
    env: { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

if (values.help) {
  console.log(`npm start [-- options]
  --fresh              delete the local state (.mlops) first
  --state-dir DIR      where emulator data and logs live (default .mlops)
  --api-port N         HTTP API port (default ${DEFAULT_PORTS.api})
  --s3-port N          S3 emulator port (default ${DEFAULT_PORTS.s3})
  --dynamodb-port N    DynamoDB emulator port (default ${DEFAULT_PORTS.dynamodb})
  --sfn-port N         local Step Functions API port (default ${DEFAULT_PORTS.stepFunctions})
  --cloudwatch-port N  local CloudWatch API port (default ${DEFAULT_PORTS.cloudwatch})
  --no-demo            do not upload the example data on first start
  --env NAME           serve the API as environment NAME in cdk.json declares it (api: authorization, JWT issuer,
                       CORS origins, throttling); a JWT issuer must be on loopback (nothing else is reached)`);
  process.exit(0);
}

/** The API settings of a cdk.json environment, or a clear exit when it is unknown or wrong. */
function apiSettingsOf(name: string): ApiSettings | undefined {
  try {
    return environmentApiSettings(name, projectContext().environments);
  } catch (error) {
    console.error(`--env ${name}: ${(error as Error).message}`);
    process.exit(2);
  }
}

const port = (name: string, text: string | undefined): number => {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0 || n > 65535) {
    console.error(`--${name} must be a port number, got "${text}"`);
    process.exit(2);
  }
  return n;
};

const api = values.env === undefined ? undefined : apiSettingsOf(values.env);
console.log('Synthesizing the CDK app and starting the local stack…');
const ports = {
  api: port('api-port', values['api-port']),
  s3: port('s3-port', values['s3-port']),
  dynamodb: port('dynamodb-port', values['dynamodb-port']),
  stepFunctions: port('sfn-port', values['sfn-port']),
  cloudwatch: port('cloudwatch-port', values['cloudwatch-port']),
};
const runtime = await startLocalRuntime({
  stateDir: values['state-dir'],
  fresh: values.fresh,
  ports,
  ...(api ? { api } : {}),
}).catch((error: unknown) => {
  const explained = describeStartError(error, [
    { flag: '--api-port', what: 'the HTTP API', port: ports.api },
    { flag: '--s3-port', what: 'the S3 emulator', port: ports.s3 },
    { flag: '--dynamodb-port', what: 'the DynamoDB emulator', port: ports.dynamodb },
    { flag: '--sfn-port', what: 'the Step Functions API', port: ports.stepFunctions },
    { flag: '--cloudwatch-port', what: 'the CloudWatch API', port: ports.cloudwatch },
  ]);
  if (explained === undefined) throw error;
  console.error(explained);
  process.exit(1);
});
const { endpoints } = runtime;
for (const machine of runtime.stateMachines.values()) {
  machine.onEvent((execution, event) => {
    printProgress(execution, event);
    if (event.type.startsWith('Execution') && event.type !== 'ExecutionStarted') {
      void execution.done.then((done) => describeOutcome(done).forEach((line) => console.log(line)));
    }
  });
}

const dataBucket = endpoints.outputs.DataBucketName as string;
console.log(`
Local stack ${endpoints.stackName} is running (${runtime.assembly.reused ? 'the app was synthesized before from the same source: reused' : 'app synthesized'}; state in ${values['state-dir']}/, endpoints in ${values['state-dir']}/local.json)
  API        ${endpoints.apiUrl}
  S3         ${endpoints.s3Endpoint}   data bucket: ${dataBucket}
  DynamoDB   ${endpoints.dynamodbEndpoint}   registry: ${endpoints.outputs.RegistryTableName}
  CloudWatch ${endpoints.cloudwatchEndpoint}   alarms: ${runtime.cloudwatch.alarms.specs.length} (mlops alarms), notifications in ${values['state-dir']}/notifications.jsonl
  credentials: AWS_ACCESS_KEY_ID=${endpoints.credentials.accessKeyId} AWS_SECRET_ACCESS_KEY=${endpoints.credentials.secretAccessKey}

Upload data to train:  AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER aws --endpoint-url ${endpoints.s3Endpoint} s3 cp file.csv s3://${dataBucket}/incoming/${DEMO_MODEL}/
Predict:               curl ${api?.authorization === 'jwt' ? '-H "authorization: Bearer $TOKEN"' : api?.authorization === 'none' ? '' : `--aws-sigv4 "aws:amz:${endpoints.region}:execute-api" --user S3RVER:S3RVER`} -H 'content-type: application/json' \\
                         -d @examples/requests/adult.json ${endpoints.apiUrl}/v1/models/${DEMO_MODEL}/predict
${api?.authorization === 'jwt' ? `                       ($TOKEN: a token of ${api.jwt?.issuer ?? ''} for ${api.jwt?.audience.join(' or ') ?? ''})\n` : ''}`);

const s3 = localS3Client(endpoints.s3Endpoint, endpoints.region);
const existing = await s3.send(
  new ListObjectsV2Command({ Bucket: dataBucket, Prefix: `incoming/${DEMO_MODEL}/`, MaxKeys: 1 }),
);
if (!values['no-demo'] && (existing.KeyCount ?? 0) === 0) {
  console.log(
    `First start: uploading ${basename(DEMO_FILE)} to s3://${dataBucket}/incoming/${DEMO_MODEL}/ — the upload starts the pipeline.\n`,
  );
  await s3.send(
    new PutObjectCommand({
      Bucket: dataBucket,
      Key: `incoming/${DEMO_MODEL}/${basename(DEMO_FILE)}`,
      Body: readFileSync(DEMO_FILE),
      ContentType: 'text/csv',
    }),
  );
}
s3.destroy();

const shutdown = async (): Promise<void> => {
  console.log('\nStopping the local stack…');
  await runtime.stop();
  process.exit(0);
};
process.on('SIGINT', () => void shutdown());
process.on('SIGTERM', () => void shutdown());
