#!/usr/bin/env node
// `npx mlops` and the package's "bin": runs the TypeScript CLI through tsx (installed with the project), so no build
// step is needed between a clone and the first command.
import { register } from 'tsx/esm/api';

register();
await import('./mlops.ts');
