/**
 * The real `spgen` binary (dist/generator/cli.js, built first when stale):
 * exit codes 0/1/2, `generate --check` diffs, bad options, `transpile` and
 * `build`. Each test works in its own temporary copy of spec/core and
 * templates/.
 */

import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { spawnSync } from "node:child_process";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OPTION_LIMITS } from "../options.js";
import { findCompilers, findSocketIncludes } from "../toolchain/index.js";
import { builtCli, FIXTURES, ROOT, runCli } from "./helpers.js";
import { skipWithReason } from "./skip.js";

const temps: string[] = [];

/** A temporary project: spec/core and templates/ copied from the repository. */
function workspace(): string {
  const d = mkdtempSync(path.join(tmpdir(), "spgen-cli-"));
  temps.push(d);
  cpSync(path.join(ROOT, "spec/core"), path.join(d, "spec/core"), { recursive: true });
  cpSync(path.join(ROOT, "templates"), path.join(d, "templates"), { recursive: true });
  return d;
}

/** Every file under `dir` with its content. */
function snapshot(dir: string): Map<string, string> {
  const m = new Map<string, string>();
  const walk = (rel: string): void => {
    const abs = path.join(dir, rel);
    if (statSync(abs).isDirectory()) {
      for (const e of readdirSync(abs).sort()) {
        walk(rel === "" ? e : `${rel}/${e}`);
      }
    } else {
      m.set(rel, readFileSync(abs, "utf8"));
    }
  };
  if (existsSync(dir)) {
    walk("");
  }
  return m;
}

beforeAll(() => {
  builtCli();
}, 120_000);

afterAll(() => {
  for (const d of temps) {
    rmSync(d, { recursive: true, force: true });
  }
});

