/** Rate limiting for live views: a fast search must never re-render the page more than ~4 times a second. */
import { useEffect, useRef, useState } from 'react';

/** Milliseconds to wait before a change may be shown, given when the view last updated. */
export function throttleDelay(lastShownAt: number, now: number, intervalMs: number): number {
  return Math.max(0, lastShownAt + intervalMs - now);
}

/** `value`, updated at most once per `intervalMs`; the latest value always shows in the end. */
export function useThrottledValue<T>(value: T, intervalMs = 250): T {
  const [shown, setShown] = useState(value);
  const lastShownAt = useRef(0);
  useEffect(() => {
    const delay = throttleDelay(lastShownAt.current, Date.now(), intervalMs);
    const timer = setTimeout(() => {
      lastShownAt.current = Date.now();
      setShown(value);
    }, delay);
    return () => clearTimeout(timer);
  }, [value, intervalMs]);
  return shown;
}

/** The current time, ticking every `intervalMs` while `active` (for elapsed and remaining times). */
export function useNow(active: boolean, intervalMs = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!active) return undefined;
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [active, intervalMs]);
  return now;
}
