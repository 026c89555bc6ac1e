import type { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from '../../lib/app.js';
import type { MlopsStack, MlopsStackProps } from '../../lib/mlops-stack.js';

export interface TestAppOptions {
  /** @default codeVersion "test" and the stack's defaults */
  readonly stackProps?: Partial<MlopsStackProps>;
  /** Context on top of cdk.json's, as `-c` gives it. */
  readonly context?: Record<string, unknown>;
  readonly stackName?: string;
  /** Bundle the functions' code (slow): only the tests about the bundles need it. @default false */
  readonly bundle?: boolean;
}

/** The app as `cdk synth` builds it, into a throwaway cloud assembly; not yet synthesized. */
export function testApp(options: TestAppOptions = {}): { app: App; stack: MlopsStack; outdir: string } {
  const outdir = mkdtempSync(join(tmpdir(), 'mlops-cdk-'));
  const { app, stack } = buildApp({
    outdir,
    ...(options.stackName ? { stackName: options.stackName } : {}),
    stackProps: { codeVersion: 'test', ...options.stackProps },
    context: { ...(options.bundle === true ? {} : { 'aws:cdk:bundling-stacks': [] }), ...options.context },
  });
  return { app, stack, outdir };
}

/** The template of the app built with these options, synthesized. */
export function synthesizedTemplate(options: TestAppOptions = {}): Template {
  const { app, stack } = testApp(options);
  app.synth();
  return Template.fromStack(stack);
}
