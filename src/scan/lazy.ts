/**
 * A module loaded on first use and then held: `await import()` per file costs
 * the loader's resolve-and-look-up each time, which shows in a scan of
 * thousands of files. Returns the module itself once it is loaded.
 */
export function lazy<T>(load: () => Promise<T>): () => T | Promise<T> {
  let value: T | undefined;
  let pending: Promise<T> | undefined;
  return () => value ?? (pending ??= load().then((v) => (value = v)));
}
