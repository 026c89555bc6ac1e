import { NotFoundError } from '../../core/errors.js';
import { s3Uri } from '../contracts/object-location.js';
import type { Registry } from '../adapters/registry.js';
import type { AuditEvent, RunRecord, VersionRecord } from '../contracts/registry-records.js';

export interface VersionLineage {
  readonly version: VersionRecord;
  readonly run: RunRecord | undefined;
  /** Audit events about this version (promotions, rollbacks, approvals). */
  readonly audit: AuditEvent[];
}

/** What produced a version: its run, data, model file, schema, code and the decisions taken about it. */
export async function versionLineage(
  registry: Registry,
  model: string,
  versionNumber: number,
): Promise<VersionLineage> {
  const version = await registry.versions.get(model, versionNumber);
  if (version === undefined) throw new NotFoundError(`model "${model}" has no version ${versionNumber}`);
  const [run, audit] = await Promise.all([registry.runs.get(model, version.runId), registry.audit.list(model)]);
  return {
    version,
    run,
    audit: audit.filter((e) => e.version === versionNumber || e.previousVersion === versionNumber),
  };
}

/**
 * Which versions (of any model) were trained on a data object, named by `s3://bucket/key`, by key, or by the
 * sha256 of its bytes (which also finds copies of the same file under other names).
 */
export async function versionsTrainedOn(
  registry: Registry,
  data: string,
): Promise<{ model: string; version: number; status: string; object: string }[]> {
  const matches: { model: string; version: number; status: string; object: string }[] = [];
  for (const model of await registry.versions.models()) {
    for (const version of await registry.versions.list(model)) {
      for (const object of version.data) {
        if (s3Uri(object) === data || object.key === data || object.sha256 === data) {
          matches.push({
            model,
            version: version.version,
            status: version.status,
            object: `${s3Uri(object)} (sha256 ${object.sha256 ?? '?'})`,
          });
        }
      }
    }
  }
  return matches;
}
