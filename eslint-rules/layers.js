// @ts-check
import { dirname, relative, resolve, sep } from 'node:path';

/**
 * The layers, one way: bin → lib → state-machines → lambdas/<function> → lambdas/shared → lambdas/core, and the CLI
 * (cli/) → lambdas/shared and lambdas/core; nothing of the product imports cli/, local/ or test/. Imports are resolved against the importing file, so nested folders
 * (lambdas/core/report) are judged by where they are, not by how their paths are written.
 */
const ROOT = resolve(dirname(new URL(import.meta.url).pathname), '..');

/** The layer of a path relative to the repository. */
export function layerOf(path) {
  const parts = path.split(sep).join('/').split('/');
  const [top, second] = parts;
  if (top === 'lambdas') return second === 'core' || second === 'shared' ? second : `function:${second}`;
  return top ?? 'other';
}

/** Which layers each layer may import (beyond itself); layers not listed here may import anything but tests. */
const ALLOWED = {
  core: ['core'],
  shared: ['core', 'shared'],
  'state-machines': ['state-machines', 'shared', 'core'],
  lib: ['lib', 'state-machines', 'shared', 'core'],
  cli: ['cli', 'shared', 'core'],
};

/** Packages lambdas/core may not use: it is pure computation, testable without AWS. */
const CORE_FORBIDDEN_PACKAGES = /^@(aws-sdk|middy|aws-lambda-powertools)\//;

function verdict(from, to) {
  if (from === 'test' || from === 'other') return undefined;
  if (to === 'test') return 'product code never imports tests';
  if (from.startsWith('function:')) {
    if (to === from || to === 'core' || to === 'shared') return undefined;
    return to.startsWith('function:')
      ? 'no function imports another: move what both need to lambdas/shared (I/O) or lambdas/core (logic)'
      : 'a function may import only its own folder, lambdas/shared and lambdas/core';
  }
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
        if (from === 'core' && CORE_FORBIDDEN_PACKAGES.test(spec)) {
          context.report({
            node,
            messageId: 'forbidden',
            data: {
              file,
              from,
              target: spec,
              to: 'package',
              why: 'lambdas/core has no AWS SDK or handler libraries: put I/O in lambdas/shared',
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
