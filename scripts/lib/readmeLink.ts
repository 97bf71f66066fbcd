/**
 * The README the studio's about line links to. A build inside GitHub Actions links to the
 * repository's README on GitHub; any other build (or `STUDIO_README_URL` unset) ships the README
 * beside index.html and links to that copy, so the link works on whatever host serves dist/.
 *
 * The copy the link opens is README.html, the Markdown text in an HTML page: static hosts send a
 * `.md` file as `text/markdown` or `application/octet-stream`, and browsers download either
 * instead of showing it. README.md is still copied beside it for those who want the source.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Plugin } from 'vite';

/** The env key the page reads the link from (`import.meta.env.VITE_README_URL`). */
const README_URL_KEY = 'import.meta.env.VITE_README_URL';

/** The page beside index.html that shows the README. */
const README_PAGE = 'README.html';

/** The repository README's URL from `STUDIO_README_URL` or GitHub Actions' variables, if known. */
export function repositoryReadmeUrl(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.STUDIO_README_URL) return env.STUDIO_README_URL;
  if (env.GITHUB_REPOSITORY) return `${env.GITHUB_SERVER_URL ?? 'https://github.com'}/${env.GITHUB_REPOSITORY}#readme`;
  return undefined;
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' };

/** An HTML page that shows `markdown` as wrapped plain text, titled by its first heading. */
export function readmePage(markdown: string): string {
  const escape = (text: string) => text.replace(/[&<>"]/g, (c) => HTML_ESCAPES[c] ?? c);
  const title = /^#\s+(.+)$/m.exec(markdown)?.[1]?.trim() ?? 'README';
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8" />',
    '<meta name="viewport" content="width=device-width, initial-scale=1" />',
    `<title>${escape(title)}: README</title>`,
    '<style>body{margin:0 auto;max-width:60rem;padding:1rem;font:15px/1.5 system-ui,sans-serif}pre{white-space:pre-wrap;overflow-wrap:anywhere;font:14px/1.5 ui-monospace,monospace}</style>',
    '</head>',
    '<body>',
    `<main><pre>${escape(markdown)}</pre></main>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

/** Defines the README link for the page and serves the README page (a build copies it into dist/). */
export function readmeLinkPlugin(env: NodeJS.ProcessEnv = process.env): Plugin {
  const url = repositoryReadmeUrl(env);
  let root = process.cwd();
  const readme = () => readFile(resolve(root, 'README.md'), 'utf8');
  return {
    name: 'digit-studio-readme-link',
    config: () => (url ? { define: { [README_URL_KEY]: JSON.stringify(url) } } : {}),
    configResolved(config) {
      root = config.root;
    },
    configureServer(server) {
      server.middlewares.use((request, response, next) => {
        if (request.url?.split('?')[0] !== `/${README_PAGE}`) return next();
        readme().then(
          (markdown) => {
            response.setHeader('Content-Type', 'text/html; charset=utf-8');
            response.end(readmePage(markdown));
          },
          (error: unknown) => next(error),
        );
      });
    },
    async generateBundle() {
      const markdown = await readme();
      this.emitFile({ type: 'asset', fileName: 'README.md', source: markdown });
      this.emitFile({ type: 'asset', fileName: README_PAGE, source: readmePage(markdown) });
    },
  };
}
