/** moto for the ESO benchmarks: its own server on a free loopback port, ready when /moto-api/ answers. */
import { spawn, type ChildProcess } from 'node:child_process';
import { freePort } from '../../test/e2e/testbed/proc.js';

export async function startMoto(motoBin: string): Promise<{ url: string; proc: ChildProcess }> {
  const port = await freePort();
  const proc = spawn(motoBin, ['-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(`${url}/moto-api/`)).ok) return { url, proc };
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  proc.kill();
  throw new Error(`moto did not start (${motoBin})`);
}
