import { describe, expect, it } from "vitest";
import { articleJa, articleLabel } from "./articles.ts";

describe("article labels", () => {
  it("write an article, its paragraph and item in Japanese and English", () => {
    expect(articleJa("29")).toBe("第29条");
    expect(articleJa("29(4)")).toBe("第29条第4項");
    expect(articleJa("29(1)(3)")).toBe("第29条第1項第3号");
    expect(articleLabel("35(17)", "ja")).toBe("第35条第17項");
    expect(articleLabel("35(17)", "en")).toBe("Art. 35(17)");
  });
  it("leave what is not an article reference as it is", () => {
    expect(articleJa("Annex 2")).toBe("Annex 2");
  });
});
