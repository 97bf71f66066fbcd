/// <reference types="vite/client" />
/**
 * Where the about line's README link points: the repository's README when the build knew it
 * (scripts/lib/readmeLink.ts), else the README.md copied beside the page.
 */
const fromBuild = import.meta.env.VITE_README_URL as string | undefined;

/** The README link, relative to the page when the build did not know the repository. */
export const README_URL: string = fromBuild ?? './README.md';
