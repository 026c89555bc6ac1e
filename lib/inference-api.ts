import { Duration } from 'aws-cdk-lib';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer, HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { ROUTING_KEY_HEADER } from '../lambdas/shared/contracts/api-contracts.js';
import { LAYOUT } from '../lambdas/shared/contracts/layout.js';
import { MlFunction } from './ml-function.js';
import { grantObjects } from './object-access.js';
import { grantRegistry } from './registry-access.js';
import { secureLogGroup, type DataProtection } from './secure-defaults.js';

export type ApiAuthorization = 'iam' | 'jwt' | 'none';

/** The identity provider of a JWT-authorized API: tokens it issued for one of these audiences are accepted. */
export interface JwtSettings {
  /** The issuer URL (its `/.well-known/openid-configuration` names the signing keys), e.g. a Cognito user pool's. */
  readonly issuer: string;
  readonly audience: readonly string[];
}

/** The API's routes and the function serving each (docs/openapi.json describes the same ones; a test checks it). */
export const API_ROUTES: readonly { method: apigwv2.HttpMethod; path: string; function: 'predict' | 'feedback' }[] = [
  { method: apigwv2.HttpMethod.POST, path: '/v1/models/{model}/predict', function: 'predict' },
  { method: apigwv2.HttpMethod.POST, path: '/v1/models/{model}/feedback', function: 'feedback' },
  { method: apigwv2.HttpMethod.GET, path: '/v1/models/{model}', function: 'predict' },
  { method: apigwv2.HttpMethod.GET, path: '/v1/health', function: 'predict' },
  { method: apigwv2.HttpMethod.GET, path: '/v1/openapi.json', function: 'predict' },
];

/** The routes' keys as API Gateway names them ("POST /v1/models/{model}/predict"): what route throttling is keyed by. */
export const API_ROUTE_KEYS: readonly string[] = API_ROUTES.map((route) => `${route.method} ${route.path}`);

export interface InferenceApiProps {
  readonly artifactsBucket: s3.IBucket;
  readonly registry: dynamodb.ITable;
  /** How callers authenticate: SigV4-signed requests checked by IAM, a JWT of `jwt`'s issuer, or none (public). @default 'iam' */
  readonly authorization?: ApiAuthorization;
  /** Issuer and audiences, required with `authorization: 'jwt'`. @default none */
  readonly jwt?: JwtSettings;
  /** Browser origins allowed to call the API (CORS). @default none: no CORS headers, browsers on other origins are refused */
  readonly corsOrigins?: readonly string[];
  /** How often a container re-reads the production pointer. @default Duration.seconds(15) */
  readonly modelRefresh?: Duration;
  /** Steady-state request rate limit of the stage. @default 100 */
  readonly throttlingRateLimit?: number;
  /** @default 200 */
  readonly throttlingBurstLimit?: number;
  /**
   * Limits of single routes, by route key (e.g. `POST /v1/models/{model}/feedback`), over the stage's defaults.
   * @default none: every route has the defaults
   */
  readonly routeThrottling?: Readonly<Record<string, { readonly rateLimit: number; readonly burstLimit: number }>>;
  /** The model files shipped with predict (each model's capture settings). @default the repository's `models/` */
  readonly modelsDir?: string;
  /** Log retention, removal policy and key. @default retained, three months, AWS-managed encryption */
  readonly protection?: DataProtection;
}

/**
 * The HTTPS inference API: `POST /v1/models/{model}/predict`, `GET /v1/models/{model}`, `GET /v1/health` and
 * `GET /v1/openapi.json` served by the predict function; `POST /v1/models/{model}/feedback` by the feedback function.
 */
export class InferenceApi extends Construct {
  public readonly api: apigwv2.HttpApi;
  public readonly predictFunction: MlFunction;
  public readonly feedbackFunction: MlFunction;

