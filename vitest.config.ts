import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    exclude: ["test/e2e/**", "node_modules/**"],
    globalSetup: ["test/global-setup.ts"],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    pool: "forks",
    // Most tests wait on PostgreSQL, child processes and sockets rather than on the CPU: four files at
    // a time on a 2-core machine take about two thirds of the time of the default (one per core less one).
    maxWorkers: 4,
    // Tests in a file run in a random order each time (the seed is printed): none may depend on
    // another having run first.
    sequence: { shuffle: { files: false, tests: true } },
  },
});
