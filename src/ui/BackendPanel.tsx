import { useCallback } from 'react';
import type { AdapterSummary, BackendChoice, BackendReport, CandidateOutcome } from '../backend';
import { BACKEND_CHOICES, parseBackendChoice } from '../backend/choice';
import { ENGINE_LABELS } from '../engine/stepEngine';
import type { ProbeState, SelfTestState } from '../state/backendSlice';
import { useStudio } from '../state/store';
import { readUrlState, writeUrlState } from '../state/urlState';
import { useStartAfterFirstModel } from './startAfterFirstModel';

function formatBytes(bytes: number): string {
  return bytes >= 2 ** 30 ? `${(bytes / 2 ** 30).toFixed(1)} GiB` : `${Math.round(bytes / 2 ** 20)} MiB`;
}

function AdapterFacts({ adapter }: { adapter: AdapterSummary }) {
  const name = [adapter.vendor, adapter.architecture].filter(Boolean).join(' / ') || 'unnamed adapter';
  const detail = [adapter.device, adapter.description].filter(Boolean).join(', ');
  const maxBuffer = adapter.limits.maxStorageBufferBindingSize;
  return (
    <>
      <dt>Adapter</dt>
      <dd data-testid="adapter-info">
        {name}
        {detail && <span className="muted"> ({detail})</span>}
        <div className="muted">
          features: {adapter.features.length > 0 ? adapter.features.join(', ') : 'none of interest'}
          {maxBuffer !== undefined && `; storage buffers up to ${formatBytes(maxBuffer)}`}
        </div>
      </dd>
      <dt>Software fallback</dt>
      <dd data-testid="adapter-fallback" className={adapter.isFallback ? 'warn' : 'ok'}>
        {adapter.isFallback ? 'yes: a software adapter, WebGPU runs on the CPU' : 'no: a hardware GPU'}
      </dd>
    </>
  );
}

function SelfTest({ selfTest }: { selfTest: SelfTestState }) {
  switch (selfTest.status) {
    case 'running':
      return <span className="muted">running a small matmul…</span>;
    case 'passed':
      return (
        <span className="ok">
          matmul ok in {selfTest.result.ms.toFixed(1)} ms on {selfTest.result.backend}
        </span>
      );
    case 'wrong':
      return (
        <span className="error">
          matmul wrong on {selfTest.result.backend} (max error {selfTest.result.maxError.toExponential(1)})
        </span>
      );
    case 'failed':
      return <span className="error">matmul failed: {selfTest.error}</span>;
  }
}

function ReportFacts({ report, selfTest }: { report: BackendReport; selfTest: SelfTestState }) {
  return (
    <dl className="facts">
      <dt>WebGPU</dt>
      <dd data-testid="webgpu-available" className={report.webgpuAvailable ? 'ok' : 'warn'}>
        {report.webgpuAvailable ? 'available' : `not available (${report.webgpuProblem ?? 'no adapter'})`}
      </dd>
      {report.adapter && <AdapterFacts adapter={report.adapter} />}
      <dt>tfjs backend</dt>
      <dd>
        <strong data-testid="chosen-backend">{report.chosen}</strong>
        <span className="muted">
          {' '}
          (requested: {report.requested}
          {report.fallbackFrom && `; ${report.fallbackFrom.backend} failed to start`})
        </span>
      </dd>
      <dt>Why</dt>
      <dd data-testid="backend-reason">{report.reason}</dd>
      <dt>Cross-origin isolated</dt>
      <dd data-testid="cross-origin-isolated">
        {report.crossOriginIsolated ? 'yes (wasm may use threads)' : 'no (wasm runs single-threaded)'}
      </dd>
      <dt>Self-test</dt>
      <dd data-testid="backend-self-test">
        <SelfTest selfTest={selfTest} />
      </dd>
    </dl>
  );
}

function CandidateRow({ outcome }: { outcome: CandidateOutcome }) {
  let figure: string;
  let verdict: { text: string; className: string };
  switch (outcome.status) {
    case 'measured': {
      const m = outcome.measurement;
      figure = `${Math.round(m.samplesPerSecond)} samples/s (${m.msPerStep.toFixed(1)} ms a step, ${ENGINE_LABELS[m.engine]})`;
      verdict = outcome.correct
        ? { text: 'trains correctly', className: 'ok' }
        : { text: `wrong: ${outcome.problem ?? 'unknown'}`, className: 'error' };
      break;
    }
    case 'skipped':
      figure = 'not measured';
      verdict = { text: `skipped: ${outcome.reason}`, className: 'muted' };
      break;
    case 'failed':
      figure = 'not measured';
      verdict = { text: `failed: ${outcome.error}`, className: 'error' };
      break;
  }
  return (
    <tr data-testid={`probe-${outcome.backend}`}>
      <th scope="row">{outcome.backend}</th>
      <td data-testid="probe-figure">{figure}</td>
      <td data-testid="probe-verdict" className={verdict.className}>
        {verdict.text}
      </td>
    </tr>
  );
}

