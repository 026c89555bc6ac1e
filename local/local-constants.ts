/** The local runtime's fixed identity and its default ports on loopback (each can be changed at start). */

export const LOCAL_REGION = 'us-east-1';
export const LOCAL_ACCOUNT = '000000000000';

/** `npm start`'s ports: the HTTP API, the emulators and the AWS APIs the runtime serves. */
export const DEFAULT_PORTS = {
  api: 3000,
  s3: 4568,
  dynamodb: 4567,
  stepFunctions: 4570,
  cloudwatch: 4571,
  lambda: 4572,
  sns: 4573,
} as const;
