/** A scripted stand-in for the API server's HTTP surface (unit tests only; e2e uses the real apiserver). */
import { PassThrough } from 'node:stream';
import type { IncomingMessage } from 'node:http';
import type { KubeClient, KubeResponse } from '../../../src/kube/client.js';

export type Reply = KubeResponse | Error;
export interface StreamReply {
  status: number;
  /** lines to write, then end (unless hold) */
  lines?: unknown[];
  hold?: boolean;
  headers?: Record<string, string>;
}

export class FakeKube implements KubeClient {
  readonly server = 'https://fake';
  readonly namespace = 'default';
  requestCount = 0;
  readonly calls: string[] = [];
  readonly requests: Array<(method: string, path: string, body: unknown) => Reply | undefined> = [];
  readonly streams: Array<StreamReply | Error> = [];
  readonly open: PassThrough[] = [];

  async request(method: string, path: string, options: { body?: unknown } = {}): Promise<KubeResponse> {
    this.requestCount++;
    this.calls.push(`${method} ${path}`);
    for (const handler of this.requests) {
      const r = handler(method, path, options.body);
      if (r instanceof Error) throw r;
      if (r) return r;
    }
    return { status: 404, body: '{}', headers: {} };
  }

  async stream(path: string, options: { signal?: AbortSignal } = {}): Promise<{ status: number; stream: IncomingMessage }> {
    this.requestCount++;
    this.calls.push(`WATCH ${path}`);
    const next = this.streams.shift();
    if (!next) {
      // nothing scripted: hang until aborted
      const s = new PassThrough();
      options.signal?.addEventListener('abort', () => s.destroy());
      this.open.push(s);
      return { status: 200, stream: Object.assign(s, { headers: {} }) as unknown as IncomingMessage };
    }
    if (next instanceof Error) throw next;
    const s = new PassThrough();
    options.signal?.addEventListener('abort', () => s.destroy());
    for (const l of next.lines ?? []) s.write(typeof l === 'string' ? l : `${JSON.stringify(l)}\n`);
    if (!next.hold) s.end();
    else this.open.push(s);
    return { status: next.status, stream: Object.assign(s, { headers: next.headers ?? {} }) as unknown as IncomingMessage };
  }
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}): KubeResponse {
  return { status, body: JSON.stringify(body), headers };
}

export function cm(name: string, rv: string, data: Record<string, string> = {}) {
  return { metadata: { name, namespace: 'ns', resourceVersion: rv }, data };
}
