/**
 * What an upload is by its first bytes: a CSV is text, so an upload that starts with a known binary signature is
 * named (never echoed), and gzip — the compression users expect a `.csv.gz` to have — is read through.
 */
const SIGNATURES: readonly { readonly name: string; readonly bytes: readonly number[] }[] = [
  { name: 'gzip', bytes: [0x1f, 0x8b] },
  { name: 'a ZIP archive (or an .xlsx workbook)', bytes: [0x50, 0x4b, 0x03, 0x04] },
  { name: 'bzip2-compressed', bytes: [0x42, 0x5a, 0x68] },
  { name: 'xz-compressed', bytes: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00] },
  { name: 'zstd-compressed', bytes: [0x28, 0xb5, 0x2f, 0xfd] },
  { name: 'a 7-Zip archive', bytes: [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c] },
  { name: 'a Parquet file', bytes: [0x50, 0x41, 0x52, 0x31] },
  { name: 'an old Excel (.xls) or other OLE2 document', bytes: [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1] },
  { name: 'a PDF document', bytes: [0x25, 0x50, 0x44, 0x46, 0x2d] },
];

/** How many leading bytes the check needs. */
export const SIGNATURE_BYTES = 16;

export type UploadKind =
  { readonly kind: 'text' } | { readonly kind: 'gzip' } | { readonly kind: 'binary'; readonly name: string };

/** Text, gzip, or another binary format (named; a NUL byte among the first bytes marks an unknown one). */
export function uploadKind(head: Uint8Array): UploadKind {
  for (const signature of SIGNATURES) {
    if (signature.bytes.every((byte, i) => head[i] === byte))
      return signature.name === 'gzip' ? { kind: 'gzip' } : { kind: 'binary', name: signature.name };
  }
  if (head.subarray(0, SIGNATURE_BYTES).includes(0))
    return { kind: 'binary', name: 'binary data of an unknown format' };
  return { kind: 'text' };
}
