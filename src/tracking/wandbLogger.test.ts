import { describe, expect, it } from 'vitest';
import type { EpochReport, TrainingState } from '../engine/trainer';
import { createExperiment, experimentReducer, reportEpoch, type ExperimentState } from '../tune/experiment';
import { SearchRunner } from '../tune/runner';
import { sampleTrials } from '../tune/sampler';
import { DEFAULT_SETTINGS, defaultSpace } from '../tune/space';
import type { TrialEngine } from '../tune/trial';
import { WandbLogger, wandbRunName } from './wandbLogger';
import { WandbRequestError, httpTransport, type WandbFileStreamBody, type WandbRunInput, type WandbTransport } from './wandbTransport';

/** A transport that records every call and fails the first `failures` calls of each kind with `error`. */
function fakeTransport(options: { failures?: number; error?: WandbRequestError } = {}) {
  const calls: { kind: string; run?: string; body?: WandbFileStreamBody; input?: WandbRunInput }[] = [];
  let failuresLeft = options.failures ?? 0;
  const maybeFail = () => {
    if (failuresLeft > 0) {
      failuresLeft -= 1;
      throw options.error ?? new WandbRequestError('the server answered HTTP 500', 500, true);
    }
  };
  const transport: WandbTransport = {
    viewerEntity() {
      calls.push({ kind: 'viewer' });
      return Promise.resolve('studio-user');
    },
    upsertRun(input) {
      calls.push({ kind: 'upsert', run: `${input.entity}/${input.project}/${input.name}`, input });
      maybeFail();
      return Promise.resolve();
    },
    fileStream(run, body) {
      calls.push({ kind: 'stream', run: `${run.entity}/${run.project}/${run.name}`, body });
      maybeFail();
      return Promise.resolve();
    },
  };
  return { transport, calls };
}

/** A finished two-trial, two-epoch search, one state per event, as the runner publishes them. */
function searchStates(): ExperimentState[] {
  const settings = { ...DEFAULT_SETTINGS, numTrials: 2, maxNumEpochs: 2 };
  let state = createExperiment(defaultSpace(), settings, sampleTrials(defaultSpace(), settings));
  const states = [state];
  for (const id of ['t0001', 't0002']) {
    state = experimentReducer(state, { kind: 'trial-started', trialId: id });
    states.push(state);
    for (const epoch of [1, 2]) {
      state = reportEpoch(state, id, { epoch, val_acc: 0.5 + epoch / 10, val_loss: 1 / epoch, train_loss: 2 / epoch, total_params: 9994 }).state;
      states.push(state);
    }
  }
  return states;
}

const noSleep = () => Promise.resolve();

