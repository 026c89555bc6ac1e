/**
 * EventBridge schedule expressions: `rate(value unit)`, `cron(minutes hours day-of-month month day-of-week year)` and,
 * for EventBridge Scheduler, `at(yyyy-mm-ddThh:mm:ss)`. Cron fields accept `,` `-` `*` `/`; day-of-month also `?`, `L`
 * and `W`; day-of-week also `?`, `L` and `#`; one of day-of-month and day-of-week must be `?`. Rules run in UTC;
 * Scheduler schedules in their time zone.
 */
export type ScheduleExpression =
  | { readonly kind: 'rate'; readonly everyMs: number }
  | { readonly kind: 'cron'; readonly fields: CronFields }
  | { readonly kind: 'at'; readonly wall: WallTime };

interface WallTime {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
}

interface CronFields {
  readonly minutes: ReadonlySet<number>;
  readonly hours: ReadonlySet<number>;
  readonly months: ReadonlySet<number>;
  readonly years: ReadonlySet<number> | 'any';
  readonly dayOfMonth: DayRule;
  readonly dayOfWeek: DayRule;
}

/** A day-of-month or day-of-week rule: any day (`?`/`*`), a set, the last (`L`), the weekday nearest (`W`), the nth (`#`). */
type DayRule =
  | { readonly kind: 'any' }
  | { readonly kind: 'set'; readonly values: ReadonlySet<number> }
  | { readonly kind: 'last'; readonly weekday?: number }
  | { readonly kind: 'nearestWeekday'; readonly day: number }
  | { readonly kind: 'nth'; readonly weekday: number; readonly n: number };

export class ScheduleExpressionError extends Error {}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];
const UNITS: Record<string, number> = {
  minute: 60_000,
  minutes: 60_000,
  hour: 3_600_000,
  hours: 3_600_000,
  day: 86_400_000,
  days: 86_400_000,
};

export function parseScheduleExpression(text: string): ScheduleExpression {
  const rate = /^rate\((\d+) (minutes?|hours?|days?)\)$/.exec(text.trim());
  if (rate) {
    const value = Number(rate[1]);
    const unit = rate[2] as string;
    if (value < 1) throw new ScheduleExpressionError(`${text}: the rate must be at least 1`);
    if ((value === 1) !== !unit.endsWith('s'))
      throw new ScheduleExpressionError(
        `${text}: write "1 ${unit.replace(/s$/, '')}" or "${value} ${unit.replace(/s?$/, 's')}"`,
      );
    return { kind: 'rate', everyMs: value * (UNITS[unit] as number) };
  }
  const at = /^at\((\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\)$/.exec(text.trim());
  if (at) {
    const [year, month, day, hour, minute, second] = at.slice(1).map(Number) as [
      number,
      number,
      number,
      number,
      number,
      number,
    ];
    return { kind: 'at', wall: { year, month, day, hour, minute, second } };
  }
  const cron = /^cron\((.+)\)$/.exec(text.trim());
  if (cron) return { kind: 'cron', fields: parseCron(cron[1] as string, text) };
  throw new ScheduleExpressionError(`"${text}" is not rate(…), cron(…) or at(…)`);
}

function parseCron(body: string, text: string): CronFields {
  const parts = body.trim().split(/\s+/);
  if (parts.length !== 6)
    throw new ScheduleExpressionError(
      `${text}: a cron expression has 6 fields (minutes hours day-of-month month day-of-week year), got ${parts.length}`,
    );
  const [minutes, hours, dom, month, dow, year] = parts as [string, string, string, string, string, string];
  if ((dom === '?') === (dow === '?'))
    throw new ScheduleExpressionError(`${text}: exactly one of day-of-month and day-of-week must be "?"`);
  return {
    minutes: values(minutes, 0, 59, [], text),
    hours: values(hours, 0, 23, [], text),
    months: values(month, 1, 12, MONTHS, text),
    years: year === '*' ? 'any' : values(year, 1970, 2199, [], text),
    dayOfMonth: dayOfMonthRule(dom, text),
    dayOfWeek: dayOfWeekRule(dow, text),
  };
}

/** A field's values: lists of `*`, `a`, `a-b`, `*\/n` or `a-b/n`, names allowed where given (JAN…, SUN… = 1-based). */
function values(field: string, min: number, max: number, names: readonly string[], text: string): Set<number> {
  const number = (token: string): number => {
    const named = names.indexOf(token.toUpperCase());
    const n = named !== -1 ? named + 1 : Number(token);
    if (!Number.isInteger(n) || n < min || n > max)
      throw new ScheduleExpressionError(`${text}: "${token}" is outside ${min}-${max}`);
    return n;
  };
  const result = new Set<number>();
  for (const item of field.split(',')) {
    const [range, stepText] = item.split('/') as [string, string | undefined];
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1) throw new ScheduleExpressionError(`${text}: "${item}" has a bad step`);
    const [from, to] =
      range === '*'
        ? [min, max]
        : range.includes('-')
          ? (range.split('-').map(number) as [number, number])
          : [number(range), stepText === undefined ? number(range) : max];
    for (let v = from; v <= to; v += step) result.add(v);
  }
  return result;
}