function ProbeFacts({ probe }: { probe: ProbeState }) {
  switch (probe.status) {
    case 'not-run':
      return <p className="muted" data-testid="probe-source">Not measured: the backend was chosen by hand.</p>;
    case 'checking':
      return <p className="muted" data-testid="probe-source">Looking for an earlier measurement on this device…</p>;
    case 'measuring':
      return <p className="muted" data-testid="probe-source">Measuring each backend with a few training steps…</p>;
    case 'failed':
      return (
        <p className="error" data-testid="probe-source">
          The probe failed ({probe.error}); the studio decided by rule.
        </p>
      );
    case 'measured':
    case 'cached': {
      const { result } = probe;
      return (
        <>
          <p data-testid="probe-source">
            {probe.status === 'cached' ? 'From the cache for this adapter and browser: measured ' : 'Measured just now: '}
            <span data-testid="probe-measured-at">{new Date(result.measuredAt).toLocaleString()}</span>, in{' '}
            <span data-testid="probe-wall-ms">{Math.round(result.wallMs)}</span> ms; chose{' '}
            <strong data-testid="probe-choice">{result.chosen}</strong>.
            {probe.status === 'measured' && probe.notSaved && <span className="warn"> Not cached: {probe.notSaved}</span>}
          </p>
          <table className="probe-figures" data-testid="probe-figures">
            <thead>
              <tr>
                <th scope="col">backend</th>
                <th scope="col">batch {result.batch}</th>
                <th scope="col">check</th>
              </tr>
            </thead>
            <tbody>
              {result.candidates.map((outcome) => (
                <CandidateRow key={outcome.backend} outcome={outcome} />
              ))}
            </tbody>
          </table>
        </>
      );
    }
  }
}

/** Lets the user pick a backend by hand (kept in the address as `?backend=`) or measure again. */
function BackendControls({ requested, probe }: { requested: BackendChoice; probe: ProbeState }) {
  const switchBackend = useStudio((state) => state.switchBackend);
  const rerunProbe = useStudio((state) => state.rerunProbe);
  const choose = (choice: BackendChoice) => {
    const url = readUrlState(window.location.search);
    window.history.replaceState(null, '', `${window.location.pathname}${writeUrlState({ ...url, backend: choice })}${window.location.hash}`);
    void switchBackend(choice);
  };
  return (
    <div className="panel-actions">
      <label>
        Backend{' '}
        <select data-testid="backend-override" value={requested} onChange={(event) => choose(parseBackendChoice(event.target.value))}>
          {BACKEND_CHOICES.map((choice) => (
            <option key={choice} value={choice}>
              {choice === 'auto' ? 'auto (measured)' : choice}
            </option>
          ))}
        </select>
      </label>
      <button type="button" data-testid="rerun-probe" disabled={probe.status === 'measuring'} onClick={() => void rerunProbe()}>
        Re-run probe
      </button>
    </div>
  );
}

/** Shows whether WebGPU exists, what the training probe measured, which tfjs backend the studio uses and why. */
export function BackendPanel() {
  const backend = useStudio((state) => state.backend);
  const startBackend = useStudio((state) => state.startBackend);

  useStartAfterFirstModel(useCallback(() => void startBackend(readUrlState(window.location.search).backend), [startBackend]));

  return (
    <section className="panel" data-testid="backend-panel" aria-labelledby="backend-panel-title">
      <h2 id="backend-panel-title">Compute backend</h2>
      {(backend.status === 'idle' || backend.status === 'starting') && (
        <p className="muted">Probing WebGPU and starting TensorFlow.js…</p>
      )}
      {backend.status === 'failed' && (
        <p className="error" data-testid="backend-reason">
          No TensorFlow.js backend could start: {backend.error}
        </p>
      )}
      {backend.status === 'ready' && <ReportFacts report={backend.report} selfTest={backend.selfTest} />}
      {backend.status !== 'idle' && <ProbeFacts probe={backend.probe} />}
      {backend.status === 'ready' && <BackendControls requested={backend.report.requested} probe={backend.probe} />}
      <p className="muted">
        Or override with <code>?backend=webgpu</code>, <code>wasm</code>, <code>webgl</code> or <code>cpu</code> in the
        address.
      </p>
    </section>
  );
}
