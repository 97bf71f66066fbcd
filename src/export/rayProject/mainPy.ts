/**
 * main.py of the generated project: the studio's search handed to Ray Tune. The search space is
 * written in Ray's own API (see ./searchSpace), the scheduler is Ray's ASHAScheduler with the
 * studio's settings, and each trial runs objective.py's `run_trial` with a callback that calls
 * `tune.report(metrics, checkpoint=...)`. The only file that imports ray.
 */
import type { TuneConfig } from '../../tune/config';
import { pyNumber, rayParamSpace } from './searchSpace';

/** Ray versions the project is written for; the README says the same. */
export const RAY_VERSIONS = {
  /** ray.tune.report / get_checkpoint / Checkpoint / RunConfig / CheckpointConfig / FailureConfig. */
  current: '2.41',
  /** Oldest 2.x with ray.train.report and ray.train.Checkpoint, which main.py falls back to. */
  oldest: '2.7',
} as const;

/** The ASHAScheduler(...) call, or None for Ray's default FIFO order. */
export function schedulerPy(config: TuneConfig): string {
  const { settings } = config;
  if (settings.scheduler !== 'asha') return 'None';
  return (
    `ASHAScheduler(time_attr="training_iteration", max_t=${settings.maxNumEpochs}, ` +
    `grace_period=${settings.gracePeriod}, reduction_factor=${pyNumber(settings.reductionFactor)})`
  );
}

/** The Python source of main.py for a parsed studio configuration. */
export function mainPy(config: TuneConfig, experimentName: string): string {
  const { settings } = config;
  const concurrency = settings.maxConcurrentTrials === null ? 'None' : String(settings.maxConcurrentTrials);
  return `"""Run the studio's search on Ray Tune: locally, or on a cluster from its head node.

    python main.py --data-dir data/MNIST/raw                # a local Ray, or RAY_ADDRESS's cluster
    ray job submit --working-dir . -- python main.py --data-dir /shared/MNIST/raw

Written for Ray >= ${RAY_VERSIONS.current} (ray.tune.report, ray.tune.RunConfig, ray.tune.Checkpoint);
falls back to ray.train's versions of them on Ray ${RAY_VERSIONS.oldest}-2.40.
Results land in <storage-path>/<name>/: one folder per trial with params.json, result.json,
progress.csv and checkpoint_*/checkpoint.pt. Drop that folder on the studio to import it.
"""
import argparse
import os

import ray
from ray import tune
from ray.tune.schedulers import ASHAScheduler
from ray.tune.search.basic_variant import BasicVariantGenerator

try:  # Ray >= 2.41
    from ray.tune import Checkpoint, CheckpointConfig, FailureConfig, RunConfig
    report = tune.report
    get_checkpoint = tune.get_checkpoint
except ImportError:  # Ray 2.7 - 2.40
    from ray.train import Checkpoint, CheckpointConfig, FailureConfig, RunConfig
    from ray.train import get_checkpoint, report

from objective import run_trial

EXPERIMENT_NAME = ${JSON.stringify(experimentName)}
METRIC = "val_acc"
MODE = "max"
NUM_SAMPLES = ${settings.numTrials}
MAX_CONCURRENT_TRIALS = ${concurrency}
MAX_FAILURES = ${settings.maxFailures}
SEED = ${settings.seed}

# The studio's search space (config.yaml beside this file) in Ray Tune's API.
PARAM_SPACE = ${rayParamSpace(config.space, settings)}


def make_scheduler():
    return ${schedulerPy(config)}


def trainable(config, data_dir, train_limit=None, val_limit=None):
    """One trial: objective.run_trial, reporting each epoch and its checkpoint to Tune."""
    def report_epoch(metrics, checkpoint_folder):
        report(metrics, checkpoint=Checkpoint.from_directory(checkpoint_folder))

    checkpoint = get_checkpoint()
    if checkpoint:
        with checkpoint.as_directory() as folder:
            run_trial(config, report_epoch, data_dir, checkpoint_dir=folder,
                      train_limit=train_limit, val_limit=val_limit)
    else:
        run_trial(config, report_epoch, data_dir, train_limit=train_limit, val_limit=val_limit)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default="data/MNIST/raw",
                        help="MNIST IDX files; the same path on every node of a cluster")
    parser.add_argument("--storage-path", default=os.path.abspath("ray_results"),
                        help="where Ray writes results (a shared folder or s3:// on a cluster)")
    parser.add_argument("--name", default=EXPERIMENT_NAME)
    parser.add_argument("--cpus-per-trial", type=float, default=1)
    parser.add_argument("--gpus-per-trial", type=float, default=0)
    parser.add_argument("--train-limit", type=int, default=None)
    parser.add_argument("--val-limit", type=int, default=None)
    parser.add_argument("--wandb-project", default=None,
                        help="log every trial to this W&B project (pip install wandb; wandb login)")
    args = parser.parse_args()

    ray.init()  # joins the cluster named by RAY_ADDRESS or started on this node, else starts a local one
    callbacks = []
    if args.wandb_project:
        from ray.air.integrations.wandb import WandbLoggerCallback
        callbacks.append(WandbLoggerCallback(project=args.wandb_project))

    trial = tune.with_parameters(trainable, data_dir=os.path.abspath(args.data_dir),
                                 train_limit=args.train_limit, val_limit=args.val_limit)
    tuner = tune.Tuner(
        tune.with_resources(trial, {"cpu": args.cpus_per_trial, "gpu": args.gpus_per_trial}),
        param_space=PARAM_SPACE,
        tune_config=tune.TuneConfig(
            metric=METRIC,
            mode=MODE,
            num_samples=NUM_SAMPLES,
            scheduler=make_scheduler(),
            search_alg=BasicVariantGenerator(random_state=SEED),
            max_concurrent_trials=MAX_CONCURRENT_TRIALS,
        ),
        run_config=RunConfig(
            name=args.name,
            storage_path=args.storage_path,
            callbacks=callbacks,
            checkpoint_config=CheckpointConfig(num_to_keep=2, checkpoint_score_attribute=METRIC,
                                               checkpoint_score_order=MODE),
            failure_config=FailureConfig(max_failures=MAX_FAILURES),
        ),
    )
    results = tuner.fit()
    best = results.get_best_result(metric=METRIC, mode=MODE)
    print(f"best trial: {best.metrics.get('trial_id')} val_acc={best.metrics.get(METRIC)} config={best.config}")
    if best.checkpoint:
        with best.checkpoint.as_directory() as folder:
            os.makedirs("model_saved", exist_ok=True)
            with open(os.path.join(folder, "checkpoint.pt"), "rb") as src, \\
                    open(os.path.join("model_saved", "checkpoint.pt"), "wb") as dst:
                dst.write(src.read())
        print("best checkpoint: model_saved/checkpoint.pt")
    print(f"results: {os.path.join(args.storage_path, args.name)}")


if __name__ == "__main__":
    main()
`;
}
