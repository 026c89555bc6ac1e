// @ts-check
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import project from './eslint-rules/layers.js';

export default tseslint.config(
  { ignores: ['node_modules/**', 'cdk.out/**', 'cdk.*.out/**', '.mlops/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  {
    files: ['lambdas/**/*.ts'],
    rules: { 'no-console': 'error' },
  },
  {
    // The layers, one way (eslint-rules/layers.js): core imports nothing outside core; no function imports another.
    files: ['**/*.ts'],
    plugins: { project },
    rules: { 'project/layers': 'error' },
  },
  {
    // Small files with one purpose, short functions (the guide's limits: 300 lines a file, 60 a function).
    files: [
      'bin/**/*.ts',
      'lib/**/*.ts',
      'cli/**/*.ts',
      'lambdas/**/*.ts',
      'state-machines/**/*.ts',
      'local/**/*.ts',
      'bench/**/*.ts',
    ],
    rules: {
      'max-lines': ['error', { max: 300 }],
      'max-lines-per-function': ['error', { max: 60 }],
    },
  },
  {
    // Data-sized arrays must never become call arguments: each element takes a stack slot, and Lambda's stack holds
    // about 125,000 (Math.min(...values) and push(...rows) failed ETL on 500k rows). Spread into array literals is fine.
    files: ['lambdas/**/*.ts', 'local/**/*.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: 'CallExpression > SpreadElement',
          message:
            'no spread arguments in lambdas/ and local/: loop instead (stack limit on data-sized arrays); for min/max use extent()',
        },
        {
          selector: 'NewExpression > SpreadElement',
          message: 'no spread arguments in lambdas/ and local/: loop instead (stack limit on data-sized arrays)',
        },
        {
          selector: "CallExpression[callee.property.name='apply']",
          message: 'no .apply() in lambdas/ and local/: its argument array hits the stack limit on data-sized arrays',
        },
      ],
    },
  },
);