describe('WandbLogger', () => {
  it('makes one run per trial with its config and group, one history entry per epoch, and finishes each', async () => {
    const { transport, calls } = fakeTransport();
    const problems: string[] = [];
    const logger = new WandbLogger({ transport, project: 'digits', experimentId: 'exp-A', onProblem: (m) => problems.push(m), now: () => 1000 });
    for (const state of searchStates()) logger.observe(state);
    await logger.flushed();

    expect(problems).toEqual([]);
    expect(calls.filter((c) => c.kind === 'viewer')).toHaveLength(1);
    const upserts = calls.filter((c) => c.kind === 'upsert');
    expect(upserts.map((c) => c.run)).toEqual(['studio-user/digits/exp-a-t0001', 'studio-user/digits/exp-a-t0002']);
    expect(upserts[0]!.input).toMatchObject({ groupName: 'exp-A', displayName: 't0001', jobType: 'trial' });
    expect(upserts[0]!.input!.config).toMatchObject({ lr: 0.001, f1: 8, f2: 6, batch_size: 64, max_num_epochs: 2, trial_id: 't0001' });

    for (const trial of ['t0001', 't0002']) {
      const streams = calls.filter((c) => c.kind === 'stream' && c.run === `studio-user/digits/${wandbRunName('exp-A', trial)}`);
      const entries = streams.flatMap((c) => c.body?.files?.['wandb-history.jsonl'] ?? []);
      expect(entries.map((e) => e.offset)).toEqual([0, 1]);
      expect(entries.map((e) => JSON.parse(e.content[0]!) as Record<string, number>)).toMatchObject([
        { training_iteration: 1, val_acc: 0.6, val_loss: 1, train_loss: 2, total_params: 9994, _step: 0 },
        { training_iteration: 2, val_acc: 0.7, val_loss: 0.5, train_loss: 1, total_params: 9994, _step: 1 },
      ]);
      const finish = streams.at(-1)!.body!;
      expect(finish).toMatchObject({ complete: true, exitcode: 0 });
      expect(JSON.parse(finish.files!['wandb-summary.json']!.content[0]!)).toMatchObject({ trial_status: 'TERMINATED', val_acc: 0.7 });
    }
    expect(logger.activity).toEqual({ runs: 2, entries: 4, finished: 2 });
  });

  it('retries a failed request with backoff and carries on when it goes through', async () => {
    const { transport, calls } = fakeTransport({ failures: 2 });
    const delays: number[] = [];
    const problems: string[] = [];
    const logger = new WandbLogger({
      transport, project: 'p', entity: 'team', experimentId: 'e', onProblem: (m) => problems.push(m),
      retryDelayMs: 100, sleep: (ms) => (delays.push(ms), Promise.resolve()),
    });
    for (const state of searchStates()) logger.observe(state);
    await logger.flushed();
    expect(delays).toEqual([100, 200]);
    expect(problems).toEqual([]);
    expect(calls.filter((c) => c.kind === 'viewer')).toHaveLength(0);
    expect(logger.activity).toEqual({ runs: 2, entries: 4, finished: 2 });
  });

  it('gives up after a few tries, reports the problem once, and sends nothing more', async () => {
    const { transport, calls } = fakeTransport({ failures: 1000 });
    const problems: string[] = [];
    const logger = new WandbLogger({ transport, project: 'p', entity: 'team', experimentId: 'e', onProblem: (m) => problems.push(m), attempts: 3, sleep: noSleep });
    for (const state of searchStates()) logger.observe(state);
    await logger.flushed();
    expect(calls).toHaveLength(3);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain('HTTP 500');
    expect(problems[0]).toContain('local history');
  });

  it('does not retry a refused key', async () => {
    const { transport, calls } = fakeTransport({ failures: 1000, error: new WandbRequestError('the API key was refused (HTTP 401)', 401, false) });
    const problems: string[] = [];
    const logger = new WandbLogger({ transport, project: 'p', entity: 'team', experimentId: 'e', onProblem: (m) => problems.push(m), sleep: noSleep });
    for (const state of searchStates()) logger.observe(state);
    await logger.flushed();
    expect(calls).toHaveLength(1);
    expect(problems).toEqual([expect.stringContaining('API key was refused') as string]);
  });

  it('never holds up training: a search finishes while every request hangs', async () => {
    const hanging: WandbTransport = {
      viewerEntity: () => new Promise(() => undefined),
      upsertRun: () => new Promise(() => undefined),
      fileStream: () => new Promise(() => undefined),
    };
    const logger = new WandbLogger({ transport: hanging, project: 'p', experimentId: 'e', onProblem: () => undefined });
    const settings = { ...DEFAULT_SETTINGS, numTrials: 2, maxNumEpochs: 3 };
    const engine = (): TrialEngine => ({
      async train(run, events = {}) {
        const history: EpochReport[] = [];
        for (let epoch = 1; epoch <= run.config.max_num_epochs; epoch++) {
          const report = { epoch, train_loss: 1, val_loss: 1, val_acc: 0.9, total_params: 9994, time_s: 1, samples_per_s: 1 };
          history.push(report);
          events.onEpoch?.(report, { config: run.config, state: { epoch, history: [...history] } as TrainingState, stateDict: [] });
          await Promise.resolve();
        }
        return { status: 'completed' as const, history };
      },
      stop: () => Promise.resolve(),
      snapshot: () => Promise.reject(new Error('unused')),
      predict: () => Promise.reject(new Error('unused')),
      dispose: () => Promise.resolve(),
    });
    const runner = new SearchRunner({
      experiment: createExperiment(defaultSpace(), settings, sampleTrials(defaultSpace(), settings)),
      createEngine: engine,
      runBase: { backend: 'cpu', manifestUrl: 'http://studio.test/manifest.json' },
      concurrency: 2,
      listener: { onState: (state) => logger.observe(state) },
    });
    const final = await runner.done;
    expect(final.trials.map((t) => t.status)).toEqual(['TERMINATED', 'TERMINATED']);
  });
});

describe('httpTransport', () => {
  it('speaks W&B GraphQL and file_stream with basic auth, and classifies failures', async () => {
    const requests: { url: string; body: string; auth: string | null }[] = [];
    let answer: () => Response = () => new Response(JSON.stringify({ data: { viewer: { entity: 'me' } } }));
    const fetchImpl: typeof fetch = (input, init) => {
      requests.push({ url: input as string, body: init?.body as string, auth: new Headers(init?.headers).get('Authorization') });
      return Promise.resolve(answer());
    };
    const transport = httpTransport('http://wandb.test/', 'k'.repeat(40), fetchImpl);
    expect(await transport.viewerEntity()).toBe('me');
    expect(requests[0]!.url).toBe('http://wandb.test/graphql');
    expect(requests[0]!.auth).toBe(`Basic ${btoa(`api:${'k'.repeat(40)}`)}`);

    answer = () => new Response('{}');
    await transport.fileStream({ entity: 'me', project: 'p', name: 'r1' }, { complete: true, exitcode: 0 });
    expect(requests[1]!.url).toBe('http://wandb.test/files/me/p/r1/file_stream');
    expect(JSON.parse(requests[1]!.body)).toEqual({ complete: true, exitcode: 0 });

    answer = () => new Response('', { status: 429 });
    await expect(transport.fileStream({ entity: 'me', project: 'p', name: 'r1' }, {})).rejects.toMatchObject({ status: 429, retryable: true });
    answer = () => new Response('', { status: 401 });
    await expect(transport.viewerEntity()).rejects.toMatchObject({ status: 401, retryable: false });
    const offline = httpTransport('http://wandb.test', 'k', () => Promise.reject(new TypeError('Failed to fetch')));
    await expect(offline.viewerEntity()).rejects.toMatchObject({ status: null, retryable: true });
  });
});
