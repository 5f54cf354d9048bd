import { describe, expect, it } from "vitest";
import { base32Decode, base32Encode, hotp, totpCode, verifyTotp } from "./totp.ts";

// RFC 6238 Appendix B (SHA-1, 8 digits → we check the 6-digit truncation of the same HOTP values)
// and RFC 4226 Appendix D for HOTP.
const RFC_SECRET = Buffer.from("12345678901234567890");

describe("TOTP", () => {
  it("matches the RFC 4226 HOTP test values", () => {
    const expected = [
      "755224",
      "287082",
      "359152",
      "969429",
      "338314",
      "254676",
      "287922",
      "162583",
      "399871",
      "520489",
    ];
    for (const [counter, code] of expected.entries()) expect(hotp(RFC_SECRET, counter)).toBe(code);
  });
  it("matches RFC 6238 at T=59 s and T=1111111109 s (last 6 digits)", () => {
    const secret = base32Encode(RFC_SECRET);
    expect(totpCode(secret, new Date(59_000))).toBe("287082");
    expect(totpCode(secret, new Date(1111111109_000))).toBe("081804");
  });
  it("round-trips base32", () => {
    const buf = Buffer.from([0, 1, 2, 250, 255, 7]);
    expect(base32Decode(base32Encode(buf)).equals(buf)).toBe(true);
  });
  it("accepts ±1 step of drift, refuses others", () => {
    const secret = base32Encode(RFC_SECRET);
    const at = new Date(1_800_000_000_000);
    const code = totpCode(secret, at);
    expect(verifyTotp(secret, code, new Date(at.getTime() + 30_000))).toBeDefined();
    expect(verifyTotp(secret, code, new Date(at.getTime() + 90_000))).toBeUndefined();
    expect(verifyTotp(secret, "12345", at)).toBeUndefined();
  });
});
