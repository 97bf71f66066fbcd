/**
 * The benchmark in Node, for GPU machines without a browser: tfjs-backend-webgpu on the `webgpu`
 * npm package (Dawn, the WebGPU engine inside Chrome), running the same training step as the page.
 */
import { availableParallelism } from 'node:os';
import type { BackendName } from '../../src/backend/choice';
import { dispatchCount, installDispatchCounter } from '../../src/bench/dispatchCounter';
import { measureTraining } from '../../src/bench/measure';
import type { BenchBackend } from '../../src/bench/protocol';
import type { BenchBrowser } from './benchBrowser';

/** Backends this runtime can start: WebGPU through Dawn, and tfjs's plain CPU backend. */
const NODE_BACKENDS: readonly BackendName[] = ['webgpu', 'cpu'];

interface AdapterInfoLike {
  vendor?: string;
  architecture?: string;
  description?: string;
  device?: string;
}

/** Gives this process a `navigator.gpu` from Dawn and the WebGPU globals tfjs expects. */
async function installWebGpu(): Promise<string> {
  const { create, globals } = (await import('webgpu')) as unknown as {
    create: (options: string[]) => { requestAdapter(): Promise<{ info?: AdapterInfoLike } | null> };
    globals: Record<string, unknown>;
  };
  Object.assign(globalThis, globals);
  // Unquantised timestamps, so that --profile can time kernels of a few microseconds.
  const gpu = create(['disable-dawn-features=timestamp_quantization']);
  Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true });
  const adapter = await gpu.requestAdapter();
  if (!adapter) throw new Error('Dawn found no WebGPU adapter (is a Vulkan driver installed, or VK_ICD_FILENAMES set?)');
  const info = adapter.info ?? {};
  return [info.vendor, info.architecture, info.description || info.device].filter(Boolean).join(' / ') || 'unnamed adapter';
}

/** A `BenchBrowser` whose "page" is this Node process. */
export async function openNodeBench(): Promise<BenchBrowser> {
  let adapter = 'JavaScript';
  const tf = await import('@tensorflow/tfjs');
  return {
    cores: availableParallelism(),
    async start(backend): Promise<BenchBackend> {
      if (!NODE_BACKENDS.includes(backend)) {
        throw new Error(`--runtime node runs ${NODE_BACKENDS.join(' and ')}; use --runtime chromium for ${backend}`);
      }
      if (backend === 'webgpu') {
        adapter = await installWebGpu();
        installDispatchCounter();
        // The backend registers itself only where navigator.gpu exists, so it is imported after Dawn is in place.
        await import('@tensorflow/tfjs-backend-webgpu');
      } else {
        adapter = 'JavaScript';
      }
      if (!(await tf.setBackend(backend))) throw new Error(`tfjs could not start ${backend} in Node`);
      await tf.ready();
      return { backend, adapter };
    },
    measure: (backend, plan) =>
      measureTraining({ backend, adapter }, plan, () => (backend === 'webgpu' ? dispatchCount() : null)),
    stop: () => Promise.resolve(),
    close: () => Promise.resolve(),
  };
}
