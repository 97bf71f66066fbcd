import type { BackendState } from '../state/backendSlice';
import { probeSamplesPerSecond } from '../state/estimate';
import { useStudio } from '../state/store';

const BACKEND_NAMES: Record<string, string> = { wasm: 'CPU', cpu: 'CPU (plain JS)', webgl: 'WebGL', webgpu: 'WebGPU' };

/** The chip's words: "CPU, 4,100 samples/s" once measured, what is going on before. */
export function backendChipText(backend: BackendState): string {
  switch (backend.status) {
    case 'idle':
    case 'starting':
      return backend.status === 'starting' && backend.probe.status === 'measuring' ? 'Measuring this device…' : 'Starting the backend…';
    case 'failed':
      return 'No backend: see details';
    case 'ready': {
      const name = BACKEND_NAMES[backend.report.chosen] ?? backend.report.chosen;
      const speed = probeSamplesPerSecond(backend);
      if (backend.probe.status === 'measuring') return `${name}, measuring…`;
      return speed === null ? `${name}, not measured` : `${name}, ${Math.round(speed).toLocaleString('en-US')} samples/s`;
    }
  }
}

/** Props of {@link BackendChip}. */
export interface BackendChipProps {
  open: boolean;
  onToggle: () => void;
}

/** The compute backend in a few words; it opens the diagnostics drawer with the full backend panel. */
export function BackendChip({ open, onToggle }: BackendChipProps) {
  const backend = useStudio((s) => s.backend);
  return (
    <button
      type="button"
      className={`backend-chip${backend.status === 'failed' ? ' failed' : ''}`}
      aria-expanded={open}
      aria-controls="diagnostics-drawer"
      data-testid="backend-chip"
      onClick={onToggle}
      title="Compute backend: open the diagnostics"
    >
      <span className="chip-dot" aria-hidden="true" />
      {backendChipText(backend)}
    </button>
  );
}
