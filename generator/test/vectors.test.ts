/**
 * The test vectors (issue 5): the oracle's lines checked against independent
 * references (node:crypto, Buffer, TextDecoder, BigInt arithmetic, the hostile
 * table's own expectations), out/vectors and the self-test plugin checked to
 * be fresh, and — where the SourcePawn toolchain is installed — the vectors
 * program compiled by every spcomp found and run by every spshell that can
 * load it (JIT and interpreter), whose output must equal the oracle's lines
 * line for line. The self-test plugin is compiled against the matching
 * SourceMod includes with warnings as errors.
 */

import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildVectors, type VectorSet } from "../../spec/vectors/cases.js";
import { OVERFLOW_RESULT } from "../../spec/vectors/oracle.js";
import { VecIntOp, VecKind } from "../../spec/vectors/runner.js";
import { HOSTILE_MAX_MESSAGE, hostileCases, type HostileEvent } from "../../spec/test/cases/hostile.js";
import { expectedLines, renderVectorFiles, vectorBundle, VECTOR_PATHS, type VectorBundle } from "../vectors/render.js";
import { findCompilers, findShells, runModesFor, type Compiler } from "../toolchain/index.js";
import { skipWithReason } from "./skip.js";
import { ROOT } from "./helpers.js";

const run = promisify(execFile);

const bundle: VectorBundle = vectorBundle({ cwd: ROOT });
const set: VectorSet = bundle.set;
/** Number of session timelines (the self-test counts each as one vector). */
const sessions = bundle.sessions.timelines.length;
/** Result of each case, by name. */
const results = new Map<string, string>(
  bundle.expected.map((l) => [l.slice(0, l.indexOf("\t")), l.slice(l.indexOf("\t") + 1)]),
);

/** The cases of a group with their parameter rows (the kind excluded). */
function casesOf(group: string): { name: string; kind: number; row: number[]; result: string }[] {
  return set.cases
    .filter((c) => c.group === group)
    .map((c) => {
      const kind = set.params[c.p];
      const next = set.cases[set.cases.indexOf(c) + 1];
      const end = next === undefined ? set.params.length : next.p;
      return {
        name: c.name,
        kind,
        row: Array.from(set.params.subarray(c.p + 1, end)),
        result: results.get(c.name) as string,
      };
    });
}

function dataAt(off: number, len: number): Buffer {
  return Buffer.from(set.data.subarray(off, off + len));
}

describe("vector tables", () => {
  it("are deterministic, named uniquely and small enough to compile quickly", () => {
    const again = buildVectors();
    expect(Buffer.from(again.data).equals(Buffer.from(set.data))).toBe(true);
    expect(Array.from(again.params)).toEqual(Array.from(set.params));
    expect(new Set(set.cases.map((c) => c.name)).size).toBe(set.cases.length);
    expect(set.data.length).toBeLessThan(1 << 20);
    expect(set.params.length).toBeLessThan(1 << 18);
    expect(set.groups.length).toBeGreaterThanOrEqual(20);
    for (const c of set.cases) {
      expect(c.name, c.name).toMatch(/^[\x20-\x7e]+$/);
    }
  });

  it("give one printable line per case, none overflowing", () => {
    expect(bundle.expected.length).toBe(set.cases.length);
    for (const line of bundle.expected) {
      expect(line).toMatch(/^[^\t]+\t[\x20-\x7e]*$/);
      expect(line.endsWith(`\t${OVERFLOW_RESULT}`), line.slice(0, 80)).toBe(false);
    }
    for (const g of set.groups) {
      expect(casesOf(g).length, g).toBeGreaterThan(0);
    }
  });
});

