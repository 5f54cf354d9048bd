#!/usr/bin/env node
// npm run bench [-- name]: runs bench/<name>.ts (all when no name is given).
import { spawnSync } from "node:child_process";
import fs from "node:fs";

const wanted = process.argv.slice(2);
const all = fs
  .readdirSync("bench")
  // Helpers other benches start (the probe's target and baseline processes) are not benches.
  .filter(
    (f) => f.endsWith(".ts") && !["lib.ts", "hello.ts", "probe-target.ts", "probe-baseline.ts"].includes(f),
  )
  .map((f) => f.slice(0, -3));
for (const name of wanted.length ? wanted : all) {
  console.log(`\n### bench/${name}.ts`);
  const r = spawnSync(process.execPath, ["--import", "tsx", `bench/${name}.ts`], { stdio: "inherit" });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
