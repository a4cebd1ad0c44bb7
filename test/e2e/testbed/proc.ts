/**
 * Daemons of the test bed: each one is spawned detached in its own process
 * group (pgid == pid), logs to a file, and is recorded with its /proc start
 * time so that `down` (possibly from another process, after a crash) kills
 * exactly what the bed started and never a recycled pid.
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import http from 'node:http';
import https from 'node:https';

export interface ProcRecord {
  name: string;
  pid: number;
  /** field 22 of /proc/<pid>/stat: identifies this process even if the pid is reused later */
  startTime: string;
  log: string;
  command: string[];
}

function readStat(pid: number): { state: string; startTime: string } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // rest[0] is field 3 (state); field 22 (starttime) is rest[19]
    return { state: rest[0]!, startTime: rest[19]! };
  } catch {
    return undefined;
  }
}

export function isAlive(p: Pick<ProcRecord, 'pid' | 'startTime'>): boolean {
  const s = readStat(p.pid);
  return s !== undefined && s.startTime === p.startTime && s.state !== 'Z' && s.state !== 'X';
}

export interface SpawnOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  log: string;
}

export function spawnDaemon(name: string, cmd: string, args: string[], opts: SpawnOptions): ProcRecord {
  const fd = openSync(opts.log, 'a');
  try {
    const child = spawn(cmd, args, {
      detached: true, // own session and process group: kill(-pid) reaches it and all its children
      stdio: ['ignore', fd, fd],
      env: opts.env ?? process.env,
      cwd: opts.cwd,
    });
    if (child.pid === undefined) throw new Error(`${name}: failed to spawn ${cmd}`);
    child.on('error', () => {}); // reported through the readiness checks and the log
    child.unref();
    const stat = readStat(child.pid);
    return { name, pid: child.pid, startTime: stat?.startTime ?? '', log: opts.log, command: [cmd, ...args] };
  } finally {
    closeSync(fd);
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** SIGTERM the process group, wait, then SIGKILL. Only acts if the recorded process is still the same one. */
export async function stopProc(p: ProcRecord, timeoutMs = 10_000): Promise<void> {
  if (!isAlive(p)) return;
  const signal = (sig: NodeJS.Signals) => {
    try {
      process.kill(-p.pid, sig);
    } catch {
      try {
        process.kill(p.pid, sig);
      } catch {
        /* already gone */
      }
    }
  };
  signal('SIGTERM');
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isAlive(p)) return;
    await sleep(100);
  }
  signal('SIGKILL');
  const killDeadline = Date.now() + 5_000;
  while (Date.now() < killDeadline && isAlive(p)) await sleep(100);
  if (isAlive(p)) throw new Error(`${p.name} (pid ${p.pid}) did not exit after SIGKILL`);
}

/** A currently free TCP port on 127.0.0.1 (the kernel picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export interface HttpResult {
  status: number;
  body: string;
}

export function httpGet(url: string, opts: { ca?: string; token?: string; timeoutMs?: number } = {}): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const mod = u.protocol === 'https:' ? https : http;
    const headers: Record<string, string> = {};
    if (opts.token) headers['authorization'] = `Bearer ${opts.token}`;
    const req = mod.get(u, { ca: opts.ca, headers, timeout: opts.timeoutMs ?? 5_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`timeout GET ${url}`)));
    req.on('error', reject);
  });
}

function tail(file: string, lines = 30): string {
  if (!existsSync(file)) return '(no log)';
  return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
}

/**
 * Poll until `check` resolves true. Fails fast (with the log tail) if the
 * process dies, and loudly on timeout.
 */
export async function waitUntil(
  what: string,
  check: () => Promise<boolean>,
  opts: { proc?: ProcRecord; timeoutMs?: number; intervalMs?: number } = {},
): Promise<void> {
  const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
  let lastErr: unknown;
  while (Date.now() < deadline) {
    if (opts.proc && !isAlive(opts.proc)) {
      throw new Error(`${opts.proc.name} exited while waiting for ${what}; log ${opts.proc.log}:\n${tail(opts.proc.log)}`);
    }
    try {
      if (await check()) return;
    } catch (e) {
      lastErr = e;
    }
    await sleep(opts.intervalMs ?? 250);
  }
  const logPart = opts.proc ? `\nlog ${opts.proc.log}:\n${tail(opts.proc.log)}` : '';
  throw new Error(`timed out waiting for ${what}${lastErr ? ` (last error: ${String(lastErr)})` : ''}${logPart}`);
}
