/**
 * Sealing a directory on a terminal (issue 19 point 8): one progress line
 * with a total, cleared before anything else is printed, then a count of the
 * files written; one line per file only with -v. Run under script(1) for a
 * pseudo-terminal; skipped where there is none.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KSEC_BIN, REPO_ROOT } from '../helpers/run-ksec.js';

const hasScript = spawnSync('script', ['--version']).status === 0;
const CERT = join(REPO_ROOT, 'examples/keys/demo-sealed-secrets.crt');

function onTerminal(args: string[]): string {
  const env: NodeJS.ProcessEnv = { ...process.env, TERM: 'xterm' };
  delete env.CI;
  delete env.NO_COLOR;
  const command = [process.execPath, KSEC_BIN, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  const r = spawnSync('script', ['-qec', command, '/dev/null'], { env, encoding: 'utf8', timeout: 60_000 });
  expect(r.status).toBe(0);
  return r.stdout;
}

describe.skipIf(!hasScript)('ksec seal DIR on a terminal', { timeout: 120_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'ksec-progress-'));
  for (let i = 0; i < 6; i++) {
    writeFileSync(join(dir, `s${i}.yaml`), `apiVersion: v1\nkind: Secret\nmetadata:\n  name: s${i}\n  namespace: ns\nstringData:\n  a: b\n  c: d\n`);
  }

  it('draws one line with a total, clears it, then says how many files it wrote', () => {
    const out = onTerminal(['seal', '--cert', CERT, dir, '--output-dir', join(dir, 'out')]);
    expect(out).toMatch(/sealing values \d+\/\d+/);
    // what follows the progress line starts on a cleared line, never glued to the counter
    expect(out).not.toMatch(/sealing values [\d/]+(\u001b\[0m)?wrote/);
    expect(out).toMatch(/\r\u001b\[Kwrote 6 files\r?\n/);
    expect(out).not.toMatch(/wrote .*s0\.sealed\.yaml/);
  });

  it('names each file with -v', () => {
    const out = onTerminal(['seal', '--cert', CERT, dir, '--output-dir', join(dir, 'out-v'), '-v']);
    for (let i = 0; i < 6; i++) expect(out).toContain(`wrote ${join(dir, 'out-v', `s${i}.sealed.yaml`)}`);
    expect(out).not.toMatch(/wrote 6 files/);
  });
});