describe("spgen generate", () => {
  it("writes out/ (exit 0), then --check passes (exit 0), then fails with a diff when out/ is edited (exit 1)", () => {
    const ws = workspace();
    const gen = runCli(["generate"], ws);
    expect(gen.code, gen.stderr).toBe(0);
    expect(gen.stderr).toMatch(/^spgen: out\/: \d+ written, 0 unchanged\n$/);
    for (const f of ["scripting/websocket.sp", "scripting/include/websocket.inc", "scripting/websocket/core.inc"]) {
      expect(readFileSync(path.join(ws, "out", f), "utf8")).toBe(readFileSync(path.join(ROOT, "out", f), "utf8"));
    }

    const fresh = runCli(["generate", "--check"], ws);
    expect(fresh.code, fresh.stderr).toBe(0);
    expect(fresh.stdout).toBe("");
    expect(fresh.stderr).toMatch(/^spgen: out\/ is up to date \(\d+ files\)\n$/);

    const sp = path.join(ws, "out/scripting/websocket.sp");
    writeFileSync(sp, readFileSync(sp, "utf8").replace('author = "spgen"', 'author = "someone"'));
    const stale = runCli(["generate", "--check"], ws);
    expect(stale.code).toBe(1);
    expect(stale.stdout).toContain("--- a/out/scripting/websocket.sp\n+++ b/out/scripting/websocket.sp\n");
    expect(stale.stdout).toContain('\n-\tauthor = "someone",\n+\tauthor = "spgen",\n');
    expect(stale.stderr).toBe(
      "spgen: out/ is stale: out/scripting/websocket.sp (stale); run `spgen generate` with the same options\n",
    );
    // An output folder that does not exist: one line, not a diff of every file.
    const none = runCli(["generate", "--check", "--out", "nowhere"], ws);
    expect(none.code).toBe(1);
    expect(none.stdout).toBe("");
    expect(none.stderr).toBe("spgen: nowhere/ does not exist; run `spgen generate` with the same options\n");
  });

  it("reports spec errors as file:line:col diagnostics (exit 4, with --check too) and leaves out/ untouched", () => {
    const ws = workspace();
    expect(runCli(["generate"], ws).code).toBe(0);
    const before = snapshot(path.join(ws, "out"));
    writeFileSync(
      path.join(ws, "spec/core/zz-bad.ts"),
      "export function bad(x: number): number {\n  const f = (y: number): number => y;\n  return x / 2;\n}\n",
    );
    const r = runCli(["generate", "--max-message-size", "4096"], ws);
    expect(r.code).toBe(4);
    expect(r.stdout).toBe("");
    const diagnostics = [
      "spec/core/zz-bad.ts:2:13: error: an arrow function or closure is not supported in the SourcePawn subset (write a module-level function and pass what it needs as parameters)",
      "spec/core/zz-bad.ts:3:12: error: `/` outside `(a / b) | 0` is not supported in the SourcePawn subset (JavaScript division gives a fraction: write `(a / b) | 0` for integer division)",
      "spgen: 2 errors; nothing was written",
      "",
    ];
    expect(r.stderr.split("\n")).toEqual(diagnostics);
    expect(snapshot(path.join(ws, "out"))).toEqual(before);
    // --check tells "the spec has errors" (4) from "out/ is stale" (1).
    const check = runCli(["generate", "--check"], ws);
    expect(check.code).toBe(4);
    expect(check.stderr.split("\n")).toEqual(diagnostics);
    // Paths outside the working directory are shown absolute, never as ../../…
    const outside = runCli(["generate", "--spec", path.join(ws, "spec/core"), "--check"], path.join(ws, "templates"));
    expect(outside.code).toBe(2); // no templates/ under templates/
    const abs = runCli(
      ["generate", "--spec", path.join(ws, "spec/core"), "--templates", "..", "--out", "../out", "--check"],
      path.join(ws, "templates"),
    );
    expect(abs.code).toBe(4);
    expect(abs.stderr.split("\n")[0]).toBe(
      `${path.join(ws, "spec/core/zz-bad.ts")}:2:13: error: an arrow function or closure is not supported in the SourcePawn subset (write a module-level function and pass what it needs as parameters)`,
    );
  });

  it("applies generation options", () => {
    const ws = workspace();
    const r = runCli(
      ["generate", "--max-message-size", "2097152", "--max-connections", "64", "--tls", "none", "--out", "build/sm"],
      ws,
    );
    expect(r.code, r.stderr).toBe(0);
    const core = readFileSync(path.join(ws, "build/sm/scripting/websocket/core.inc"), "utf8");
    expect(core).toContain("\n#define CONFIG_MAX_MESSAGE_SIZE 2097152\n");
    expect(core).toContain("\n#define CONFIG_MAX_CONNECTIONS 64\n");
    expect(existsSync(path.join(ws, "out"))).toBe(false);
  });

  it("the package's bin runs by itself, as `npx spgen` runs it (executable, with its #! line)", () => {
    const r = spawnSync(builtCli(), ["--help"], { cwd: ROOT, encoding: "utf8" });
    expect(r.error, String(r.error)).toBeUndefined();
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain("spgen <command> [options]");
  });

  it("refuses bad options and paths with one line on stderr (exit 2)", () => {
    const ws = workspace();
    // A spec without the constant an option overrides.
    mkdirSync(path.join(ws, "mini"));
    writeFileSync(path.join(ws, "mini/a.ts"), "/** One. */\nexport const ONE = 1;\n");
    const cases: [string[], unknown][] = [
      [
        ["generate", "--spec", "mini", "--max-connections", "4"],
        "spgen: --max-connections: the spec defines no CONFIG_MAX_CONNECTIONS to override\n",
      ],
      [["generate", "--tls", "openssl"], 'spgen: --tls must be one of auto, oldmagic, none, got "openssl"\n'],
      [
        ["generate", "--max-message-size", "12"],
        `spgen: --max-message-size must be an integer from 125 to ${OPTION_LIMITS.maxMessageSize.max}, got "12"\n`,
      ],
      [
        ["generate", "--max-connections", "many"],
        'spgen: --max-connections must be an integer from 1 to 8183, got "many"\n',
      ],
      [["generate", "--spec", "nowhere"], "spgen: --spec: no such directory: nowhere\n"],
      [
        ["generate", "--out", "spec/core/config.ts/out"],
        `spgen: cannot create directory spec/core/config.ts/out: ${path.join(ws, "spec/core/config.ts")} is not a directory\n`,
      ],
      [["generate", "--bogus"], "spgen: Unknown argument: bogus (see spgen --help)\n"],
      [["frobnicate"], "spgen: Unknown argument: frobnicate (see spgen --help)\n"],
      [[], "spgen: a command is required (generate, vectors, transpile or build) (see spgen --help)\n"],
    ];
    for (const [args, stderr] of cases) {
      const r = runCli(args, ws);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr, args.join(" ")).toEqual(stderr);
      expect(r.stdout).toBe("");
    }
    expect(existsSync(path.join(ws, "out"))).toBe(false);
  });

  it("an output path that cannot be made fails at once with one line (exit 2): /proc, under a file", () => {
    const ws = workspace();
    writeFileSync(path.join(ws, "file"), "not a directory\n");
    const cases: [string[], string][] = [
      [
        ["generate", "--out", "file/out"],
        `spgen: cannot create directory file/out: ${path.join(ws, "file")} is not a directory\n`,
      ],
      [["generate", "--out", "file"], "spgen: --out: not a directory: file\n"],
      [
        ["transpile", "spec/core/sha1.ts", "-o", "file/x.inc"],
        `spgen: cannot create directory file: it exists and is not a directory\n`,
      ],
      [
        ["vectors", "--out", "file/v"],
        `spgen: cannot create directory file/v: ${path.join(ws, "file")} is not a directory\n`,
      ],
    ];
    if (existsSync("/proc/self")) {
      // Node 20's mkdirSync(..., { recursive: true }) never returns on these paths.
      const proc =
        "spgen: cannot create directory /proc/nope: the file system does not allow a directory there (ENOENT)\n";
      cases.push(
        [["generate", "--out", "/proc/nope"], proc],
        [["transpile", "spec/core/sha1.ts", "-o", "/proc/nope/x.inc"], proc],
        [["vectors", "--out", "/proc/nope"], proc],
      );
    } else {
      console.warn("cli.test: no /proc on this system: the /proc/nope cases are skipped");
    }
    for (const [args, stderr] of cases) {
      const start = Date.now();
      const r = runCli(args, ws, process.env, 20_000);
      const ms = Date.now() - start;
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr, args.join(" ")).toBe(stderr);
      expect(r.stdout).toBe("");
      // One second of its own (measured: about 0.4 s); the bound leaves room for a loaded test machine.
      expect(ms, args.join(" ")).toBeLessThan(8000);
    }
    expect(readdirSync(ws).sort()).toEqual(["file", "spec", "templates"]);

    // build: the plugins/ directory it compiles into (spcomp is any executable here: nothing gets to run it).
    expect(runCli(["generate"], ws).code).toBe(0);
    writeFileSync(path.join(ws, "out/plugins"), "");
    mkdirSync(path.join(ws, "inc"));
    writeFileSync(path.join(ws, "inc/sourcemod.inc"), "");
    writeFileSync(path.join(ws, "inc/socket.inc"), "");
    const b = runCli(["build"], ws, { ...process.env, SPCOMP: process.execPath, SM_INCLUDE: path.join(ws, "inc") });
    expect(b.code).toBe(2);
    expect(b.stderr).toBe("spgen: cannot create directory out/plugins: it exists and is not a directory\n");
  });

  it("--version prints package.json's version (exit 0)", () => {
    const r = runCli(["--version"], ROOT);
    expect(r.code).toBe(0);
    const pkg = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as { version: string };
    expect(r.stdout).toBe(`${pkg.version}\n`);
  });

  it("--help lists the commands, the options and examples (exit 0)", () => {
    const r = runCli(["generate", "--help"], ROOT);
    expect(r.code).toBe(0);
    for (const s of [
      "--max-message-size",
      "--max-connections",
      "--tls",
      "--check",
      "--spec",
      "--templates",
      "--out",
      "Examples:",
      "spgen generate --check",
    ]) {
      expect(r.stdout).toContain(s);
    }
    const top = runCli(["--help"], ROOT);
    expect(top.code).toBe(0);
    for (const s of [
      "spgen generate",
      "spgen transpile <files..>",
      "spgen build",
      "--version",
      "Exit codes: 0 success; 1 out/ is stale (--check); 2 bad option",
    ]) {
      expect(top.stdout).toContain(s);
    }
  });
});

