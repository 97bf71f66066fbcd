import type { TrialTimes } from '../../state/searchSlice';
import { Suspense, useState } from 'react';
import type { StepProgress } from '../../engine/trainer';
import { bestTrial, type ExperimentState } from '../../tune/experiment';
import { ParamScatter, TrialCharts } from './lazyCharts';
import { TrialTable } from './TrialTable';

export interface SearchResultsProps {
  experiment: ExperimentState;
  progress?: Record<string, StepProgress>;
  trialTimes?: Record<string, TrialTimes>;
  now: number;
  /** Absent for a past experiment (read-only). */
  onStop?: (trialId: string) => void;
}

/** A search's charts and trial table; selecting a row highlights that trial everywhere. */
export function SearchResults({ experiment, progress = {}, trialTimes = {}, now, onStop }: SearchResultsProps) {
  const [selected, setSelected] = useState<string | null>(null);
  const bestId = bestTrial(experiment)?.id ?? null;
  return (
    <div className="search-results">
      <Suspense fallback={<p className="chart-empty muted">Loading the charts…</p>}>
        <TrialCharts trials={experiment.trials} bestId={bestId} selected={selected} />
        <ParamScatter experiment={experiment} selected={selected} />
      </Suspense>
      <TrialTable
        experiment={experiment}
        progress={progress}
        trialTimes={trialTimes}
        now={now}
        selected={selected}
        onSelect={setSelected}
        onStop={onStop}
      />
    </div>
  );
}
