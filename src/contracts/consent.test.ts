import { describe, expect, it } from "vitest";
import { AppError } from "../core/errors.ts";
import { checkConsent } from "./receipt-rules.ts";

const V2 = { id: "00000000-0000-4000-8000-000000000002", number: "2", effectiveOn: "2026-12-01" };
const V1 = "00000000-0000-4000-8000-000000000001";

describe("consent on a web application (Art. 15, 35(11))", () => {
  it.each([
    ["the version in force and the current notice", V2, V2.id, "P-2", null],
    ["no version in force, none consented to", null, null, "P-2", null],
    ["an earlier version (the new one came into force while the form was open)", V2, V1, "P-2", "15"],
    ["a version when none is in force yet (announced, not in force)", null, V1, "P-2", "15"],
    ["no version when one is in force", V2, null, "P-2", "15"],
    ["the version in force but an older privacy notice", V2, V2.id, "P-1", "35(11)"],
  ] as const)("%s → %s", (_what, inForce, consented, privacy, refusedBy) => {
    const run = () => checkConsent({ termsVersionId: consented, privacyNotice: privacy }, inForce, "P-2");
    if (refusedBy === null) {
      expect(run).not.toThrow();
      return;
    }
    try {
      run();
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(AppError);
      expect((err as AppError).article).toBe(refusedBy);
      expect((err as AppError).code).toBe("conflict");
    }
  });

  it("names the version to read", () => {
    expect(() => checkConsent({ termsVersionId: V1, privacyNotice: "P-2" }, V2, "P-2")).toThrow(
      /version 2 \(effective 2026-12-01\)/,
    );
  });
});
