/**
 * HTTP-date exactly as RFC 9110 §5.6.7 defines it: IMF-fixdate, or the obsolete RFC 850 and
 * asctime forms, nothing else. `Date.parse` takes far more (`… 2050 02:01:18 UTC`, missing
 * commas, extra spaces, dashes, one-digit hours), and RFC 9111 §5.3 gives an invalid `Expires`
 * a meaning of its own: already expired. Names are matched case-insensitively (RFC 9111 §4.2).
 */

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const MONTH = 'jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec';
const DAY = 'mon|tue|wed|thu|fri|sat|sun';
const TIME = '(\\d\\d):(\\d\\d):(\\d\\d)';
// Sun, 06 Nov 1994 08:49:37 GMT
const IMF_FIXDATE = new RegExp(`^(?:${DAY}), (\\d\\d) (${MONTH}) (\\d{4}) ${TIME} GMT$`, 'i');
// Sunday, 06-Nov-94 08:49:37 GMT
const RFC850_DATE = new RegExp(`^(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday), (\\d\\d)-(${MONTH})-(\\d\\d) ${TIME} GMT$`, 'i');
// Sun Nov  6 08:49:37 1994
const ASCTIME_DATE = new RegExp(`^(?:${DAY}) (${MONTH}) ((?:\\d| )\\d) ${TIME} (\\d{4})$`, 'i');

function utc(year: number, month: string, day: number, hour: number, minute: number, second: number): number | undefined {
  const monthIndex = MONTHS.indexOf(month.toLowerCase());
  // `second` may be 60 (a leap second, §5.6.7); anything else out of range is not a date.
  if (hour > 23 || minute > 59 || second > 60 || day < 1) return undefined;
  const at = Date.UTC(year, monthIndex, day, hour, minute, Math.min(second, 59));
  return new Date(at).getUTCDate() === day ? at + (second === 60 ? 1000 : 0) : undefined;
}

/**
 * RFC 850's two-digit year (§5.6.7): a year more than 50 years after `nowMs` is read as the most
 * recent past year with the same last two digits.
 */
function fullYear(twoDigits: number, nowMs: number): number {
  const thisYear = new Date(nowMs).getUTCFullYear();
  const year = Math.floor(thisYear / 100) * 100 + twoDigits;
  return year > thisYear + 50 ? year - 100 : year;
}

/** The instant (epoch ms) an HTTP-date names; `undefined` when `text` is not an HTTP-date. */
export function parseHttpDate(text: string | undefined, nowMs = Date.now()): number | undefined {
  if (text === undefined) return undefined;
  let m = IMF_FIXDATE.exec(text);
  if (m) return utc(Number(m[3]), m[2]!, Number(m[1]), Number(m[4]), Number(m[5]), Number(m[6]));
  m = RFC850_DATE.exec(text);
  if (m) return utc(fullYear(Number(m[3]), nowMs), m[2]!, Number(m[1]), Number(m[4]), Number(m[5]), Number(m[6]));
  m = ASCTIME_DATE.exec(text);
  if (m) return utc(Number(m[6]), m[1]!, Number(m[2]!.trim()), Number(m[3]), Number(m[4]), Number(m[5]));
  return undefined;
}

/** `ms` as an IMF-fixdate, the form the policy library (and everyone) reads right. */
export function formatHttpDate(ms: number): string {
  return new Date(ms).toUTCString();
}
