/** Unyo processes started by a test (`bin/unyo.js …`), killed when the test file ends. */
import { type ChildProcess, spawn } from "node:child_process";
import { afterAll } from "vitest";

const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
});

export function spawnUnyo(args: string[], env: NodeJS.ProcessEnv) {
  const child = spawn(process.execPath, ["bin/unyo.js", ...args], {
    env: { ...process.env, LOG_LEVEL: "warn", UNYO_DEMO: "0", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout?.on("data", (c) => (out += c));
  child.stderr?.on("data", (c) => (out += c));
  children.push(child);
  return { child, output: () => out };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function until(what: string, ok: () => Promise<boolean>, ms = 30_000) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await ok().catch(() => false)) return;
    await sleep(100);
  }
  throw new Error(`timed out waiting for ${what}`);
}
