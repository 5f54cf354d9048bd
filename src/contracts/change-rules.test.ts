/** Changes of a contract's content (Art. 20(2), 29(4), 11): what a request does, and the versions billing charges. */
import { describe, expect, it } from "vitest";
import { errorOf } from "../billing/rules/fixtures.ts";
import { applyChange, type Content, removedOptions, stepsBetween, versionsOf } from "./change-rules.ts";

const web = (h: string) => ({ hostname: h, provider: "aws" });
const base: Content = {
  plan: "standard",
  options: ["backup"],
  servers: [web("web-1"), web("web-2")],
  committedMonths: null,
};

describe("applying a change request (Art. 20(2))", () => {
  it("changes the plan, options, servers and term together, one step each", () => {
    const r = applyChange(base, {
      plan: "premium",
      addOptions: ["patching"],
      removeOptions: ["backup"],
      addServers: [web("db-1"), web("db-2")],
      removeServers: ["WEB-2"],
      committedMonths: 12,
    });
    expect(r.result.content).toEqual({
      plan: "premium",
      options: ["patching"],
      servers: [web("web-1"), web("db-1"), web("db-2")],
      committedMonths: 12,
    });
    expect(r.result.steps).toEqual([
      "plan standard → premium",
      "option patching added",
      "option backup removed",
      "2 server(s) added (db-1, db-2)",
      "1 server(s) removed (web-2)",
      "committed term 12 months (Art. 12(2))",
    ]);
    expect(stepsBetween(base, r.result.content)).toEqual([
      "plan standard → premium",
      "option patching added",
      "option backup removed",
      "2 server(s) added (db-1, db-2)",
      "1 server(s) removed (web-2)",
      "committed term 12 months (Art. 12(2))",
    ]);
    expect(r.basis[0]!.article).toBe("20(2)");
  });

  const refusals: [string, Parameters<typeof applyChange>[1], string, string][] = [
    ["nothing asked", {}, "validation_failed", "plan"],
    ["the same plan", { plan: "standard" }, "conflict", "plan"],
    ["an option it has", { addOptions: ["backup"] }, "conflict", "addOptions"],
    ["an option named twice", { addOptions: ["patching", "patching"] }, "conflict", "addOptions"],
    [
      "added and removed",
      { addOptions: ["patching"], removeOptions: ["patching"] },
      "conflict",
      "addOptions",
    ],
    ["an option it lacks", { removeOptions: ["patching"] }, "conflict", "removeOptions"],
    ["a server it covers", { addServers: [web("Web-1")] }, "conflict", "addServers"],
    ["a server twice", { addServers: [web("x"), web("X")] }, "conflict", "addServers"],
    ["a server it does not cover", { removeServers: ["db-9"] }, "conflict", "removeServers"],
    ["every server", { removeServers: ["web-1", "web-2"] }, "conflict", "removeServers"],
    ["the same term", { committedMonths: null }, "conflict", "committedMonths"],
  ];
  it.each(refusals)("refuses %s", (_name, req, code, field) => {
    const e = errorOf(() => applyChange(base, req));
    expect(e.code).toBe(code);
    expect(e.article).toBe("20(2)");
    expect(Object.keys(e.details as object)).toEqual([field]);
  });

  it("lets a server be replaced by one of the same name in one request", () => {
    const r = applyChange(base, {
      removeServers: ["web-2"],
      addServers: [{ hostname: "web-2", provider: "gcp" }],
    });
    expect(r.result.content.servers).toEqual([web("web-1"), { hostname: "web-2", provider: "gcp" }]);
  });
});

describe("the content's versions (Art. 20(4), 29(4))", () => {
  const p = (plan: string, options: string[] = []) => ({ plan, options, servers: 1 });

  it("is the current content from the start without changes", () => {
    expect(versionsOf("2026-01-05", p("basic"), [])).toEqual([
      { from: "2026-01-05", until: null, content: p("basic") },
    ]);
  });

  it("orders changes by receipt, each in effect from the day it was received", () => {
    const v = versionsOf("2026-01-05", p("standard"), [
      { receivedOn: "2026-05-20", before: p("premium"), after: p("standard") },
      { receivedOn: "2026-05-10", before: p("basic"), after: p("premium") },
    ]);
    expect(v).toEqual([
      { from: "2026-01-05", until: "2026-05-10", content: p("basic") },
      { from: "2026-05-10", until: "2026-05-20", content: p("premium") },
      { from: "2026-05-20", until: null, content: p("standard") },
    ]);
  });

  it("drops a version superseded on its first day, and a change received before the start counts from the start", () => {
    const v = versionsOf("2026-01-05", p("standard"), [
      { receivedOn: "2026-01-01", before: p("basic"), after: p("premium") },
      { receivedOn: "2026-03-01", before: p("premium"), after: p("basic") },
      { receivedOn: "2026-03-01", before: p("basic"), after: p("standard") },
    ]);
    expect(v).toEqual([
      { from: "2026-01-05", until: "2026-03-01", content: p("premium") },
      { from: "2026-03-01", until: null, content: p("standard") },
    ]);
  });

  it("names the options removed and the day their removal was received (Art. 11)", () => {
    const v = versionsOf("2026-01-05", p("basic", ["a"]), [
      { receivedOn: "2026-04-02", before: p("basic", ["a", "b", "c"]), after: p("basic", ["a", "c"]) },
      { receivedOn: "2026-06-01", before: p("basic", ["a", "c"]), after: p("basic", ["a"]) },
    ]);
    expect(removedOptions(v)).toEqual([
      { option: "b", receivedOn: "2026-04-02" },
      { option: "c", receivedOn: "2026-06-01" },
    ]);
  });
});
