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

/**
 * Run `unyo worker` and SIGKILL it whenever it has made progress (`progress()` grew) while work is
 * still `pending()`, at most `maxKills` times, then let a last one finish (≤ 60 s) and stop it.
 * Answers how many times it was killed.
 */
export async function killWorkerWhileDelivering(
  env: NodeJS.ProcessEnv,
  progress: () => number,
  pending: () => Promise<number>,
  maxKills: number,
): Promise<number> {
  let worker: ChildProcess | undefined;
  const start = () => {
    worker = spawn(process.execPath, ["bin/unyo.js", "worker"], { env, stdio: "ignore" });
  };
  let kills = 0;
  start();
  while (kills < maxKills) {
    const before = progress();
    await sleep(120);
    if (progress() > before && (await pending()) > 0) {
      worker!.kill("SIGKILL");
      await new Promise((r) => worker!.once("exit", r));
      kills++;
      start();
    }
    if ((await pending()) === 0) break;
  }
  const deadline = Date.now() + 60_000;
  while ((await pending()) > 0 && Date.now() < deadline) await sleep(200);
  worker!.kill("SIGTERM");
  await new Promise((r) => worker!.once("exit", r));
  return kills;
}
