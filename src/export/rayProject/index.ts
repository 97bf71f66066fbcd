/**
 * A studio search as a Ray Tune project: the original project's layout (main.py, objective.py,
 * architecture.py, config.yaml, requirements.txt, README.md), ready to run on a Ray cluster.
 */
import { zipSync, strToU8 } from 'fflate';
import type { TuneConfig } from '../../tune/config';
import { serializeSpace } from '../../tune/serialize';
import { totalTrials } from '../../tune/space';
import { architecturePy } from './architecture';
import { RAY_VERSIONS, mainPy, schedulerPy } from './mainPy';
import { OBJECTIVE_PY } from './objectivePy';
import { RECIPE_PY } from './recipePy';

/** The project's files, by name. */
export const RAY_PROJECT_FILES = ['main.py', 'objective.py', 'recipe.py', 'architecture.py', 'config.yaml', 'requirements.txt', 'README.md'] as const;

const REQUIREMENTS = `# Ray Tune ${RAY_VERSIONS.current} or later (main.py also runs on ${RAY_VERSIONS.oldest}-2.40); PyTorch 1.13 or later.
ray[tune]>=${RAY_VERSIONS.current}
torch>=1.13
numpy
# Optional: downloads MNIST when --data-dir has no IDX files.
torchvision
# Optional: python main.py --wandb-project NAME
wandb
`;

function readme(config: TuneConfig, name: string): string {
  const { settings } = config;
  const trials = totalTrials(config.space, settings);
  return `# ${name}: a FileNest Digit Studio search on Ray Tune

The search designed in the studio, as a Ray Tune project: ${trials} trial(s) of
\`${settings.model}\` for up to ${settings.maxNumEpochs} epochs, scheduler \`${schedulerPy(config)}\`,
metric \`val_acc\` (mode max).

| file | what it is |
| --- | --- |
| \`main.py\` | Ray Tune: the search space in Ray's API, the scheduler, checkpoints, optional W&B. The only file that imports ray. |
| \`objective.py\` | trains one trial from a config dict; runs without Ray (\`python objective.py --help\`). |
| \`recipe.py\` | the training recipe: Adam or AdamW, weight decay, lr schedule, label smoothing, and the studio's seeded augmentation. |
| \`architecture.py\` | every registered architecture (the Classifier, gapnet), generated from the studio's model registry; \`build_model\` picks the config's \`model\`. |
| \`config.yaml\` | the studio's configuration of this search (Hydra/OmegaConf shape); paste it back into the studio to edit. |

## Run it

\`\`\`bash
pip install -r requirements.txt
python main.py --data-dir data/MNIST/raw                  # on a laptop, or on a cluster's head node
ray job submit --address http://HEAD:8265 --working-dir . -- python main.py --data-dir /shared/MNIST/raw --gpus-per-trial 0.25
\`\`\`

\`--data-dir\` holds MNIST's four IDX files (plain or .gz) at the same path on every node; where
they are missing and torchvision is installed, each trial downloads them there. Results go to
\`--storage-path\` (default \`./ray_results\`) under \`--name\` (default \`${name}\`); on a
multi-node cluster give a shared folder or an \`s3://\` / \`gs://\` URI. The best checkpoint is
copied to \`model_saved/checkpoint.pt\`.

Bring the results back: drop the \`ray_results/${name}\` folder (or a zip of it) on the studio's
Search panel, or run \`npm run tune -- --import-ray ray_results/${name}\` in the studio's repository.

## What matches the studio

- Metrics per epoch: \`train_loss\`, \`val_loss\`, \`val_acc\`, \`total_params\`, \`epoch\`, \`time_s\`,
  \`samples_per_s\`; Ray adds \`training_iteration\` (= epoch). Validation is the 10k test split.
- Checkpoints: \`checkpoint_*/checkpoint.pt\` holds \`(model.state_dict(), optimizer.state_dict())\`,
  the original project's tuple; the studio imports it.
- Adam uses \`betas=(beta1, beta2)\` (the original passed \`(beta1, beta1)\` by mistake).
- Not the same: Ray's random draws differ from the studio's sampler even with the same seed, and
  PyTorch's initialisation differs from the studio's seeded one, so trial values differ; the
  search space, the scheduler and the metric do not.

## Versions

Written for Ray ${RAY_VERSIONS.current} and later (\`tune.Tuner\`, \`tune.TuneConfig\`, \`tune.report\`
with \`tune.Checkpoint\`, \`tune.RunConfig\`, \`ray.air.integrations.wandb.WandbLoggerCallback\`), with
a fallback to \`ray.train.report\` / \`ray.train.RunConfig\` for Ray ${RAY_VERSIONS.oldest}-2.40.
`;
}

/** Every file of the project for a parsed configuration, by file name. */
export function rayProjectFiles(config: TuneConfig, name = 'digit_studio_search'): Record<string, string> {
  return {
    'main.py': mainPy(config, name),
    'objective.py': OBJECTIVE_PY,
    'recipe.py': RECIPE_PY,
    'architecture.py': architecturePy(),
    'config.yaml': `# The studio's configuration of this search; main.py holds the same space in Ray Tune's API.\n${serializeSpace(config.space, config.settings)}`,
    'requirements.txt': REQUIREMENTS,
    'README.md': readme(config, name),
  };
}

/** The project as one zip, under a folder named after the experiment. */
export function rayProjectZip(files: Readonly<Record<string, string>>, folder: string): Uint8Array {
  return zipSync(Object.fromEntries(Object.entries(files).map(([path, text]) => [`${folder}/${path}`, strToU8(text)])));
}
