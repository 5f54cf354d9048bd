import fs from "node:fs";
import path from "node:path";
import { WEB_DIST } from "../http/app.ts";

/** Build the web UI when it is missing or older than its sources (npm start needs no separate build). */
export async function ensureWebBuilt(log: (s: string) => void): Promise<void> {
  const webRoot = path.resolve(WEB_DIST, "..");
  const index = path.join(WEB_DIST, "index.html");
  const newest = (dir: string): number =>
    fs.readdirSync(dir, { withFileTypes: true }).reduce((m, e) => {
      const p = path.join(dir, e.name);
      return Math.max(m, e.isDirectory() ? newest(p) : fs.statSync(p).mtimeMs);
    }, 0);
  const sourceTime = Math.max(
    newest(path.join(webRoot, "src")),
    fs.statSync(path.join(webRoot, "index.html")).mtimeMs,
  );
  if (fs.existsSync(index) && fs.statSync(index).mtimeMs >= sourceTime) return;
  log("building the web UI (first start) …");
  const { build } = await import("vite");
  await build({ configFile: path.join(webRoot, "vite.config.ts"), logLevel: "warn" });
}
