/**
 * The documentation against the code (issue 13, item 6): each check reads the
 * generated include, the spec or package.json and fails when a document says
 * something else.
 */

import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { closeCodeValidOnWire } from "../../spec/core/close.js";
import { ROOT } from "./helpers.js";

const read = (p: string): string => readFileSync(path.join(ROOT, p), "utf8");
const INC = read("out/scripting/include/websocket.inc");
const PLUGIN_DOC = read("docs/plugin.md");
const README = read("README.md");

/** The natives websocket.inc declares. */
function natives(): string[] {
  return [...INC.matchAll(/^native\s+\w+\s+(\w+)\(/gm)].map((m) => m[1]);
}

/** The functions of a typeset of websocket.inc, as parameter lists with `WebsocketHandle ws` shortened to `ws`. */
function typesetForms(name: string): string[] {
  const m = new RegExp(`^typeset ${name}\\n\\{\\n([\\s\\S]*?)\\n\\};`, "m").exec(INC);
  expect(m, `typeset ${name} in websocket.inc`).not.toBeNull();
  return [...(m as RegExpExecArray)[1].matchAll(/function void (\(.*\));/g)].map((f) =>
    f[1].replace("WebsocketHandle ws", "ws"),
  );
}

/** The set of codes an `a-b`/`a` list names, e.g. "1000 (normal), 1002, 1007-1014 or 3000-4999". */
function codesOf(text: string): Set<number> {
  const out = new Set<number>();
  for (const m of text.matchAll(/\b(\d{4})(?:-(\d{4}))?\b/g)) {
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    for (let c = lo; c <= hi; c++) {
      out.add(c);
    }
  }
  return out;
}

describe("docs agree with the code", () => {
  it("docs/plugin.md (README: 'the whole API') names every native of websocket.inc", () => {
    const all = natives();
    expect(all.length).toBeGreaterThanOrEqual(30);
    const missing = all.filter((n) => !new RegExp(`\\b${n}\\(`).test(PLUGIN_DOC));
    expect(missing, "natives of websocket.inc that docs/plugin.md does not show as `Name(...)`").toEqual([]);
  });

  it("docs/plugin.md lists every form of the disconnect and error callbacks", () => {
    const forms = [...typesetForms("WebsocketDisconnectCB"), ...typesetForms("WebsocketErrorCB")];
    expect(forms).toHaveLength(6);
    for (const f of forms) {
      expect(PLUGIN_DOC.replace(/\s*\n\s*/g, " "), f).toContain(`\`${f}\``);
    }
  });

  it("Websocket_Close's documented codes are exactly those the native accepts (closeCodeValidOnWire)", () => {
    const doc = /@param code\s+(.*)\n(?:.*\n){0,6}?native bool Websocket_Close\(/.exec(INC);
    expect(doc, "the @param code line of Websocket_Close").not.toBeNull();
    const documented = codesOf((doc as RegExpExecArray)[1]);
    const accepted = new Set<number>();
    for (let c = 0; c < 5000; c++) {
      if (closeCodeValidOnWire(c)) {
        accepted.add(c);
      }
    }
    expect([...documented].sort()).toEqual([...accepted].sort());
    // The native's own error message lists the same ranges.
    const native = read("templates/scripting/websocket.sp.hbs");
    const msg = /Invalid close code %d or reason \(codes ([^;]*);/.exec(native);
    expect(msg).not.toBeNull();
    expect([...codesOf((msg as RegExpExecArray)[1])].sort()).toEqual([...accepted].sort());
  });

  it("README's feature table does not call a feature with a native 'not supported'", () => {
    const rows = README.split("\n").filter((l) => l.startsWith("| ") && /not supported/.test(l));
    expect(rows.length).toBeGreaterThan(0);
    // Raw WebSocket reconnect: Websocket_SetReconnect exists, so no row may say it is not supported.
    expect(natives()).toContain("Websocket_SetReconnect");
    expect(rows.filter((r) => /reconnect/i.test(r.split("|")[1] ?? "") && /raw WebSocket/i.test(r))).toEqual([]);
  });

  it("spec/README.md does not promise multi-value case labels (the printer never prints them)", () => {
    const spec = read("spec/README.md").replace(/\s+/g, " ");
    expect(spec).not.toMatch(/merged into `case \d+, \d+:`/);
    expect(spec).toContain("A switch never prints a multi-value label");
  });

  it("one build route: npm run build-plugin is spgen build, documented; no build script beside it", () => {
    const pkg = JSON.parse(read("package.json")) as { scripts: Record<string, string> };
    expect(pkg.scripts["build-plugin"]).toBe("npm run build && node dist/generator/cli.js build");
    expect(existsSync(path.join(ROOT, "scripts/build-plugin.sh"))).toBe(false);
    for (const doc of ["README.md", "docs/plugin.md", "generator/README.md"]) {
      expect(read(doc), doc).not.toContain("build-plugin.sh");
    }
    expect(PLUGIN_DOC).toContain("`npm run build-plugin` is `spgen build`");
  });

  it("says what websocket_selftest.sp is and that it need not be installed", () => {
    expect(existsSync(path.join(ROOT, "out/scripting/websocket_selftest.sp"))).toBe(true);
    for (const doc of [README, PLUGIN_DOC]) {
      const text = doc.replace(/\s+/g, " ");
      const at = text.indexOf("need not be installed");
      expect(at, "a sentence saying the self-test plugin need not be installed").toBeGreaterThan(0);
      const before = text.slice(Math.max(0, at - 600), at);
      expect(before).toContain("websocket_selftest.s");
      expect(before).toContain("self-test plugin");
    }
  });
});
