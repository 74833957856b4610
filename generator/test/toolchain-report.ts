/**
 * vitest globalSetup: builds dist/ when it is stale, and prints, once before
 * the tests, what was found of the toolchain and what was not
 * (generator/toolchain/), so that a run where groups are skipped says which
 * variable or path would enable them.
 */

import { findToolchain, toolchainReport } from "../toolchain/index.js";
import { buildCliIfStale } from "./helpers.js";

export default function setup(): void {
  // Once, before the workers: they run the built CLI and must never see dist/ half rewritten.
  buildCliIfStale();
  const lines = toolchainReport(findToolchain());
  console.log(["Toolchain (npm run toolchain; README, Toolchain):", ...lines.map((l) => `  ${l}`)].join("\n"));
}
