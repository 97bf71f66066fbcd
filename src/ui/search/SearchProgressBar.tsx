import { searchElapsedMs, searchOutcome, type SearchView } from '../../state/searchSlice';
import { formatDuration, searchProgress } from './searchProgress';
import { useNow, useThrottledValue } from './throttle';

/** The whole search: trials done of total, epochs, elapsed and estimated time left. */
export function SearchProgressBar({ search: live }: { search: SearchView }) {
  const search = useThrottledValue(live);
  const running = search.status === 'running';
  const now = useNow(running);
  const elapsed = searchElapsedMs(search, now);
  const outcome = searchOutcome(search);
  const p = searchProgress(search.experiment, running ? search.progress : {}, elapsed);
  // What trains the steps, as the trials' Workers reported it (the fused kernels on WebGPU).
  const engines = [...new Map(Object.values(search.started).map((s) => [s.engine.name, s.engine])).values()];
  return (
    <div className="search-progress" data-testid="search-progress" data-status={search.status} data-outcome={outcome}>
      <progress max={Math.max(p.epochsTotal, 1)} value={p.epochsDone} aria-label="Search progress" />
      <span data-testid="search-progress-text">
        {outcome === 'finished' && 'Finished: '}
        {outcome === 'stopped' && 'Stopped by you: '}
        {p.trialsDone} of {p.trialsTotal} trials done · elapsed {formatDuration(p.elapsedMs)}
        {running && ` · ${p.remainingMs === null ? 'estimating time left…' : `about ${formatDuration(p.remainingMs)} left`}`}
        {' · '}
        {search.concurrency} at once
      </span>
      {engines.length > 0 && (
        <span data-testid="search-engine" title={engines.flatMap((e) => (e.note ? [`${e.name}: ${e.note}`] : [])).join('\n') || undefined}>
          {' · '}
          trains on {engines.map((e) => e.name).join(', ')}
        </span>
      )}
    </div>
  );
}
