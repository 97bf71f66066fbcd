import { useEffect } from 'react';
import type { AdapterSummary, BackendReport } from '../backend';
import type { SelfTestState } from '../state/backendSlice';
import { useStudio } from '../state/store';
import { readUrlState } from '../state/urlState';

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

/** Shows whether WebGPU exists, which adapter it offers, and which tfjs backend the studio uses and why. */
export function BackendPanel() {
  const backend = useStudio((state) => state.backend);
  const startBackend = useStudio((state) => state.startBackend);

  useEffect(() => {
    void startBackend(readUrlState(window.location.search).backend);
  }, [startBackend]);

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
      <p className="muted">
        Override with <code>?backend=webgpu</code>, <code>wasm</code>, <code>webgl</code> or <code>cpu</code> in the
        address.
      </p>
    </section>
  );
}
