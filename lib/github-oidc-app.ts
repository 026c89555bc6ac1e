import { App } from 'aws-cdk-lib';
import { addComplianceChecks } from './compliance.js';
import { GithubOidcStack } from './github-oidc-stack.js';

export const GITHUB_OIDC_STACK_NAME = 'ServerlessMlopsGithubOidc';

/**
 * The bootstrap app for GitHub deployments: `npm run bootstrap:github -- -c githubRepo=owner/name` in each AWS
 * account that GitHub deploys to. Context: githubRepo (required), githubEnvironments (comma-separated, default
 * staging,production), existingOidcProviderArn, cdkQualifier.
 */
export function buildGithubOidcApp(
  options: { readonly outdir?: string; readonly context?: Record<string, unknown> } = {},
): { app: App; stack: GithubOidcStack } {
  const app = new App({
    ...(options.outdir ? { outdir: options.outdir } : {}),
    ...(options.context ? { context: options.context } : {}),
  });
  const text = (key: string): string | undefined => {
    const value: unknown = app.node.tryGetContext(key);
    return typeof value === 'string' && value !== '' ? value : undefined;
  };
  const repository = text('githubRepo');
  if (!repository) throw new Error('say which repository may deploy: -c githubRepo=<owner>/<name>');
  const environments = text('githubEnvironments')
    ?.split(',')
    .map((e) => e.trim())
    .filter(Boolean);
  const providerArn = text('existingOidcProviderArn');
  const qualifier = text('cdkQualifier');
  const stack = new GithubOidcStack(app, GITHUB_OIDC_STACK_NAME, {
    description: `serverless-mlops: GitHub OIDC deploy and diff roles for ${repository}`,
    repository,
    ...(environments?.length ? { deployEnvironments: environments } : {}),
    ...(providerArn ? { existingProviderArn: providerArn } : {}),
    ...(qualifier ? { cdkQualifier: qualifier } : {}),
  });
  addComplianceChecks(app);
  return { app, stack };
}
