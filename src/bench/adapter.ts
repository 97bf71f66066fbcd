import { describeWasm, type BackendName } from '../backend/choice';
import type { BackendReport } from '../backend/init';

/** The WebGL renderer string (e.g. SwiftShader or a GPU's name), where the runtime reveals it. */
function webglRenderer(): string {
  try {
    const canvas = new OffscreenCanvas(1, 1);
    const gl = canvas.getContext('webgl2') ?? canvas.getContext('webgl');
    if (!gl) return 'no WebGL context';
    const info = gl.getExtension('WEBGL_debug_renderer_info');
    return String(gl.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER));
  } catch {
    return 'unknown renderer';
  }
}

/** What a backend runs on, in a few words: the WebGPU adapter, the wasm build, the WebGL renderer. */
export function describeAdapter(backend: BackendName, report: BackendReport): string {
  switch (backend) {
    case 'webgpu': {
      const adapter = report.adapter;
      if (!adapter) return 'unknown adapter';
      const name = [adapter.vendor, adapter.architecture, adapter.description].filter(Boolean).join(' / ');
      return `${name || 'unnamed adapter'}${adapter.isFallback ? ' (software)' : ''}`;
    }
    case 'wasm':
      return `WebAssembly ${describeWasm(report)}`;
    case 'webgl':
      return webglRenderer();
    case 'cpu':
      return 'JavaScript';
  }
}
