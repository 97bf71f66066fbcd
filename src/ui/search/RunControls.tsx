import { useEffect, useState } from 'react';
import { RESUME_ON_CPU_BACKEND } from '../../state/searchSlice';
import { useStudio } from '../../state/store';
import { deleteExperiment } from '../../tune/persistence';
import { totalTrials } from '../../tune/space';
import { SearchCost } from './SearchCost';
import { SearchProgressBar } from './SearchProgressBar';
import { messageOf } from '../../studioError';

const FULL_TRAIN = 60_000;
const FULL_VAL = 10_000;

/** A data limit typed by the user: undefined for the full split. */
export function limit(text: string, full: number): number | undefined {
  const value = Math.floor(Number(text));
  return Number.isFinite(value) && value > 0 && value < full ? value : undefined;
}

const trialCount = (n: number) => `${n} ${n === 1 ? 'trial' : 'trials'}`;

/** Run search, stop all, resume an unfinished search, the presets and the cost, the data subset, and the whole search's progress. */
export function RunControls() {
  const parsed = useStudio((s) => s.parsed);
  const search = useStudio((s) => s.search);
  const resumable = useStudio((s) => s.resumable);
  const elsewhere = useStudio((s) => s.resumableElsewhere);
  const startSearch = useStudio((s) => s.startSearch);
  const stopSearch = useStudio((s) => s.stopSearch);
  const resumeSearch = useStudio((s) => s.resumeSearch);
  const findResumable = useStudio((s) => s.findResumable);
  const [train, setTrain] = useState(String(FULL_TRAIN));
  const [val, setVal] = useState(String(FULL_VAL));
  const [failure, setFailure] = useState<string | null>(null);

  useEffect(() => {
    void findResumable();
  }, [findResumable]);

  const running = search?.status === 'running';
  const errorCount = parsed.ok ? 0 : parsed.errors.length;
  const launch = (start: () => Promise<unknown>) => {
    setFailure(null);
    start().catch((error: unknown) => setFailure(messageOf(error)));
  };
  const options = () => ({ trainLimit: limit(train, FULL_TRAIN), valLimit: limit(val, FULL_VAL) });

  return (
    <div className="run-controls" data-testid="run-controls">
      {resumable && !running && elsewhere && (
        <p className="resume" role="status" data-testid="search-elsewhere">
          The search from {new Date(resumable.createdAt).toLocaleString()} is running in another tab. It is read-only here; once
          that tab closes it can resume here.
        </p>
      )}
      {resumable?.state.deviceLost && !running && (
        <p className="resume warn" role="alert" data-testid="gpu-lost">
          The GPU was lost: {resumable.state.deviceLost}. Every finished trial is kept, and the interrupted ones continue from
          their last saved epoch.
          <button
            type="button"
            className="primary"
            disabled={elsewhere}
            onClick={() => launch(() => resumeSearch({ backend: RESUME_ON_CPU_BACKEND }))}
            data-testid="resume-on-cpu"
          >
            Resume on CPU
          </button>
        </p>
      )}
      {resumable && !running && (
        <p className="resume" role="status" data-testid="resume-offer">
          An unfinished search from {new Date(resumable.createdAt).toLocaleString()} can continue where it stopped.
          <button type="button" className="primary" disabled={elsewhere} onClick={() => launch(() => resumeSearch())} data-testid="resume-search">
            Resume search
          </button>
          <button
            type="button"
            disabled={elsewhere}
            onClick={() => void deleteExperiment(resumable.id).finally(() => useStudio.setState({ resumable: null }))}
            data-testid="discard-search"
          >
            Discard
          </button>
        </p>
      )}
      <SearchCost
        trainImages={limit(train, FULL_TRAIN) ?? FULL_TRAIN}
        valImages={limit(val, FULL_VAL) ?? FULL_VAL}
        disabled={running}
        onPreset={(preset) => {
          setTrain(String(preset.trainImages));
          setVal(String(preset.valImages));
        }}
      />
      <div className="run-row">
        <fieldset className="data-subset" disabled={running}>
          <legend>Data subset</legend>
          <label>
            train images
            <input type="number" min={1} max={FULL_TRAIN} value={train} onChange={(e) => setTrain(e.target.value)} data-testid="train-limit" />
          </label>
          <label>
            val images
            <input type="number" min={1} max={FULL_VAL} value={val} onChange={(e) => setVal(e.target.value)} data-testid="val-limit" />
          </label>
        </fieldset>
        <button
          type="button"
          className="primary"
          disabled={!parsed.ok || running}
          title={errorCount > 0 ? `Fix ${errorCount} error(s) in the search space first` : undefined}
          onClick={() => launch(() => startSearch(options()))}
          data-testid="run-search"
        >
          Run search{parsed.ok ? ` (${trialCount(totalTrials(parsed.space, parsed.settings))})` : ''}
        </button>
        <button type="button" disabled={!running} onClick={stopSearch} data-testid="stop-search">
          Stop all
        </button>
        {errorCount > 0 && (
          <span className="error" data-testid="run-blocked">
            {errorCount} error(s) in the search space
          </span>
        )}
      </div>
      {failure && (
        <p className="error" role="alert" data-testid="search-failure">
          {failure}
        </p>
      )}
      {search?.warnings.map((warning) => (
        <p key={warning} className="warn" role="status">
          {warning}
        </p>
      ))}
      {search && <SearchProgressBar search={search} />}
    </div>
  );
}
