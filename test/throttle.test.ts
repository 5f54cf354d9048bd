/** The request throttle (db/throttle.ts): a fixed window per key, restarted when over or when it lies ahead. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AppError } from "../src/core/errors.ts";
import { hitThrottle } from "../src/db/throttle.ts";
import { testDatabase } from "./helpers.ts";

let h: Awaited<ReturnType<typeof testDatabase>>;
beforeAll(async () => {
  h = await testDatabase();
});
afterAll(async () => {
  await h?.drop();
});

const hit = (key: string, at: string) => hitThrottle(h.db, key, 15, 2, new Date(at), "tries");
const refused = async (p: Promise<void>) => {
  try {
    await p;
  } catch (err) {
    if (err instanceof AppError && err.code === "too_many_requests")
      return (err.details as { retryAfterSeconds: number }).retryAfterSeconds;
    throw err;
  }
  return null;
};

describe("the request throttle", () => {
  it("refuses past the limit within the window, with the seconds left, and starts again after it", async () => {
    expect(await refused(hit("a", "2026-12-03T01:00:00Z"))).toBeNull();
    expect(await refused(hit("a", "2026-12-03T01:01:00Z"))).toBeNull();
    expect(await refused(hit("a", "2026-12-03T01:05:00Z"))).toBe(600);
    expect(await refused(hit("b", "2026-12-03T01:05:00Z"))).toBeNull();
    expect(await refused(hit("a", "2026-12-03T01:15:01Z"))).toBeNull();
  });

  it("does not lock an address out until a future day when the clock is set back", async () => {
    await hit("c", "2026-12-10T01:00:00Z");
    await hit("c", "2026-12-10T01:00:01Z");
    expect(await refused(hit("c", "2026-12-10T01:00:02Z"))).toBe(898);
    // The (test) clock goes back a week: the window ahead is over, not 9 days away.
    expect(await refused(hit("c", "2026-12-03T01:00:00Z"))).toBeNull();
    expect(await refused(hit("c", "2026-12-03T01:00:01Z"))).toBeNull();
    expect(await refused(hit("c", "2026-12-03T01:00:02Z"))).toBe(898);
  });
});
