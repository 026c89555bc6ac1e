import { IntegrityError, NotFoundError } from '../core/errors.js';

/** An error's kind as the caller may see it: its name or system code, never its message (which may name a bucket or key). */
export function errorKind(error: unknown): string {
  const e = error as { name?: unknown; code?: unknown } | null;
  const code = typeof e?.code === 'string' ? e.code : undefined;
  const name = typeof e?.name === 'string' && e.name !== 'Error' ? e.name : undefined;
  return name ?? code ?? 'an unknown error';
}

/** Why a version's artifact could not be loaded, in words that name neither bucket nor key. */
export function loadFailureReason(error: unknown): string {
  if (error instanceof NotFoundError) return 'its artifact is missing';
  if (error instanceof IntegrityError) return 'its artifact is damaged (not the bytes the registry recorded)';
  return `its artifact could not be read (${errorKind(error)})`;
}
