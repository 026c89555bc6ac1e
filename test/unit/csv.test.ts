import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { concatTables, readCsv } from '../../lambdas/core/csv.js';

const options = { missingValues: ['', '?'], source: 'data.csv' };

describe('readCsv', () => {
  it('trims a header with stray spaces, keeps quoted commas and newlines, maps missing tokens to null', async () => {
    const text = ' age , name ,city\n30,"Smith, J.", ?\n41,"multi\nline",\n';
    const table = await readCsv(text, options);
    expect(table.columns).toEqual(['age', 'name', 'city']);
    expect(table.rows).toEqual([
      ['30', 'Smith, J.', null],
      ['41', 'multi\nline', null],
    ]);
    expect(table.origins).toEqual(['data.csv:2', 'data.csv:4']);
  });

  it('reads a stream the same way as a string', async () => {
    const text = 'a,b\n1,x\n2,y\n';
    const fromStream = await readCsv(Readable.from([Buffer.from(text.slice(0, 5)), Buffer.from(text.slice(5))]), options);
    expect(fromStream).toEqual(await readCsv(text, options));
  });

  it('fails an unbalanced quote with the line where it opened', async () => {
    await expect(readCsv('a,b\n1,2\n3,"oops\n5,6\n', options)).rejects.toThrow(/data\.csv:\d+: a quoted field opened here is never closed/);
  });

  it('fails a row with the wrong number of columns, naming its line', async () => {
    await expect(readCsv('a,b\n1,2\n3,4,5\n', options)).rejects.toThrow(/^data\.csv:3: wrong number of columns/);
  });

  it('rejects duplicate or empty header names and empty files', async () => {
    await expect(readCsv('a,a\n1,2\n', options)).rejects.toThrow('the header names column "a" twice');
    await expect(readCsv('a,\n1,2\n', options)).rejects.toThrow('column 2 of the header has no name');
    await expect(readCsv('', options)).rejects.toThrow('data.csv is empty');
    await expect(readCsv('a,b\n', options)).rejects.toThrow('has a header but no data rows');
  });

  it('concatenates tables whose columns are in another order', async () => {
    const one = await readCsv('a,b\n1,2\n', { ...options, source: 'one.csv' });
    const two = await readCsv('b,a\n4,3\n', { ...options, source: 'two.csv' });
    const both = concatTables([one, two]);
    expect(both.rows).toEqual([
      ['1', '2'],
      ['3', '4'],
    ]);
    const other = await readCsv('a,c\n1,2\n', { ...options, source: 'three.csv' });
    expect(() => concatTables([one, other])).toThrow('three.csv has different columns from the others (missing: b; extra: c)');
  });
});
