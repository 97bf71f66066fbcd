/**
 * The README the studio's about line links to. A build inside GitHub Actions links to the
 * repository's README on GitHub; any other build (or `STUDIO_README_URL` unset) ships README.md
 * beside index.html and links to that copy, so the link works on whatever host serves dist/.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Plugin } from 'vite';

/** The env key the page reads the link from (`import.meta.env.VITE_README_URL`). */
export const README_URL_KEY = 'import.meta.env.VITE_README_URL';

/** The repository README's URL from `STUDIO_README_URL` or GitHub Actions' variables, if known. */
export function repositoryReadmeUrl(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.STUDIO_README_URL) return env.STUDIO_README_URL;
  if (env.GITHUB_REPOSITORY) return `${env.GITHUB_SERVER_URL ?? 'https://github.com'}/${env.GITHUB_REPOSITORY}#readme`;
  return undefined;
}

/** Defines the README link for the page and, in a build, copies README.md into dist/. */
export function readmeLinkPlugin(env: NodeJS.ProcessEnv = process.env): Plugin {
  const url = repositoryReadmeUrl(env);
  let root = process.cwd();
  return {
    name: 'digit-studio-readme-link',
    config: () => (url ? { define: { [README_URL_KEY]: JSON.stringify(url) } } : {}),
    configResolved(config) {
      root = config.root;
    },
    async generateBundle() {
      this.emitFile({ type: 'asset', fileName: 'README.md', source: await readFile(resolve(root, 'README.md'), 'utf8') });
    },
  };
}
