import type { S3Client } from '@aws-sdk/client-s3';
import type { Frame } from '../../core/dataset.js';
import { decodeFrameFile } from '../../core/frame-codec.js';
import { parseModelConfigText, type ModelConfig } from '../../core/model-config.js';
import type { Preprocessor } from '../../core/preprocess.js';
import type { SplitName } from '../../core/split.js';
import { getObjectBytes } from './objects.js';
import { parsePreprocessor } from './stored-documents.js';
import type { EtlResult } from '../contracts/pipeline-state.js';

/** Files the ETL step leaves under the run's prefix for the later steps. */
export const PREPARED_FILES = {
  config: 'config.json',
  preprocessor: 'preprocessor.json',
  preparation: 'preparation.json',
  profile: 'profile.json',
  /** The profile's bootstrapped drift null (lambdas/core/drift/drift-null.ts): what monitoring judges drift by. */
  driftNull: 'drift-null.json',
  split: (name: SplitName) => `prepared/${name}.json.gz`,
} as const;

/** Reads what the ETL step stored: the model file as it was when the run started, the encoders, and the splits. */
export class PreparedData {
  constructor(
    private readonly s3: S3Client,
    private readonly etl: Pick<EtlResult, 'bucket' | 'prefix'>,
  ) {}

  private bytes(name: string): Promise<Buffer> {
    return getObjectBytes(this.s3, { bucket: this.etl.bucket, key: `${this.etl.prefix}${name}` });
  }

  async config(): Promise<ModelConfig> {
    return parseModelConfigText(
      (await this.bytes(PREPARED_FILES.config)).toString('utf8'),
      `${this.etl.prefix}${PREPARED_FILES.config}`,
    );
  }

  async preprocessor(): Promise<Preprocessor> {
    return parsePreprocessor(
      (await this.bytes(PREPARED_FILES.preprocessor)).toString('utf8'),
      `${this.etl.prefix}${PREPARED_FILES.preprocessor}`,
    );
  }

  async split(name: SplitName): Promise<Frame> {
    return decodeFrameFile(
      await this.bytes(PREPARED_FILES.split(name)),
      `${this.etl.prefix}${PREPARED_FILES.split(name)}`,
    );
  }
}
