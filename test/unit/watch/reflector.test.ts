import { afterEach, describe, expect, it, vi } from 'vitest';
import { NdjsonParser, Reflector, type ChangeEvent } from '../../../src/watch/reflector.js';
import { backoffDelay } from '../../../src/watch/backoff.js';
import { createLogger } from '../../../src/watch/log.js';
import { FakeKube, cm, json } from './fake-kube.js';

const CANARY = 'canary-value-9f1c2b';

function setup(kube: FakeKube, logs: string[] = []) {
  const events: ChangeEvent<string>[] = [];
  let synced = 0;
  const r = new Reflector<string>({
    client: kube,
    path: '/api/v1/configmaps',
    // keep only a "hash": never the data
    reduce: (o) => `${o.metadata?.name}:${Object.keys((o as { data?: object }).data ?? {}).length}`,
    onChange: (e) => events.push(e),
    onSynced: () => synced++,
    log: createLogger('debug', (l) => logs.push(l)),
    pageSize: 2,
    backoff: { initialMs: 10, maxMs: 40 },
    random: () => 0.5,
    inactivityMs: 1000,
  });
  return { r, events, synced: () => synced };
}

function listHandler(pages: Array<{ items: unknown[]; rv: string; cont?: string }>) {
  let i = 0;
  return (method: string, path: string) => {
    if (method !== 'GET' || !path.startsWith('/api/v1/configmaps?limit=')) return undefined;
    const page = pages[Math.min(i++, pages.length - 1)]!;
    return json(200, { metadata: { resourceVersion: page.rv, continue: page.cont }, items: page.items });
  };
}

afterEach(() => vi.useRealTimers());

describe('NdjsonParser', () => {
  it('joins lines split across chunks, including a split UTF-8 character', () => {
    const p = new NdjsonParser();
    const bytes = Buffer.from('{"a":"é"}\n{"b":1}\n{"c"');
    expect(p.push(bytes.subarray(0, 7))).toEqual([]);
    expect(p.push(bytes.subarray(7))).toEqual(['{"a":"é"}', '{"b":1}']);
    expect(p.push(Buffer.from(':2}\n\n'))).toEqual(['{"c":2}']);
    expect(p.end()).toEqual([]);
  });
});

describe('backoffDelay', () => {
  it('grows exponentially with jitter and is capped', () => {
    expect(backoffDelay(1, { initialMs: 100, maxMs: 1000, random: () => 0 })).toBe(50);
    expect(backoffDelay(1, { initialMs: 100, maxMs: 1000, random: () => 1 })).toBe(100);
    expect(backoffDelay(4, { initialMs: 100, maxMs: 1000, random: () => 1 })).toBe(800);
    expect(backoffDelay(30, { initialMs: 100, maxMs: 1000, random: () => 1 })).toBe(1000);
  });
});