function dayOfMonthRule(field: string, text: string): DayRule {
  if (field === '?' || field === '*') return { kind: 'any' };
  if (field === 'L') return { kind: 'last' };
  const weekday = /^(\d{1,2})W$/.exec(field);
  if (weekday) return { kind: 'nearestWeekday', day: [...values(weekday[1] as string, 1, 31, [], text)][0] as number };
  return { kind: 'set', values: values(field, 1, 31, [], text) };
}

function dayOfWeekRule(field: string, text: string): DayRule {
  if (field === '?' || field === '*') return { kind: 'any' };
  const nth = /^(\w+)#([1-5])$/.exec(field);
  if (nth)
    return { kind: 'nth', weekday: [...values(nth[1] as string, 1, 7, DAYS, text)][0] as number, n: Number(nth[2]) };
  const last = /^(\w+)L$/.exec(field);
  if (last) return { kind: 'last', weekday: [...values(last[1] as string, 1, 7, DAYS, text)][0] as number };
  return { kind: 'set', values: values(field, 1, 7, DAYS, text) };
}

const daysIn = (year: number, month: number) => new Date(Date.UTC(year, month, 0)).getUTCDate();

function dayMatches(fields: CronFields, year: number, month: number, day: number): boolean {
  const weekday = new Date(Date.UTC(year, month - 1, day)).getUTCDay() + 1; // 1 = SUN
  const last = daysIn(year, month);
  const dom = fields.dayOfMonth;
  const dow = fields.dayOfWeek;
  if (dom.kind === 'set' && !dom.values.has(day)) return false;
  if (dom.kind === 'last' && day !== last) return false;
  if (dom.kind === 'nearestWeekday') {
    const target = Math.min(dom.day, last);
    const targetWeekday = new Date(Date.UTC(year, month - 1, target)).getUTCDay();
    // Saturday moves to Friday (or Monday on the 1st), Sunday to Monday (or Friday on the last day).
    const nearest =
      targetWeekday === 6
        ? target === 1
          ? 3
          : target - 1
        : targetWeekday === 0
          ? target === last
            ? target - 2
            : target + 1
          : target;
    if (day !== nearest) return false;
  }
  if (dow.kind === 'set' && !dow.values.has(weekday)) return false;
  if (dow.kind === 'last' && (weekday !== dow.weekday || day + 7 <= last)) return false;
  if (dow.kind === 'nth' && (weekday !== dow.weekday || Math.ceil(day / 7) !== dow.n)) return false;
  return true;
}

/** The epoch milliseconds of a wall time in a time zone (UTC when none). */
export function wallToEpoch(wall: WallTime, timeZone?: string): number {
  const guess = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second);
  if (timeZone === undefined || timeZone === 'UTC') return guess;
  // The zone's offset at the guess, applied twice so a change of offset (daylight saving) settles.
  let epoch = guess - offsetMs(guess, timeZone);
  epoch = guess - offsetMs(epoch, timeZone);
  return epoch;
}

function offsetMs(epoch: number, timeZone: string): number {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    })
      .formatToParts(new Date(epoch))
      .map((p) => [p.type, Number(p.value)]),
  ) as Record<string, number>;
  const asUtc = Date.UTC(
    parts.year as number,
    (parts.month as number) - 1,
    parts.day as number,
    parts.hour as number,
    parts.minute as number,
    parts.second as number,
  );
  return asUtc - Math.floor(epoch / 1000) * 1000;
}

/**
 * The first time strictly after `after` (epoch ms) the expression fires, or undefined when it never will again. A
 * rate fires every interval from `start` (when the rule was created); a cron at whole minutes of the time zone.
 */
export function nextFireTime(
  expression: ScheduleExpression,
  after: number,
  options: { start: number; timeZone?: string },
): number | undefined {
  if (expression.kind === 'rate') {
    const elapsed = Math.max(0, after - options.start);
    return options.start + (Math.floor(elapsed / expression.everyMs) + 1) * expression.everyMs;
  }
  if (expression.kind === 'at') {
    const time = wallToEpoch(expression.wall, options.timeZone);
    return time > after ? time : undefined;
  }
  const { fields } = expression;
  const zone = options.timeZone;
  // Walk the calendar in the zone's wall time, day by day, for up to 5 years (then: never, e.g. a past year).
  const local = new Date(after + offsetOrZero(after, zone));
  for (let dayIndex = 0; dayIndex < 5 * 366; dayIndex++) {
    const date = new Date(Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate() + dayIndex));
    const [year, month, day] = [date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate()];
    if (
      (fields.years !== 'any' && !fields.years.has(year)) ||
      !fields.months.has(month) ||
      !dayMatches(fields, year, month, day)
    )
      continue;
    for (const hour of [...fields.hours].sort((a, b) => a - b)) {
      for (const minute of [...fields.minutes].sort((a, b) => a - b)) {
        const time = wallToEpoch({ year, month, day, hour, minute, second: 0 }, zone);
        if (time > after) return time;
      }
    }
  }
  return undefined;
}

const offsetOrZero = (epoch: number, timeZone?: string) =>
  timeZone === undefined || timeZone === 'UTC' ? 0 : offsetMs(epoch, timeZone);
