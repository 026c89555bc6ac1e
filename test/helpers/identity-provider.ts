import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** An OpenID identity provider on loopback: discovery, a JWKS with its RS256 key, and tokens it signs. */
export interface LocalIdentityProvider {
  readonly issuer: string;
  /** A token with these claims, signed with the provider's key (or `key`), with this header. */
  token(claims: Record<string, unknown>, key?: KeyObject, header?: Record<string, unknown>): string;
  close(): Promise<void>;
}

/**
 * `preferredPort`: listen there when it is free (else on any port). A stack synthesized with this issuer then has the
 * same template from one test run to the next, so its synthesis is reused instead of made and cached again.
 */
export async function startIdentityProvider(options: { preferredPort?: number } = {}): Promise<LocalIdentityProvider> {
  const keys = generateKeyPairSync('rsa', { modulusLength: 2048 });
  let issuer = '';
  const server = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    if (req.url === '/.well-known/openid-configuration')
      res.end(JSON.stringify({ issuer, jwks_uri: `${issuer}/jwks.json` }));
    else
      res.end(
        JSON.stringify({
          keys: [{ ...keys.publicKey.export({ format: 'jwk' }), kid: 'k1', alg: 'RS256', use: 'sig' }],
        }),
      );
  });
  const listen = (port: number) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
  await (options.preferredPort === undefined ? listen(0) : listen(options.preferredPort).catch(() => listen(0)));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    issuer,
    token(claims, key = keys.privateKey, header = { alg: 'RS256', kid: 'k1' }) {
      const part = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
      const unsigned = `${part(header)}.${part(claims)}`;
      return `${unsigned}.${sign('RSA-SHA256', Buffer.from(unsigned), key).toString('base64url')}`;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
