import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KSEC_BIN, REPO_ROOT } from '../helpers/run-ksec.js';

const DEMO_CERT = join(REPO_ROOT, 'examples/keys/demo-sealed-secrets.crt');

/**
 * Runs ksec with `closed` (stdout or stderr) destroyed before it writes a byte (its reader is gone);
 * returns the exit code and what came out of the other stream.
 */
async function runWithClosed(args: string[], closed: 'stdout' | 'stderr'): Promise<{ code: number | null; other: string }> {
  const child = spawn(process.execPath, [KSEC_BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  child[closed].destroy();
  let other = '';
  child[closed === 'stdout' ? 'stderr' : 'stdout'].on('data', (d: Buffer) => (other += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  return { code, other };
}

describe('output into a closed pipe', () => {
  it('ends quietly, exit 0, when the reader has gone (ksec ... | head)', async () => {
    const { code, other: stderr } = await runWithClosed(['seal', '--help'], 'stdout');
    expect(stderr).not.toMatch(/EPIPE|Error/);
    expect(code).toBe(0);
  });

  it('ends quietly when the reader goes in the middle of a large output', async () => {
    const child = spawn(process.execPath, [KSEC_BIN, 'seal', '--cert', DEMO_CERT], { stdio: ['pipe', 'pipe', 'pipe'] });
    child.stdin.end(secretWithKeys(3000));
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.once('data', () => child.stdout.destroy()); // read the first bytes, then close
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(stderr).not.toMatch(/EPIPE|Error/);
    expect(code).toBe(0);
  });

  it('keeps the run\'s own exit code: a scan with findings still fails (set -o pipefail)', async () => {
    const { code, other: stderr } = await runWithClosed(['scan', '--format', 'sarif', join(REPO_ROOT, 'examples')], 'stdout');
    expect(stderr).not.toMatch(/EPIPE|Error/);
    expect(code).toBe(1); // examples/ holds the demo key and a plaintext demo Secret
  });
});

describe('messages into a closed stderr', () => {
  it('are dropped; the report and the exit code are not', async () => {
    // the summary line and the warnings go to stderr's descriptor; a reader that left must not end the run
    // deploy/ is clean: exit 0, where an unhandled EPIPE would end the run with 1
    const { code, other: stdout } = await runWithClosed(['scan', '--format', 'json', join(REPO_ROOT, 'deploy')], 'stderr');
    expect(code).toBe(0);
    expect((JSON.parse(stdout) as { summary: { files: number } }).summary.files).toBeGreaterThan(0);
  });

  it('carry a usage error, as one line, when stderr is a pipe', async () => {
    const child = spawn(process.execPath, [KSEC_BIN, 'scan', '--no-such-flag'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code).toBe(2);
    expect(stderr.split('\n')[0]).toBe("error: unknown option '--no-such-flag'");
    expect(stderr).not.toMatch(/\u001b\[/); // no colour off a terminal
  });
});

describe('a large output to a slow reader', () => {
  it('arrives whole and in order (more than the pipe buffer holds)', async () => {
    const child = spawn(process.execPath, [KSEC_BIN, 'seal', '--cert', DEMO_CERT], { stdio: ['pipe', 'pipe', 'pipe'] });
    child.stdin.end(secretWithKeys(3000));
    child.stdout.pause();
    await new Promise((resolve) => setTimeout(resolve, 300)); // ksec fills the pipe and waits
    const chunks: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => chunks.push(d));
    child.stdout.resume();
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code).toBe(0);
    const out = Buffer.concat(chunks);
    expect(out.length).toBeGreaterThan(1 << 20);
    const sealed = JSON.parse(out.toString()) as { spec: { encryptedData: Record<string, string> } };
    expect(Object.keys(sealed.spec.encryptedData)).toHaveLength(3000);
  });
});

function secretWithKeys(n: number): string {
  const data = Object.fromEntries(Array.from({ length: n }, (_, i) => [`demo-key-${i}`, Buffer.from(`demo-value-${i}`).toString('base64')]));
  return JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'demo', namespace: 'demo' }, data });
}
