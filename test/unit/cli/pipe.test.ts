import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { KSEC_BIN } from '../../helpers/run-ksec.js';

describe('output into a closed pipe', () => {
  it('ends quietly, exit 0, when the reader has gone (ksec ... | head)', async () => {
    const child = spawn(process.execPath, [KSEC_BIN, 'seal', '--help'], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy(); // the reader is gone before ksec writes a byte
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(stderr).not.toMatch(/EPIPE|Error/);
    expect(code).toBe(0);
  });
});
