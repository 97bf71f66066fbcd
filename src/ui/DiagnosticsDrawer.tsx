import { useEffect, useRef } from 'react';
import { BackendPanel } from './BackendPanel';

/** Props of {@link DiagnosticsDrawer}. */
export interface DiagnosticsDrawerProps {
  open: boolean;
  onClose: () => void;
}

/**
 * The backend's full diagnostics (WebGPU, the probe's figures, the self-test, the override), in a
 * drawer the backend chip opens. It stays mounted while closed: the backend panel starts the
 * backend and its probe at load, whether or not anyone looks.
 */
export function DiagnosticsDrawer({ open, onClose }: DiagnosticsDrawerProps) {
  const closeRef = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    if (!open) return undefined;
    closeRef.current?.focus();
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') onClose();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [open, onClose]);

  return (
    <aside id="diagnostics-drawer" className="drawer" hidden={!open} aria-label="Diagnostics" data-testid="diagnostics-drawer">
      <div className="drawer-head">
        <strong>Diagnostics</strong>
        <button ref={closeRef} type="button" onClick={onClose} data-testid="close-diagnostics">
          Close
        </button>
      </div>
      <BackendPanel />
    </aside>
  );
}
