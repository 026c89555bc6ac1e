import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { CAPTURE_FILTER_PATTERN } from '../../lib/request-capture.js';
import { LAYOUT } from '../../lambdas/shared/contracts/layout.js';
import { compileFilterPattern } from '../../local/cloudwatch/filter-pattern.js';
import { matchesPattern } from '../../local/events/event-pattern.js';
import { synthesizedTemplate, testApp } from '../helpers/test-app.js';

type Json = Record<string, unknown>;
let template: Template;
let kmsTemplate: Template;

function resources(t: Template, type: string): [string, { Properties: Json; DependsOn?: string[] }][] {
  return Object.entries(t.findResources(type)) as [string, { Properties: Json; DependsOn?: string[] }][];
}

function synth(customerManagedKey: boolean): Template {
  return synthesizedTemplate({ stackProps: { customerManagedKey } });
}

beforeAll(() => {
  template = synth(false);
  kmsTemplate = synth(true);
});

describe('request capture', () => {
  it("subscribes predict's and feedback's own log groups to the capture delivery stream, for capture and feedback lines only", () => {
    const filters = resources(template, 'AWS::Logs::SubscriptionFilter').map(
      ([, f]) =>
        f.Properties as {
          LogGroupName: { Ref: string };
          DestinationArn: { 'Fn::GetAtt': string[] };
          FilterPattern: string;
        },
    );
    const logGroupOf = (prefix: string) =>
      (
        resources(template, 'AWS::Lambda::Function').find(([id]) => id.startsWith(prefix))?.[1].Properties as {
          LoggingConfig: { LogGroup: { Ref: string } };
        }
      ).LoggingConfig.LogGroup.Ref;
    expect(filters.map((f) => f.LogGroupName.Ref).sort()).toEqual(
      [logGroupOf('InferenceFeedback'), logGroupOf('InferencePredict')].sort(),
    );
    for (const f of filters)
      expect([f.DestinationArn['Fn::GetAtt'][0], f.FilterPattern]).toEqual([
        expect.stringMatching(/^CaptureDeliveryStream/),
        CAPTURE_FILTER_PATTERN,
      ]);
    const matches = compileFilterPattern(CAPTURE_FILTER_PATTERN);
    expect(matches('{"mlopsRecord":"capture","model":"iris"}')).toBe(true);
    expect(matches('{"mlopsRecord":"feedback","model":"iris"}')).toBe(true);
    expect(matches('{"level":"INFO","message":"answered","model":"iris"}')).toBe(false);
  });

  it('partitions by record kind, model and hour, GZIP, encrypted, with delivery errors logged and kept apart', () => {
    const [[, stream]] = resources(template, 'AWS::KinesisFirehose::DeliveryStream') as [
      [string, { Properties: Json }],
    ];
    const s3 = stream.Properties.ExtendedS3DestinationConfiguration as Json;
    expect(s3.Prefix).toBe(
      '!{partitionKeyFromQuery:record}/model=!{partitionKeyFromQuery:model}/dt=!{timestamp:yyyy-MM-dd-HH}/',
    );
    expect(String(s3.ErrorOutputPrefix)).toMatch(new RegExp(`^${LAYOUT.captureErrors}`));
    expect(s3).toMatchObject({
      CompressionFormat: 'GZIP',
      DynamicPartitioningConfiguration: { Enabled: true },
      CloudWatchLoggingOptions: { Enabled: true },
    });
    const processors = (s3.ProcessingConfiguration as { Processors: { Type: string }[] }).Processors.map((p) => p.Type);
    expect(processors).toEqual([
      'Decompression',
      'CloudWatchLogProcessing',
      'MetadataExtraction',
      'AppendDelimiterToRecord',
    ]);
    expect(stream.Properties.DeliveryStreamEncryptionConfigurationInput).toEqual({ KeyType: 'AWS_OWNED_CMK' });
    const [[, kmsStream]] = resources(kmsTemplate, 'AWS::KinesisFirehose::DeliveryStream') as [
      [string, { Properties: Json }],
    ];
    expect(kmsStream.Properties.DeliveryStreamEncryptionConfigurationInput).toMatchObject({
      KeyType: 'CUSTOMER_MANAGED_CMK',
    });
  });

  it('lets Firehose write under the capture prefixes only, and CloudWatch Logs put to this stream only', () => {
    const policies = resources(template, 'AWS::IAM::Policy');
    const statements = (prefix: string) =>
      (
        policies.find(([id]) => id.startsWith(prefix))?.[1].Properties.PolicyDocument as {
          Statement: { Action: string | string[]; Resource: unknown }[];
        }
      ).Statement;
    const put = statements('CaptureDeliveryRole').find((s) => [s.Action].flat().includes('s3:PutObject'));
    const keys = JSON.stringify(put?.Resource);
    for (const prefix of [LAYOUT.capture, LAYOUT.feedback, LAYOUT.captureErrors]) expect(keys).toContain(`/${prefix}*`);
    expect(keys).not.toContain(LAYOUT.incoming);
    const subscription = statements('CaptureSubscriptionRole');
    expect(subscription).toHaveLength(1);
    expect(subscription[0]?.Action).toEqual(['firehose:PutRecord', 'firehose:PutRecordBatch']);
    expect(JSON.stringify(subscription[0]?.Resource)).toMatch(/CaptureDeliveryStream/);
  });
});

