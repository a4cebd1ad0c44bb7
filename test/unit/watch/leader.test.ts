import { describe, expect, it } from 'vitest';
import { LeaderElector } from '../../../src/watch/leader.js';
import { silentLogger } from '../../../src/watch/log.js';
import { FakeKube, json } from './fake-kube.js';

/** An in-memory Lease endpoint with resourceVersion conflicts, like the apiserver's. */
function leaseServer(kube: FakeKube) {
  let lease: { metadata: { resourceVersion: string }; spec: Record<string, unknown> } | undefined;
  let rv = 0;
  kube.requests.push((method, _path, body) => {
    if (method === 'GET') return lease ? json(200, lease) : json(404, {});
    const b = body as typeof lease & object;
    if (method === 'POST') {
      if (lease) return json(409, {});
      lease = { ...b, metadata: { ...b.metadata, resourceVersion: String(++rv) } };
      return json(201, lease);
    }
    if (method === 'PUT') {
      if (!lease || b.metadata.resourceVersion !== lease.metadata.resourceVersion) return json(409, {});
      lease = { ...b, metadata: { ...b.metadata, resourceVersion: String(++rv) } };
      return json(200, lease);
    }
    return undefined;
  });
  return () => lease;
}

function elector(kube: FakeKube, identity: string, clock: { t: number }) {
  return new LeaderElector({
    client: kube,
    namespace: 'ns',
    name: 'ksec-watch',
    identity,
    leaseDurationMs: 15_000,
    renewDeadlineMs: 10_000,
    retryPeriodMs: 2_000,
    log: silentLogger,
    onStartedLeading() {},
    onStoppedLeading() {},
    now: () => clock.t,
  });
}

describe('LeaderElector', () => {
  it('one candidate wins; the other takes over only after a full lease duration without renewal', async () => {
    const kube = new FakeKube();
    const lease = leaseServer(kube);
    const clock = { t: 1_000_000 };
    const a = elector(kube, 'a', clock);
    const b = elector(kube, 'b', clock);
    expect(await a.tryAcquireOrRenew()).toBe(true);
    expect(await b.tryAcquireOrRenew()).toBe(false);
    clock.t += 2000;
    expect(await a.tryAcquireOrRenew()).toBe(true);
    expect(await b.tryAcquireOrRenew()).toBe(false);
    // a dies: b must wait a lease duration from when it last saw the record change
    clock.t += 14_000;
    expect(await b.tryAcquireOrRenew()).toBe(false);
    clock.t += 1_001;
    expect(await b.tryAcquireOrRenew()).toBe(true);
    expect(lease()!.spec).toMatchObject({ holderIdentity: 'b', leaseTransitions: 1, leaseDurationSeconds: 15 });
    expect(String(lease()!.spec.renewTime)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    // a comes back: it sees b holding and stays standby
    expect(await a.tryAcquireOrRenew()).toBe(false);
  });

  it('an empty holder (released lease) is taken at once', async () => {
    const kube = new FakeKube();
    const lease = leaseServer(kube);
    const clock = { t: 5_000_000 };
    expect(await elector(kube, 'a', clock).tryAcquireOrRenew()).toBe(true);
    lease()!.spec.holderIdentity = '';
    expect(await elector(kube, 'b', clock).tryAcquireOrRenew()).toBe(true);
  });
});
