/** The one source of "now" for services; tests pass a fixed clock. Rules never read it. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

export function fixedClock(start: Date): Clock & { advance(ms: number): void; set(at: Date): void } {
  let t = start.getTime();
  return {
    now: () => new Date(t),
    advance(ms: number) {
      t += ms;
    },
    set(at: Date) {
      t = at.getTime();
    },
  };
}

/** Where a test clock stands: the test time `at`, set when the real time was `setAt`; frozen or running. */
export interface TestClockState {
  at: Date;
  setAt: Date;
  frozen: boolean;
}

/**
 * A test clock for non-production instances (like Stripe's test clocks): "now" is the test time the
 * admin set, running on from there (or frozen). Every process of the instance reads the same state
 * from the database (`admin/clock.ts` keeps this one current), so the web, the worker and the CLI
 * agree on today's date. Without a state it is the system clock.
 */
export class TestClock implements Clock {
  private state: TestClockState | null = null;

  now(): Date {
    const s = this.state;
    if (!s) return new Date();
    return new Date(s.frozen ? s.at.getTime() : s.at.getTime() + (Date.now() - s.setAt.getTime()));
  }

  apply(state: TestClockState | null): void {
    this.state = state;
  }

  get current(): TestClockState | null {
    return this.state;
  }
}
