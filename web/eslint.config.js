// ESLint for the app's sources (`npm run lint`, in scripts/web-test.sh): JavaScript's and
// typescript-eslint's recommended rules, React's rules of hooks with the React Compiler's
// checks (eslint-plugin-react-hooks 7: no module state written during render, no refs
// read during render, no setState straight in an effect…), and jsx-a11y's recommended
// accessibility rules. Plus the project's own: no `as never`, and no page importing from
// another page (what two pages share lives in components/ or features/).
import js from '@eslint/js';
import jsxA11y from 'eslint-plugin-jsx-a11y';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

const PAGE_IMPORT = 'A page does not import another page: move what they share to components/ or features/.';

export default tseslint.config(
  { ignores: ['dist/', 'src/api/schema.d.ts'] },
  {
    files: ['src/**/*.{ts,tsx}'],
    extends: [js.configs.recommended, tseslint.configs.recommended, reactHooks.configs.flat['recommended-latest'], jsxA11y.flatConfigs.recommended],
    languageOptions: { ecmaVersion: 2022, sourceType: 'module' },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Says where the React Compiler would skip a component (react-hook-form's watch):
      // the app is not compiled with it.
      'react-hooks/incompatible-library': 'off',
      'no-restricted-syntax': [
        'error',
        {
          selector: 'TSAsExpression > TSNeverKeyword',
          message: '`as never` silences the type checker: give the value its real type.',
        },
      ],
    },
  },
  {
    // Found when ESLint came in, in files their owners are reworking: reported, not yet
    // fixed (the queue's age computed from Date.now() while rendering; the selection
    // cleared by a setState in an effect when the filters change). Warnings until then.
    files: ['src/features/backoffice/QueueTable.tsx', 'src/pages/backoffice/QueuePage.tsx'],
    rules: { 'react-hooks/purity': 'warn', 'react-hooks/set-state-in-effect': 'warn' },
  },
  // A page never imports another page: what pages share is a component or a feature
  // (a page is a file right under pages/ or a folder of it; its own files are `./…`).
  {
    files: ['src/pages/*.{ts,tsx}'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ regex: '^\\./', message: PAGE_IMPORT }] }] },
  },
  {
    // Nor does anything but the route tree (app/) import a page.
    files: ['src/{api,auth,components,draft,features,i18n,legal,lib,test,ui}/**/*.{ts,tsx}'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ regex: '(^|/)pages/', message: 'Only the route tree imports pages: move what is shared to components/ or features/.' }] }] },
  },
  {
    files: ['src/pages/*/*.{ts,tsx}'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ regex: '^\\.\\./(?!\\.\\./)|/pages/', message: PAGE_IMPORT }] }] },
  },
);
