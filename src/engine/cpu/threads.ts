/**
 * The fused CPU step's threads: Workers that each instantiate the threaded wasm build over one
 * shared memory and run their share of a call. Web Workers in a page or a Worker, worker_threads in
 * Node; the worker's code is a small script carried as a string, so no bundler or URL is involved.
 */

/** What a thread runs: a training run of the plan's steps, or an eval-mode pass over `count` images. */
export type ThreadCall = { kind: 'train'; plan: number } | { kind: 'evaluate'; plan: number; count: number };

type WorkerReply = { kind: 'ready' } | { kind: 'done' } | { kind: 'error'; message: string };

const WORKER_SOURCE = `
const isNode = typeof process !== 'undefined' && !!(process.versions && process.versions.node);
const port = isNode ? require('node:worker_threads').parentPort : self;
let wasm = null;
let thread = 0;
let threads = 1;
const handle = (msg) => {
  try {
    if (msg.kind === 'init') {
      wasm = new WebAssembly.Instance(msg.module, { env: { memory: msg.memory, now: () => performance.now() } }).exports;
      thread = msg.thread;
      threads = msg.threads;
      port.postMessage({ kind: 'ready' });
    } else if (msg.kind === 'train') {
      wasm.train(msg.plan, thread, threads);
      port.postMessage({ kind: 'done' });
    } else if (msg.kind === 'evaluate') {
      wasm.evaluate(msg.plan, thread, threads, msg.count);
      port.postMessage({ kind: 'done' });
    }
  } catch (e) {
    port.postMessage({ kind: 'error', message: String((e && e.stack) || e) });
  }
};
if (isNode) port.on('message', handle); else self.onmessage = (e) => handle(e.data);
`;

/** One worker, the same way in Node and in the browser. */
interface ThreadPort {
  post(message: unknown): void;
  onReply(handler: (reply: WorkerReply) => void): void;
  /** Node: keep the process alive while a call is out. */
  hold(busy: boolean): void;
  terminate(): void;
}

interface NodeWorker {
  postMessage(message: unknown): void;
  on(event: 'message', handler: (reply: WorkerReply) => void): void;
  on(event: 'error', handler: (error: Error) => void): void;
  ref(): void;
  unref(): void;
  terminate(): Promise<number>;
}

const isNode = (): boolean => Boolean((globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node);

let workerUrl: string | undefined;

async function spawn(): Promise<ThreadPort> {
  if (isNode()) {
    const name = 'node:worker_threads';
    const { Worker } = (await import(/* @vite-ignore */ name)) as { Worker: new (code: string, options: { eval: true }) => NodeWorker };
    const worker = new Worker(WORKER_SOURCE, { eval: true });
    worker.unref();
    return {
      post: (m) => worker.postMessage(m),
      onReply: (h) => {
        worker.on('message', h);
        worker.on('error', (e) => h({ kind: 'error', message: e.message }));
      },
      hold: (busy) => (busy ? worker.ref() : worker.unref()),
      terminate: () => void worker.terminate(),
    };
  }
  // One blob URL for every worker, kept: revoking it right after `new Worker` races the worker's fetch in some browsers.
  workerUrl ??= URL.createObjectURL(new Blob([WORKER_SOURCE], { type: 'text/javascript' }));
  const worker = new Worker(workerUrl);
  return {
    post: (m) => worker.postMessage(m),
    onReply: (h) => {
      worker.onmessage = (e: MessageEvent<WorkerReply>) => h(e.data);
      worker.onerror = (e) => h({ kind: 'error', message: e.message });
    },
    hold: () => undefined,
    terminate: () => worker.terminate(),
  };
}

/** N workers over one shared wasm memory; `call` runs on all of them and resolves when all are done. */
export class ThreadPool {
  private waiting: { left: number; resolve: () => void; reject: (e: Error) => void } | null = null;

  private constructor(private readonly ports: ThreadPort[]) {
    for (const port of ports) port.onReply((reply) => this.reply(reply));
  }

  /** Starts `threads` workers, each instantiating `module` over `memory`. */
  static async start(module: WebAssembly.Module, memory: WebAssembly.Memory, threads: number): Promise<ThreadPool> {
    const pool = new ThreadPool(await Promise.all(Array.from({ length: threads }, spawn)));
    await pool.broadcast((thread) => ({ kind: 'init', module, memory, thread, threads }));
    return pool;
  }

  /** Runs one call on every thread. */
  call(call: ThreadCall): Promise<void> {
    return this.broadcast(() => call);
  }

  private broadcast(message: (thread: number) => unknown): Promise<void> {
    if (this.waiting) return Promise.reject(new Error('the CPU step threads are already running a call'));
    return new Promise<void>((resolve, reject) => {
      this.waiting = { left: this.ports.length, resolve, reject };
      this.ports.forEach((port, thread) => {
        port.hold(true);
        port.post(message(thread));
      });
    });
  }

  private reply(reply: WorkerReply): void {
    const waiting = this.waiting;
    if (!waiting) return;
    if (reply.kind === 'error') {
      this.waiting = null;
      for (const port of this.ports) port.hold(false);
      waiting.reject(new Error(`CPU step thread failed: ${reply.message}`));
      return;
    }
    waiting.left -= 1;
    if (waiting.left === 0) {
      this.waiting = null;
      for (const port of this.ports) port.hold(false);
      waiting.resolve();
    }
  }

  /** Stops the workers. */
  dispose(): void {
    for (const port of this.ports) port.terminate();
  }
}
