/**
 * Polls `fn` until it returns something other than undefined. On time-out the
 * error names what was awaited and the last error, never a returned value
 * (values here may be secrets).
 */
export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function eventually<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    await sleep(250);
  }
  throw new Error(`timed out: ${what}${last ? ` (${String(last)})` : ''}`);
}