describe('Reflector', () => {
  it('pages the list, watches from its resourceVersion with bookmarks, and applies events', async () => {
    const kube = new FakeKube();
    kube.requests.push(
      listHandler([
        { items: [cm('a', '1', { k: CANARY })], rv: '10', cont: 'tok' },
        { items: [cm('b', '2')], rv: '11' },
      ]),
    );
    kube.streams.push({
      status: 200,
      hold: true,
      lines: [
        { type: 'MODIFIED', object: cm('a', '12', { k: CANARY, k2: 'x' }) },
        { type: 'BOOKMARK', object: { metadata: { resourceVersion: '13' } } },
        { type: 'DELETED', object: cm('b', '14') },
      ],
    });
    const logs: string[] = [];
    const { r, events } = setup(kube, logs);
    const ac = new AbortController();
    const done = r.run(ac.signal);
    await vi.waitFor(() => expect(events.length).toBe(4));
    expect(events.map((e) => `${e.type} ${e.key} ${e.fromRelist}`)).toEqual([
      'ADDED ns/a true',
      'ADDED ns/b true',
      'MODIFIED ns/a false',
      'DELETED ns/b false',
    ]);
    expect(events[2]!.previous).toBe('a:1');
    expect(events[2]!.current).toBe('a:2');
    expect(kube.calls[1]).toContain('continue=tok');
    const watch = kube.calls.find((c) => c.startsWith('WATCH'))!;
    expect(watch).toContain('resourceVersion=10');
    expect(watch).toContain('allowWatchBookmarks=true');
    expect(watch).toMatch(/timeoutSeconds=\d+/);
    ac.abort();
    await done;
    expect(logs.join('')).not.toContain(CANARY);
  });

  it('410 as an ERROR event relists and reports only the difference', async () => {
    const kube = new FakeKube();
    kube.requests.push(
      listHandler([
        { items: [cm('a', '1'), cm('b', '2')], rv: '10' },
        { items: [cm('a', '1'), cm('c', '20')], rv: '21' },
      ]),
    );
    kube.streams.push({ status: 200, lines: [{ type: 'ERROR', object: { kind: 'Status', code: 410, message: 'too old resource version' } }] });
    const { r, events, synced } = setup(kube);
    const ac = new AbortController();
    const done = r.run(ac.signal);
    await vi.waitFor(() => expect(synced()).toBe(2));
    expect(events.map((e) => `${e.type} ${e.key}`)).toEqual(['ADDED ns/a', 'ADDED ns/b', 'ADDED ns/c', 'DELETED ns/b']);
    expect(kube.calls.filter((c) => c.startsWith('WATCH')).pop()).toContain('resourceVersion=21');
    ac.abort();
    await done;
  });

  it('410 as the HTTP status of the watch relists too', async () => {
    const kube = new FakeKube();
    kube.requests.push(listHandler([{ items: [cm('a', '1')], rv: '10' }]));
    kube.streams.push({ status: 410, lines: ['{"kind":"Status","code":410,"message":"too old resource version: 5 (9)"}'] });
    const logs: string[] = [];
    const { r, synced } = setup(kube, logs);
    const ac = new AbortController();
    const done = r.run(ac.signal);
    await vi.waitFor(() => expect(synced()).toBe(2));
    ac.abort();
    await done;
    const expired = logs.map((l) => JSON.parse(l)).find((l) => l.msg === 'watch expired, relisting');
    expect(expired.reason).toBe('HTTP 410: too old resource version: 5 (9)');
  });

  it('keeps going after 429, 401, 500 and network errors, with backoff and Retry-After', async () => {
    const kube = new FakeKube();
    let lists = 0;
    kube.requests.push((method, path) => {
      if (!path.startsWith('/api/v1/configmaps?limit=')) return undefined;
      lists++;
      if (lists === 1) return json(401, { message: 'Unauthorized' });
      if (lists === 2) return new Error('ECONNREFUSED');
      return json(200, { metadata: { resourceVersion: '5' }, items: [cm('a', '1')] });
    });
    kube.streams.push({ status: 429, lines: ['{}'], headers: { 'retry-after': '0' } }, { status: 500, lines: ['{}'] }, new Error('socket hang up'));
    const logs: string[] = [];
    const { r } = setup(kube, logs);
    const ac = new AbortController();
    const done = r.run(ac.signal);
    await vi.waitFor(() => expect(kube.open.length).toBe(1), { timeout: 3000 });
    const warnings = logs.map((l) => JSON.parse(l) as { msg: string; status?: number }).filter((l) => l.msg === 'watch failed, retrying');
    expect(warnings.map((w) => w.status)).toEqual([401, undefined, 429, 500, undefined]);
    ac.abort();
    await done;
  });

  it('detects a silent (half-open) watch with the inactivity timer and reconnects', async () => {
    const kube = new FakeKube();
    kube.requests.push(listHandler([{ items: [], rv: '10' }]));
    kube.streams.push({ status: 200, hold: true, lines: [{ type: 'BOOKMARK', object: { metadata: { resourceVersion: '11' } } }] });
    const logs: string[] = [];
    const { r } = setup(kube, logs);
    const ac = new AbortController();
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const done = r.run(ac.signal);
    await vi.waitFor(() => expect(kube.calls.filter((c) => c.startsWith('WATCH')).length).toBe(1));
    await vi.advanceTimersByTimeAsync(1001);
    await vi.advanceTimersByTimeAsync(100);
    const watches = kube.calls.filter((c) => c.startsWith('WATCH'));
    expect(watches.length).toBe(2);
    expect(watches[1]).toContain('resourceVersion=11');
    expect(logs.join('')).toContain('half-open');
    ac.abort();
    vi.useRealTimers();
    await done;
  });
});
