/** When ksec colours stderr (issue 19 point 8: TERM=dumb gets none). */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  // stderr is a terminal for these tests
  return { ...fs, fstatSync: (fd: number) => (fd === 2 ? { isCharacterDevice: () => true } : fs.fstatSync(fd)) };
});

const saved = { TERM: process.env.TERM, NO_COLOR: process.env.NO_COLOR };

beforeEach(() => {
  const real = process.getBuiltinModule.bind(process);
  vi.spyOn(process, 'getBuiltinModule').mockImplementation(((id: string) => (id === 'node:tty' ? { isatty: () => true } : real(id))) as typeof process.getBuiltinModule);
  delete process.env.NO_COLOR;
});

afterEach(() => {
  vi.restoreAllMocks();
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
});

describe('colour', () => {
  it('colours a terminal, but not TERM=dumb, NO_COLOR or --no-color', async () => {
    const { colorEnabled, disableColor, style } = await import('../../../src/terminal/style.js');
    process.env.TERM = 'xterm-256color';
    expect(colorEnabled()).toBe(true);
    expect(style.yellow('w')).toBe('\u001b[33mw\u001b[0m');
    process.env.TERM = 'dumb';
    expect(colorEnabled()).toBe(false);
    expect(style.yellow('w')).toBe('w');
    process.env.TERM = 'xterm';
    process.env.NO_COLOR = '1';
    expect(colorEnabled()).toBe(false);
    delete process.env.NO_COLOR;
    disableColor();
    expect(colorEnabled()).toBe(false);
  });
});
