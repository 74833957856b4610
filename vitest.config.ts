import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["spec/test/**/*.test.ts", "generator/test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Peer tests bind loopback ports; files run in parallel workers, each test file owns its servers.
    pool: "forks",
    // Prints what was found of the SourcePawn toolchain and the real SourceMod, and what is missing.
    globalSetup: ["generator/test/toolchain-report.ts"],
  },
});
