import type { SearchView } from '../../state/searchSlice';
import { formatDuration, searchProgress } from './searchProgress';
import { useNow, useThrottledValue } from './throttle';

/** The whole search: trials done of total, epochs, elapsed and estimated time left. */
export function SearchProgressBar({ search: live }: { search: SearchView }) {
  const search = useThrottledValue(live);
  const running = search.status === 'running';
  const now = useNow(running);
  const elapsed = (search.finishedAt ?? Math.max(now, search.startedAt)) - search.startedAt;
  const p = searchProgress(search.experiment, running ? search.progress : {}, elapsed);
  return (
    <div className="search-progress" data-testid="search-progress" data-status={search.status}>
      <progress max={Math.max(p.epochsTotal, 1)} value={p.epochsDone} aria-label="Search progress" />
      <span data-testid="search-progress-text">
        {search.status === 'finished' ? 'Finished: ' : ''}
        {p.trialsDone} of {p.trialsTotal} trials done · elapsed {formatDuration(p.elapsedMs)}
        {running && ` · ${p.remainingMs === null ? 'estimating time left…' : `about ${formatDuration(p.remainingMs)} left`}`}
        {' · '}
        {search.concurrency} at once
      </span>
    </div>
  );
}
