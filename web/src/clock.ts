/**
 * The instance's date and time, as the server reports it (`GET /api/v1/clock`). On an instance with a
 * test clock (UNYO_TEST_CLOCK=1) it differs from the browser's: default months and dates in forms
 * follow the instance, so that a rehearsed month end looks as it will on the day.
 */
let offsetMs = 0;

export interface InstanceClock {
  now: string;
  today: string;
  testClock: boolean;
}

/** Remember how far the instance's clock is from the browser's. */
export function setInstanceClock(c: InstanceClock) {
  offsetMs = Date.parse(c.now) - Date.now();
}

const japanNow = () => new Date(Date.now() + offsetMs + 9 * 3600_000);

/** This month in Japan (the terms' calendar) on the instance's clock, as YYYY-MM. */
export function monthInJapan(offset = 0): string {
  const d = japanNow();
  const m = d.getUTCFullYear() * 12 + d.getUTCMonth() + offset;
  return `${Math.floor(m / 12)}-${String((m % 12) + 1).padStart(2, "0")}`;
}

/** Today in Japan on the instance's clock, as YYYY-MM-DD. */
export function todayInJapan(): string {
  return japanNow().toISOString().slice(0, 10);
}