describe("spgen transpile", () => {
  it("turns a module into a standalone include (file or stdout), reading but not emitting its imports", () => {
    const ws = workspace();
    const main = path.join(FIXTURES, "imports/main.ts");
    const r = runCli(["transpile", main, "-o", "gen/main.inc"], ws);
    expect(r.code, r.stderr).toBe(0);
    const text = readFileSync(path.join(ws, "gen/main.inc"), "utf8");
    // Module names are relative to the spec root (the modules' common directory), not to the working directory.
    const rel = "main.ts";
    expect(text).toBe(
      [
        `// Generated by spgen from ${rel}. DO NOT EDIT.`,
        "",
        "#if defined _main_included",
        " #endinput",
        "#endif",
        "#define _main_included",
        "",
        `// ${rel}`,
        "",
        "/** Calls into the imported module; `spgen transpile main.ts` emits only this module. */",
        "stock int quadruple(int x)",
        "{",
        "\tchar buf[LIB_SIZE];",
        "\tbuf[0] = x;",
        "\treturn twice(twice(buf[0]));",
        "}",
        "",
      ].join("\n"),
    );
    const bundled = runCli(["transpile", main, "--with-imports"], ws);
    expect(bundled.code, bundled.stderr).toBe(0);
    expect(bundled.stdout.split("\n")[0]).toBe("// Generated by spgen from main.ts, lib.ts. DO NOT EDIT.");
    // The same include from another working directory, with a relative path.
    const fromFixtures = runCli(["transpile", "imports/main.ts"], FIXTURES);
    expect(fromFixtures.code, fromFixtures.stderr).toBe(0);
    expect(fromFixtures.stdout).toBe(text);
    expect(bundled.stdout).toContain("#define LIB_SIZE 4\n");
    expect(bundled.stdout).toContain("stock int twice(int x)");
    expect(bundled.stdout).toContain("stock int quadruple(int x)");
    const out = runCli(["transpile", path.join(FIXTURES, "imports/lib.ts")], ws);
    expect(out.code).toBe(0);
    expect(out.stdout).toContain("stock int twice(int x)\n{\n\treturn x * 2;\n}\n");
    expect(out.stdout).toContain("#define LIB_SIZE 4\n");
  });

  it("exits 4 with diagnostics for a module outside the subset, and 2 for a missing file", () => {
    const ws = workspace();
    const r = runCli(["transpile", path.join(FIXTURES, "refused/this.ts"), "-o", "x.inc"], ws);
    expect(r.code).toBe(4);
    // Outside the working directory: the absolute path.
    expect(r.stderr).toContain(
      `${path.join(FIXTURES, "refused/this.ts")}:2:10: error: \`this\` is not supported in the SourcePawn subset`,
    );
    expect(existsSync(path.join(ws, "x.inc"))).toBe(false);
    writeFileSync(path.join(ws, "broken.ts"), "export function f(): number {\n  return (1;\n}\n");
    const syntax = runCli(["transpile", "broken.ts"], ws);
    expect(syntax.code).toBe(4);
    expect(syntax.stderr).toBe("broken.ts:2:12: error: TS1005: ')' expected.\nspgen: 1 error; nothing was written\n");
    const missing = runCli(["transpile", "nope.ts"], ws);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe("spgen: no such file: nope.ts\n");
  });
});

