/**
 * Counts WebGPU compute dispatches by wrapping GPUComputePassEncoder's dispatch methods. The
 * wrapper goes on the prototype, so it counts every encoder the tfjs WebGPU backend creates later.
 */

type Dispatch = (...args: unknown[]) => void;
interface EncoderPrototype {
  dispatchWorkgroups?: Dispatch;
  dispatchWorkgroupsIndirect?: Dispatch;
}

let dispatches = 0;
let installed = false;

/** Wraps the dispatch methods once; returns false where this runtime has no WebGPU. */
export function installDispatchCounter(): boolean {
  if (installed) return true;
  const encoder = (globalThis as { GPUComputePassEncoder?: { prototype: EncoderPrototype } }).GPUComputePassEncoder;
  if (!encoder) return false;
  const prototype = encoder.prototype;
  for (const name of ['dispatchWorkgroups', 'dispatchWorkgroupsIndirect'] as const) {
    const original = prototype[name];
    if (!original) continue;
    prototype[name] = function (this: unknown, ...args: unknown[]): void {
      dispatches++;
      original.apply(this, args);
    };
  }
  installed = true;
  return true;
}

/** Dispatches recorded since the counter was installed; null when it is not installed. */
export function dispatchCount(): number | null {
  return installed ? dispatches : null;
}
