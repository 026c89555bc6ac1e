import { synthesizeApp } from '../local/synth-cache.js';

/**
 * Synthesizes and bundles the app once before the test files start: every local runtime of the run that ships the
 * repository's model files reuses it (local/synth-cache.ts), instead of each file bundling the same functions.
 */
export default function setup(): void {
  synthesizeApp();
}
