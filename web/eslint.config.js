// ESLint for the app's sources (`npm run lint`, in scripts/web-test.sh, no warning
// allowed): JavaScript's and typescript-eslint's recommended type-checked rules (ESLint
// reads the TypeScript program of tsconfig.json) plus no narrowing cast, React's rules of
// hooks with the React Compiler's checks (eslint-plugin-react-hooks 7: no module state
// written during render, no refs read during render, no setState straight in an
// effect…), and jsx-a11y's recommended accessibility rules. Plus the project's own: no
// `as never`, no `let` at the top of a component file, and no page importing another
// file of pages/ (what pages use lives in components/, features/, legal/, lib/…; pages/
// holds only what the route tree loads). src/test/lint.test.ts proves each one fires.
import js from '@eslint/js';
import jsxA11y from 'eslint-plugin-jsx-a11y';
import reactHooks from 'eslint-plugin-react-hooks';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

const AS_NEVER = {
  selector: 'TSAsExpression > TSNeverKeyword',
  message: '`as never` silences the type checker: give the value its real type.',
};
const MODULE_LET = {
  selector: "Program > VariableDeclaration[kind='let'], Program > ExportNamedDeclaration > VariableDeclaration[kind='let']",
  message: 'No `let` at the top of a component file: state, a ref or a context holds what changes (what the whole document shares is a .ts module of its own).',
};
const PAGE_IMPORT = 'A page imports no other file of pages/: move what it needs to components/ or features/ (pages/ holds only what the route tree loads).';

/** The rules a file of pages/ follows: no import of a module of pages/, static or dynamic. */
const noPageImports = (regex) => ({
  'no-restricted-imports': ['error', { patterns: [{ regex, message: PAGE_IMPORT }] }],
  // `no-restricted-imports` does not see `import('…')` (a lazily loaded part); a selector's
  // regular expression cannot hold a `/`.
  'no-restricted-syntax': ['error', AS_NEVER, MODULE_LET, { selector: `ImportExpression > Literal[value=/${regex.replaceAll('/', '\\x2F')}/]`, message: PAGE_IMPORT }],
});

export default defineConfig(
  { ignores: ['dist/', 'src/api/schema.d.ts'] },
  {
    files: ['src/**/*.{ts,tsx}'],
    extends: [js.configs.recommended, tseslint.configs.recommendedTypeChecked, reactHooks.configs.flat['recommended-latest'], jsxA11y.flatConfigs.recommended],
    languageOptions: { ecmaVersion: 2022, sourceType: 'module', parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Says where the React Compiler would skip a component (react-hook-form's watch):
      // the app is not compiled with it.
      'react-hooks/incompatible-library': 'off',
      'no-restricted-syntax': ['error', AS_NEVER],
      '@typescript-eslint/no-unsafe-type-assertion': 'error',
      '@typescript-eslint/method-signature-style': ['error', 'property'],
    },
  },
  // A component file keeps no mutable module state (react-hooks/globals catches it written
  // while rendering; this, written anywhere).
  { files: ['src/**/*.tsx'], rules: { 'no-restricted-syntax': ['error', AS_NEVER, MODULE_LET] } },
  {
    // Tests: a fake of an async function is `async` without awaiting, and the matchers
    // (expect.stringContaining…) are typed `any`.
    files: ['src/**/*.test.{ts,tsx}'],
    rules: { '@typescript-eslint/require-await': 'off', '@typescript-eslint/no-unsafe-assignment': 'off' },
  },
  // A page (a file right under pages/, or in a folder of it: pages/ is two levels deep at
  // most) imports nothing else of pages/; its tests may import it.
  { files: ['src/pages/*.{ts,tsx}'], ignores: ['**/*.test.*'], rules: noPageImports('^\\./|/pages/') },
  { files: ['src/pages/*/*.{ts,tsx}'], ignores: ['**/*.test.*'], rules: noPageImports('^\\.\\.?/(?!\\.\\./)|/pages/') },
  { files: ['src/pages/*/*/**'], rules: { 'no-restricted-syntax': ['error', { selector: 'Program', message: 'pages/ is two levels deep at most: a page is a file of pages/ or of a folder of it.' }] } },
  // Nor does anything but the route tree (app/) import a page.
  {
    files: ['src/**/*.{ts,tsx}'],
    ignores: ['src/app/**', 'src/pages/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ regex: '(^|/)pages/', message: 'Only the route tree (app/) imports pages: move what is shared to components/ or features/.' }] }] },
  },
);
