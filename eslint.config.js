// Lint: typescript-eslint's recommended rules without type information (fast: no program is built).
import js from '@eslint/js'
import { defineConfig } from 'eslint/config'
import tseslint from 'typescript-eslint'

export default defineConfig(
  { ignores: ['dist/', 'build/', 'node_modules/', '.virtcheck/', 'benchmarks/results/', '**/*.snap'] },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        Buffer: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
      },
    },
    rules: {
      // Finding and neutralising control characters in outside text is part of this program's job.
      'no-control-regex': 'off',
      // `_name` marks a value that is deliberately dropped (destructuring a field away, an unused callback argument).
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
    },
  },
  {
    // Injected into the CommonJS bundle of the executable, where require and __filename exist; and the
    // launcher, CommonJS (bin/package.json) because that starts faster.
    files: ['packaging/import-meta-url.js', 'bin/*.js'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: { require: 'readonly', __filename: 'readonly', __dirname: 'readonly', exports: 'writable' },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
)
