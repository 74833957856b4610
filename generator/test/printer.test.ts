/**
 * The printer on hand-built SourcePawn trees: layout of each node kind and
 * parentheses from SourcePawn's precedence (where `&`, `^`, `|` bind tighter
 * than comparisons, unlike C and JavaScript).
 */

import { describe, expect, it } from "vitest";
import type { SpBinaryOp, SpDecl, SpExpr, SpStmt } from "../sourcepawn/ast.js";
import { lineComment, printDecls, printExpr, printStatements } from "../sourcepawn/printer.js";
import { spCharLiteral, spStringLiteral } from "../sourcepawn/strings.js";

const n = (name: string): SpExpr => ({ kind: "name", name });
const i = (text: string): SpExpr => ({ kind: "int", text });
const bin = (op: SpBinaryOp, left: SpExpr, right: SpExpr): SpExpr => ({ kind: "binary", op, left, right });

describe("expressions", () => {
  it("parenthesises by SourcePawn precedence", () => {
    // JavaScript `a & (b === c)` must keep its parentheses; `(a & b) === c` would not need them in SourcePawn but keeps them for readers.
    expect(printExpr(bin("&", n("a"), bin("==", n("b"), n("c"))))).toBe("a & (b == c)");
    expect(printExpr(bin("==", bin("&", n("a"), n("b")), n("c")))).toBe("(a & b) == c");
    expect(printExpr(bin("+", bin("*", n("a"), n("b")), n("c")))).toBe("a * b + c");
    expect(printExpr(bin("*", bin("+", n("a"), n("b")), n("c")))).toBe("(a + b) * c");
    expect(printExpr(bin("-", n("a"), bin("-", n("b"), n("c"))))).toBe("a - (b - c)");
    expect(printExpr(bin("-", bin("-", n("a"), n("b")), n("c")))).toBe("a - b - c");
    expect(printExpr(bin("|", bin("|", n("a"), n("b")), n("c")))).toBe("a | b | c");
    expect(printExpr(bin("|", bin("<<", n("a"), i("8")), n("b")))).toBe("(a << 8) | b");
    expect(printExpr(bin("<<", bin("+", n("a"), n("b")), i("2")))).toBe("(a + b) << 2");
    expect(printExpr(bin("||", n("a"), bin("&&", n("b"), n("c"))))).toBe("a || (b && c)");
    expect(printExpr(bin("&&", bin("||", n("a"), n("b")), n("c")))).toBe("(a || b) && c");
    expect(printExpr(bin("==", bin("<", n("a"), n("b")), n("c")))).toBe("(a < b) == c");
    expect(printExpr(bin("<", bin("<", n("a"), n("b")), n("c")))).toBe("(a < b) < c");
    expect(printExpr(bin("*", bin("/", n("a"), n("b")), n("c")))).toBe("(a / b) * c");
    expect(printExpr(bin("/", bin("*", n("a"), n("b")), n("c")))).toBe("(a * b) / c");
  });

  it("prints unary, ternary, postfix and literal forms", () => {
    expect(printExpr({ kind: "unary", op: "-", operand: { kind: "unary", op: "-", operand: n("x") } })).toBe("-(-x)");
    expect(printExpr({ kind: "unary", op: "!", operand: { kind: "unary", op: "!", operand: n("x") } })).toBe("!!x");
    expect(printExpr({ kind: "unary", op: "~", operand: bin("&", n("a"), n("b")) })).toBe("~(a & b)");
    const t: SpExpr = { kind: "ternary", test: n("a"), whenTrue: i("1"), whenFalse: i("2") };
    expect(printExpr({ kind: "ternary", test: n("c"), whenTrue: t, whenFalse: t })).toBe("c ? (a ? 1 : 2) : a ? 1 : 2");
    expect(printExpr(bin("+", t, i("1")))).toBe("(a ? 1 : 2) + 1");
    expect(
      printExpr({
        kind: "index",
        array: { kind: "field", object: n("s"), field: "w" },
        index: bin("-", n("t"), i("3")),
      }),
    ).toBe("s.w[t - 3]");
    expect(
      printExpr({
        kind: "call",
        callee: "f",
        args: [n("a"), { kind: "string", value: 'x"y' }, { kind: "char", code: 39 }],
      }),
    ).toBe("f(a, \"x\\\"y\", '\\'')");
    expect(printExpr({ kind: "sizeof", name: "T" })).toBe("sizeof(T)");
    expect(printExpr({ kind: "assign", op: ">>>=", target: n("x"), value: i("3") })).toBe("x >>>= 3");
    expect(printExpr({ kind: "update", op: "++", target: { kind: "index", array: n("a"), index: i("0") } })).toBe(
      "a[0]++",
    );
  });
});

