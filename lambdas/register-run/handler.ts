import { createDocumentClient, createS3Client } from '../shared/clients.js';
import { readEnv } from '../shared/env.js';
import { registerInputSchema } from '../shared/pipeline-state.js';
import { Registry } from '../shared/registry.js';
import { RunUploads } from '../shared/run-uploads.js';
import { modelOfUpload } from '../shared/run-identity.js';
import { stepHandler } from '../shared/step-handler.js';
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