describe("spgen build", () => {
  it("says clearly when spcomp is missing (exit 2)", () => {
    const ws = workspace();
    expect(runCli(["generate"], ws).code).toBe(0);
    const env = { ...process.env, PATH: "", SPCOMP: "" };
    const r = runCli(["build"], ws, env);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      "spgen: spcomp not found (no spcomp on PATH and SPCOMP is not set): install the SourcePawn compiler or point SPCOMP at it\n",
    );
    const bad = runCli(["build"], ws, { ...process.env, SPCOMP: path.join(ws, "no-spcomp") });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("is not an executable file");
  });

  it("names SM_INCLUDE and --include when sourcemod.inc or socket.inc is not found (exit 2, before spcomp runs)", () => {
    const ws = workspace();
    expect(runCli(["generate"], ws).code).toBe(0);
    mkdirSync(path.join(ws, "sm"));
    writeFileSync(path.join(ws, "sm/sourcemod.inc"), "");
    // spcomp is any executable here: the check comes first, so it never runs.
    const env = { ...process.env, SPCOMP: process.execPath, SM_INCLUDE: "" };
    const none = runCli(["build"], ws, env);
    expect(none.code).toBe(2);
    expect(none.stderr).toBe(
      `spgen: sourcemod.inc not found in the include directories (SM_INCLUDE is not set; no --include): set SM_INCLUDE to SourceMod's scripting/include (a ${path.delimiter}-separated list) or pass --include <dir>\n`,
    );
    const noSocket = runCli(["build", "-i", "sm"], ws, env);
    expect(noSocket.code).toBe(2);
    expect(noSocket.stderr).toBe(
      `spgen: socket.inc not found in the include directories (SM_INCLUDE is not set; --include sm): set SM_INCLUDE to the socket extension's include directory (a ${path.delimiter}-separated list) or pass --include <dir>\n`,
    );
    expect(existsSync(path.join(ws, "out/plugins"))).toBe(false);
  });

  // The newest compiler with its own SourceMod includes, and the plain socket.inc (see generator/toolchain/).
  const compiler = findCompilers()
    .filter((c) => c.smInclude !== null)
    .pop();
  const spcomp = compiler?.path ?? null;
  const smInclude = compiler?.smInclude ?? null;
  const socket = findSocketIncludes().find((s) => s.flavour === "plain");
  const socketInclude = socket?.dir ?? undefined;
  const missingTool =
    spcomp === null
      ? "no spcomp with matching SourceMod includes (see npm run toolchain)"
      : socketInclude === undefined
        ? (socket?.why ?? "no socket.inc")
        : null;
  if (missingTool !== null) {
    skipWithReason(import.meta.url, "spgen build compiles out/ with spcomp", missingTool);
  }
  describe.runIf(missingTool === null)("with spcomp, SourceMod and socket extension includes", () => {
    it("compiles out/ (exit 0), and passes the compiler's diagnostics and exit code through with paths relative to out/", () => {
      const ws = workspace();
      expect(runCli(["generate"], ws).code).toBe(0);
      const env = {
        ...process.env,
        SPCOMP: spcomp as string,
        SM_INCLUDE: [smInclude as string, socketInclude as string].join(path.delimiter),
      };
      const ok = runCli(["build"], ws, env);
      expect(ok.code, ok.stdout + ok.stderr).toBe(0);
      expect(ok.stdout).not.toMatch(/warning|error/);
      expect(existsSync(path.join(ws, "out/plugins/websocket.smx"))).toBe(true);

      const sp = path.join(ws, "out/scripting/websocket.sp");
      writeFileSync(sp, `${readFileSync(sp, "utf8")}\npublic void SpgenTestUnused()\n{\n\tint unused = 1;\n}\n`);
      const bad = runCli(["build"], ws, env);
      expect(bad.code).not.toBe(0);
      expect(bad.stdout).toMatch(/scripting\/websocket\.sp\(\d+\) : (error|warning) 204/);
      const lax = runCli(["build", "--no-werror"], ws, env);
      expect(lax.code, lax.stdout).toBe(0);
    });

    it("SPCOMP may name a program on PATH; includes of another SourceMod version are refused before spcomp runs", () => {
      const ws = workspace();
      expect(runCli(["generate"], ws).code).toBe(0);
      const other = findCompilers().find((c) => c.path !== spcomp && c.version !== compiler?.version);
      const env = {
        ...process.env,
        SPCOMP: path.basename(other?.path ?? (spcomp as string)),
        PATH: `${path.dirname(other?.path ?? (spcomp as string))}${path.delimiter}${process.env.PATH ?? ""}`,
        SM_INCLUDE: [smInclude as string, socketInclude as string].join(path.delimiter),
      };
      const r = runCli(["build"], ws, env);
      if (other === undefined) {
        expect(r.code, r.stderr).toBe(0);
        return;
      }
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(
        new RegExp(
          `^spgen: spcomp ${other.version.replace(".", "\\.")} \\(.*\\) with SourceMod ${compiler?.version.replace(".", "\\.")}'s includes`,
        ),
      );
      expect(r.stdout).toBe("");
    });
  });
});
