import { useStudio } from '../../state/store';
import { SearchResults } from './SearchResults';
import { useNow, useThrottledValue } from './throttle';

/** The running (or last) search, re-rendered from a snapshot at most every 250 ms. */
export function LiveSearch() {
  const live = useStudio((s) => s.search);
  const stopTrial = useStudio((s) => s.stopTrial);
  const search = useThrottledValue(live, 250);
  const running = search?.status === 'running';
  const now = useNow(running);
  if (!search) return null;
  return (
    <div data-testid="live-search" data-status={search.status}>
      <SearchResults
        experiment={search.experiment}
        progress={running ? search.progress : {}}
        trialTimes={search.trialTimes}
        now={now}
        onStop={running ? stopTrial : undefined}
      />
    </div>
  );
}
