// ESLint 9 flat config for the whole repository (`npm run lint` = `eslint .`).
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import i18next from 'eslint-plugin-i18next';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default defineConfig(
  { ignores: ['**/node_modules/**', 'dist/**', 'web/dist/**', 'drizzle/**', 'data/**', 'coverage/**', '.tmp/**'] },

  js.configs.recommended,

  // TypeScript everywhere (recommended, not type-aware: fast).
  {
    files: ['**/*.{ts,tsx,mts,cts}'],
    extends: [tseslint.configs.recommended],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' }],
    },
  },

  // Server, CLI, scripts, benchmarks, tests: Node.
  {
    files: ['src/**', 'bench/**', 'tests/**', 'scripts/**', 'bin/**', '*.{js,mjs,cjs,ts}', 'web/vite.config.ts'],
    languageOptions: { globals: { ...globals.node } },
  },

  // Web app: browser, React hooks rules.
  {
    files: ['web/src/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: reactHooks.configs.recommended.rules,
  },

  // Every user-visible string in a component goes through t(): JSX text, string expressions
  // inside JSX, and the attributes people see or hear (placeholder, title, alt, aria-*…).
  {
    files: ['web/src/**/*.tsx'],
    plugins: { i18next },
    rules: {
      'i18next/no-literal-string': [
        'error',
        {
          mode: 'jsx-only',
          'jsx-attributes': {
            include: ['placeholder', 'title', 'alt', 'label', 'aria-label', 'aria-description', 'aria-placeholder', 'aria-valuetext', 'subtitle', 'heading'],
            exclude: ['.*'],
          },
          callees: {
            exclude: ['i18n(ext)?', 't', 'require', 'navigate', 'useNavigate', 'Navigate', 'addEventListener', 'removeEventListener', 'querySelector', 'getElementById', 'exists', 'includes', 'startsWith', 'endsWith', 'setQueryData', 'invalidateQueries', 'classNames?', 'cx'],
          },
        },
      ],
    },
  },
);
