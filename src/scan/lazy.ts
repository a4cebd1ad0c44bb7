/**
 * A module loaded on first use and then held: the getter returns a promise
 * until the module is loaded and the module itself after that, so callers
 * per file do not go through the loader's resolution each time.
 */
export function lazy<T>(load: () => Promise<T>): () => T | Promise<T> {
  let value: T | undefined;
  let pending: Promise<T> | undefined;
  return () => value ?? (pending ??= load().then((v) => (value = v)));
}
