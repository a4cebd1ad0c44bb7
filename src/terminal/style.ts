/**
 * Colour and interactivity of the terminal: colour only on a TTY and never with NO_COLOR,
 * TERM=dumb or --no-color; progress only on an interactive stderr, never in CI or a pipe.
 */
import { fstatSync } from 'node:fs';

let colorDisabledByFlag = false;

/** --no-color: no colour for the rest of the run. */
export function disableColor(): void {
  colorDisabledByFlag = true;
}

/** Colour on stderr: a terminal that is not TERM=dumb, and neither NO_COLOR nor --no-color. */
export function colorEnabled(): boolean {
  if (colorDisabledByFlag) return false;
  if ('NO_COLOR' in process.env && process.env.NO_COLOR !== '') return false;
  if (process.env.TERM === 'dumb') return false;
  return stderrIsTerminal();
}

function paint(code: number, text: string): string {
  return colorEnabled() ? `\u001b[${code}m${text}\u001b[0m` : text;
}

export const style = {
  red: (t: string) => paint(31, t),
  yellow: (t: string) => paint(33, t),
  green: (t: string) => paint(32, t),
  dim: (t: string) => paint(2, t),
  bold: (t: string) => paint(1, t),
};

/** Progress and spinners belong on a person's terminal only. */
export function interactive(): boolean {
  return !process.env.CI && stderrIsTerminal();
}

/** process.stderr.isTTY without creating the stream (a terminal is always a character device). */
let stderrTerminal: boolean | undefined;
function stderrIsTerminal(): boolean {
  if (stderrTerminal === undefined) {
    try {
      stderrTerminal = fstatSync(2).isCharacterDevice() && process.getBuiltinModule('node:tty').isatty(2);
    } catch {
      stderrTerminal = false;
    }
  }
  return stderrTerminal;
}