  constructor(scope: Construct, id: string, props: InferenceApiProps) {
    super(scope, id);
    this.predictFunction = new MlFunction(this, 'Predict', {
      name: 'predict',
      description: 'Answers prediction requests with the production version of a model',
      tensorflow: true,
      lazyTensorflow: true,
      modelFiles: true,
      ...(props.modelsDir !== undefined ? { modelsDir: props.modelsDir } : {}),
      memorySize: 1769,
      timeout: Duration.seconds(29),
      protection: props.protection ?? {},
      environment: { MODEL_REFRESH_SECONDS: String((props.modelRefresh ?? Duration.seconds(15)).toSeconds()) },
    });
    // Serving reads the pointers, the versions (a pinned one, metrics) and model artifacts, nothing else.
    grantRegistry(this.predictFunction, props.registry, { alias: ['read'], version: ['read'], release: ['read'] });
    grantObjects(this.predictFunction, props.artifactsBucket, LAYOUT.models, ['read']);
    this.feedbackFunction = new MlFunction(this, 'Feedback', {
      name: 'feedback',
      description: 'Records ground truth for predictions, once per prediction id',
      memorySize: 512,
      timeout: Duration.seconds(29),
      modelFiles: true,
      ...(props.modelsDir !== undefined ? { modelsDir: props.modelsDir } : {}),
      protection: props.protection ?? {},
    });
    // Feedback writes only its own items (the idempotency record per prediction id): a truth is put once
    // (conditional) and then marked as emitted (its record line written). It reads the pointers, the release and
    // the versions they name for the classes a truth may be.
    grantRegistry(this.feedbackFunction, props.registry, {
      feedback: ['read', 'write'],
      alias: ['read'],
      version: ['read'],
      release: ['read'],
    });

    const defaultAuthorizer = authorizerOf(props);
    this.api = new apigwv2.HttpApi(this, 'HttpApi', {
      description: 'serverless-mlops inference API',
      ...(defaultAuthorizer ? { defaultAuthorizer } : {}),
      ...corsOf(props),
    });
    const integrations = {
      predict: new HttpLambdaIntegration('PredictIntegration', this.predictFunction),
      feedback: new HttpLambdaIntegration('FeedbackIntegration', this.feedbackFunction),
    };
    for (const route of API_ROUTES)
      this.api.addRoutes({ path: route.path, methods: [route.method], integration: integrations[route.function] });
    configureStage(this, this.api.defaultStage?.node.defaultChild as apigwv2.CfnStage, props);
  }
}

/** CORS for the browser origins the props list; none (off) by default. */
function corsOf(props: InferenceApiProps): { corsPreflight?: apigwv2.CorsPreflightOptions } {
  if (props.corsOrigins === undefined || props.corsOrigins.length === 0) return {};
  return {
    corsPreflight: {
      allowOrigins: [...props.corsOrigins],
      allowMethods: [apigwv2.CorsHttpMethod.GET, apigwv2.CorsHttpMethod.POST],
      allowHeaders: ['authorization', 'content-type', 'x-amz-date', 'x-amz-security-token', ROUTING_KEY_HEADER],
      maxAge: Duration.hours(1),
    },
  };
}

/** The stage's access log (JSON, one line per request) and its throttling: the defaults and single routes by key. */
function configureStage(scope: Construct, stage: apigwv2.CfnStage, props: InferenceApiProps): void {
  const accessLogs = secureLogGroup(scope, 'AccessLogs', props.protection);
  stage.accessLogSettings = {
    destinationArn: accessLogs.logGroupArn,
    format: JSON.stringify({
      requestId: '$context.requestId',
      ip: '$context.identity.sourceIp',
      caller: '$context.identity.caller',
      user: '$context.identity.userArn',
      requestTime: '$context.requestTime',
      routeKey: '$context.routeKey',
      status: '$context.status',
      latencyMs: '$context.responseLatency',
      integrationError: '$context.integrationErrorMessage',
    }),
  };
  stage.defaultRouteSettings = {
    throttlingRateLimit: props.throttlingRateLimit ?? 100,
    throttlingBurstLimit: props.throttlingBurstLimit ?? 200,
  };
  for (const key of Object.keys(props.routeThrottling ?? {})) {
    if (!API_ROUTE_KEYS.includes(key))
      throw new Error(`routeThrottling names ${key}, which is not a route of the API (${API_ROUTE_KEYS.join(', ')})`);
  }
  if (props.routeThrottling !== undefined) {
    // RouteSettings is a plain JSON map in CloudFormation's schema: CDK passes its keys through, so they are written
    // in CloudFormation's own case.
    stage.routeSettings = Object.fromEntries(
      Object.entries(props.routeThrottling).map(([key, limits]) => [
        key,
        { ThrottlingRateLimit: limits.rateLimit, ThrottlingBurstLimit: limits.burstLimit },
      ]),
    );
  }
}

/** The API's default authorizer: IAM, the JWT issuer's, or none. */
function authorizerOf(props: InferenceApiProps): apigwv2.IHttpRouteAuthorizer | undefined {
  const kind = props.authorization ?? 'iam';
  if (kind === 'iam') return new HttpIamAuthorizer();
  if (kind === 'none') return undefined;
  if (props.jwt === undefined || props.jwt.audience.length === 0)
    throw new Error('a JWT-authorized API needs jwt: { issuer, audience: [at least one] }');
  return new HttpJwtAuthorizer('Jwt', props.jwt.issuer, { jwtAudience: [...props.jwt.audience] });
}
