import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '..');
const configPath = path.join(root, 'eslint.config.js');
const eslint = new ESLint({ cwd: root, overrideConfigFile: configPath });

/** The rule ids ESLint reports for `text` as if it were the file at `file` (relative to the root). */
async function ruleIds(file: string, text: string): Promise<(string | null)[]> {
  const [result] = await eslint.lintText(text, { filePath: path.join(root, file) });
  return (result?.messages ?? []).map((message) => message.ruleId);
}

describe('the layers of src/ (eslint.config.js)', () => {
  it('rejects an import from a layer above: src/model importing src/ui', async () => {
    const upward = await ruleIds('src/model/spec.ts', "import { README_URL } from '../ui/readmeLink';\nexport const link = README_URL;\n");
    expect(upward).toContain('import-x/no-restricted-paths');
    const downward = await ruleIds('src/ui/readmeLink.ts', "import { countParameters } from '../model/spec';\nexport const count = countParameters;\n");
    expect(downward).not.toContain('import-x/no-restricted-paths');
  });

  it('rejects a neighbour on the same row: src/model importing src/data', async () => {
    expect(await ruleIds('src/model/spec.ts', "import { validateManifest } from '../data/manifest';\nexport const validate = validateManifest;\n")).toContain(
      'import-x/no-restricted-paths',
    );
  });

  it('rejects a cycle: src/model/spec.ts importing classifier.ts, which imports spec.ts', async () => {
    expect(await ruleIds('src/model/spec.ts', "import { classifier } from './classifier';\nexport const name = classifier.name;\n")).toContain(
      'import-x/no-cycle',
    );
    // Only a value import closes the loop; a type import is erased at build time.
    expect(await ruleIds('src/model/spec.ts', "import type { classifier } from './classifier';\nexport type Name = typeof classifier;\n")).not.toContain(
      'import-x/no-cycle',
    );
  });

  it('README.md lists the same layers, top to bottom', async () => {
    const { LAYERS } = (await import(pathToFileURL(configPath).href)) as { LAYERS: string[][] };
    const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
    const block = /<!-- layers -->\n```text\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(block, 'README.md has a ```text block after <!-- layers -->').toBeDefined();
    const rows = (block ?? '')
      .split('\n')
      .filter((line) => line.trim() !== '' && !line.trim().startsWith('↓'))
      .map((line) => line.split('#')[0]!.trim().split(/\s+/).map((name) => name.replace(/^src\//, '').replace(/\/$/, '')));
    expect(rows).toEqual(LAYERS);
  });
});
