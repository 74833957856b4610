/** Identifier sanitising and the naming rules of generator/sourcepawn/names.ts. */

import { describe, expect, it } from "vitest";
import {
  enumMemberName,
  includeGuard,
  isReserved,
  sanitizeIdentifier,
  SOURCEPAWN_KEYWORDS,
} from "../sourcepawn/names.js";
import { transpileFixture } from "./helpers.js";

describe("sanitizeIdentifier", () => {
  it("appends _ to SourcePawn keywords, types and built-ins", () => {
    const words = [
      "char",
      "new",
      "decl",
      "public",
      "stock",
      "native",
      "forward",
      "funcenum",
      "functag",
      "methodmap",
      "property",
      "view_as",
      "sizeof",
      "cellsof",
      "tagof",
      "this",
      "null",
      "function",
      "object",
      "operator",
      "typedef",
      "typeset",
      "enum",
      "struct",
      "static",
      "const",
      "float",
      "bool",
      "int",
      "void",
      "any",
      "Float",
      "String",
      "_",
      "EOS",
      "cellmax",
      "cellmin",
      "INVALID_FUNCTION",
      "true",
      "false",
      "sizeof",
      "myinfo",
      "SpStrLen",
    ];
    for (const w of words) {
      expect(isReserved(w), w).toBe(true);
      expect(sanitizeIdentifier(w), w).toBe(`${w}_`);
    }
  });

  it("keeps ordinary names, including TypeScript-only keywords SourcePawn allows", () => {
    for (const w of ["decoderFeed", "Sha1", "WS_GUID", "x", "not", "type", "module", "Int", "Char"]) {
      expect(sanitizeIdentifier(w)).toBe(w);
    }
  });

  it("replaces characters SourcePawn names cannot hold and never yields a reserved word", () => {
    expect(sanitizeIdentifier("$x")).toBe("_x");
    expect(sanitizeIdentifier("a$b")).toBe("a_b");
    expect(sanitizeIdentifier("café")).toBe("caf_");
    for (const w of SOURCEPAWN_KEYWORDS) {
      expect(isReserved(sanitizeIdentifier(w))).toBe(false);
    }
  });

  it("names enum members and include guards", () => {
    expect(enumMemberName("CloseCode", "ProtocolError")).toBe("CloseCode_ProtocolError");
    expect(includeGuard("websocket.inc")).toBe("_websocket_included");
    expect(includeGuard("websocket/core.inc")).toBe("_websocket_core_included");
  });
});

describe("names in transpiled code", () => {
  it("sanitises parameters, locals, records and fields, and renames shadowing locals", () => {
    const out = transpileFixture("constructs/names.ts");
    expect(out).toContain("stock int decl_(int char_, int new_, int public_, int stock_)");
    expect(out).toContain("int view_as_ = char_ + 1;");
    expect(out).toContain("int x_2 = i * 2;");
    expect(out).toContain("stock int helper(int shadow_2)");
    expect(out).toContain("enum struct native_\n{\n\tint int_;\n}");
    expect(out).toContain("return n.int_;");
  });
});
