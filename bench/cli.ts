/**
 * `unyo --help` and `unyo <command> --help`, wall time of the whole process (Node start, tsx, the
 * command's module), 9 rounds each, medians. Baseline in the same run: Node starting and
 * registering tsx, with nothing else loaded — the floor of any `unyo` invocation.
 */
import { spawnSync } from "node:child_process";
import { median } from "./lib.ts";

const rounds = Number(process.env.ROUNDS ?? 9);
const cases: Record<string, string[]> = {
  "node + tsx, nothing else (baseline)": ["-e", "import('tsx/esm/api').then((m) => m.register())"],
  "unyo --help": ["bin/unyo.js", "--help"],
  "unyo billing --help": ["bin/unyo.js", "billing", "--help"],
  "unyo billing run --help": ["bin/unyo.js", "billing", "run", "--help"],
  "unyo rules --help": ["bin/unyo.js", "rules", "--help"],
};
const times: Record<string, number[]> = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
// Rounds alternate between the cases so that the machine's noise falls on all of them alike.
for (let i = 0; i < rounds; i++) {
  for (const [name, args] of Object.entries(cases)) {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, args, { stdio: "ignore" });
    if (r.status !== 0) throw new Error(`${name} exited ${r.status}`);
    times[name]!.push(performance.now() - t0);
  }
}
const base = median(times["node + tsx, nothing else (baseline)"]!);
console.log(`wall time, ${rounds} rounds (median [min–max], ratio to the baseline):`);
for (const [name, xs] of Object.entries(times)) {
  console.log(
    `  ${name.padEnd(38)} ${(median(xs) / 1000).toFixed(2)} s [${(Math.min(...xs) / 1000).toFixed(2)}–${(Math.max(...xs) / 1000).toFixed(2)}]  ${(median(xs) / base).toFixed(2)}×`,
  );
}
