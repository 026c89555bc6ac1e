/** `--since` as people write it: a duration back from now (90s, 15m, 2h, 7d) or a date-time (ISO 8601). */
export function parseSince(text: string, now = Date.now()): number {
  const duration = /^(\d+(?:\.\d+)?)(s|m|h|d)$/.exec(text.trim());
  if (duration !== null) {
    const unit = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[duration[2] as 's' | 'm' | 'h' | 'd'];
    return now - Number(duration[1]) * unit;
  }
  const time = Date.parse(text);
  if (Number.isNaN(time))
    throw new Error(`--since "${text}" is neither a duration (15m, 2h, 7d) nor a date-time (2026-11-26T10:00:00Z)`);
  return time;
}

const BARS = '▁▂▃▄▅▆▇█';

/** A one-line chart of the values, lowest bar for the minimum and highest for the maximum; a gap for a missing value. */
export function sparkline(values: readonly (number | null)[]): string {
  const present = values.filter((v): v is number => v !== null);
  if (present.length === 0) return '';
  let low = Infinity;
  let high = -Infinity;
  for (const v of present) {
    low = Math.min(low, v);
    high = Math.max(high, v);
  }
  return values
    .map((v) => {
      if (v === null) return ' ';
      const level = high === low ? BARS.length - 1 : Math.round(((v - low) / (high - low)) * (BARS.length - 1));
      return BARS[level];
    })
    .join('');
}
