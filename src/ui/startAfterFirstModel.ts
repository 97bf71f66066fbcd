import { useEffect, useState } from 'react';
import { useStudio } from '../state/store';

/** How long the rest of the start-up waits for the pretrained model at most. */
const LONGEST_WAIT_MS = 3000;

/**
 * Runs `start` once the drawing pad's first model is live (or could not load, or after 3 s at
 * most), at the page's next idle moment. Starting tfjs and the backend probe, and unpacking MNIST,
 * take the main thread for a while; the pretrained model needs neither, so it goes first and the
 * pad is live at once.
 */
export function useStartAfterFirstModel(start: () => void): void {
  const loaded = useStudio((s) => s.pretrained.status !== 'loading');
  const [waitedLongEnough, setWaitedLongEnough] = useState(false);
  useEffect(() => {
    const timer = setTimeout(() => setWaitedLongEnough(true), LONGEST_WAIT_MS);
    return () => clearTimeout(timer);
  }, []);
  const settled = loaded || waitedLongEnough;
  useEffect(() => {
    if (!settled) return undefined;
    if (typeof window.requestIdleCallback === 'function') {
      const handle = window.requestIdleCallback(start, { timeout: 300 });
      return () => window.cancelIdleCallback(handle);
    }
    const timer = setTimeout(start, 0);
    return () => clearTimeout(timer);
  }, [settled, start]);
}
