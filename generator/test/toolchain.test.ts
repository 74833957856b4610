/**
 * generator/toolchain/ against a fake machine: stand-in spcomp/spshell scripts
 * that print the real banners, and include folders in a temp dir. Checks the
 * lookup order of the README's Toolchain table, that SourceMod includes of
 * another version are never paired with a compiler, and that the report names
 * the variable that would supply each missing piece.
 */

import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  findCompilers,
  findShells,
  findSmInclude,
  findSocketIncludes,
  findToolchain,
  toolchainReport,
} from "../toolchain/index.js";

const root = mkdtempSync(path.join(tmpdir(), "spgen-toolchain-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function script(file: string, text: string): string {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `#!/bin/sh\ncat <<'X'\n${text}\nX\n`);
  chmodSync(file, 0o755);
  return file;
}

function smIncludes(dir: string, minor: number | null): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, "sourcemod.inc"), "// stand-in\n");
  if (minor !== null) {
    writeFileSync(path.join(dir, "version.inc"), `#define SOURCEMOD_V_MAJOR 1\n#define SOURCEMOD_V_MINOR ${minor}\n`);
  }
  return dir;
}

const bin = path.join(root, "bin");
script(path.join(bin, "spcomp-1.12"), "SourcePawn Compiler 1.12.0.7199");
script(path.join(bin, "spcomp"), "SourcePawn Compiler 1.13.0.7300");
script(path.join(bin, "spshell-1.13"), "SourcePawn version: 1.13.0.7300\nJust-in-time (JIT) compiler available");
const other13 = script(path.join(root, "elsewhere/spcomp"), "SourcePawn Compiler 1.13.0.9999");
const share = path.join(root, "share");
smIncludes(path.join(share, "1.12/include"), 12);
const inc13 = smIncludes(path.join(root, "sm113"), 13);
mkdirSync(path.join(share, "socket-plain"), { recursive: true });
writeFileSync(path.join(share, "socket-plain/socket.inc"), "// stand-in\n");
const base = { PATH: bin, SM_SHARE: share, SPGEN_SM_ROOT: path.join(root, "no-sourcemod") };

describe("the toolchain lookup", () => {
  it("reads versions from banners, one binary per version, oldest first", () => {
    const cs = findCompilers(base);
    expect(cs.map((c) => [c.version, path.basename(c.path)])).toEqual([
      ["1.12", "spcomp-1.12"],
      ["1.13", "spcomp"],
    ]);
    expect(findShells(base).map((s) => [s.version, s.jit])).toEqual([["1.13", true]]);
  });

  it("a per-version variable wins over PATH", () => {
    const cs = findCompilers({ ...base, SPCOMP_1_13: other13 });
    expect(cs.find((c) => c.version === "1.13")?.path).toBe(other13);
  });

  it("pairs each compiler with includes of its own version only", () => {
    // SM_INCLUDE points at 1.13's includes: used for 1.13, never for 1.12.
    const env = { ...base, SM_INCLUDE: inc13 };
    const cs = findCompilers(env);
    expect(cs.find((c) => c.version === "1.12")?.smInclude).toBe(path.join(share, "1.12/include"));
    expect(cs.find((c) => c.version === "1.13")?.smInclude).toBe(inc13);
    const none12 = findSmInclude("1.12", { ...env, SM_SHARE: path.join(root, "empty") });
    expect(none12.dir).toBeNull();
    expect(none12.why).toContain(`SM_INCLUDE=${inc13} (SourceMod 1.13)`);
    expect(none12.why).toContain("set SM_INCLUDE_1_12");
    expect(findSmInclude("1.13", { ...env, SM_INCLUDE_1_13: path.join(root, "nothing") }).dir).toBe(inc13);
  });

  it("finds socket.inc per flavour, by variable or under the share", () => {
    const [plain, tls] = findSocketIncludes(base);
    expect(plain.dir).toBe(path.join(share, "socket-plain"));
    expect(tls.dir).toBeNull();
    expect(tls.why).toContain("set SOCKET_INCLUDE_TLS");
    expect(findSocketIncludes({ ...base, SOCKET_INCLUDE_TLS: path.join(share, "socket-plain") })[1].dir).toBe(
      path.join(share, "socket-plain"),
    );
  });

  it("reports include folders passed over for their version, and variables that name no program", () => {
    const report = toolchainReport(findToolchain({ ...base, SM_INCLUDE: inc13, SPCOMP_1_12: "/nonexistent" })).join(
      "\n",
    );
    expect(report).toContain(`SourceMod 1.12 includes: ${path.join(share, "1.12/include")}`);
    expect(report).not.toContain("(passed over");
    const env = { ...base, SM_INCLUDE_1_12: inc13, SPCOMP_1_12: "/nonexistent" };
    const r2 = toolchainReport(findToolchain(env)).join("\n");
    expect(r2).toContain(`(passed over: SM_INCLUDE_1_12=${inc13} (SourceMod 1.13))`);
    expect(r2).toContain("SPCOMP_1_12=/nonexistent: not an executable file, ignored");
  });

  it("reports every missing piece with what would supply it", () => {
    const report = toolchainReport(findToolchain(base)).join("\n");
    expect(report).toContain("spshell 1.12: not found (SPSHELL_1_12, SPSHELL, spshell-1.12 or spshell on PATH)");
    expect(report).toContain(`spshell 1.13 includes: not found (SPSHELL_INCLUDE_1_13 or ${share}/1.13/shell)`);
    expect(report).toMatch(/SourceMod 1\.13 includes: not found: looked at .*set SM_INCLUDE_1_13/);
    expect(report).toContain(`real SourceMod (end-to-end group): no SourceMod test environment: SPGEN_SM_ROOT=`);
  });
});
