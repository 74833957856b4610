/** Validation of generation options into GenerateOptions, and their effect on the printed constants. */

import path from "node:path";
import { describe, expect, it } from "vitest";
import { UsageError } from "../diagnostics.js";
import { generateFiles } from "../generate.js";
import { configOverrides, OPTION_LIMITS, parseGenerateOptions } from "../options.js";
import { ROOT } from "./helpers.js";

describe("parseGenerateOptions", () => {
  it("resolves the default directories against the working directory", () => {
    const o = parseGenerateOptions({}, ROOT);
    expect(o.specDir).toBe(path.join(ROOT, "spec/core"));
    expect(o.templatesDir).toBe(path.join(ROOT, "templates"));
    expect(o.outDir).toBe(path.join(ROOT, "out"));
    expect(o.maxMessageSize).toBeNull();
    expect(o.maxConnections).toBeNull();
    expect(o.tls).toBe("auto");
    expect(configOverrides(o).size).toBe(0);
  });

  it("accepts valid values as strings or numbers", () => {
    const o = parseGenerateOptions({ maxMessageSize: "2097152", maxConnections: 64, tls: "oldmagic" }, ROOT);
    expect(o.maxMessageSize).toBe(2097152);
    expect(o.maxConnections).toBe(64);
    expect(o.tls).toBe("oldmagic");
    expect([...configOverrides(o)]).toEqual([
      ["CONFIG_MAX_MESSAGE_SIZE", 2097152],
      ["CONFIG_MAX_CONNECTIONS", 64],
    ]);
  });

  it("refuses bad values and paths with one-line UsageErrors", () => {
    const bad: Record<string, unknown>[] = [
      { maxMessageSize: "abc" },
      { maxMessageSize: "124" },
      { maxMessageSize: "2147483648" },
      { maxMessageSize: "1.5" },
      { maxMessageSize: "" },
      { maxConnections: "0" },
      { maxConnections: "8192" },
      { maxMessageSize: String(OPTION_LIMITS.maxMessageSize.max + 1) },
      { tls: "openssl" },
      { spec: "no/such/dir" },
      { templates: "package.json" },
      { out: "package.json" },
    ];
    for (const raw of bad) {
      let error: unknown = null;
      try {
        parseGenerateOptions(raw, ROOT);
      } catch (e) {
        error = e;
      }
      expect(error, JSON.stringify(raw)).toBeInstanceOf(UsageError);
      expect((error as Error).message).not.toContain("\n");
    }
  });
});

describe("overrides in the output", () => {
  it("prints the option's value instead of the spec's default, and nothing else changes", async () => {
    const base = await generateFiles(parseGenerateOptions({}, ROOT));
    const custom = await generateFiles(parseGenerateOptions({ maxMessageSize: "2097152", maxConnections: "64" }, ROOT));
    const core = (g: typeof base): string[] =>
      (g.files.find((f) => f.path === "scripting/websocket/core.inc")?.content ?? "").split("\n");
    const a = core(base);
    const b = core(custom);
    expect(a.length).toBe(b.length);
    const changed = a.map((line, k) => [line, b[k]]).filter(([x, y]) => x !== y);
    expect(changed).toEqual([
      [expect.stringMatching(/^#define CONFIG_MAX_MESSAGE_SIZE \d+$/), "#define CONFIG_MAX_MESSAGE_SIZE 2097152"],
      [expect.stringMatching(/^#define CONFIG_MAX_CONNECTIONS \d+$/), "#define CONFIG_MAX_CONNECTIONS 64"],
    ]);
  });
});
