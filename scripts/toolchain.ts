#!/usr/bin/env node
/**
 * Prints what the tests and benchmarks will find of the toolchain on this
 * machine (spcomp, spshell, SourceMod / spshell / socket.inc includes, the
 * real SourceMod environment), one line each, with the variable or path that
 * would supply what is missing (generator/toolchain/). `npm run toolchain`.
 */

import { findToolchain, toolchainReport } from "../generator/toolchain/index.js";

for (const line of toolchainReport(findToolchain())) {
  console.log(line);
}
