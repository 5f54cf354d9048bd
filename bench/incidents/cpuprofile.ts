/**
 * Where a process's CPU went, from a V8 `.cpuprofile` (node --cpu-prof): self time by area (Unyo's
 * own files, each package, Node's internals, GC, idle) and the heaviest functions, self and inclusive.
 */
import fs from "node:fs";
import path from "node:path";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

function areaOf(url: string, fn: string): string {
  if (fn === "(idle)") return "(idle)";
  if (fn === "(garbage collector)") return "(garbage collector)";
  if (fn === "(program)") return "(program: native, compiling, other)";
  if (!url) return "(native/builtins)";
  const nm = url.lastIndexOf("/node_modules/");
  if (nm >= 0) {
    const rest = url.slice(nm + 14).split("/");
    return `pkg ${rest[0]!.startsWith("@") ? `${rest[0]}/${rest[1]}` : rest[0]}`;
  }
  const src = url.indexOf("/src/");
  if (src >= 0) return `unyo ${url.slice(src + 1)}`;
  if (url.startsWith("node:")) return `node ${url.slice(5).split("/")[0]}`;
  return url;
}

const label = (n: ProfileNode) => {
  const u = n.callFrame.url;
  const file = u
    ? u.includes("/node_modules/")
      ? u.slice(u.lastIndexOf("/node_modules/") + 14)
      : path.basename(u)
    : "";
  return `${n.callFrame.functionName || "(anonymous)"} ${file}${u ? `:${n.callFrame.lineNumber + 1}` : ""}`;
};

/**
 * `within` ("function@part of its file's URL"): only the samples from the first to the last whose
 * stack has that function (the measured load, not the process's start-up).
 */
export function summarizeProfile(file: string, opts: { top?: number; within?: string } = {}) {
  const top = opts.top ?? 25;
  const p = JSON.parse(fs.readFileSync(file, "utf8")) as Profile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const [fnName, urlPart] = (opts.within ?? "@").split("@") as [string, string];
  const stackHas = (id: number) => {
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const f = byId.get(cur)!.callFrame;
      if (f.functionName === fnName && f.url.includes(urlPart)) return true;
    }
    return false;
  };
  let first = 0;
  let last = p.samples.length - 1;
  if (opts.within) {
    const marked = new Map<number, boolean>();
    const has = (id: number) => {
      let v = marked.get(id);
      if (v === undefined) {
        v = stackHas(id);
        marked.set(id, v);
      }
      return v;
    };
    while (first < p.samples.length && !has(p.samples[first]!)) first++;
    while (last > first && !has(p.samples[last]!)) last--;
  }
  const self = new Map<number, number>();
  let total = 0;
  for (let i = first; i <= last; i++) {
    const ms = (p.timeDeltas[i] ?? 0) / 1000;
    total += ms;
    self.set(p.samples[i]!, (self.get(p.samples[i]!) ?? 0) + ms);
  }
  const idle = [...self].filter(([id]) => byId.get(id)!.callFrame.functionName === "(idle)");
  const idleMs = idle.reduce((s, [, v]) => s + v, 0);
  const busy = total - idleMs;
  const areas = new Map<string, number>();
  const fnSelf = new Map<string, number>();
  for (const [id, ms] of self) {
    const n = byId.get(id)!;
    const a = areaOf(n.callFrame.url, n.callFrame.functionName);
    areas.set(a, (areas.get(a) ?? 0) + ms);
    fnSelf.set(label(n), (fnSelf.get(label(n)) ?? 0) + ms);
  }
  // Inclusive time of each function (a function on the stack twice counts once).
  const incl = new Map<string, number>();
  for (const [id, ms] of self) {
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const n = byId.get(cur)!;
      if (!n.callFrame.url.includes("/src/")) continue;
      const l = label(n);
      if (seen.has(l)) continue;
      seen.add(l);
      incl.set(l, (incl.get(l) ?? 0) + ms);
    }
  }
  const sorted = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]);
  const share = (ms: number) => `${((100 * ms) / busy).toFixed(1).padStart(5)} %`;
  const lines: string[] = [];
  lines.push(
    `profile ${path.basename(file)}: ${(total / 1000).toFixed(1)} s wall, ${(busy / 1000).toFixed(1)} s on the CPU (shares below are of the busy time)`,
  );
  lines.push("  self time by area:");
  for (const [a, ms] of sorted(areas)
    .filter(([a]) => a !== "(idle)")
    .slice(0, top))
    lines.push(`    ${share(ms)}  ${a}`);
  lines.push("  heaviest functions, self time:");
  for (const [f, ms] of sorted(fnSelf)
    .filter(([f]) => !f.startsWith("(idle)"))
    .slice(0, top))
    lines.push(`    ${share(ms)}  ${f}`);
  lines.push("  Unyo's functions, inclusive time (what they and everything they call cost):");
  for (const [f, ms] of sorted(incl).slice(0, top)) lines.push(`    ${share(ms)}  ${f}`);
  // Native functions with much self time (a system call): who called them (the nearest JS frames).
  const natives = sorted(fnSelf)
    .filter(([f]) => !f.startsWith("(") && !f.includes(":"))
    .slice(0, 3);
  for (const [name, nms] of natives) {
    if (nms < busy * 0.03) continue;
    const callers = new Map<string, number>();
    for (const [id, ms] of self) {
      const n = byId.get(id)!;
      if (label(n) !== name) continue;
      const chain: string[] = [];
      for (let cur = parent.get(id); cur !== undefined && chain.length < 4; cur = parent.get(cur)) {
        const c = byId.get(cur)!;
        if (c.callFrame.url && !c.callFrame.url.startsWith("node:")) chain.push(label(c));
      }
      const k = chain.join(" ← ") || "(no JS caller)";
      callers.set(k, (callers.get(k) ?? 0) + ms);
    }
    lines.push(`  who calls ${name.trim()} (${share(nms).trim()}):`);
    for (const [k, ms] of sorted(callers).slice(0, 6)) lines.push(`    ${share(ms)}  ${k}`);
  }
  return lines.join("\n");
}

if (process.argv[1] && import.meta.url.endsWith(path.basename(process.argv[1])))
  for (const f of process.argv.slice(2))
    console.log(summarizeProfile(f, { within: process.env.WITHIN || undefined }));
