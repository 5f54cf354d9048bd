#!/usr/bin/env node
// Runs the TypeScript sources directly through tsx, so the CLI works right after `npm ci`.
import { register } from "tsx/esm/api";

register();
const { main } = await import("../src/cli/main.ts");
// Servers return only after a graceful shutdown; then everything is closed and we exit.
process.exit(await main(process.argv.slice(2)));
