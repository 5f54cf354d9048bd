/** A real `unyo serve` on a cloned test database, and Debian's Chromium, for browser journeys. */
import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import { DEMO_PASSWORD, seedDemo } from "../../src/cli/demo.ts";
import { freePort } from "../../src/db/embedded.ts";
import { testDatabase } from "../helpers.ts";

export const ARTIFACTS = path.resolve("test-artifacts");

export interface E2E {
  base: string;
  browser: Browser;
  db: Awaited<ReturnType<typeof testDatabase>>["db"];
  url: string;
  close(): Promise<void>;
}

/** `env`: more environment for the web process and the worker (e.g. UNYO_TEST_CLOCK=1). */
export async function startE2E(opts: { env?: Record<string, string> } = {}): Promise<E2E> {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const dbHandle = await testDatabase();
  await seedDemo(dbHandle.db);
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  // A web process and a worker, as a deployment runs them.
  const env = { ...process.env, DATABASE_URL: dbHandle.url, LOG_LEVEL: "warn", ...opts.env };
  const server: ChildProcess = spawn(
    process.execPath,
    ["bin/unyo.js", "serve", "--port", String(port), "--host", "127.0.0.1"],
    { env, stdio: ["ignore", "pipe", "pipe"] },
  );
  const worker: ChildProcess = spawn(process.execPath, ["bin/unyo.js", "worker"], {
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  for (const p of [server, worker]) {
    p.stdout?.on("data", (c) => (output += c));
    p.stderr?.on("data", (c) => (output += c));
  }
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${base}/readyz`)).ok) break;
    } catch {}
    if (i > 300) throw new Error(`server did not start: ${output}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium",
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  // Every page is watched for what the Content-Security-Policy refused: the UI must work under it.
  const refused: string[] = [];
  const newPage = browser.newPage.bind(browser);
  browser.newPage = async (...args: Parameters<Browser["newPage"]>) => {
    const page = await newPage(...args);
    page.on("console", (m) => {
      if (
        m.type() === "error" &&
        /Content Security Policy|Refused to (load|execute|apply|connect|frame)/.test(m.text())
      )
        refused.push(`${page.url()}: ${m.text()}`);
    });
    return page;
  };
  return {
    base,
    browser,
    db: dbHandle.db,
    url: dbHandle.url,
    async close() {
      await browser.close();
      for (const p of [server, worker])
        if (p.exitCode === null) {
          p.kill("SIGTERM");
          await new Promise((r) => p.once("exit", r));
        }
      await dbHandle.drop();
      if (refused.length) throw new Error(`the Content-Security-Policy refused:\n${refused.join("\n")}`);
    },
  };
}

export async function logIn(page: Page, base: string, loginId: string, password = DEMO_PASSWORD) {
  await page.goto(base);
  await page.getByLabel("ユーザーID").fill(loginId);
  await page.getByLabel("パスワード").fill(password);
  await page.getByRole("button", { name: "ログイン" }).click();
}
