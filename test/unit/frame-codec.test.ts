import fc from 'fast-check';
import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { Frame } from '../../lambdas/core/dataset.js';
import { IntegrityError } from '../../lambdas/core/errors.js';
import { decodeFrameFile, encodeFrameFile } from '../../lambdas/core/frame-codec.js';

const frame: Frame = {
  features: [
    { name: 'age', type: 'numeric', values: [39, Number.NaN, 50.5] },
    { name: 'job', type: 'categorical', values: ['a', null, 'b'] },
  ],
  sensitive: [{ name: 'sex', type: 'categorical', values: ['F', 'M', null] }],
  labels: { kind: 'classes', values: ['n', 'y', 'n'] },
  origins: ['d.csv:2', 'd.csv:3', 'd.csv:4'],
};
const gz = (document: unknown) => gzipSync(JSON.stringify(document));
/** A finite number as JSON carries it (it writes -0 as 0). */
const finite = fc.double({ noNaN: true, noDefaultInfinity: true }).map((v) => v + 0);

describe('the split files passed between pipeline steps', () => {
  it('read back as written, missing numbers included (JSON has no NaN)', () => {
    expect(decodeFrameFile(encodeFrameFile(frame))).toEqual(frame);
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.option(finite), fc.option(fc.string()), finite), { minLength: 1, maxLength: 50 }),
        (cells) => {
          const generated: Frame = {
            features: [
              { name: 'x', type: 'numeric', values: cells.map(([x]) => x ?? Number.NaN) },
              { name: 'c', type: 'categorical', values: cells.map(([, c]) => c) },
            ],
            sensitive: [],
            labels: { kind: 'numbers', values: cells.map(([, , y]) => y) },
            origins: cells.map((_, i) => `g.csv:${i + 2}`),
          };
          expect(decodeFrameFile(encodeFrameFile(generated))).toEqual(generated);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('refuse a split of another shape, naming the file and what is wrong', () => {
    const wire = JSON.parse(gunzipSync(encodeFrameFile(frame)).toString('utf8')) as { origins: string[] };
    const wrong = (document: unknown) => () => decodeFrameFile(gz(document), 'runs/m/r/train.json.gz');
    expect(wrong({ ...wire, features: [{ name: 'age', type: 'numeric', values: [39, '40', 50] }] })).toThrow(
      /^runs\/m\/r\/train\.json\.gz is not a split this code can read: features\.0\.values: must be an array of numbers or null/,
    );
    expect(wrong({ ...wire, labels: { kind: 'ranks', values: [] } })).toThrow(/labels\.kind/);
    expect(wrong({ ...wire, origins: wire.origins.slice(1) })).toThrow('one value per row');
    expect(() => decodeFrameFile(Buffer.from('not gzip'), 'runs/m/r/test.json.gz')).toThrow(IntegrityError);
  });
});