describe('alarm history', () => {
  it("routes every state change of each model's alarms, the composite included, to the record-alarm function with the model's name", () => {
    const rules = resources(template, 'AWS::Events::Rule').filter(([id]) => id.startsWith('AlarmHistoryRule'));
    const modelAlarms = [
      ...resources(template, 'AWS::CloudWatch::Alarm'),
      ...resources(template, 'AWS::CloudWatch::CompositeAlarm'),
    ].filter(([id]) => id.startsWith('Modeladult'));
    expect(rules).toHaveLength(1);
    const [, rule] = rules[0] as [string, { Properties: Json }];
    const pattern = rule.Properties.EventPattern as {
      source: string[];
      'detail-type': string[];
      resources: { 'Fn::GetAtt': string[] }[];
      detail: unknown;
    };
    expect(pattern.source).toEqual(['aws.cloudwatch']);
    expect(pattern['detail-type']).toEqual(['CloudWatch Alarm State Change']);
    // Into or out of ALARM only (checked with the local matcher, which follows EventBridge's documented "$or").
    const change = (state: string, previous: string) => ({
      source: 'aws.cloudwatch',
      'detail-type': 'CloudWatch Alarm State Change',
      resources: ['x'],
      detail: { state: { value: state }, previousState: { value: previous } },
    });
    const detailOnly = { detail: (rule.Properties.EventPattern as { detail: Record<string, unknown> }).detail };
    expect(matchesPattern(detailOnly, change('ALARM', 'OK'))).toBe(true);
    expect(matchesPattern(detailOnly, change('OK', 'ALARM'))).toBe(true);
    expect(matchesPattern(detailOnly, change('OK', 'INSUFFICIENT_DATA'))).toBe(false);
    expect(pattern.resources.map((r) => r['Fn::GetAtt'][0]).sort()).toEqual(modelAlarms.map(([id]) => id).sort());
    const [target] = rule.Properties.Targets as {
      Arn: { 'Fn::GetAtt': string[] };
      InputTransformer: { InputPathsMap: Record<string, string>; InputTemplate: string };
      DeadLetterConfig: unknown;
      RetryPolicy: unknown;
    }[];
    expect(target?.Arn['Fn::GetAtt'][0]).toMatch(/^AlarmHistoryRecordAlarm/);
    expect(target?.DeadLetterConfig).toBeDefined();
    expect(target?.RetryPolicy).toMatchObject({ MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 86_400 });
    expect(Object.values(target?.InputTransformer.InputPathsMap ?? {})).toEqual(
      expect.arrayContaining([
        '$.detail.alarmName',
        '$.detail.state.value',
        '$.detail.previousState.value',
        '$.detail.state.reason',
      ]),
    );
    expect(target?.InputTransformer.InputTemplate).toContain('"model":"adult"');
  });

  it('sends failed invocations to a dead-letter queue that raises an alarm', () => {
    const [[, config]] = resources(template, 'AWS::Lambda::EventInvokeConfig').filter(([id]) =>
      id.startsWith('AlarmHistory'),
    ) as [[string, { Properties: Json }]];
    expect(config.Properties).toMatchObject({
      MaximumRetryAttempts: 2,
      DestinationConfig: {
        OnFailure: { Destination: { 'Fn::GetAtt': [expect.stringMatching(/^AlarmHistoryUndelivered/), 'Arn'] } },
      },
    });
    const [[, alarm]] = resources(template, 'AWS::CloudWatch::Alarm').filter(([id]) =>
      id.startsWith('AlarmHistoryDeadLettered'),
    ) as [[string, { Properties: Json }]];
    expect(alarm.Properties).toMatchObject({ TreatMissingData: 'notBreaching', AlarmActions: [expect.anything()] });
  });
});

