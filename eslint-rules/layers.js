// @ts-check
import { dirname, relative, resolve, sep } from 'node:path';

/**
 * The layers, one way: bin → lib → state-machines → lambdas/<function> → lambdas/shared → lambdas/core, and the CLI
 * (cli/) → lambdas/shared and lambdas/core; nothing of the product imports cli/, local/ or test/. Imports are resolved
 * against the importing file, so nested folders (lambdas/core/report) are judged by where they are, not by how their
 * paths are written.
 *
 * lambdas/shared has four sub-layers: `contracts` (what lib/, the state machines, the functions and the CLI agree on:
 * names, layouts, schemas; core only), `adapters` (the stores and object I/O; contracts and core), `runtime` (the
 * Lambda plumbing: handler factories, logger, tracer, metrics, environment, clients; adapters, contracts, core) and
 * `use-cases` (what the CLI and functions both do; adapters, contracts, core — never the Lambda runtime).
 */
const ROOT = resolve(dirname(new URL(import.meta.url).pathname), '..');

const SHARED_SUBLAYERS = ['contracts', 'adapters', 'runtime', 'use-cases'];

/** The layer of a path relative to the repository. */
export function layerOf(path) {
  const parts = path.split(sep).join('/').split('/');
  const [top, second, third] = parts;
  if (top === 'lambdas') {
    if (second === 'core') return 'core';
    if (second === 'shared') return SHARED_SUBLAYERS.includes(third ?? '') ? `shared/${third}` : 'shared';
    return `function:${second}`;
  }
  return top ?? 'other';
}

/** Which layers each layer may import (beyond itself); layers not listed here may import anything but tests. */
const ALLOWED = {
  core: ['core'],
  'shared/contracts': ['shared/contracts', 'core'],
  'shared/adapters': ['shared/adapters', 'shared/contracts', 'core'],
  'shared/runtime': ['shared/runtime', 'shared/adapters', 'shared/contracts', 'core'],
  'shared/use-cases': ['shared/use-cases', 'shared/adapters', 'shared/contracts', 'core'],
  'state-machines': ['state-machines', 'shared/contracts', 'core'],
  lib: ['lib', 'state-machines', 'shared/contracts', 'core'],
  cli: ['cli', 'shared/use-cases', 'shared/adapters', 'shared/contracts', 'core'],
};

/** Packages that pure layers may not use: core is computation and contracts are agreements, testable without AWS. */
const PURE_FORBIDDEN_PACKAGES = /^@(aws-sdk|middy|aws-lambda-powertools)\//;
const PURE_LAYERS = {
  core: 'lambdas/core has no AWS SDK or handler libraries: put I/O in lambdas/shared/adapters',
  'shared/contracts': 'contracts have no AWS SDK or handler libraries: put I/O in lambdas/shared/adapters',
};

function verdict(from, to) {
  if (from === 'test' || from === 'other') return undefined;
  if (to === 'test') return 'product code never imports tests';
  if (from.startsWith('function:')) {
    if (to === from || to === 'core' || to.startsWith('shared/')) return undefined;
    return to.startsWith('function:')
      ? 'no function imports another: move what both need to lambdas/shared (I/O) or lambdas/core (logic)'
      : 'a function may import only its own folder, lambdas/shared and lambdas/core';
  }
  if (from === 'shared') return 'lambdas/shared holds only its sub-layers: ' + SHARED_SUBLAYERS.join(', ');
  const allowed = ALLOWED[from];
  if (allowed === undefined || allowed.includes(to)) return undefined;
  return `${from} may import only ${allowed.join(', ')}`;
}

/** @type {import('eslint').Rule.RuleModule} */
export const layers = {
  meta: {
    type: 'problem',
    schema: [],
    messages: { forbidden: '{{file}} ({{from}}) may not import {{target}} ({{to}}): {{why}}' },
  },
  create(context) {
    const file = relative(ROOT, context.filename);
    const from = layerOf(file);
    /** @param {import('estree').Node & { source?: import('estree').Literal | null }} node */
    const check = (node) => {
      const spec = node.source?.value;
      if (typeof spec !== 'string') return;
      if (!spec.startsWith('.')) {
        const pure = PURE_LAYERS[from];
        if (pure !== undefined && PURE_FORBIDDEN_PACKAGES.test(spec)) {
          context.report({
            node,
            messageId: 'forbidden',
            data: {
              file,
              from,
              target: spec,
              to: 'package',
              why: pure,
            },
          });
        }
        return;
      }
      const target = relative(ROOT, resolve(dirname(context.filename), spec));
      const to = layerOf(target);
      const why = verdict(from, to);
      if (why !== undefined) context.report({ node, messageId: 'forbidden', data: { file, from, target, to, why } });
    };
    return {
      ImportDeclaration: check,
      ExportNamedDeclaration: check,
      ExportAllDeclaration: check,
      ImportExpression: check,
    };
  },
};

export default { rules: { layers } };
