/// <reference types="vite/client" />
/**
 * Where the about line's README link points: the repository's README when the build knew it
 * (scripts/lib/readmeLink.ts), else the README page copied beside the page (README.html: a
 * host sends README.md as a file to download).
 */
const fromBuild = import.meta.env.VITE_README_URL as string | undefined;

/** The README link, relative to the page when the build did not know the repository. */
export const README_URL: string = fromBuild ?? './README.html';