describe('API throttling', () => {
  it('limits every route by default and single routes as asked; a route the API does not have is refused at synth', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      DefaultRouteSettings: { ThrottlingRateLimit: 100, ThrottlingBurstLimit: 200 },
    });
    synthesizedTemplate({
      stackProps: {
        apiThrottling: {
          rateLimit: 50,
          burstLimit: 80,
          routes: { 'POST /v1/models/{model}/feedback': { rateLimit: 5, burstLimit: 10 } },
        },
      },
    }).hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      DefaultRouteSettings: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 80 },
      RouteSettings: { 'POST /v1/models/{model}/feedback': { ThrottlingRateLimit: 5, ThrottlingBurstLimit: 10 } },
    });
    expect(() =>
      testApp({ stackProps: { apiThrottling: { routes: { 'GET /v2/x': { rateLimit: 1, burstLimit: 1 } } } } }),
    ).toThrow('routeThrottling names GET /v2/x, which is not a route of the API');
  });
});

describe('API authorization', () => {
  it('puts every route behind a JWT authorizer of the issuer and audiences when asked, and refuses it without them', () => {
    const synthJwt = (apiJwt?: { issuer: string; audience: string[] }) =>
      testApp({ stackProps: { apiAuthorization: 'jwt', ...(apiJwt ? { apiJwt } : {}) } });
    const { app, stack } = synthJwt({
      issuer: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc',
      audience: ['mlops-api'],
    });
    app.synth();
    const jwt = Template.fromStack(stack);
    jwt.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
      JwtConfiguration: {
        Issuer: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc',
        Audience: ['mlops-api'],
      },
    });
    const routes = resources(jwt, 'AWS::ApiGatewayV2::Route');
    expect(routes.length).toBe(5);
    for (const [, route] of routes)
      expect(route.Properties).toMatchObject({ AuthorizationType: 'JWT', AuthorizerId: expect.anything() });
    expect(() => synthJwt()).toThrow('a JWT-authorized API needs jwt: { issuer, audience: [at least one] }');
  });

  it('answers no CORS unless origins are configured', () => {
    expect(resources(template, 'AWS::ApiGatewayV2::Api')[0]?.[1].Properties.CorsConfiguration).toBeUndefined();
    synthesizedTemplate({ stackProps: { apiCorsOrigins: ['https://app.example.com'] } }).hasResourceProperties(
      'AWS::ApiGatewayV2::Api',
      { CorsConfiguration: { AllowOrigins: ['https://app.example.com'], AllowMethods: ['GET', 'POST'] } },
    );
  });
});

describe('capture catalog', () => {
  it('declares capture and feedback tables with partition projection over model and hour, where Firehose writes', () => {
    const tables = resources(template, 'AWS::Glue::Table').map(
      ([, t]) =>
        (
          t.Properties as {
            TableInput: { Name: string; Parameters: Record<string, unknown>; PartitionKeys: { Name: string }[] };
          }
        ).TableInput,
    );
    expect(tables.map((t) => t.Name).sort()).toEqual(['capture', 'feedback']);
    for (const table of tables) {
      expect(table.PartitionKeys.map((k) => k.Name)).toEqual(['model_partition', 'dt']);
      expect(table.Parameters).toMatchObject({
        'projection.enabled': 'true',
        'projection.model_partition.type': 'enum',
        'projection.model_partition.values': 'adult',
        'projection.dt.format': 'yyyy-MM-dd-HH',
        'projection.dt.interval.unit': 'HOURS',
      });
      const location = JSON.stringify(table.Parameters['storage.location.template']);
      expect(location).toContain(`/${table.Name}/model=\${model_partition}/dt=\${dt}/`);
    }
    template.hasResourceProperties('AWS::Athena::NamedQuery', { Name: 'capture-with-feedback' });
  });
});
