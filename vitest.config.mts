import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/globalSetup.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
    // The suites mostly wait (loopback HTTP, Azurite, child processes): more forks than the two cores finish sooner.
    maxWorkers: 4,
  },
});
