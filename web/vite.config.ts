import path from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

const root = path.dirname(fileURLToPath(import.meta.url));

// In development `npx vite --config web/vite.config.ts` serves the UI and proxies the API to
// a running `unyo serve` on :8080; in production the server serves web/dist.
export default defineConfig({
  root,
  build: { outDir: path.join(root, "dist"), emptyOutDir: true },
  server: { proxy: { "/api": "http://localhost:8080", "/healthz": "http://localhost:8080" } },
});
