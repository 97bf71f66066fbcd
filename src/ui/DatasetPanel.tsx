import { useCallback } from 'react';
import type { MnistLoadProgress, MnistSource } from '../data/loadMnist';
import type { DatasetState, DatasetSummary } from '../state/datasetSlice';
import { useStudio } from '../state/store';
import { LabelHistogram } from './LabelHistogram';
import { SampleGrid } from './SampleGrid';
import { useStartAfterFirstModel } from './startAfterFirstModel';

const SOURCE_NAMES: Record<MnistSource, string> = { network: 'network', indexeddb: 'IndexedDB', mixed: 'mixed' };

const megabytes = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;
const seconds = (ms: number) => (ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`);

function LoadProgress({ progress }: { progress: MnistLoadProgress }) {
  const downloading = progress.bytesToDownload > 0;
  return (
    <div className="dataset-progress">
      <progress
        data-testid="dataset-progress"
        max={downloading ? progress.bytesToDownload : Math.max(progress.shardsTotal, 1)}
        value={downloading ? progress.bytesDownloaded : progress.shardsReady}
      />
      <div className="muted">
        {progress.shardsReady} / {progress.shardsTotal || '?'} shards
        {downloading && `, ${megabytes(progress.bytesDownloaded)} of ${megabytes(progress.bytesToDownload)} downloaded`}
      </div>
    </div>
  );
}

function Status({ dataset }: { dataset: DatasetState }) {
  switch (dataset.status) {
    case 'idle':
      return <p data-testid="dataset-status" className="muted">waiting to load</p>;
    case 'loading':
      return (
        <>
          <p data-testid="dataset-status" className="muted">
            loading MNIST ({dataset.progress.phase === 'shards' ? 'shards' : `reading ${dataset.progress.phase}`})…
          </p>
          <LoadProgress progress={dataset.progress} />
        </>
      );
    case 'ready': {
      const { readyMs, readySincePageMs, timings } = dataset.summary;
      return (
        <p
          data-testid="dataset-status"
          className="ok"
          data-ready-ms={Math.round(readyMs)}
          data-ready-since-page-ms={Math.round(readySincePageMs)}
          title={`manifest ${seconds(timings.manifestMs)}, cache check ${seconds(timings.cacheMs)}, shards ${seconds(timings.shardsMs)}`}
        >
          data ready in {seconds(readyMs)} ({seconds(readySincePageMs)} after the page opened)
        </p>
      );
    }
    case 'error':
      return (
        <p data-testid="dataset-status" className="error" role="alert">
          MNIST could not be loaded: {dataset.message}
        </p>
      );
  }
}

function SummaryFacts({ summary }: { summary: DatasetSummary }) {
  return (
    <dl className="facts">
      <dt>Images</dt>
      <dd data-testid="dataset-counts">
        {summary.trainCount.toLocaleString('en-US')} train / {summary.testCount.toLocaleString('en-US')} test
      </dd>
      <dt>Source</dt>
      <dd>
        <span data-testid="dataset-source">{SOURCE_NAMES[summary.source]}</span>
        {summary.repairedShards.length > 0 && (
          <span className="warn"> (damaged cache entries fetched again: {summary.repairedShards.join(', ')})</span>
        )}
        {!summary.cached && <span className="warn"> (not cached: in memory for this visit)</span>}
      </dd>
      <dt>Size</dt>
      <dd data-testid="dataset-size">
        {megabytes(summary.bytes.total)} gzip in {summary.shardCount} shards ({megabytes(summary.bytes.raw)} unpacked)
        {summary.bytes.downloaded > 0 && <span className="muted">; {megabytes(summary.bytes.downloaded)} downloaded</span>}
      </dd>
    </dl>
  );
}

/** MNIST at a glance: counts, where it came from, label balance, sample digits, and the cache control. */
export function DatasetPanel() {
  const dataset = useStudio((s) => s.dataset);
  const mnist = useStudio((s) => s.mnist);
  const startDatasetLoad = useStudio((s) => s.startDatasetLoad);
  const clearDatasetCache = useStudio((s) => s.clearDatasetCache);

  useStartAfterFirstModel(useCallback(() => void startDatasetLoad(), [startDatasetLoad]));

  const summary = dataset.status === 'ready' ? dataset.summary : null;
  return (
    <section className="panel dataset-panel" data-testid="dataset-panel" aria-labelledby="dataset-heading">
      <h2 id="dataset-heading">Dataset: MNIST</h2>
      <Status dataset={dataset} />
      {summary && <SummaryFacts summary={summary} />}
      {summary?.warnings.map((warning) => (
        <p key={warning} className="warn" role="status" data-testid="dataset-warning">
          {warning}
        </p>
      ))}
      {summary && <LabelHistogram train={summary.trainHistogram} test={summary.testHistogram} />}
      {mnist && <SampleGrid split={mnist.train} />}
      <div className="panel-actions">
        <button
          type="button"
          data-testid="clear-cache"
          disabled={dataset.status === 'loading'}
          onClick={() => void clearDatasetCache()}
          title="Delete the shards saved in this browser and download MNIST again"
        >
          Clear cache
        </button>
      </div>
    </section>
  );
}
