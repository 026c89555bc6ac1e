import { RemovalPolicy } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as z from 'zod';
import { ApiSettingsSchema, apiStackProps } from './api-settings.js';
import type { MlopsStackProps } from './mlops-stack.js';

const RETENTION_DAYS = Object.values(logs.RetentionDays).filter((v): v is number => typeof v === 'number');

/**
 * One deployment environment (`dev`, `staging`, `prod`, or any name) as written under `environments` in cdk.json's
 * context. Everything left out takes the safe value: data retained, the registry protected from deletion.
 */
export const EnvironmentSchema = z.strictObject({
  /** Target account; leave out to deploy to the account of the credentials in use. */
  account: z
    .string()
    .regex(/^\d{12}$/, 'an AWS account id is 12 digits')
    .optional(),
  /** Target region; leave out to use the credentials' default region. */
  region: z
    .string()
    .regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'a region looks like eu-west-1')
    .optional(),
  /** @default ServerlessMlops-<environment name> */
  stackName: z
    .string()
    .regex(/^[A-Za-z][A-Za-z0-9-]{0,127}$/, 'letters, digits and hyphens, starting with a letter')
    .optional(),
  removalPolicy: z.enum(['retain', 'destroy']).default('retain'),
  deletionProtection: z.boolean().default(true),
  logRetentionDays: z
    .number()
    .refine((days) => RETENTION_DAYS.includes(days), {
      message: `one of CloudWatch Logs' retention periods: ${RETENTION_DAYS.join(', ')}`,
    })
    .default(90),
  alarmEmails: z.array(z.email()).default([]),
  alarmTopicArns: z.array(z.string().regex(/^arn:aws[a-z-]*:sns:/, 'an SNS topic ARN')).default([]),
  customerManagedKey: z.boolean().default(false),
  /** Object Lock (governance) on artifacts for this many days; set before the first deploy. */
  artifactRetentionDays: z.number().int().positive().optional(),
  pointInTimeRecoveryDays: z.number().int().min(1).max(35).default(35),
  /** The inference API: authorization (IAM or a JWT issuer), CORS origins, throttling. @default IAM, no CORS */
  api: ApiSettingsSchema.optional(),
});

export interface ResolvedEnvironment {
  readonly stackName: string;
  readonly stackProps: MlopsStackProps;
}

/**
 * Reads environment `name` from the `environments` context object and turns it into stack props. Throws with every
 * problem listed (and the names that exist) when the environment is unknown or its settings are wrong.
 */
export function resolveEnvironment(
  name: string,
  environments: unknown,
  defaults: { account?: string; region?: string } = {},
): ResolvedEnvironment {
  const table = z.record(z.string(), z.unknown()).safeParse(environments ?? {});
  if (!table.success)
    throw new Error('cdk.json context "environments" must be an object of environment name → settings');
  const raw = table.data[name];
  if (raw === undefined) {
    const known = Object.keys(table.data);
    throw new Error(
      `unknown environment "${name}": cdk.json context "environments" defines ${known.length ? known.join(', ') : 'none'}`,
    );
  }
  const parsed = EnvironmentSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `  ${issue.path.join('.') || '(settings)'}: ${issue.message}`);
    throw new Error(`environment "${name}" in cdk.json is not valid:\n${problems.join('\n')}`);
  }
  const config = parsed.data;
  if (config.removalPolicy === 'destroy' && config.artifactRetentionDays) {
    throw new Error(
      `environment "${name}": artifactRetentionDays (Object Lock) and removalPolicy "destroy" contradict each other; a locked bucket cannot be emptied`,
    );
  }
  const account = config.account ?? defaults.account;
  const region = config.region ?? defaults.region;
  return {
    stackName: config.stackName ?? `ServerlessMlops-${name}`,
    stackProps: {
      ...(account || region ? { env: { ...(account ? { account } : {}), ...(region ? { region } : {}) } } : {}),
      removalPolicy: config.removalPolicy === 'destroy' ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
      deletionProtection: config.deletionProtection,
      logRetention: config.logRetentionDays as logs.RetentionDays,
      alarmEmails: config.alarmEmails,
      alarmTopicArns: config.alarmTopicArns,
      customerManagedKey: config.customerManagedKey,
      pointInTimeRecoveryDays: config.pointInTimeRecoveryDays,
      ...(config.artifactRetentionDays ? { artifactRetentionDays: config.artifactRetentionDays } : {}),
      ...(config.api ? apiStackProps(config.api) : {}),
      tags: { 'mlops:environment': name },
    },
  };
}

/** The `api` settings of environment `name` (for running it locally); undefined when it declares none. */
export function environmentApiSettings(
  name: string,
  environments: unknown,
): z.output<typeof ApiSettingsSchema> | undefined {
  const raw = z.record(z.string(), z.object({ api: z.unknown().optional() }).loose()).safeParse(environments ?? {});
  const environment = raw.success ? raw.data[name] : undefined;
  if (environment === undefined)
    throw new Error(
      `unknown environment "${name}": cdk.json context "environments" defines ${raw.success ? Object.keys(raw.data).join(', ') || 'none' : 'none'}`,
    );
  if (environment.api === undefined) return undefined;
  const parsed = ApiSettingsSchema.safeParse(environment.api);
  if (!parsed.success)
    throw new Error(
      `environment "${name}" in cdk.json: api is not valid:\n${parsed.error.issues.map((issue) => `  api.${issue.path.join('.')}: ${issue.message}`).join('\n')}`,
    );
  return parsed.data;
}
