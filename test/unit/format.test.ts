import { readFileSync } from 'node:fs';
import * as prettier from 'prettier';
import { describe, expect, it } from 'vitest';

describe('formatting', () => {
  it('is checked by npm run lint with the project configuration (width 120, single quotes): a file off it fails', async () => {
    const scripts = (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> }).scripts;
    expect(scripts.lint).toContain('prettier --check');
    const config = await prettier.resolveConfig('lib/app.ts');
    expect(config).toMatchObject({ printWidth: 120, singleQuote: true });
    const options = { ...config, parser: 'typescript' };
    const messy = 'const answer = {a:1,\n   b : "two"}\n';
    expect(await prettier.check(messy, options)).toBe(false);
    const formatted = await prettier.format(messy, options);
    expect(formatted).toBe("const answer = { a: 1, b: 'two' };\n");
    expect(await prettier.check(formatted, options)).toBe(true);
  });
});
