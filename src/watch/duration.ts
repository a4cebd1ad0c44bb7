/** Durations as Go's time.ParseDuration writes them, the subset of units ksec accepts: h, m, s, ms (e.g. 1h30m, 90s, 500ms, 1.5s). */

/** Milliseconds, or undefined when the text is not such a duration. */
export function parseDuration(text: string): number | undefined {
  const re = /(\d+(?:\.\d+)?)(ms|h|m|s)/gy;
  let total = 0;
  let matched = 0;
  for (const m of text.trim().matchAll(re)) {
    matched += m[0].length;
    total += Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] as 'ms' | 's' | 'm' | 'h'];
  }
  return matched > 0 && matched === text.trim().length ? total : undefined;
}

