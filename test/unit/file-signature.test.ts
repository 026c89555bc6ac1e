import { describe, expect, it } from 'vitest';
import { gzipSync } from 'node:zlib';
import { uploadKind } from '../../lambdas/core/file-signature.js';

describe('uploadKind', () => {
  it('reads CSV text (with or without a UTF-8 byte-order mark) as text', () => {
    expect(uploadKind(Buffer.from('age,income\n39,<=50K\n'))).toEqual({ kind: 'text' });
    expect(uploadKind(Buffer.from('\ufeffage,income\n'))).toEqual({ kind: 'text' });
  });

  it('knows gzip by its magic bytes, whatever the file is called', () => {
    expect(uploadKind(gzipSync(Buffer.from('age,income\n39,<=50K\n')))).toEqual({ kind: 'gzip' });
  });

  it('names known binary formats and marks unknown ones by their NUL bytes', () => {
    expect(uploadKind(Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00]))).toEqual({
      kind: 'binary',
      name: 'a ZIP archive (or an .xlsx workbook)',
    });
    expect(uploadKind(Buffer.from('PAR1\u0015\u0004'))).toEqual({ kind: 'binary', name: 'a Parquet file' });
    expect(uploadKind(Buffer.from('%PDF-1.7\n'))).toEqual({ kind: 'binary', name: 'a PDF document' });
    expect(uploadKind(Buffer.from([0x01, 0x02, 0x00, 0x41]))).toEqual({
      kind: 'binary',
      name: 'binary data of an unknown format',
    });
  });

  it('does not mistake a NUL beyond the first bytes, or an empty upload, for binary', () => {
    expect(uploadKind(Buffer.from(''))).toEqual({ kind: 'text' });
    expect(uploadKind(Buffer.concat([Buffer.from('a'.repeat(16)), Buffer.from([0])]))).toEqual({ kind: 'text' });
  });
});
