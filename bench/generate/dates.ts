/** Day arithmetic on UTC epoch days: fast and free of time-zone surprises. */

const msPerDay = 86_400_000;

/** Epoch day of a 'YYYY-MM-DD' string. */
export function toEpochDay(date: string): number {
  return Math.floor(Date.parse(`${date}T00:00:00Z`) / msPerDay);
}

/** 'YYYY-MM-DD' of an epoch day. */
export function fromEpochDay(day: number): string {
  return new Date(day * msPerDay).toISOString().slice(0, 10);
}

/**
 * The epoch day `months` calendar months after `day`, the day of month clamped
 * to the target month's last day (as PostgreSQL's `date + interval` does).
 */
export function addMonths(day: number, months: number): number {
  const date = new Date(day * msPerDay);
  const year = date.getUTCFullYear();
  const month = date.getUTCMonth() + months;
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  const shifted = Date.UTC(year, month, Math.min(date.getUTCDate(), lastDay));
  return Math.floor(shifted / msPerDay);
}

/** Today's date in UTC, 'YYYY-MM-DD'. */
export function todayUtc(): string {
  return new Date().toISOString().slice(0, 10);
}

/**
 * Memoised day strings: generating millions of rows formats the same few
 * thousand dates over and over.
 */
export class DayStrings {
  readonly #cache = new Map<number, string>();

  /** 'YYYY-MM-DD' of an epoch day. */
  date(day: number): string {
    let text = this.#cache.get(day);
    if (text === undefined) {
      text = fromEpochDay(day);
      this.#cache.set(day, text);
    }
    return text;
  }

  /** A timestamptz literal in UTC at `minute` minutes past midnight of `day`. */
  timestamp(day: number, minute: number): string {
    const hours = Math.floor(minute / 60);
    const minutes = minute % 60;
    return `${this.date(day)} ${hours < 10 ? '0' : ''}${hours}:${minutes < 10 ? '0' : ''}${minutes}:00+00`;
  }
}
