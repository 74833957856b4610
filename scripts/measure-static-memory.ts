#!/usr/bin/env node
/**
 * Measures the two constants of generator/static-memory.ts that follow the
 * records of the glue and the core (FIXED_DATA_BYTES, CONNECTION_RECORD_BYTES):
 * generates websocket.sp for --max-message-size 125 with 1 and 2 connections,
 * compiles both with spcomp 1.13 (found as the tests find it: npm run
 * toolchain), reads spcomp's "Data size" and subtracts the option-sized arrays
 * (staticArrays). Prints the two constants, how far they moved, and the data
 * size with the default options. Run it when static-memory.test.ts reports a
 * new figure: `npm run measure:static-memory`.
 */

import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { generateFiles } from "../generator/generate.js";
import { parseGenerateOptions, SPEC_ARRAY_CONSTANTS } from "../generator/options.js";
import {
  CONNECTION_RECORD_BYTES,
  FIXED_DATA_BYTES,
  staticArrays,
  staticDataBytes,
  type StaticMemoryParams,
} from "../generator/static-memory.js";
import { findCompilers, findSocketIncludes } from "../generator/toolchain/index.js";
import { CONFIG_MAX_CONNECTIONS, CONFIG_MAX_MESSAGE_SIZE } from "../spec/core/config.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

function params(maxMessageSize: number, maxConnections: number): StaticMemoryParams {
  return { ...SPEC_ARRAY_CONSTANTS, maxMessageSize, maxConnections };
}

function arrays(p: StaticMemoryParams): number {
  return staticArrays(p).reduce((sum, a) => sum + a.bytes, 0);
}

const spcomp = findCompilers().find((c) => c.version === "1.13" && c.smInclude !== null);
const socket = findSocketIncludes().find((s) => s.flavour === "plain" && s.dir !== null);
if (spcomp === undefined || socket === undefined) {
  console.error(
    "measure-static-memory: needs spcomp 1.13 with its SourceMod includes and the plain socket.inc (npm run toolchain)",
  );
  process.exit(2);
}

const work = mkdtempSync(path.join(tmpdir(), "spgen-measure-"));
try {
  const data: number[] = [];
  for (const n of [1, 2]) {
    const dir = path.join(work, String(n));
    const options = parseGenerateOptions({ out: dir, maxMessageSize: "125", maxConnections: String(n) }, ROOT);
    for (const f of (await generateFiles(options)).files) {
      mkdirSync(path.dirname(path.join(dir, f.path)), { recursive: true });
      writeFileSync(path.join(dir, f.path), f.content);
    }
    const output = execFileSync(
      spcomp.path,
      [
        "scripting/websocket.sp",
        "-iscripting/include",
        `-i${spcomp.smInclude as string}`,
        `-i${socket.dir as string}`,
        `-o${path.join(dir, "websocket.smx")}`,
        "-E",
      ],
      { cwd: dir, encoding: "utf8" },
    );
    const m = /Data size:\s+(\d+) bytes/.exec(output);
    if (m === null) {
      throw new Error(`no "Data size" in spcomp's output:\n${output}`);
    }
    data.push(Number(m[1]));
  }
  const connection = data[1] - data[0] - (arrays(params(125, 2)) - arrays(params(125, 1)));
  const fixed = data[0] - connection - arrays(params(125, 1));
  const defaults =
    fixed + CONFIG_MAX_CONNECTIONS * connection + arrays(params(CONFIG_MAX_MESSAGE_SIZE, CONFIG_MAX_CONNECTIONS));
  console.log(
    `spcomp ${spcomp.version}: Data size ${data[0]} (1 connection), ${data[1]} (2 connections) at --max-message-size 125`,
  );
  console.log(
    `FIXED_DATA_BYTES = ${fixed} (now ${FIXED_DATA_BYTES}, ${fixed - FIXED_DATA_BYTES >= 0 ? "+" : ""}${fixed - FIXED_DATA_BYTES})`,
  );
  console.log(
    `CONNECTION_RECORD_BYTES = ${connection} (now ${CONNECTION_RECORD_BYTES}, ${connection - CONNECTION_RECORD_BYTES >= 0 ? "+" : ""}${connection - CONNECTION_RECORD_BYTES})`,
  );
  console.log(
    `default options (${CONFIG_MAX_MESSAGE_SIZE} bytes, ${CONFIG_MAX_CONNECTIONS} connections): ${defaults} bytes (now computed: ${staticDataBytes(params(CONFIG_MAX_MESSAGE_SIZE, CONFIG_MAX_CONNECTIONS))})`,
  );
  console.log(
    "Every measured pair (m, n) of static-memory.test.ts moves by the FIXED change plus n times the CONNECTION change.",
  );
} finally {
  rmSync(work, { recursive: true, force: true });
}
