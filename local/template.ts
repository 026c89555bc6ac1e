/**
 * Reads the CloudFormation template CDK synthesized and resolves its intrinsic functions against local names, so
 * the local runtime runs exactly the resources (and environment) that `cdk deploy` would create.
 */

export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly Metadata?: Record<string, unknown>;
}

export interface CfnTemplate {
  readonly Resources: Record<string, CfnResource>;
  readonly Outputs?: Record<string, { readonly Value: unknown }>;
}

export interface LocalEnvironment {
  readonly stackName: string;
  readonly region: string;
  readonly account: string;
  /** Base URL of the local HTTP API (what ApiEndpoint resolves to). */
  readonly apiUrl: string;
}

/** Local physical names and ARNs for the template's resources, as CloudFormation would generate them. */
export class LocalResources {
  constructor(
    readonly template: CfnTemplate,
    readonly env: LocalEnvironment,
  ) {}

  resource(logicalId: string): CfnResource {
    const resource = this.template.Resources[logicalId];
    if (resource === undefined) throw new Error(`the template has no resource ${logicalId}`);
    return resource;
  }

  ofType(type: string): [string, CfnResource][] {
    return Object.entries(this.template.Resources).filter(([, r]) => r.Type === type);
  }

  /** The name CloudFormation would give: explicit name property if set, else stack-logicalId (lower case for S3). */
  physicalName(logicalId: string): string {
    const resource = this.resource(logicalId);
    const explicit = {
      'AWS::S3::Bucket': 'BucketName',
      'AWS::DynamoDB::Table': 'TableName',
      'AWS::Lambda::Function': 'FunctionName',
      'AWS::StepFunctions::StateMachine': 'StateMachineName',
      'AWS::SQS::Queue': 'QueueName',
      'AWS::SNS::Topic': 'TopicName',
      'AWS::CloudWatch::Alarm': 'AlarmName',
      'AWS::CloudWatch::CompositeAlarm': 'AlarmName',
      'AWS::KinesisFirehose::DeliveryStream': 'DeliveryStreamName',
      'AWS::Logs::LogGroup': 'LogGroupName',
    }[resource.Type];
    const given = explicit ? resource.Properties?.[explicit] : undefined;
    if (typeof given === 'string') return given;
    const name = `${this.env.stackName}-${logicalId}`;
    return resource.Type === 'AWS::S3::Bucket'
      ? name
          .toLowerCase()
          .replace(/[^a-z0-9-]/g, '-')
          .slice(0, 63)
      : name.slice(0, 64);
  }

  arn(logicalId: string): string {
    const { region, account } = this.env;
    const name = this.physicalName(logicalId);
    switch (this.resource(logicalId).Type) {
      case 'AWS::S3::Bucket':
        return `arn:aws:s3:::${name}`;
      case 'AWS::DynamoDB::Table':
        return `arn:aws:dynamodb:${region}:${account}:table/${name}`;
      case 'AWS::Lambda::Function':
        return `arn:aws:lambda:${region}:${account}:function:${name}`;
      case 'AWS::StepFunctions::StateMachine':
        return `arn:aws:states:${region}:${account}:stateMachine:${name}`;
      case 'AWS::SQS::Queue':
        return `arn:aws:sqs:${region}:${account}:${name}`;
      case 'AWS::KinesisFirehose::DeliveryStream':
        return `arn:aws:firehose:${region}:${account}:deliverystream/${name}`;
      case 'AWS::SNS::Topic':
        return `arn:aws:sns:${region}:${account}:${name}`;
      case 'AWS::CloudWatch::Alarm':
      case 'AWS::CloudWatch::CompositeAlarm':
        return `arn:aws:cloudwatch:${region}:${account}:alarm:${name}`;
      case 'AWS::Events::Rule':
        return `arn:aws:events:${region}:${account}:rule/${name}`;
      case 'AWS::IAM::Role':
        return `arn:aws:iam::${account}:role/${name}`;
      case 'AWS::Logs::LogGroup':
        return `arn:aws:logs:${region}:${account}:log-group:${name}:*`;
      default:
        return `arn:aws:local:${region}:${account}:${logicalId}`;
    }
  }

