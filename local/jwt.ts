import { createPublicKey, verify, type JsonWebKey } from 'node:crypto';
import * as z from 'zod';

/** A route's JWT authorizer, as the template declares it (AWS::ApiGatewayV2::Authorizer, AuthorizerType JWT). */
export interface JwtAuthorizerSpec {
  readonly issuer: string;
  readonly audience: readonly string[];
}

export type JwtVerdict = { ok: true; claims: Record<string, unknown>; scopes: string[] } | { ok: false; reason: string };

const headerSchema = z.object({ alg: z.string(), kid: z.string().optional() }).loose();
const jwksSchema = z.object({ keys: z.array(z.object({ kty: z.string(), kid: z.string().optional() }).loose()) });

const isLoopback = (url: string) => ['127.0.0.1', 'localhost', '[::1]'].includes(new URL(url).hostname);

/**
 * API Gateway's JWT authorizer ("Controlling access to HTTP APIs with JWT authorizers"): the bearer token of the
 * Authorization header, signed with RS256 by a key of the issuer's JWKS (found through its OpenID discovery document),
 * `iss` equal to the issuer, `aud` (or `client_id`) one of the audiences, `exp` in the future and `nbf` not, on the
 * runtime's clock. Locally the issuer must be on loopback: the runtime never reaches the network.
 */
export class LocalJwtVerifier {
  private readonly keys = new Map<string, Promise<JsonWebKey[]>>();

  constructor(private readonly now: () => number) {}

  static checkIssuer(issuer: string): void {
    if (!isLoopback(issuer)) {
      throw new Error(`the JWT issuer ${issuer} is not on loopback; the local runtime never reaches the network — use a local issuer, or IAM authorization`);
    }
  }

  async verify(spec: JwtAuthorizerSpec, authorization: string | undefined): Promise<JwtVerdict> {
    const token = /^Bearer\s+(.+)$/i.exec(authorization ?? '')?.[1];
    if (token === undefined) return { ok: false, reason: 'no bearer token in the Authorization header' };
    const parts = token.split('.');
    if (parts.length !== 3) return { ok: false, reason: 'the token is not a JWT (three base64url parts)' };
    const [headerText, payloadText, signature] = parts as [string, string, string];
    let header: z.infer<typeof headerSchema>;
    let claims: Record<string, unknown>;
    try {
      header = headerSchema.parse(JSON.parse(Buffer.from(headerText, 'base64url').toString('utf8')));
      claims = z.record(z.string(), z.unknown()).parse(JSON.parse(Buffer.from(payloadText, 'base64url').toString('utf8')));
    } catch {
      return { ok: false, reason: 'the token header or payload is not JSON' };
    }
    if (header.alg !== 'RS256') return { ok: false, reason: `algorithm ${header.alg} is not accepted (RS256)` };
    const jwk = (await this.jwks(spec.issuer)).find((k) => header.kid === undefined || (k as { kid?: string }).kid === header.kid);
    if (jwk === undefined) return { ok: false, reason: `no key ${header.kid ?? ''} in the issuer's JWKS` };
    const signed = verify('RSA-SHA256', Buffer.from(`${headerText}.${payloadText}`), createPublicKey({ key: jwk, format: 'jwk' }), Buffer.from(signature, 'base64url'));
    if (!signed) return { ok: false, reason: 'the signature does not verify' };
    return checkClaims(spec, claims, this.now() / 1000);
  }

  private jwks(issuer: string): Promise<JsonWebKey[]> {
    let loading = this.keys.get(issuer);
    if (loading === undefined) {
      loading = fetchJwks(issuer);
      loading.catch(() => this.keys.delete(issuer));
      this.keys.set(issuer, loading);
    }
    return loading;
  }
}

async function fetchJwks(issuer: string): Promise<JsonWebKey[]> {
  LocalJwtVerifier.checkIssuer(issuer);
  const discovery = z.object({ jwks_uri: z.string() }).parse(await (await fetch(`${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`)).json());
  LocalJwtVerifier.checkIssuer(discovery.jwks_uri);
  return jwksSchema.parse(await (await fetch(discovery.jwks_uri)).json()).keys as JsonWebKey[];
}

function checkClaims(spec: JwtAuthorizerSpec, claims: Record<string, unknown>, nowSeconds: number): JwtVerdict {
  if (claims.iss !== spec.issuer) return { ok: false, reason: `issuer ${String(claims.iss)} is not ${spec.issuer}` };
  const audiences = [claims.aud, claims.client_id].flat().filter((a): a is string => typeof a === 'string');
  if (!audiences.some((a) => spec.audience.includes(a))) return { ok: false, reason: `audience ${audiences.join(', ') || '(none)'} is not one of ${spec.audience.join(', ')}` };
  if (typeof claims.exp !== 'number' || claims.exp <= nowSeconds) return { ok: false, reason: 'the token has expired (or has no exp)' };
  if (typeof claims.nbf === 'number' && claims.nbf > nowSeconds) return { ok: false, reason: 'the token is not valid yet (nbf)' };
  const scopes = typeof claims.scope === 'string' ? claims.scope.split(' ').filter(Boolean) : [];
  return { ok: true, claims, scopes };
}
