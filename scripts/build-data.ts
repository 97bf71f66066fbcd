// `npm run data`: builds MNIST's gzip shards and manifest under public/data/mnist/ (skips when up to date).
// Options: --out <dir> writes elsewhere; --force rebuilds even when up to date.
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildMnistShards } from './lib/mnistShards';
import { messageOf } from '../src/studioError';

const root = join(fileURLToPath(import.meta.url), '..', '..');
const args = process.argv.slice(2);
const outIndex = args.indexOf('--out');
const outDir = (outIndex >= 0 ? args[outIndex + 1] : undefined) ?? join(root, 'public', 'data', 'mnist');

try {
  const outcome = await buildMnistShards(outDir, { force: args.includes('--force') });
  const { manifest } = outcome;
  const where = relative(process.cwd(), outcome.outDir) || '.';
  const mb = (manifest.totals.bytes / 1e6).toFixed(1);
  if (outcome.state === 'up-to-date') {
    console.log(`MNIST shards in ${where} are up to date (${manifest.shards.length} shards, ${mb} MB).`);
  } else {
    console.log(
      `Built ${manifest.shards.length} MNIST shards in ${where}: ${manifest.splits.train.count} train, ` +
        `${manifest.splits.test.count} test, ${mb} MB gzip, in ${(outcome.ms / 1000).toFixed(1)} s.`,
    );
  }
} catch (error) {
  console.error(`npm run data failed: ${messageOf(error)}`);
  process.exit(1);
}
