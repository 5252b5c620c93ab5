/**
 * ElastiCache's time windows, checked before deploy: `hh24:mi-hh24:mi` (daily snapshot, UTC) and
 * `ddd:hh24:mi-ddd:hh24:mi` (weekly maintenance). Both last at least 60 minutes and must not
 * overlap, or CloudFormation fails half-way through a deploy.
 */
const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const WEEK = 7 * 24 * 60;
const DAY = 24 * 60;

type Range = [start: number, end: number];

function clock(value: string): number | undefined {
  const match = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(value);
  return match ? Number(match[1]) * 60 + Number(match[2]) : undefined;
}

/** Minutes of the day, or throws naming `what`. */
export function parseDailyWindow(value: string, what: string): Range {
  const [from, to] = value.split('-');
  const start = from === undefined ? undefined : clock(from);
  const end = to === undefined ? undefined : clock(to);
  if (start === undefined || end === undefined) throw new Error(`${what} must look like hh24:mi-hh24:mi (UTC), got ${JSON.stringify(value)}`);
  const length = (end - start + DAY) % DAY;
  if (length < 60) throw new Error(`${what} must last at least 60 minutes, got ${JSON.stringify(value)}`);
  return [start, start + length];
}

/** Minutes of the week, or throws naming `what`. */
export function parseWeeklyWindow(value: string, what: string): Range {
  const match = /^([a-z]{3}):(\d\d:\d\d)-([a-z]{3}):(\d\d:\d\d)$/.exec(value.toLowerCase());
  const at = (day: string | undefined, time: string | undefined) => {
    const d = DAYS.indexOf(day ?? '');
    const t = clock(time ?? '');
    return d < 0 || t === undefined ? undefined : d * DAY + t;
  };
  const start = match ? at(match[1], match[2]) : undefined;
  const end = match ? at(match[3], match[4]) : undefined;
  if (start === undefined || end === undefined) throw new Error(`${what} must look like ddd:hh24:mi-ddd:hh24:mi (UTC), got ${JSON.stringify(value)}`);
  const length = (end - start + WEEK) % WEEK;
  if (length < 60) throw new Error(`${what} must last at least 60 minutes, got ${JSON.stringify(value)}`);
  return [start, start + length];
}

/** True when the daily window falls inside the weekly one on any day. */
export function windowsOverlap(daily: Range, weekly: Range): boolean {
  for (let day = -1; day <= 7; day++) {
    const start = daily[0] + day * DAY;
    const end = daily[1] + day * DAY;
    for (const shift of [0, WEEK]) {
      if (start < weekly[1] + shift && weekly[0] + shift < end) return true;
    }
  }
  return false;
}
