#!/usr/bin/env node
// The whole suite, as `npm test` and CI run it: typecheck, lint, unit + integration (real
// PostgreSQL), browser tests (Chromium). Stops at the first failing step.
import { spawnSync } from "node:child_process";
import fs from "node:fs";

const steps = [
  ["typecheck", "npx", ["tsc", "--noEmit", "-p", "tsconfig.json"]],
  ["lint", "npx", ["biome", "check", "."]],
  ["build web UI", "npx", ["vite", "build", "--config", "web/vite.config.ts", "--logLevel", "warn"]],
  [
    "unit + integration",
    "npx",
    [
      "vitest",
      "run",
      "--reporter=default",
      "--reporter=json",
      "--outputFile.json=test-artifacts/vitest-main.json",
    ],
  ],
  [
    "browser (e2e)",
    "npx",
    [
      "vitest",
      "run",
      "--config",
      "vitest.e2e.config.ts",
      "--reporter=default",
      "--reporter=json",
      "--outputFile.json=test-artifacts/vitest-e2e.json",
    ],
  ],
];

const chromium = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
if (!fs.existsSync(chromium)) {
  const root = typeof process.getuid === "function" && process.getuid() === 0;
  if (root) {
    console.log("== installing Debian's chromium and Japanese fonts for the browser tests");
    spawnSync("apt-get", ["update", "-qq"], { stdio: "inherit" });
    const r = spawnSync(
      "apt-get",
      ["install", "-y", "-qq", "--no-install-recommends", "chromium", "fonts-noto-cjk"],
      { stdio: "inherit", env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } },
    );
    if (r.status !== 0) process.exit(r.status ?? 1);
  } else {
    console.error(
      `Chromium is missing at ${chromium}: install it (sudo apt-get install chromium fonts-noto-cjk) or set CHROMIUM_PATH.`,
    );
    process.exit(1);
  }
}

for (const [name, cmd, args] of steps) {
  console.log(`\n== ${name}: ${cmd} ${args.join(" ")}`);
  const started = Date.now();
  const r = spawnSync(cmd, args, { stdio: "inherit" });
  if (r.status !== 0) {
    console.error(`\n== ${name} FAILED (exit ${r.status ?? r.signal})`);
    process.exit(r.status ?? 1);
  }
  console.log(`== ${name} ok (${((Date.now() - started) / 1000).toFixed(1)} s)`);
}

// One plain closing line over every test run.
let passed = 0;
let failed = 0;
for (const f of ["test-artifacts/vitest-main.json", "test-artifacts/vitest-e2e.json"]) {
  const r = JSON.parse(fs.readFileSync(f, "utf8"));
  passed += r.numPassedTests;
  failed += r.numFailedTests;
}
console.log(`\n${passed} passed, ${failed} failed`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
