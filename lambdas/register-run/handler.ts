import { createDocumentClient, createS3Client } from '../shared/runtime/clients.js';
import { readEnv } from '../shared/runtime/env.js';
import { registerInputSchema } from '../shared/contracts/pipeline-state.js';
import { Registry } from '../shared/adapters/registry.js';
import { RunUploads } from '../shared/adapters/run-uploads.js';
import { modelOfUpload } from '../shared/contracts/run-identity.js';
import { stepHandler } from '../shared/runtime/step-handler.js';
import { registerRun } from './register-run.js';

const env = readEnv(['REGISTRY_TABLE']);
const s3 = createS3Client();
const documents = createDocumentClient();
const registry = new Registry(documents, env.REGISTRY_TABLE);
const uploads = new RunUploads(documents, env.REGISTRY_TABLE);

export const handler = stepHandler({
  input: registerInputSchema,
  correlate: ({ event }) => ({ model: modelOfUpload(event.detail.object.key) }),
  run: ({ event, executionId }) => registerRun({ s3, registry, uploads }, event, executionId),
  done: (run) => ({
    message: run.duplicate ? 'duplicate event: run already exists' : 'run registered',
    fields: { ...run },
    counts: { [run.duplicate ? 'DuplicateUploads' : 'RunsStarted']: 1 },
  }),
});
