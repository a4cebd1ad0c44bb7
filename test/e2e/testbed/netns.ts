/**
 * A network namespace of our own, linked to the host by a veth pair on a /30
 * from 198.18.0.0/15 (RFC 2544 benchmarking space, never routed). It exists
 * because the apiserver refuses to proxy (services/.../proxy) to loopback, so
 * the sealed-secrets controller listens on the namespace end of the veth.
 * The only non-loopback addresses the bed ever uses are the two ends of this /30.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';

export interface Netns {
  name: string;
  hostIf: string;
  nsIf: string;
  hostIp: string;
  nsIp: string;
  prefix: number;
}

function ip(args: string[]): string {
  try {
    return execFileSync('ip', args, { stdio: ['ignore', 'pipe', 'pipe'] }).toString();
  } catch (e) {
    const err = e as { stderr?: Buffer; message: string };
    throw new Error(`ip ${args.join(' ')} failed: ${err.stderr?.toString().trim() || err.message}`);
  }
}

/** Names are derived from the cache dir so two beds (different caches) do not collide. */
export function netnsFor(cacheDir: string): Netns {
  const h = createHash('sha256').update(cacheDir).digest();
  const tag = h.subarray(0, 3).toString('hex');
  const octet = h[3]! % 256;
  return {
    name: `ksec-tb-${tag}`,
    hostIf: `ksectb${tag}h`,
    nsIf: `ksectb${tag}n`,
    hostIp: `198.18.${octet}.1`,
    nsIp: `198.18.${octet}.2`,
    prefix: 30,
  };
}

export function netnsExists(n: Netns): boolean {
  try {
    return ip(['netns', 'list']).split('\n').some((l) => l.split(' ')[0] === n.name);
  } catch {
    return false;
  }
}

function linkExists(name: string): boolean {
  try {
    ip(['link', 'show', 'dev', name]);
    return true;
  } catch {
    return false;
  }
}

/** Why the netns cannot be made here (not root, no `ip`), or undefined if it can. */
export function netnsUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return 'not running as root (ip netns needs CAP_NET_ADMIN and CAP_SYS_ADMIN)';
  try {
    execFileSync('ip', ['-V'], { stdio: 'ignore' });
    execFileSync('unshare', ['--version'], { stdio: 'ignore' });
  } catch {
    return "'ip' (iproute2) or 'unshare' (util-linux) is not installed";
  }
  return undefined;
}

export function createNetns(n: Netns): void {
  deleteNetns(n);
  ip(['netns', 'add', n.name]);
  ip(['link', 'add', n.hostIf, 'type', 'veth', 'peer', 'name', n.nsIf, 'netns', n.name]);
  ip(['addr', 'add', `${n.hostIp}/${n.prefix}`, 'dev', n.hostIf]);
  ip(['link', 'set', n.hostIf, 'up']);
  ip(['-n', n.name, 'addr', 'add', `${n.nsIp}/${n.prefix}`, 'dev', n.nsIf]);
  ip(['-n', n.name, 'link', 'set', n.nsIf, 'up']);
  ip(['-n', n.name, 'link', 'set', 'lo', 'up']);
}

export function deleteNetns(n: Netns): void {
  if (linkExists(n.hostIf)) ip(['link', 'del', n.hostIf]);
  if (netnsExists(n)) ip(['netns', 'del', n.name]);
}
