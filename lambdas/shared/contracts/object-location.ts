/** Where an object lives; `versionId` is null where the bucket (or emulator) has no versioning. */
export interface ObjectLocation {
  readonly bucket: string;
  readonly key: string;
}

export interface ObjectVersion extends ObjectLocation {
  readonly etag: string;
  readonly versionId: string | null;
  readonly size: number;
}

export function s3Uri(location: ObjectLocation): string {
  return `s3://${location.bucket}/${location.key}`;
}
