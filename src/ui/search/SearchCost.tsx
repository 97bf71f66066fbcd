import { defaultConcurrency } from '../../state/searchSlice';
import { estimateSearch, formatDuration, LONG_SEARCH_SECONDS, probeSamplesPerSecond } from '../../state/estimate';
import { SEARCH_PRESETS, type SearchPreset } from '../../state/presets';
import { useStudio } from '../../state/store';

/** Props of {@link SearchCost}. */
export interface SearchCostProps {
  trainImages: number;
  valImages: number;
  disabled: boolean;
  /** Called after a preset's config.yaml is loaded, to set its data subset. */
  onPreset: (preset: SearchPreset) => void;
}

const count = (n: number) => n.toLocaleString('en-US');

/** The presets, and what the search in the editor will cost here before it starts ("2 trials, about 40 seconds here"). */
export function SearchCost({ trainImages, valImages, disabled, onPreset }: SearchCostProps) {
  const parsed = useStudio((s) => s.parsed);
  const configName = useStudio((s) => s.configName);
  const backend = useStudio((s) => s.backend);
  const setConfigText = useStudio((s) => s.setConfigText);
  const setOverrides = useStudio((s) => s.setOverrides);
  const speed = probeSamplesPerSecond(backend);

  const choose = (preset: SearchPreset) => {
    setOverrides([]);
    setConfigText(preset.configText, preset.configName);
    onPreset(preset);
  };

  let line: string;
  let long = false;
  if (!parsed.ok) line = 'Fix the search space to see its cost.';
  else {
    const chosen = backend.status === 'ready' ? backend.report.chosen : undefined;
    const concurrency = parsed.settings.maxConcurrentTrials ?? defaultConcurrency(chosen, navigator.hardwareConcurrency || 2, globalThis.crossOriginIsolated === true);
    const estimate = estimateSearch(parsed, { trainImages, valImages }, speed, concurrency);
    const size = `${estimate.trials} ${estimate.trials === 1 ? 'trial' : 'trials'} × ${parsed.settings.maxNumEpochs} ${parsed.settings.maxNumEpochs === 1 ? 'epoch' : 'epochs'} on ${count(trainImages)} images`;
    long = estimate.seconds !== null && estimate.seconds > LONG_SEARCH_SECONDS;
    line = estimate.seconds === null ? `${size}; measuring this device for a time estimate…` : `${size}: ${formatDuration(estimate.seconds)} here`;
  }

  return (
    <div className="search-cost">
      <div className="presets" role="group" aria-label="Search presets">
        {Object.values(SEARCH_PRESETS).map((preset) => (
          <button
            key={preset.id}
            type="button"
            disabled={disabled}
            aria-pressed={configName === preset.configName}
            data-testid={`preset-${preset.id}`}
            onClick={() => choose(preset)}
          >
            {preset.label}
          </button>
        ))}
      </div>
      <p className={long ? 'warn' : 'muted'} data-testid="search-estimate" data-long={long ? 'true' : 'false'} role="status">
        {line}
        {long && configName !== SEARCH_PRESETS.quick.configName && ' — that is long: the quick search takes about a minute.'}
      </p>
    </div>
  );
}
