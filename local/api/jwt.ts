import { createLocalJWKSet, decodeProtectedHeader, errors, jwtVerify, type JSONWebKeySet } from 'jose';
import * as z from 'zod';

/** A route's JWT authorizer, as the template declares it (AWS::ApiGatewayV2::Authorizer, AuthorizerType JWT). */
export interface JwtAuthorizerSpec {
  readonly issuer: string;
  readonly audience: readonly string[];
}

export type JwtVerdict =
  { ok: true; claims: Record<string, unknown>; scopes: string[] } | { ok: false; reason: string };

const jwksSchema = z.object({ keys: z.array(z.object({ kty: z.string(), kid: z.string().optional() }).loose()) });

const isLoopback = (url: string) => ['127.0.0.1', 'localhost', '[::1]'].includes(new URL(url).hostname);

/**
 * API Gateway's JWT authorizer ("Controlling access to HTTP APIs with JWT authorizers"): the bearer token of the
 * Authorization header, signed with RS256 by a key of the issuer's JWKS (found through its OpenID discovery document),
 * `iss` equal to the issuer, `aud` (or `client_id`) one of the audiences, `exp` in the future and `nbf` not, on the
 * runtime's clock. The token is verified by `jose`; the audience is checked here, since API Gateway also accepts
 * `client_id`. Locally the issuer must be on loopback: the runtime never reaches the network.
 */
export class LocalJwtVerifier {
  private readonly keys = new Map<string, Promise<JSONWebKeySet>>();

  constructor(private readonly now: () => number) {}

  static checkIssuer(issuer: string): void {
    if (!isLoopback(issuer)) {
      throw new Error(
        `the JWT issuer ${issuer} is not on loopback; the local runtime never reaches the network — use a local issuer, or IAM authorization`,
      );
    }
  }

  async verify(spec: JwtAuthorizerSpec, authorization: string | undefined): Promise<JwtVerdict> {
    const token = /^Bearer\s+(.+)$/i.exec(authorization ?? '')?.[1];
    if (token === undefined) return { ok: false, reason: 'no bearer token in the Authorization header' };
    let claims: Record<string, unknown>;
    try {
      const keys = createLocalJWKSet(await this.jwks(spec.issuer));
      ({ payload: claims } = await jwtVerify(token, keys, {
        issuer: spec.issuer,
        algorithms: ['RS256'],
        requiredClaims: ['exp'],
        currentDate: new Date(this.now()),
      }));
    } catch (error) {
      return { ok: false, reason: refusal(error, token, spec) };
    }
    const audiences = [claims.aud, claims.client_id].flat().filter((a): a is string => typeof a === 'string');
    if (!audiences.some((a) => spec.audience.includes(a)))
      return {
        ok: false,
        reason: `audience ${audiences.join(', ') || '(none)'} is not one of ${spec.audience.join(', ')}`,
      };
    const scopes = typeof claims.scope === 'string' ? claims.scope.split(' ').filter(Boolean) : [];
    return { ok: true, claims, scopes };
  }

  private jwks(issuer: string): Promise<JSONWebKeySet> {
    let loading = this.keys.get(issuer);
    if (loading === undefined) {
      loading = fetchJwks(issuer);
      loading.catch(() => this.keys.delete(issuer));
      this.keys.set(issuer, loading);
    }
    return loading;
  }
}

async function fetchJwks(issuer: string): Promise<JSONWebKeySet> {
  LocalJwtVerifier.checkIssuer(issuer);
  const discovery = z
    .object({ jwks_uri: z.string() })
    .parse(await (await fetch(`${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`)).json());
  LocalJwtVerifier.checkIssuer(discovery.jwks_uri);
  return jwksSchema.parse(await (await fetch(discovery.jwks_uri)).json()) as JSONWebKeySet;
}

/** Why a token was refused, in the words the local API reports (the `x-local-auth-reason` header). */
function refusal(error: unknown, token: string, spec: JwtAuthorizerSpec): string {
  if (error instanceof errors.JWTExpired) return 'the token has expired';
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'iss') return `issuer ${String(error.payload.iss)} is not ${spec.issuer}`;
    if (error.claim === 'nbf') return 'the token is not valid yet (nbf)';
    if (error.claim === 'exp') return 'the token has no exp';
    return `claim ${error.claim} is not accepted: ${error.message}`;
  }
  if (error instanceof errors.JOSEAlgNotAllowed) return `algorithm ${algorithmOf(token)} is not accepted (RS256)`;
  if (error instanceof errors.JWKSNoMatchingKey) return "no key of the issuer's JWKS matches the token";
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'the signature does not verify';
  if (error instanceof errors.JOSEError) return `the token is not a JWT this API accepts (${error.message})`;
  return `the issuer's keys could not be read (${(error as Error).message})`;
}

/** The `alg` a token's header names (for the message refusing it). */
function algorithmOf(token: string): string {
  try {
    return String((decodeProtectedHeader(token) as { alg?: unknown }).alg);
  } catch {
    return '(none)';
  }
}
