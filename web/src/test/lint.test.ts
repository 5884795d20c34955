// The project's lint rules catch what they are there for (a rule misconfigured, say a
// pattern that matches nothing, would let everything through silently).
import { ESLint } from 'eslint';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The examples are linted as if they were these files, which do not exist: the
// type-aware rules get their types from a program of their own (tsconfig.json's options).
const eslint = new ESLint({
  cwd: fileURLToPath(new URL('../..', import.meta.url)),
  overrideConfig: {
    languageOptions: {
      parserOptions: {
        projectService: {
          allowDefaultProject: ['src/*/example.ts', 'src/*/Example.tsx', 'src/pages/*.tsx', 'src/pages/*/Example.tsx', 'src/pages/*/*/Example.tsx'],
          defaultProject: 'tsconfig.json',
          // About a dozen example files: more than typescript-eslint's guard against a glob too wide.
          maximumDefaultProjectFileMatchCount_THIS_WILL_SLOW_DOWN_LINTING: 20,
        },
      },
    },
  },
});

async function rulesBroken(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return result!.messages.filter((m) => m.severity === 2).map((m) => m.ruleId ?? m.message);
}

// The first lint loads the configuration, typescript-eslint and the TypeScript program: over
// 5 s (vitest's default) on a loaded 2-core machine.
describe('the lint rules', { timeout: 60_000 }, () => {
  it('refuse `as never`', async () => {
    expect(await rulesBroken('src/lib/example.ts', 'export const f = (x: number) => [1].includes(x as never);\n')).toContain('no-restricted-syntax');
    expect(await rulesBroken('src/lib/example.ts', 'export const f = (x: number) => [1].includes(x);\n')).toEqual([]);
  });

  it('refuse a page importing another file of pages/, and anything but the route tree importing a page', async () => {
    const page = 'src/pages/request-page/Example.tsx';
    expect(await rulesBroken(page, "export { NotFoundPage } from '../NotFound';\n")).toEqual(['no-restricted-imports']);
    expect(await rulesBroken(page, "export { ReviewPage } from '../backoffice/ReviewPage';\n")).toEqual(['no-restricted-imports']);
    expect(await rulesBroken(page, "export { canWithdraw } from './RequestPage';\n")).toEqual(['no-restricted-imports']);
    expect(await rulesBroken(page, "export const load = () => import('./Chart');\n")).toEqual(['no-restricted-syntax']);
    expect(await rulesBroken(page, "export const load = () => import('../admin/Chart');\n")).toEqual(['no-restricted-syntax']);
    expect(await rulesBroken(page, "export { Link } from '../../ui';\nexport { canWithdraw } from '../../lib/status';\n")).toEqual([]);
    expect(await rulesBroken(page, "export const load = () => import('../../features/admin/BarChart');\n")).toEqual([]);
    expect(await rulesBroken('src/pages/Example.tsx', "export { HomePage } from './Home';\n")).toEqual(['no-restricted-imports']);
    expect(await rulesBroken('src/pages/Example.tsx', "export { Link } from '../ui';\n")).toEqual([]);
    expect(await rulesBroken('src/pages/request/parts/Example.tsx', 'export const x = 1;\n')).toEqual(['no-restricted-syntax']);
    expect(await rulesBroken('src/pages/Example.test.tsx', "export { HomePage } from './Home';\n")).toEqual([]);
    expect(await rulesBroken('src/components/Example.tsx', "export { NotFoundPage } from '../pages/NotFound';\n")).toEqual(['no-restricted-imports']);
    expect(await rulesBroken('src/newfolder/Example.tsx', "export { NotFoundPage } from '../pages/NotFound';\n")).toEqual(['no-restricted-imports']);
    expect(await rulesBroken('src/app/Example.tsx', "export { NotFoundPage } from '../pages/NotFound';\n")).toEqual([]);
  });

  it('refuse a cast that narrows a type, and a promise where nothing awaits it', async () => {
    expect(await rulesBroken('src/lib/example.ts', "type S = 'a' | 'b';\nexport const f = (x: string) => x as S;\n")).toEqual(['@typescript-eslint/no-unsafe-type-assertion']);
    expect(await rulesBroken('src/lib/example.ts', "type S = 'a' | 'b';\nexport const f = (x: S) => x as string;\n")).toEqual([]);
    expect(await rulesBroken('src/lib/example.ts', 'export const f = (x: unknown) => JSON.parse(String(x)) as { a: number };\n')).toEqual(['@typescript-eslint/no-unsafe-type-assertion']);
    const click = 'export const B = ({ go }: { go: () => Promise<void> }) => <button type="button" onClick={go}>Go</button>;\n';
    expect(await rulesBroken('src/components/Example.tsx', click)).toEqual(['@typescript-eslint/no-misused-promises']);
    expect(await rulesBroken('src/lib/example.ts', 'export const f = (go: () => Promise<void>) => {\n  go();\n};\n')).toEqual(['@typescript-eslint/no-floating-promises']);
  });

  it('refuse module state written while rendering, or kept in a component file', async () => {
    const code = "const strings = { prefix: '' };\nexport function Label({ text }: { text: string }) {\n  strings.prefix = text;\n  return <span>{strings.prefix}</span>;\n}\n";
    expect(await rulesBroken('src/app/Example.tsx', code)).toContain('react-hooks/immutability');
    const global = "let prefix = '';\nexport function Label({ text }: { text: string }) {\n  prefix = text;\n  return <span>{prefix}</span>;\n}\n";
    expect(await rulesBroken('src/app/Example.tsx', global)).toContain('react-hooks/globals');
    // Nor kept in a component file at all (a counter bumped by a handler): a store is a .ts module.
    const counter = 'let clicks = 0;\nexport const Count = () => <button type="button" onClick={() => void clicks++}>+</button>;\n';
    expect(await rulesBroken('src/features/Example.tsx', counter)).toEqual(['no-restricted-syntax']);
    expect(await rulesBroken('src/pages/Example.tsx', counter)).toEqual(['no-restricted-syntax']);
    expect(await rulesBroken('src/lib/example.ts', 'let clicks = 0;\nexport const click = () => ++clicks;\n')).toEqual([]);
  });

  it('check accessibility in JSX', async () => {
    expect(await rulesBroken('src/components/Example.tsx', 'export const Logo = () => <img src="/logo.png" />;\n')).toEqual(['jsx-a11y/alt-text']);
  });
});
