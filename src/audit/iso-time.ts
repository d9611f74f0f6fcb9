/**
 * `new Date(ms).toISOString()` for every audit record, at a fraction of its cost: records come many to the second,
 * so the text up to the second is kept and only the milliseconds are written. Same text, also for fractional
 * milliseconds (truncated, as `Date` does); times outside years 1970–9999 take the `Date` path.
 */
let second = Number.NaN;
let prefix = "";

/** Years 1970 to 9999: the range where the ISO text has a fixed shape (`YYYY-MM-DDTHH:MM:SS.mmmZ`). */
const LAST_MS = Date.UTC(10_000, 0, 1);

export function isoTime(ms: number): string {
  if (!(ms >= 0 && ms < LAST_MS)) return new Date(ms).toISOString();
  const whole = Math.trunc(ms);
  const s = Math.floor(whole / 1000);
  if (s !== second) {
    prefix = new Date(s * 1000).toISOString().slice(0, 20);
    second = s;
  }
  const milli = whole - s * 1000;
  return `${prefix}${milli < 10 ? "00" : milli < 100 ? "0" : ""}${milli}Z`;
}
