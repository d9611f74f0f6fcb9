import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Integration tests start real servers and child processes; 2 cores are shared.
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
  },
});