  /** What `Ref` returns for the resource type. */
  ref(logicalId: string): string {
    const type = this.resource(logicalId).Type;
    if (type === 'AWS::StepFunctions::StateMachine' || type === 'AWS::SNS::Topic') return this.arn(logicalId);
    if (type === 'AWS::SQS::Queue')
      return `http://sqs.${this.env.region}.localhost/${this.env.account}/${this.physicalName(logicalId)}`;
    return this.physicalName(logicalId);
  }

  getAtt(logicalId: string, attribute: string): string {
    const type = this.resource(logicalId).Type;
    if (attribute === 'Arn') return this.arn(logicalId);
    if (type === 'AWS::ApiGatewayV2::Api' && attribute === 'ApiEndpoint') return this.env.apiUrl;
    if (type === 'AWS::ApiGatewayV2::Api' && attribute === 'ApiId') return this.physicalName(logicalId);
    if (type === 'AWS::StepFunctions::StateMachine' && attribute === 'Name') return this.physicalName(logicalId);
    if (type === 'AWS::SQS::Queue' && attribute === 'QueueName') return this.physicalName(logicalId);
    if (type === 'AWS::S3::Bucket' && attribute === 'DomainName') return `${this.physicalName(logicalId)}.s3.localhost`;
    throw new Error(`the local runtime cannot resolve Fn::GetAtt ${logicalId}.${attribute} (${type})`);
  }

  private pseudo(name: string): string | undefined {
    return {
      'AWS::Region': this.env.region,
      'AWS::AccountId': this.env.account,
      'AWS::Partition': 'aws',
      'AWS::URLSuffix': 'amazonaws.com',
      'AWS::StackName': this.env.stackName,
      'AWS::StackId': `arn:aws:cloudformation:${this.env.region}:${this.env.account}:stack/${this.env.stackName}/local`,
    }[name];
  }

  /** Resolves Ref, Fn::GetAtt, Fn::Join, Fn::Select, Fn::Split and Fn::Sub throughout a value. */
  resolve(value: unknown): unknown {
    if (Array.isArray(value)) return value.map((v) => this.resolve(v));
    if (value === null || typeof value !== 'object') return value;
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 1) {
      const [key, arg] = entries[0] as [string, unknown];
      switch (key) {
        case 'Ref': {
          const name = String(arg);
          return this.pseudo(name) ?? this.ref(name);
        }
        case 'Fn::GetAtt': {
          const [id, attribute] = Array.isArray(arg) ? (arg as string[]) : String(arg).split('.');
          return this.getAtt(String(id), String(attribute));
        }
        case 'Fn::Join': {
          const [separator, parts] = arg as [string, unknown[]];
          return (this.resolve(parts) as unknown[]).map(String).join(separator);
        }
        case 'Fn::Select': {
          const [index, list] = arg as [unknown, unknown];
          return (this.resolve(list) as unknown[])[Number(this.resolve(index))];
        }
        case 'Fn::Split': {
          const [separator, text] = arg as [string, unknown];
          return String(this.resolve(text)).split(separator);
        }
        case 'Fn::Sub': {
          const [text, vars] = (Array.isArray(arg) ? arg : [arg, {}]) as [string, Record<string, unknown>];
          return text.replace(/\$\{([^}]+)\}/g, (_, name: string) => {
            if (name in vars) return String(this.resolve(vars[name]));
            const pseudo = this.pseudo(name);
            if (pseudo !== undefined) return pseudo;
            const [id, attribute] = name.split('.');
            return attribute === undefined ? this.ref(id as string) : this.getAtt(id as string, attribute);
          });
        }
        default:
          if (key.startsWith('Fn::')) throw new Error(`the local runtime cannot resolve ${key}`);
      }
    }
    return Object.fromEntries(entries.map(([k, v]) => [k, this.resolve(v)]));
  }
}
