import { describe, expect, it } from 'vitest';
import { readmePage, repositoryReadmeUrl } from './readmeLink';

describe('readmePage', () => {
  it('shows the Markdown as escaped text in an HTML page titled by its first heading', () => {
    const page = readmePage('intro\n# Digit <Studio>\n\nUse `a < b` & <script>alert(1)</script>\n');
    expect(page.startsWith('<!doctype html>')).toBe(true);
    expect(page).toContain('<title>Digit &lt;Studio&gt;: README</title>');
    expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page).not.toContain('<script>');
    expect(page).toContain('<html lang="en">');
  });
});

describe('repositoryReadmeUrl', () => {
  it('prefers STUDIO_README_URL, then GitHub Actions, else none', () => {
    expect(repositoryReadmeUrl({ STUDIO_README_URL: 'https://x.test/r' })).toBe('https://x.test/r');
    expect(repositoryReadmeUrl({ GITHUB_REPOSITORY: 'o/r' })).toBe('https://github.com/o/r#readme');
    expect(repositoryReadmeUrl({})).toBeUndefined();
  });
});
