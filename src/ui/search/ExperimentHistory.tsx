import { Suspense, useCallback, useEffect, useState } from 'react';
import { useStudio } from '../../state/store';
import { deleteExperiment, listExperiments, loadExperiment, type ExperimentSummary, type StoredExperiment } from '../../tune/persistence';
import { ExperimentActions } from '../compare/ExperimentActions';
import { ExperimentCompare } from './lazyCharts';
import { formatDuration, spaceSummary } from '../compare/spaceSummary';
import { RayImport } from './RayImport';
import { SearchResults } from './SearchResults';
import { messageOf } from '../../studioError';

/** Searches saved in this browser: list, reopen one read-only, compare several, download, re-run, delete. */
export function ExperimentHistory() {
  const searchStatus = useStudio((s) => s.search?.status);
  const liveId = useStudio((s) => s.search?.experimentId);
  const epochsReported = useStudio((s) => s.search?.experiment.trials.reduce((sum, t) => sum + t.history.length, 0) ?? 0);
  const [list, setList] = useState<ExperimentSummary[]>([]);
  const [open, setOpen] = useState<StoredExperiment | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [compared, setCompared] = useState<string[]>([]);
  const toggleCompared = (id: string) => setCompared((ids) => (ids.includes(id) ? ids.filter((i) => i !== id) : [...ids, id]));

  const refresh = useCallback(() => {
    listExperiments().then(setList, (error: unknown) => setProblem(messageOf(error)));
  }, []);
  // The list changes when a search starts, saves an epoch, or finishes.
  useEffect(refresh, [refresh, searchStatus, liveId, epochsReported]);

  const reopen = async (id: string) => {
    setOpen(open?.id === id ? null : await loadExperiment(id));
  };
  const remove = async (id: string) => {
    await deleteExperiment(id);
    if (open?.id === id) setOpen(null);
    setCompared((ids) => ids.filter((i) => i !== id));
    refresh();
  };

  return (
    <section className="history" aria-labelledby="history-heading" data-testid="experiment-history">
      <h3 id="history-heading">Past experiments</h3>
      {problem && <p className="error">{problem}</p>}
      <RayImport onImported={refresh} />
      {list.length === 0 ? (
        <p className="muted">None yet: each search is saved here after every epoch.</p>
      ) : (
        <div className="table-scroll">
          <table className="history-table">
            <thead>
              <tr>
                <th>compare</th>
                <th>started</th>
                <th>space</th>
                <th>duration</th>
                <th>trials</th>
                <th>best val_acc</th>
                <th>finished</th>
                <th aria-label="actions" />
              </tr>
            </thead>
            <tbody>
              {list.map((item) => (
                <tr key={item.id} data-testid={`experiment-${item.id}`} className={open?.id === item.id ? 'selected' : undefined}>
                  <td>
                    <input
                      type="checkbox"
                      checked={compared.includes(item.id)}
                      onChange={() => toggleCompared(item.id)}
                      aria-label={`Compare experiment from ${new Date(item.createdAt).toLocaleString()}`}
                    />
                  </td>
                  <td>{new Date(item.createdAt).toLocaleString()}</td>
                  <td className="space-cell" data-testid="experiment-space">{spaceSummary(item.space, item.settings)}</td>
                  <td className="num">{formatDuration(item.updatedAt - item.createdAt)}</td>
                  <td className="num">{item.trials}</td>
                  <td className="num">{item.bestValAcc === null ? '–' : `${(item.bestValAcc * 100).toFixed(2)}%`}</td>
                  <td>{item.finished ? 'yes' : item.id === liveId && searchStatus === 'running' ? 'running' : 'no'}</td>
                  <td className="actions">
                    <button type="button" onClick={() => void reopen(item.id)} aria-label={`${open?.id === item.id ? 'Close' : 'Open'} experiment from ${new Date(item.createdAt).toLocaleString()}`}>
                      {open?.id === item.id ? 'Close' : 'Open'}
                    </button>
                    <button
                      type="button"
                      disabled={item.id === liveId && searchStatus === 'running'}
                      onClick={() => void remove(item.id)}
                      aria-label={`Delete experiment from ${new Date(item.createdAt).toLocaleString()}`}
                    >
                      Delete
                    </button>
                    <ExperimentActions id={item.id} label={new Date(item.createdAt).toLocaleString()} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {compared.length >= 2 ? (
        <Suspense fallback={<p className="muted">Loading the comparison…</p>}>
          <ExperimentCompare ids={list.filter((item) => compared.includes(item.id)).map((item) => item.id)} />
        </Suspense>
      ) : (
        list.length >= 2 && <p className="muted">Tick two or more experiments to compare their best curves and spaces.</p>
      )}
      {open && (
        <div className="reopened" data-testid="reopened-experiment">
          <h4>
            Experiment {open.id} <span className="muted">(read-only)</span>
          </h4>
          <SearchResults experiment={open.state} now={open.updatedAt} />
        </div>
      )}
    </section>
  );
}