describe("literals", () => {
  it("escapes strings with the one escaper", () => {
    expect(spStringLiteral('a"b\\c\r\n\t\x01\x7fz')).toBe('"a\\"b\\\\c\\r\\n\\t\\x01;\\x7f;z"');
    expect(spStringLiteral("%d")).toBe('"%d"');
  });

  it("spells characters", () => {
    expect(["A", "'", "\\", "\n", '"', " "].map((c) => spCharLiteral(c.charCodeAt(0)))).toEqual([
      "'A'",
      "'\\''",
      "'\\\\'",
      "'\\n'",
      "'\"'",
      "' '",
    ]);
    expect(spCharLiteral(1)).toBe("1");
    expect(spCharLiteral(200)).toBe("200");
  });
});

describe("comments", () => {
  it("never ends a line comment with a backslash (spcomp error 49)", () => {
    expect(lineComment("path C:\\")).toBe("// path C:\\ //");
    expect(lineComment("a \\ b")).toBe("// a \\ b");
    expect(lineComment("")).toBe("//");
  });
});

describe("statements and declarations", () => {
  it("lays out blocks with tabs and Allman braces", () => {
    const body: SpStmt[] = [
      { kind: "local", type: "int", decl: { name: "x", dims: [], init: i("0") } },
      { kind: "local", type: "char", decl: { name: "buf", dims: [n("N")], init: null } },
      {
        kind: "if",
        test: n("a"),
        then: [{ kind: "return", value: i("1") }],
        else: [{ kind: "if", test: n("b"), then: [{ kind: "break" }], else: [{ kind: "continue" }] }],
      },
      {
        kind: "switch",
        subject: n("x"),
        cases: [
          { labels: [i("1"), i("2")], body: [{ kind: "expr", expr: { kind: "update", op: "--", target: n("x") } }] },
          { labels: null, body: [] },
        ],
      },
      { kind: "doWhile", body: [{ kind: "comment", lines: ["note", ""] }], test: n("x") },
      { kind: "for", init: null, test: null, update: [], body: [{ kind: "pragmaUnused", names: ["a", "b"] }] },
    ];
    expect(printStatements(body)).toBe(
      [
        "int x = 0;",
        "char buf[N];",
        "if (a)",
        "{",
        "\treturn 1;",
        "}",
        "else if (b)",
        "{",
        "\tbreak;",
        "}",
        "else",
        "{",
        "\tcontinue;",
        "}",
        "switch (x)",
        "{",
        "\tcase 1, 2:",
        "\t{",
        "\t\tx--;",
        "\t}",
        "\tdefault:",
        "\t{",
        "\t}",
        "}",
        "do",
        "{",
        "\t// note",
        "\t//",
        "}",
        "while (x);",
        "for (;;)",
        "{",
        "\t#pragma unused a",
        "\t#pragma unused b",
        "}",
        "",
      ].join("\n"),
    );
  });

  it("prints each declaration kind, one blank line apart, directives together", () => {
    const decls: SpDecl[] = [
      { kind: "directive", text: "#if defined _x_included" },
      { kind: "directive", text: "#endif" },
      { kind: "define", name: "A", value: bin("+", n("B"), i("1")), doc: ["One line."] },
      { kind: "define", name: "S", value: { kind: "string", value: "s" }, doc: [] },
      {
        kind: "enum",
        doc: ["Two", "lines."],
        members: [
          { name: "E_A", value: i("1"), doc: ["First."] },
          { name: "E_B", value: i("2"), doc: [] },
        ],
      },
      {
        kind: "enumStruct",
        name: "R",
        doc: [],
        fields: [
          { type: "int", name: "a", dims: [], doc: [] },
          { type: "char", name: "b", dims: [i("4")], doc: ["Bytes."] },
        ],
      },
      {
        kind: "constArray",
        name: "T",
        doc: [],
        rows: [
          { values: [i("1"), i("2")], comment: "first" },
          { values: [i("3")], comment: null },
        ],
      },
      {
        kind: "function",
        storage: "stock",
        returnType: "void",
        name: "f",
        params: [
          { isConst: true, type: "char", name: "s", isArray: true, defaultValue: null },
          { isConst: false, type: "R", name: "r", isArray: false, defaultValue: null },
          { isConst: false, type: "int", name: "n", isArray: false, defaultValue: i("3") },
        ],
        body: [],
        doc: [],
      },
    ];
    expect(printDecls(decls)).toBe(
      [
        "#if defined _x_included",
        "#endif",
        "",
        "/** One line. */",
        "#define A (B + 1)",
        "",
        '#define S "s"',
        "",
        "/**",
        " * Two",
        " * lines.",
        " */",
        "enum",
        "{",
        "\t/** First. */",
        "\tE_A = 1,",
        "\tE_B = 2",
        "};",
        "",
        "enum struct R",
        "{",
        "\tint a;",
        "\t/** Bytes. */",
        "\tchar b[4];",
        "}",
        "",
        "stock const int T[] =",
        "{",
        "\t1, 2, // first",
        "\t3",
        "};",
        "",
        "stock void f(const char[] s, R r, int n = 3)",
        "{",
        "}",
        "",
      ].join("\n"),
    );
  });
});
