/**
 * Lighthouse on the production build, as a static host serves it: builds dist/ when it is stale,
 * serves it under /demo/studio/ with scripts/serve-static.ts (gzip on, as GitHub Pages sends it),
 * and runs Lighthouse's mobile (default) and desktop presets in headless Chromium. Prints the
 * four category scores and the audits that cost points, and writes a JSON summary to
 * bench/results/lighthouse-<date>.json. A measurement, not a test: `npm test` does not run it.
 *
 *   npm run lighthouse            CHROME_PATH picks the browser (default /usr/bin/chromium)
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { locateBrowser } from './lib/browser';
import { ensureBuilt } from './lib/hostedBuild';
import { serveStatic } from './serve-static';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CATEGORIES = ['performance', 'accessibility', 'best-practices', 'seo'] as const;
const METRICS = ['first-contentful-paint', 'largest-contentful-paint', 'total-blocking-time', 'cumulative-layout-shift', 'speed-index'] as const;
const PRESETS = ['mobile', 'desktop'] as const;
type Preset = (typeof PRESETS)[number];

interface Audit {
  title: string;
  score: number | null;
  scoreDisplayMode: string;
  displayValue?: string;
  numericValue?: number;
}
interface Report {
  lighthouseVersion: string;
  categories: Record<string, { score: number | null; auditRefs: { id: string; weight: number }[] }>;
  audits: Record<string, Audit>;
  runWarnings: string[];
}

/** One preset's figures: scores out of 100, metrics in ms (CLS unitless), and what cost points. */
interface PresetSummary {
  preset: Preset;
  scores: Record<string, number | null>;
  metrics: Record<string, number | undefined>;
  costs: { category: string; id: string; title: string; score: number | null; displayValue?: string }[];
  warnings: string[];
}

function summarize(preset: Preset, report: Report): PresetSummary {
  const scores = Object.fromEntries(CATEGORIES.map((c) => [c, report.categories[c]?.score == null ? null : Math.round(report.categories[c].score * 100)]));
  const metrics = Object.fromEntries(METRICS.map((m) => [m, report.audits[m]?.numericValue]));
  const costs = CATEGORIES.flatMap((category) =>
    (report.categories[category]?.auditRefs ?? [])
      .map((ref) => ({ ref, audit: report.audits[ref.id] }))
      .filter(({ audit }) => audit && audit.scoreDisplayMode !== 'notApplicable' && audit.scoreDisplayMode !== 'informative' && audit.score !== null && audit.score < 0.9)
      .map(({ ref, audit }) => ({ category, id: ref.id, title: audit!.title, score: audit!.score, displayValue: audit!.displayValue })),
  );
  return { preset, scores, metrics, costs, warnings: report.runWarnings };
}

async function runLighthouse(url: string, preset: Preset, outDir: string): Promise<Report> {
  const require = createRequire(import.meta.url);
  const cli = require.resolve('lighthouse/cli/index.js');
  const output = join(outDir, `${preset}.json`);
  const args = [
    cli,
    url,
    '--output=json',
    `--output-path=${output}`,
    `--only-categories=${CATEGORIES.join(',')}`,
    '--chrome-flags=--headless=new --no-sandbox --disable-gpu',
    '--quiet',
    ...(preset === 'desktop' ? ['--preset=desktop'] : []),
  ];
  await promisify(execFile)(process.execPath, args, { env: { ...process.env, CHROME_PATH: locateBrowser() }, maxBuffer: 64 * 1024 * 1024 });
  return JSON.parse(await readFile(output, 'utf8')) as Report;
}

async function main(): Promise<void> {
  ensureBuilt(ROOT);
  const served = await serveStatic({ dir: join(ROOT, 'dist'), base: '/demo/studio/', port: 0, gzip: true });
  const outDir = await mkdtemp(join(tmpdir(), 'studio-lighthouse-'));
  const summaries: PresetSummary[] = [];
  let version = '';
  try {
    for (const preset of PRESETS) {
      const report = await runLighthouse(served.url, preset, outDir);
      version = report.lighthouseVersion;
      const summary = summarize(preset, report);
      summaries.push(summary);
      console.log(`${preset}: ${CATEGORIES.map((c) => `${c} ${summary.scores[c] ?? '-'}`).join(', ')}`);
      console.log(`  ${METRICS.map((m) => `${m} ${summary.metrics[m]?.toFixed(m === 'cumulative-layout-shift' ? 3 : 0) ?? '-'}`).join(', ')}`);
      for (const cost of summary.costs) console.log(`  - [${cost.category}] ${cost.id}: ${cost.title} (${cost.score}${cost.displayValue ? `, ${cost.displayValue}` : ''})`);
      for (const warning of summary.warnings) console.log(`  ! ${warning}`);
    }
  } finally {
    await served.close();
    await rm(outDir, { recursive: true, force: true });
  }
  const date = new Date().toISOString().slice(0, 10);
  const resultsDir = join(ROOT, 'bench', 'results');
  await mkdir(resultsDir, { recursive: true });
  const file = join(resultsDir, `lighthouse-${date}.json`);
  await writeFile(file, `${JSON.stringify({ date, lighthouse: version, browser: locateBrowser(), url: 'dist/ under /demo/studio/ (scripts/serve-static.ts, gzip)', summaries }, null, 2)}\n`);
  console.log(`wrote ${file}`);
}

await main();
