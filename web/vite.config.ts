import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import zlib from "node:zlib";
import { defineConfig, type Plugin } from "vite";

const root = path.dirname(fileURLToPath(import.meta.url));

/**
 * Every built text file (scripts, styles, SVG, the page itself) is written beside itself compressed
 * as `.br` and `.gz`, so the server sends the smallest the browser accepts without compressing per
 * request (`preCompressed` of @fastify/static). Fonts and images are compressed already.
 */
function precompress(): Plugin {
  const outDir = path.join(root, "dist");
  return {
    name: "unyo-precompress",
    apply: "build",
    closeBundle() {
      const walk = (dir: string): string[] =>
        fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
          const p = path.join(dir, e.name);
          return e.isDirectory() ? walk(p) : [p];
        });
      for (const file of walk(outDir)) {
        if (!/\.(js|css|html|svg|json|txt)$/.test(file)) continue;
        const body = fs.readFileSync(file);
        if (body.length < 1024) continue;
        fs.writeFileSync(
          `${file}.br`,
          zlib.brotliCompressSync(body, {
            params: {
              [zlib.constants.BROTLI_PARAM_QUALITY]: 11,
              [zlib.constants.BROTLI_PARAM_SIZE_HINT]: body.length,
            },
          }),
        );
        fs.writeFileSync(`${file}.gz`, zlib.gzipSync(body, { level: 9 }));
      }
    },
  };
}

// In development `npx vite --config web/vite.config.ts` serves the UI and proxies the API to
// a running `unyo serve` on :8080; in production the server serves web/dist. Built assets are
// named by their content's hash (`assets/index-<hash>.js`): the server caches them immutable.
export default defineConfig({
  root,
  plugins: [precompress()],
  build: {
    outDir: path.join(root, "dist"),
    emptyOutDir: true,
    rollupOptions: {
      // TanStack Query marks modules "use client" for React Server Components; a browser bundle has none.
      onwarn(warning, warn) {
        if (warning.code === "MODULE_LEVEL_DIRECTIVE" && warning.message.includes("use client")) return;
        warn(warning);
      },
    },
  },
  server: { proxy: { "/api": "http://localhost:8080", "/healthz": "http://localhost:8080" } },
});
