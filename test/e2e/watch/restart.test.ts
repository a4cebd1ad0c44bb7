/**
 * A real apiserver restart, on a private etcd + kube-apiserver with the
 * default watch cache (test/e2e/watch/private.ts): the process is stopped
 * (SIGTERM) and started again on the same port with the same etcd and PKI. The
 * watcher retries with growing delays while nothing listens, reconnects on its
 * own, and rolls a change made after the restart exactly once and nothing else.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CANARY, eventually } from './helpers.js';
import { startPrivateWatch, type PrivateWatch } from './private.js';

let p: PrivateWatch;

beforeAll(async () => {
  p = await startPrivateWatch([]);
}, 180_000);

afterAll(async () => {
  await p?.stop();
}, 60_000);

describe('ksec watch: a real apiserver restart', () => {
  it('backoff while it is down, one rollout for a change made after it is back, nothing else', async () => {
    const { w } = p;
    const before = { other: p.rev('other'), logs: w.logs.length, evaluations: w.count('full evaluation'), rolled: w.count('rolled') };
    await p.cp.stopApiserver();
    // retried with growing, jittered delays while nothing listens on the port
    const retries = async () => w.logs.slice(before.logs).filter((l) => l.msg === 'watch failed, retrying');
    await eventually(retries, (r) => r.some((l) => Number(l.attempt) >= 3), 60_000, 'retries with backoff');
    const path = (await retries()).find((l) => Number(l.attempt) >= 3)!.path;
    const attempts = (await retries()).filter((l) => l.path === path).map((l) => Number(l.attempt));
    expect(attempts.slice(0, 3)).toEqual([1, 2, 3]);
    expect(w.child.exitCode).toBeNull();
    expect(w.count('rolled')).toBe(before.rolled);
    await p.cp.startApiserver();
    await p.tw.reconnect();
    await p.proveOneRoll('after-restart');
    expect(p.rev('other')).toBe(before.other);
    // no full re-evaluation (and so no mass roll) on reconnect
    expect(w.count('full evaluation')).toBe(before.evaluations);
    // the watches are really back: a later change rolls once too
    await p.proveOneRoll('after-restart-2');
    expect(w.raw).not.toContain(CANARY);
  });
});