describe("oracle lines against independent references", () => {
  it("SHA-1 equals node:crypto", () => {
    let n = 0;
    for (const c of casesOf("sha1").filter((x) => x.kind === VecKind.Sha1)) {
      expect(c.result, c.name).toBe(createHash("sha1").update(dataAt(c.row[0], c.row[1])).digest("hex"));
      n++;
    }
    expect(n).toBeGreaterThan(20);
  });

  it("base64 equals Buffer (encode) and rejects exactly the non-canonical inputs (decode)", () => {
    for (const c of casesOf("base64")) {
      const input = dataAt(c.row[0], c.row[1]);
      if (c.kind === VecKind.Base64Encode) {
        const b64 = input.toString("base64");
        expect(c.result, c.name).toBe(`${b64.length}:${b64}`);
      } else {
        const text = input.toString("latin1");
        const decoded = Buffer.from(text, "base64");
        const canonical = /^[A-Za-z0-9+/]*={0,2}$/.test(text) && decoded.toString("base64") === text;
        expect(c.result, c.name).toBe(canonical ? `${decoded.length}:${decoded.toString("hex")}` : "-1");
      }
    }
  });

  it("the RFC 6455 example key gives the RFC's accept value", () => {
    expect(results.get("hs-key/rfc6455-example")).toBe("dGhlIHNhbXBsZSBub25jZQ==|s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
  });

  it("UTF-8 verdicts equal TextDecoder (fatal), whatever the split", () => {
    for (const c of casesOf("utf8")) {
      let valid = true;
      try {
        new TextDecoder("utf-8", { fatal: true }).decode(dataAt(c.row[0], c.row[1]));
      } catch {
        valid = false;
      }
      const [states, verdict] = c.result.split("|");
      expect(verdict, c.name).toBe(valid ? "1" : "0");
      const last = states === "" ? "0" : (states.split(",").at(-1) as string);
      // The state after the last chunk is ACCEPT (0) exactly for valid input.
      expect(last === "0", c.name).toBe(valid);
    }
  });

  it("int32 results equal BigInt arithmetic reduced to 32 bits", () => {
    const i32 = (v: bigint): string => String(BigInt.asIntN(32, v));
    const cases = casesOf("int32");
    expect(cases.length).toBeGreaterThan(1000);
    for (const c of cases) {
      const [op, a, b] = c.row;
      const A = BigInt(a);
      const B = BigInt(b);
      let want: string | null = null;
      switch (op) {
        case VecIntOp.Add:
          want = i32(A + B);
          break;
        case VecIntOp.Sub:
          want = i32(A - B);
          break;
        case VecIntOp.Imul:
          want = i32(A * B);
          break;
        case VecIntOp.Div:
          want = i32(A / B); // BigInt division truncates toward zero
          break;
        case VecIntOp.Mod:
          want = i32(A % B); // sign of the dividend
          break;
        case VecIntOp.Shl:
          want = i32(A << B);
          break;
        case VecIntOp.Sar:
          want = i32(A >> B);
          break;
        case VecIntOp.Shr:
          want = i32(BigInt.asUintN(32, A) >> B);
          break;
        case VecIntOp.ByteStore:
          want = String(BigInt.asUintN(8, A));
          break;
        case VecIntOp.Neg:
          want = i32(-A);
          break;
        default:
          break;
      }
      if (want !== null) {
        expect(c.result, c.name).toBe(want);
      }
    }
  });

  it("hostile rows give the events, close codes and failure offsets of the hostile table", () => {
    const byName = new Map(hostileCases.map((r) => [r.name, r]));
    /** A message payload as the runner writes it: hex up to 64 bytes, else `~` and FNV-1a; null when the table only has a SHA-1. */
    const payload = (e: HostileEvent & { kind: "message" }): string | null => {
      if (e.hex === undefined) {
        return null;
      }
      const bytes = Buffer.from(e.hex, "hex");
      if (bytes.length <= 64) {
        return e.hex;
      }
      let h = 0x811c9dc5 | 0;
      for (const x of bytes) {
        h = Math.imul(h ^ x, 16777619);
      }
      return `~${(h >>> 0).toString(16).padStart(8, "0")}`;
    };
    const expectedTokens = (events: readonly HostileEvent[]): string[] =>
      events.map((e) =>
        e.kind === "message"
          ? `msg:${e.type === "text" ? 1 : 2}:${e.len}:${payload(e) ?? "?"}`
          : e.kind === "close"
            ? `close:${e.code}:${e.reasonHex}`
            : `${e.kind}:${e.hex}`,
      );
    let checked = 0;
    for (const c of casesOf("hostile")) {
      const base = c.name
        .slice("hostile/".length)
        .replace(/@(\d+|bytes|r\d+|16k)$/, "")
        .replace(/ \[first \d+ bytes\]$/, "");
      const row = byName.get(base);
      expect(row, c.name).toBeDefined();
      if (row === undefined) {
        continue;
      }
      expect(c.row[2], c.name).toBe(row.maxMessage ?? HOSTILE_MAX_MESSAGE);
      const want = expectedTokens(row.expect.events);
      const got: string[] = [];
      let fail: { code: number; after: number } | undefined;
      for (const tok of c.result.split("|")) {
        const [head, ...rest] = tok.split(":");
        const [kind, at] = head.split("@");
        if (kind === "fail") {
          fail = { code: Number(rest[0]), after: Number(at) };
        } else if (kind !== "end") {
          got.push([kind, ...rest].join(":"));
        }
      }
      // Payloads the table gives only as a SHA-1 are compared by type and length.
      const masked = got.map((t, i) => (want[i]?.endsWith(":?") === true ? t.replace(/:[^:]*$/, ":?") : t));
      expect(masked, c.name).toEqual(want);
      expect(fail?.code, c.name).toBe(row.expect.fail);
      expect(fail?.after, c.name).toBe(row.expect.failAfter);
      checked++;
    }
    expect(checked).toBeGreaterThan(5000);
  });

  it("a whole session gives the same trace at every split", () => {
    const sessions = new Map<string, string>();
    for (const c of casesOf("conn")) {
      const base = c.name.replace(/@(\d+|bytes|r\d+|16k)$/, "");
      // After a failed handshake or a protocol error connFeed consumes the rest of the read: where it
      // reports that depends on where the read ends, so that offset is left out.
      const trace = c.result.replace(/(hsfail|perr)@\d+/g, "$1");
      const first = sessions.get(base);
      if (first === undefined) {
        sessions.set(base, trace);
      } else {
        expect(trace, c.name).toBe(first);
      }
    }
    expect(sessions.get("conn/session")).toMatch(/^open@129:a16:s1\|msg@136:1:5:68656c6c6f:a0:s1\|/);
  });
});

describe("out/ vector files", () => {
  it("are what the current spec renders (regenerate: node dist/generator/vectors/write.js)", () => {
    for (const f of renderVectorFiles({ cwd: ROOT }, bundle)) {
      const p = path.join(ROOT, "out", f.path);
      expect(existsSync(p), `out/${f.path} is missing`).toBe(true);
      const onDisk = readFileSync(p, "utf8");
      // Not toBe: a failure would print megabytes.
      expect(onDisk === f.content, `out/${f.path} is stale`).toBe(true);
    }
  });
});

// ---------------------------------------------------------------- the real toolchain

const compilers = findCompilers();
const shells = findShells();
const toolchainMissing =
  compilers.length === 0
    ? "no spcomp found (SPCOMP_1_12, SPCOMP_1_13, SPCOMP, spcomp-1.12, spcomp-1.13, spcomp on PATH)"
    : shells.length === 0
      ? "no spshell found (SPSHELL_1_12, SPSHELL_1_13, SPSHELL, spshell-1.12, spshell-1.13, spshell on PATH)"
      : null;
if (toolchainMissing !== null) {
  skipWithReason(import.meta.url, "vectors in the SourcePawn VM", toolchainMissing);
}
for (const c of compilers.filter((x) => x.smInclude === null)) {
  skipWithReason(
    import.meta.url,
    `${c.banner}: the self-test plugin compiles`,
    c.smIncludeWhy ?? "no SourceMod includes",
  );
}

/** The first line where got differs from want, as a readable report, or null. */
function firstMismatch(want: readonly string[], got: readonly string[]): string | null {
  const n = Math.max(want.length, got.length);
  let bad = 0;
  let first = -1;
  for (let i = 0; i < n; i++) {
    if (want[i] !== got[i]) {
      bad++;
      if (first < 0) {
        first = i;
      }
    }
  }
  if (first < 0) {
    return null;
  }
  const cut = (s: string | undefined): string =>
    s === undefined ? "(no line)" : s.length > 600 ? `${s.slice(0, 600)}…` : s;
  return [
    `${bad} of ${n} lines differ; first at line ${first + 1}`,
    `  case:     ${want[first]?.split("\t")[0] ?? "(beyond the oracle's lines)"}`,
    `  oracle:   ${cut(want[first]?.split("\t")[1])}`,
    `  spshell:  ${cut(got[first])}`,
  ].join("\n");
}

describe.skipIf(toolchainMissing !== null)("vectors in the SourcePawn VM", () => {
  const tmp = mkdtempSync(path.join(tmpdir(), "spgen-vectors-"));
  const program = path.join(ROOT, "out", VECTOR_PATHS.program);
  const selftest = path.join(ROOT, "out", VECTOR_PATHS.selftest);
  const built = new Map<Compiler, Promise<string>>();

  /** Compiles the vectors program once per compiler; resolves to the .smx path. */
  function compile(c: Compiler): Promise<string> {
    let p = built.get(c);
    if (p === undefined) {
      const smx = path.join(tmp, `vectors-${c.version}.smx`);
      p = run(c.path, ["-p", "none", "-E", "-v", "0", program, `-o${smx}`], { cwd: tmp }).then(() => smx);
      built.set(c, p);
    }
    return p;
  }

  beforeAll(() => {
    for (const c of compilers) {
      // Start every compilation at once; each test awaits its own.
      compile(c).catch(() => undefined);
    }
  });

  afterAll(() => {
    rmSync(tmp, { recursive: true, force: true });
  });

  describe.concurrent("compile and run", () => {
    for (const c of compilers) {
      it(`${c.banner} compiles out/vectors/vectors.sp with -E`, async () => {
        const smx = await compile(c);
        expect(existsSync(smx)).toBe(true);
      });

      for (const mode of runModesFor(c, shells)) {
        it(`${c.banner} build, ${mode.label}: output equals the oracle line for line`, async () => {
          const smx = await compile(c);
          let stdout = "";
          let stderr = "";
          let code = 0;
          try {
            const r = await run(mode.shell.path, [...mode.args, smx], { maxBuffer: 1 << 28, encoding: "latin1" });
            stdout = r.stdout;
            stderr = r.stderr;
          } catch (e) {
            const err = e as { stdout?: string; stderr?: string; code?: number; signal?: string };
            stdout = err.stdout ?? "";
            stderr = `${err.stderr ?? ""} (exit ${err.code ?? err.signal})`;
            code = 1;
          }
          const got = stdout.split("\n");
          if (got.at(-1) === "") {
            got.pop();
          }
          const report = firstMismatch(expectedLines(bundle), got);
          expect(report === null ? null : `${report}\n  stderr:   ${stderr.trim().slice(0, 2000)}`).toBeNull();
          expect(code, stderr).toBe(0);
        }, 60_000);
      }
    }

    /** The newest compiler and a JIT shell that runs its code, for the self-test harness. */
    const harnessCompiler = compilers.at(-1);
    const harnessShell = shells.find(
      (sh) => sh.jit && harnessCompiler !== undefined && sh.version === harnessCompiler.version,
    );
    if (harnessShell === undefined) {
      skipWithReason(
        import.meta.url,
        "the self-test command in spshell",
        `no spshell with a JIT of the newest compiler's version (${harnessCompiler?.version ?? "none"})`,
      );
    }

    /**
     * Runs the self-test plugin's command in spshell: the plugin source with
     * `#include <sourcemod>` replaced by stand-ins for the few SourceMod
     * symbols it uses (PrintToServer prints through spshell's printf), and a
     * main that calls OnPluginStart and the command with `filter` as its
     * argument. `edit` may change the plugin source first.
     */
    async function runSelftest(filter: string, edit: (src: string) => string = (x) => x): Promise<string> {
      if (harnessCompiler === undefined || harnessShell === undefined) {
        throw new Error("no compiler/shell pair");
      }
      const shim = [
        "native void printf(const char[] fmt, any ...);",
        "enum Action { Plugin_Continue = 0, Plugin_Changed = 1, Plugin_Handled = 3, Plugin_Stop = 4 };",
        "struct Plugin\n{\n\tpublic const char[] name;\n\tpublic const char[] description;\n\tpublic const char[] author;\n\tpublic const char[] version;\n\tpublic const char[] url;\n};",
        "typedef SrvCmd = function Action (int args);",
        "typedef RequestFrameCallback = function void (any data);",
        "int g_shimFrames;",
        "stock void RequestFrame(RequestFrameCallback func, any data = 0) { g_shimFrames++; }",
        "char g_shimArg[64];",
        'stock void RegServerCmd(const char[] cmd, SrvCmd callback, const char[] description = "", int flags = 0) { g_shimArg[0] = g_shimArg[0]; }',
        "stock int strlen(const char[] s) { int n = 0; while (s[n] != 0) { n++; } return n; }",
        "stock int strcopy(char[] dest, int destLen, const char[] source) { int i = 0; while (i < destLen - 1 && source[i] != 0) { dest[i] = source[i]; i++; } dest[i] = 0; return i; }",
        "stock int GetCmdArg(int argnum, char[] buffer, int maxlength) { return strcopy(buffer, maxlength, g_shimArg); }",
        "stock bool StrEqual(const char[] a, const char[] b, bool caseSensitive = true) { int i = 0; while (a[i] == b[i]) { if (a[i] == 0) { return true; } i++; } return false; }",
      ].join("\n");
      let src = edit(readFileSync(selftest, "utf8"))
        .replace("#include <sourcemod>", shim)
        .replace(/PrintToServer\("((?:[^"\\]|\\.)*)"/g, 'printf("$1\\n"');
      // The server would call SelfTest_Frame once per frame while it keeps asking for frames.
      src += [
        "",
        "public int main()",
        "{",
        `\tstrcopy(g_shimArg, sizeof(g_shimArg), "${filter}");`,
        "\tOnPluginStart();",
        `\tCommand_SelfTest(${filter === "" ? 0 : 1});`,
        "\tint frames = 0;",
        "\twhile (g_selftestNext >= 0)",
        "\t{",
        "\t\tframes++;",
        "\t\tSelfTest_Frame(0);",
        "\t}",
        '\tprintf("frames %d requested %d\\n", frames, g_shimFrames);',
        "\treturn 0;",
        "}",
        "",
      ].join("\n");
      const dir = mkdtempSync(path.join(tmp, "selftest-"));
      mkdirSync(path.join(dir, "websocket"));
      copyFileSync(path.join(ROOT, "out/scripting/websocket/core.inc"), path.join(dir, "websocket/core.inc"));
      writeFileSync(path.join(dir, "harness.sp"), src);
      await run(harnessCompiler.path, ["-p", "none", "-v", "0", "harness.sp", "-oharness.smx"], { cwd: dir }).catch(
        (e: { stdout?: string; stderr?: string }) => {
          throw new Error(`harness does not compile:\n${e.stdout ?? ""}${e.stderr ?? ""}`);
        },
      );
      const r = await run(harnessShell.path, ["-w", path.join(dir, "harness.smx")], { maxBuffer: 1 << 24 });
      return r.stdout;
    }

    it.skipIf(harnessShell === undefined)(
      "the self-test command passes every vector and reports each group",
      async () => {
        const out = await runSelftest("");
        // Each session timeline counts as one vector (the group "session"), run in the last frame.
        const total = set.cases.length + sessions;
        expect(out).toContain(`[websocket selftest] running ${total} vectors, 200 per frame`);
        expect(out).toContain(`[websocket selftest] PASS: ${total} of ${total} vectors passed`);
        expect(out).toContain(`[websocket selftest] ok   session: ${sessions} of ${sessions} passed`);
        // One frame per 200 vectors, each asked for by the frame before (the first by the command).
        const frames = Math.ceil(set.cases.length / 200);
        expect(out).toContain(`frames ${frames} requested ${frames}`);
        for (const g of set.groups) {
          const n = set.cases.filter((c) => c.group === g).length;
          expect(out).toContain(`[websocket selftest] ok   ${g}: ${n} of ${n} passed`);
        }
        expect(out).not.toContain("FAIL");
      },
      60_000,
    );

    it.skipIf(harnessShell === undefined)(
      "the self-test command runs one group, and lists the groups for an unknown one",
      async () => {
        const n = set.cases.filter((c) => c.group === "hostile").length;
        const one = await runSelftest("hostile");
        expect(one.trim().split("\n").slice(0, 3)).toEqual([
          `[websocket selftest] running ${n} vectors, 200 per frame`,
          `[websocket selftest] ok   hostile: ${n} of ${n} passed`,
          `[websocket selftest] PASS: ${n} of ${n} vectors passed`,
        ]);
        const unknown = await runSelftest("nope");
        expect(unknown).toContain('unknown group "nope"; groups:');
        expect(unknown).toContain("  conn\n");
        expect(unknown).toContain("  session\n");
        const ses = await runSelftest("session");
        expect(ses.trim().split("\n")).toEqual([
          `[websocket selftest] running ${sessions} vectors, 200 per frame`,
          `[websocket selftest] ok   session: ${sessions} of ${sessions} passed`,
          `[websocket selftest] PASS: ${sessions} of ${sessions} vectors passed`,
          "frames 1 requested 1",
        ]);
      },
      60_000,
    );

    it.skipIf(harnessShell === undefined)(
      "the self-test command names a failing vector and shows both sides",
      async () => {
        // Point the first vector at another expected result.
        const first = set.cases[0].name;
        const out = await runSelftest("", (src) => src.replace(/(static const int VEC_EXPECT\[\] = \{\n\t)0,/, "$11,"));
        expect(out).toContain(`[websocket selftest] FAIL ${first}\n  got:      ${results.get(first)}\n  expected: `);
        expect(out).toContain(
          `[websocket selftest] FAIL: ${set.cases.length + sessions - 1} of ${set.cases.length + sessions} vectors passed`,
        );
      },
      60_000,
    );

    it.skipIf(harnessShell === undefined)(
      "the self-test command names a failing session timeline and shows the first line that differs",
      async () => {
        // Point the first timeline at the second one's lines.
        const lines = bundle.sessions.lines;
        const [first, second] = bundle.sessions.timelines.map((t) => t.name);
        const firstLine = (name: string): string => lines.find((l) => l.startsWith(`${name}#`)) ?? "";
        const out = await runSelftest("session", (src) =>
          src.replace(/(static const int SES_EXPECT_OFF\[\] = \{\n\t)0, (\d+),/, "$1$2, $2,"),
        );
        expect(out).toContain(
          `[websocket selftest] FAIL ${first}\n  got:      ${firstLine(first)}\n  expected: ${firstLine(second)}\n`,
        );
        expect(out).toContain(`[websocket selftest] FAIL: ${sessions - 1} of ${sessions} vectors passed`);
      },
      60_000,
    );

    for (const c of compilers.filter((x) => x.smInclude !== null)) {
      it(`${c.banner} compiles out/scripting/websocket_selftest.sp against SourceMod ${c.version} with -E`, async () => {
        const smx = path.join(tmp, `selftest-${c.version}.smx`);
        let output = "";
        try {
          const r = await run(c.path, ["-E", "-v", "0", `-i${c.smInclude}`, selftest, `-o${smx}`], { cwd: tmp });
          output = r.stdout + r.stderr;
        } catch (e) {
          const err = e as { stdout?: string; stderr?: string };
          output = `${err.stdout ?? ""}${err.stderr ?? ""}`;
        }
        expect(output.trim(), output).toBe("");
        expect(existsSync(smx)).toBe(true);
      }, 60_000);
    }
  });
});
