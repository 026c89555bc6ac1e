import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADULT, adultRows, servedVersion } from '../helpers/e2e.js';
import { withoutColumn } from '../helpers/adult.js';
import { startTestStack, type TestStack } from '../helpers/local-stack.js';

let stack: TestStack;
let production: number | undefined;

/** A first accepted upload: it records the data schema v1 and puts a version in production. */
beforeAll(async () => {
  stack = await startTestStack();
  const [first] = await stack.upload('incoming/adult/first.csv', adultRows(8000));
  expect(first?.status).toBe('SUCCEEDED');
  production = (await stack.registry.aliases.get('adult'))?.version;
  expect(production).toBe(1);
}, 240_000);

afterAll(async () => {
  await stack?.stop();
});

describe('bad data fails its run with a reason a person can act on, and production stays', () => {
  it('fails a run whose CSV lacks the label column, naming it, and leaves production unchanged', async () => {
    const [execution] = await stack.upload('incoming/adult/no-label.csv', withoutColumn(ADULT, 'class'));
    expect(execution?.status).toBe('FAILED');
    const run = (await stack.registry.runs.list('adult')).find((r) => r.trigger.key === 'incoming/adult/no-label.csv');
    expect(run).toMatchObject({ status: 'FAILED', errorType: 'DataValidationError' });
    // The data schema (from the first accepted upload) catches it before typing: the reason names the column.
    expect(run?.reason).toContain('does not match the data schema v1: missing_column: column "class" is missing');
    expect((await stack.registry.aliases.get('adult'))?.version).toBe(production);
    expect(await servedVersion(stack, 'adult')).toBe(production);
  });

  it('stops a run before training when the data breaks the schema (a renamed column), naming the column', async () => {
    const lines = ADULT.split('\n').slice(0, 3001);
    lines[0] = (lines[0] as string).replace(/^age,/, 'years,');
    const [execution] = await stack.upload('incoming/adult/renamed.csv', lines.join('\n'));
    expect(execution?.status).toBe('FAILED');
    expect(execution?.events.some((e) => e.type === 'StateEntered' && e.state === 'Train')).toBe(false);
    const run = (await stack.registry.runs.list('adult')).find((r) => r.trigger.key.endsWith('renamed.csv'));
    expect(run?.reason).toContain('missing_column: column "age" is missing (the schema v1 has it)');
    expect(run?.anomalies?.map((a) => `${a.kind}:${a.column}`)).toEqual(['missing_column:age', 'new_column:years']);
  });

  it('fails a malformed CSV with the line number of the problem', async () => {
    const lines = ADULT.split('\n').slice(0, 200);
    lines[120] = `${lines[120]},extra`;
    const [wrongCount] = await stack.upload('incoming/adult/wrong-count.csv', lines.join('\n'));
    expect(wrongCount?.status).toBe('FAILED');
    const runs = await stack.registry.runs.list('adult');
    expect(runs.find((r) => r.trigger.key.endsWith('wrong-count.csv'))?.reason).toMatch(
      /^incoming\/adult\/wrong-count\.csv:121: wrong number of columns/,
    );

    const quoted = ADULT.split('\n').slice(0, 200);
    quoted[50] = `${quoted[50]?.replace('State-gov', '"State-gov')}`.replace(/^(\d+),/, '$1,"');
    const [unbalanced] = await stack.upload('incoming/adult/unbalanced.csv', quoted.join('\n'));
    expect(unbalanced?.status).toBe('FAILED');
    const after = await stack.registry.runs.list('adult');
    expect(after.find((r) => r.trigger.key.endsWith('unbalanced.csv'))?.reason).toMatch(
      /unbalanced\.csv:\d+: .*(never closed|malformed)/,
    );
  });

  it('fails when too many rows have non-numeric values, reporting the count', async () => {
    const lines = ADULT.split('\n').slice(0, 1001);
    for (let i = 1; i <= 50; i++) lines[i * 10] = (lines[i * 10] as string).replace(/^\d+,/, 'unknown,');
    const [execution] = await stack.upload('incoming/adult/bad-ages.csv', lines.join('\n'));
    expect(execution?.status).toBe('FAILED');
    const run = (await stack.registry.runs.list('adult')).find((r) => r.trigger.key.endsWith('bad-ages.csv'));
    expect(run?.reason).toMatch(
      /^50 of 1000 rows \(5\.00%\) have bad values, more than the 1\.00% allowed .* "age": 50 bad \(e\.g\. incoming\/adult\/bad-ages\.csv:11 "unknown"/,
    );
    expect((await stack.registry.aliases.get('adult'))?.version).toBe(production);
  });
});
