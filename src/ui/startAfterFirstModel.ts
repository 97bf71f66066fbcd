import { useEffect } from 'react';
import { useStudio } from '../state/store';

/**
 * Runs `start` once the drawing pad's first model is live (or could not load), at the page's next
 * idle moment. Starting tfjs and the backend probe, and unpacking MNIST, take the main thread for
 * a while; the pretrained model needs neither, so it goes first and the pad is live at once.
 */
export function useStartAfterFirstModel(start: () => void): void {
  const settled = useStudio((s) => s.pretrained.status !== 'loading');
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
