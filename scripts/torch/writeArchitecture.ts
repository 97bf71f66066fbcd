/**
 * Writes scripts/torch/pt_classifier.py: the architecture.py the studio exports with its Ray Tune
 * project, so the PyTorch checks build the studio's own emitted model rather than a copy of it.
 * The file is committed; src/export/rayProject/emittedArchitecture.test.ts fails when it differs
 * from what architecture.ts emits. Run with `npx tsx scripts/torch/writeArchitecture.ts`.
 */
import { writeFileSync } from 'node:fs';
import { EMITTED_ARCHITECTURE_PATH } from './fixtures';
import { architecturePy } from '../../src/export/rayProject/architecture';

writeFileSync(EMITTED_ARCHITECTURE_PATH, architecturePy());
console.log(`wrote ${EMITTED_ARCHITECTURE_PATH}`);
