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
    const fromStream = await readCsv(
      Readable.from([Buffer.from(text.slice(0, 5)), Buffer.from(text.slice(5))]),
      options,
    );
    expect(fromStream).toEqual(await readCsv(text, options));
  });

  it('fails an unbalanced quote at the row where it opened, not at the end of the file', async () => {
    const lines = ['a,b', ...Array.from({ length: 2000 }, (_, i) => `${i},x`)];
    lines[499] = '498,"oops';
    await expect(readCsv(lines.join('\n'), options)).rejects.toThrow(
      /^data\.csv:500: a quoted field opened in the row starting here is never closed \(unbalanced quote\); everything after it up to line 2001/,
    );
  });

  it('names the delimiter of a file saved with semicolons or tabs instead of commas', async () => {
    await expect(readCsv('age;workclass;class\n39;State-gov;<=50K\n', options)).rejects.toThrow(
      'data.csv:1: the header is one column ("age;workclass;class"), and looks delimited by ";" (3 columns): save the file as comma-separated CSV and upload it again',
    );
    await expect(readCsv('a\tb\n1\t2\n', options)).rejects.toThrow('looks delimited by tabs (2 columns)');
  });

  it('finds bytes that are not UTF-8 (a Latin-1 file), naming the line, the column and the value', async () => {
    const latin1 = Buffer.concat([
      Buffer.from('age,country\n30,Spain\n41,Cura'),
      Buffer.from([0xe7]),
      Buffer.from('ao\n52,Peru\n'),
    ]);
    const table = await readCsv(latin1, options);
    expect(table.encoding).toEqual({
      rows: 1,
      issues: [{ at: 'data.csv:3', column: 'country', value: 'Cura\uFFFDao' }],
    });
    const fromStream = await readCsv(Readable.from([latin1.subarray(0, 27), latin1.subarray(27)]), options);
    expect(fromStream.encoding).toEqual(table.encoding);
    expect((await readCsv(Buffer.from('a,b\n1,Curaçao\n'), options)).encoding).toBeUndefined();
    const header = await readCsv(
      Buffer.concat([Buffer.from('a,pa'), Buffer.from([0xed]), Buffer.from('s\n1,Peru\n')]),
      options,
    );
    expect(header.encoding).toEqual({
      rows: 1,
      issues: [{ at: 'data.csv:1', column: 'pa\uFFFDs', value: 'pa\uFFFDs' }],
    });
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
    expect(() => concatTables([one, other])).toThrow(
      'three.csv has different columns from the others (missing: b; extra: c)',
    );
  });
});
