/**
 * The webview's side of the editor protocol (src/protocol/editor.ts): posts
 * requests with a fresh `seq`, matches replies by `seq` and hands every other
 * host message to the app. Requests whose reply never comes (the host was
 * reloaded) are settled by `reset()`.
 */

import type { HostMessage, WebviewRequest } from '../protocol/editor.js';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

type SeqRequest = Extract<WebviewRequest, { seq: number }>;
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
export type RequestBody = DistributiveOmit<SeqRequest, 'seq'>;

interface ReplyOf {
  query: Extract<HostMessage, { type: 'queryResult' }>;
  keys: Extract<HostMessage, { type: 'keys' }>;
  value: Extract<HostMessage, { type: 'value' }>;
  commands: Extract<HostMessage, { type: 'commands' }>;
  summary: Extract<HostMessage, { type: 'summary' }>;
}

/** The error a request settles with when the host answers `error` with its seq. */
export class HostError extends Error {}

interface Pending {
  resolve: (m: HostMessage) => void;
  reject: (e: Error) => void;
}

export class Host {
  private readonly api: VsCodeApi;
  private seq = 0;
  private readonly pending = new Map<number, Pending>();
  /** Messages that are not replies to a request. */
  onMessage: (m: HostMessage) => void = () => undefined;
  /** Called whenever the number of requests in flight changes. */
  onIdleChange: () => void = () => undefined;

  constructor() {
    this.api = acquireVsCodeApi();
    window.addEventListener('message', (ev: MessageEvent) => this.receive(ev.data));
  }

  get inFlight(): number {
    return this.pending.size;
  }

  post(m: WebviewRequest): void {
    this.api.postMessage(m);
  }

  getState(): unknown {
    return this.api.getState();
  }

  setState(s: unknown): void {
    this.api.setState(s);
  }

  /** Posts a request with a new seq; settles with its reply (or rejects with `HostError`). */
  request<T extends RequestBody>(body: T): Promise<ReplyOf[T['type']]> {
    const seq = ++this.seq;
    return new Promise<ReplyOf[T['type']]>((resolve, reject) => {
      this.pending.set(seq, { resolve: resolve as (m: HostMessage) => void, reject });
      this.api.postMessage({ ...body, seq });
    });
  }

  /** Forgets every request in flight (they reject), e.g. after a reload. */
  reset(): void {
    const all = [...this.pending.values()];
    this.pending.clear();
    for (const p of all) p.reject(new HostError('cancelled'));
    this.onIdleChange();
  }

  private receive(data: unknown): void {
    if (!data || typeof data !== 'object' || typeof (data as { type?: unknown }).type !== 'string') return;
    const m = data as HostMessage;
    const seq = 'seq' in m && typeof m.seq === 'number' ? m.seq : undefined;
    if (seq !== undefined) {
      const p = this.pending.get(seq);
      if (p) {
        this.pending.delete(seq);
        if (m.type === 'error') p.reject(new HostError(m.message));
        else p.resolve(m);
        this.onIdleChange();
        return;
      }
      return; // a reply nobody waits for any more (stale): dropped
    }
    this.onMessage(m);
  }
}
