import { defineConfig } from "vitest/config";

// Two cores on the CI machine: a few forks, long timeouts for real-server and CLI tests.
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/helpers/global-setup.ts"],
    pool: "forks",
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
