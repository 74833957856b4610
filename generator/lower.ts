/**
 * Lowering: the typed model → SourcePawn declarations. Decides names
 * (generator/sourcepawn/names.ts), order and the SourcePawn spelling of each
 * construct; the printer then decides layout.
 *
 * Output order (SourcePawn needs defines, enums and enum structs declared
 * before use; functions may be used before they are defined):
 *   1. `#define`s of every module, in module order;
 *   2. enums, in module order, an enum after the enums its values use;
 *   3. enum structs, a record after the records it contains;
 *   4. constant tables;
 *   5. the prelude (SpStrLen, only when used);
 *   6. functions, module by module, each module under a comment naming it.
 */

import type { Diagnostic } from "./diagnostics.js";
import { evalConst, isConstantExpr } from "./frontend/constant.js";
import type {
  ConstDecl,
  EnumDecl,
  Expr,
  FunctionDecl,
  LocalVar,
  LValue,
  RecordDecl,
  SourcePos,
  SpecModel,
  Stmt,
  TableDecl,
  ValueType,
} from "./model.js";
import { arrayTypeOf } from "./model.js";
import type { SpCase, SpDecl, SpDeclarator, SpExpr, SpParam, SpStmt, SpType } from "./sourcepawn/ast.js";
import { enumMemberName, isReserved, sanitizeIdentifier } from "./sourcepawn/names.js";

/** Locals at least this large (bytes) get a warning: they live on the plugin's stack. */
export const LARGE_LOCAL_BYTES = 4096;

export interface LowerOptions {
  /** Printed values that replace a constant's value (generation options such as CONFIG_MAX_MESSAGE_SIZE). */
  readonly overrides: ReadonlyMap<string, number>;
}

export interface LowerResult {
  readonly decls: readonly SpDecl[];
  readonly diagnostics: readonly Diagnostic[];
}

interface NamedThing {
  readonly what: string;
  readonly pos: SourcePos;
}

const PRELUDE_STRLEN: SpDecl = {
  kind: "function",
  storage: "stock",
  returnType: "int",
  name: "SpStrLen",
  params: [{ isConst: true, type: "char", name: "s", isArray: true, defaultValue: null }],
  body: [
    { kind: "local", type: "int", decl: { name: "n", dims: [], init: { kind: "int", text: "0" } } },
    {
      kind: "while",
      test: {
        kind: "binary",
        op: "!=",
        left: { kind: "index", array: { kind: "name", name: "s" }, index: { kind: "name", name: "n" } },
        right: { kind: "int", text: "0" },
      },
      body: [{ kind: "expr", expr: { kind: "update", op: "++", target: { kind: "name", name: "n" } } }],
    },
    { kind: "return", value: { kind: "name", name: "n" } },
  ],
  doc: ["Length of a NUL-terminated string (the core calls no SourceMod native, so that it also runs in spshell)."],
};

/** The spelling of an int literal: hex stays hex, values above 2^31-1 print as their 32-bit hex pattern. */
export function intLiteral(value: number, radix: 2 | 10 | 16): string {
  if (value > 0x7fffffff || radix === 16) {
    return `0x${(value >>> 0).toString(16)}`;
  }
  if (radix === 2) {
    return `0b${value.toString(2)}`;
  }
  return String(value);
}

class Lowering {
  readonly diagnostics: Diagnostic[] = [];
  /** SourcePawn name → what declared it, for collision checks. */
  private readonly globalNames = new Map<string, NamedThing>();
  private readonly consts = new Map<string, ConstDecl>();
  private readonly enumValues = new Map<string, Expr>();
  private readonly tableCounts = new Map<string, number>();
  private readonly records = new Map<string, RecordDecl>();
  private usesStrLen = false;

  constructor(
    private readonly model: SpecModel,
    private readonly options: LowerOptions,
  ) {}

  run(): SpDecl[] {
    const all = this.model.modules.flatMap((m) => m.decls);
    for (const d of all) {
      this.register(d);
    }
    for (const r of this.records.values()) {
      for (const f of r.fields) {
        if (this.consts.has(f.name)) {
          this.error(
            f.pos,
            `the field \`${f.name}\` has the name of a constant, which SourcePawn's preprocessor would replace: rename it`,
          );
        }
      }
    }
    const defines = all.filter((d): d is ConstDecl => d.kind === "const").map((d) => this.define(d));
    const enums = this.orderEnums(all.filter((d): d is EnumDecl => d.kind === "enum")).map((d) => this.enumDecl(d));
    const records = this.orderRecords(all.filter((d): d is RecordDecl => d.kind === "record")).map((d) =>
      this.record(d),
    );
    const tables = all.filter((d): d is TableDecl => d.kind === "table").map((d) => this.table(d));
    const functions: SpDecl[] = [];
    for (const m of this.model.modules) {
      const fns = m.decls.filter((d): d is FunctionDecl => d.kind === "function");
      if (fns.length === 0) {
        continue;
      }
      functions.push({ kind: "comment", lines: [m.name, ...m.doc] });
      for (const f of fns) {
        functions.push(this.functionDecl(f));
      }
    }
    const prelude = this.usesStrLen ? [PRELUDE_STRLEN] : [];
    return [...defines, ...enums, ...records, ...tables, ...prelude, ...functions];
  }

  // -------------------------------------------------------------------------
  // Names

  private claim(spName: string, what: string, pos: SourcePos): void {
    const prev = this.globalNames.get(spName);
    if (prev !== undefined) {
      this.error(
        pos,
        `${what} becomes \`${spName}\` in SourcePawn, which ${prev.what} (${prev.pos.file}:${prev.pos.line}) already is: all core modules share one SourcePawn namespace, rename one of them`,
      );
      return;
    }
    this.globalNames.set(spName, { what, pos });
  }

  private register(d: SpecModel["modules"][number]["decls"][number]): void {
    switch (d.kind) {
      case "const":
        this.consts.set(d.name, d);
        this.claim(sanitizeIdentifier(d.name), `the constant \`${d.name}\``, d.pos);
        return;
      case "enum":
        for (const m of d.members) {
          this.enumValues.set(`${d.name}.${m.name}`, m.value);
          this.claim(enumMemberName(d.name, m.name), `the enum member \`${d.name}.${m.name}\``, d.pos);
        }
        return;
      case "record":
        this.records.set(d.name, d);
        this.claim(sanitizeIdentifier(d.name), `the record \`${d.name}\``, d.pos);
        return;
      case "table":
        this.tableCounts.set(d.name, d.count);
        this.claim(sanitizeIdentifier(d.name), `the table \`${d.name}\``, d.pos);
        return;
      case "function":
        this.claim(sanitizeIdentifier(d.name), `the function \`${d.name}\``, d.pos);
        return;
    }
  }

  private error(pos: SourcePos, message: string): void {
    this.diagnostics.push({ file: pos.file, line: pos.line, column: pos.column, severity: "error", message });
  }

  private warning(pos: SourcePos, message: string): void {
    this.diagnostics.push({ file: pos.file, line: pos.line, column: pos.column, severity: "warning", message });
  }

  // -------------------------------------------------------------------------
  // Declarations

  private define(d: ConstDecl): SpDecl {
    const override = this.options.overrides.get(d.name);
    const value: SpExpr = override !== undefined ? { kind: "int", text: String(override) } : this.expr(d.value);
    return { kind: "define", name: sanitizeIdentifier(d.name), value, doc: d.doc };
  }

  private enumDecl(d: EnumDecl): SpDecl {
    return {
      kind: "enum",
      doc: d.doc,
      members: d.members.map((m) => ({ name: enumMemberName(d.name, m.name), value: this.expr(m.value), doc: m.doc })),
    };
  }

  /** Enums in module order, each after the enums its member values refer to. */
  private orderEnums(enums: readonly EnumDecl[]): EnumDecl[] {
    const byName = new Map(enums.map((e) => [e.name, e]));
    const deps = (e: EnumDecl): string[] => {
      const names = new Set<string>();
      for (const m of e.members) {
        walkExpr(m.value, (x) => {
          if (x.kind === "enumMember" && x.enumName !== e.name) {
            names.add(x.enumName);
          }
        });
      }
      return [...names];
    };
    return this.topoSort(
      enums,
      (e) => e.name,
      (e) =>
        deps(e)
          .map((n) => byName.get(n))
          .filter((x) => x !== undefined),
      "enum",
    );
  }

  /** Records in module order, each after the records it contains. */
  private orderRecords(records: readonly RecordDecl[]): RecordDecl[] {
    return this.topoSort(
      records,
      (r) => r.name,
      (r) =>
        r.fields
          .map((f) => (f.type.kind === "record" ? this.records.get(f.type.name) : undefined))
          .filter((x) => x !== undefined),
      "record",
    );
  }

  private topoSort<T extends { readonly pos: SourcePos }>(
    items: readonly T[],
    key: (t: T) => string,
    deps: (t: T) => T[],
    what: string,
  ): T[] {
    const out: T[] = [];
    const state = new Map<string, "visiting" | "done">();
    const visit = (t: T): void => {
      const k = key(t);
      const s = state.get(k);
      if (s === "done") {
        return;
      }
      if (s === "visiting") {
        this.error(t.pos, `the ${what} \`${k}\` contains itself (directly or through others)`);
        return;
      }
      state.set(k, "visiting");
      for (const d of deps(t)) {
        visit(d);
      }
      state.set(k, "done");
      out.push(t);
    };
    for (const t of items) {
      visit(t);
    }
    return out;
  }

  private record(d: RecordDecl): SpDecl {
    return {
      kind: "enumStruct",
      name: sanitizeIdentifier(d.name),
      doc: d.doc,
      fields: d.fields.map((f) => {
        const { type, dims } = this.declType(f.type);
        return { type, name: sanitizeIdentifier(f.name), dims, doc: f.doc };
      }),
    };
  }

  private table(d: TableDecl): SpDecl {
    return {
      kind: "constArray",
      name: sanitizeIdentifier(d.name),
      doc: d.doc,
      rows: d.rows.map((r) => ({ values: r.values.map((v) => this.expr(v)), comment: r.comment })),
    };
  }

  /** Type and array dimensions of a declaration (field or local). */
  private declType(t: ValueType): { type: SpType; dims: SpExpr[] } {
    switch (t.kind) {
      case "int":
        return { type: "int", dims: [] };
      case "bool":
        return { type: "bool", dims: [] };
      case "string":
        return { type: "char", dims: [] };
      case "record":
        return { type: sanitizeIdentifier(t.name), dims: [] };
      case "array": {
        const size: SpExpr = t.size === null ? { kind: "int", text: "1" } : this.arraySize(t.size);
        return { type: t.element === "byte" ? "char" : "int", dims: [size] };
      }
    }
  }

  private arraySize(size: NonNullable<Extract<ValueType, { kind: "array" }>["size"]>): SpExpr {
    return size.kind === "table" ? { kind: "sizeof", name: sanitizeIdentifier(size.name) } : this.expr(size.expr);
  }

  // -------------------------------------------------------------------------
  // Functions

  private functionDecl(f: FunctionDecl): SpDecl {
    const fn = new FunctionLowering(this, f);
    return fn.run();
  }

  /** Bytes a local of this type takes on the stack, when its size is known. */
  sizeInBytes(t: ValueType): number | null {
    switch (t.kind) {
      case "int":
      case "bool":
        return 4;
      case "string":
        return null;
      case "array": {
        if (t.size === null) {
          return 4;
        }
        const n = t.size.kind === "table" ? (this.tableCounts.get(t.size.name) ?? null) : this.evalInt(t.size.expr);
        if (n === null) {
          return null;
        }
        return t.element === "byte" ? Math.ceil(n / 4) * 4 : n * 4;
      }
      case "record": {
        const r = this.records.get(t.name);
        if (r === undefined) {
          return null;
        }
        let sum = 0;
        for (const f of r.fields) {
          const s = this.sizeInBytes(f.type);
          if (s === null) {
            return null;
          }
          sum += s;
        }
        return sum;
      }
    }
  }

  /** Integer value of a constant expression, with generation option overrides applied. */
  evalInt(e: Expr): number | null {
    return evalConst(
      e,
      (name) => {
        const o = this.options.overrides.get(name);
        if (o !== undefined) {
          return { kind: "int", value: o, radix: 10 };
        }
        return this.consts.get(name)?.value ?? null;
      },
      (en, m) => this.enumValues.get(`${en}.${m}`) ?? null,
      (t) => this.tableCounts.get(t) ?? null,
    );
  }

  isGlobalName(name: string): boolean {
    return this.globalNames.has(name) || isReserved(name);
  }

  warnLargeLocal(local: LocalVar): void {
    const size = this.sizeInBytes(local.type);
    if (size !== null && size >= LARGE_LOCAL_BYTES) {
      this.warning(
        local.pos,
        `the local \`${local.name}\` takes ${size} bytes of the plugin's stack (SourcePawn locals live on a stack sized by #pragma dynamic): keep large buffers in records owned by the caller`,
      );
    }
  }

  // -------------------------------------------------------------------------
  // Expressions

  /** An expression; `locals` maps local ids to their SourcePawn names. */
  expr(e: Expr, locals?: ReadonlyMap<number, string>): SpExpr {
    const x = (y: Expr): SpExpr => this.expr(y, locals);
    switch (e.kind) {
      case "int":
        return { kind: "int", text: intLiteral(e.value, e.radix) };
      case "bool":
        return { kind: "bool", value: e.value };
      case "char":
        return { kind: "char", code: e.code };
      case "string":
        return { kind: "string", value: e.value };
      case "local":
        return { kind: "name", name: locals?.get(e.local.id) ?? sanitizeIdentifier(e.local.name) };
      case "const":
      case "table":
        return { kind: "name", name: sanitizeIdentifier(e.name) };
      case "enumMember":
        return { kind: "name", name: enumMemberName(e.enumName, e.member) };
      case "index":
        return { kind: "index", array: x(e.array), index: x(e.index) };
      case "field":
        return { kind: "field", object: x(e.record), field: sanitizeIdentifier(e.field) };
      case "unary":
        if (e.op === "-" && e.operand.kind === "int" && e.operand.value === 0x80000000 && e.operand.radix === 10) {
          return { kind: "int", text: "-2147483648" };
        }
        return { kind: "unary", op: e.op, operand: x(e.operand) };
      case "binary": {
        const op = e.op === "===" ? "==" : e.op === "!==" ? "!=" : e.op;
        const cheaper = cheaperBinary(e);
        if (cheaper !== null) {
          return { kind: "binary", op: cheaper.op, left: x(e.left), right: cheaper.right };
        }
        return { kind: "binary", op, left: x(e.left), right: x(e.right) };
      }
      case "wrap":
      case "toUint32":
        return x(e.operand);
      case "div":
        return { kind: "binary", op: "/", left: x(e.left), right: x(e.right) };
      case "imul":
        return { kind: "binary", op: "*", left: x(e.left), right: x(e.right) };
      case "conditional":
        return {
          kind: "ternary",
          test: x(e.test),
          whenTrue: asIntBranch(e.whenTrue, x(e.whenTrue)),
          whenFalse: asIntBranch(e.whenFalse, x(e.whenFalse)),
        };
      case "call":
        return { kind: "call", callee: sanitizeIdentifier(e.callee), args: e.args.map(x) };
      case "strLength":
        this.usesStrLen = true;
        return { kind: "call", callee: "SpStrLen", args: [x(e.string)] };
      case "strCharAt":
        return { kind: "index", array: x(e.string), index: x(e.index) };
      case "arrayLength":
        return this.arraySize(e.size);
    }
  }
}

/** Lowers one function: local names (no shadowing), statements, `#pragma unused`. */
class FunctionLowering {
  private readonly names = new Map<number, string>();
  private readonly scopes: Set<string>[] = [];
  private readonly unused: ReadonlySet<number>;

  constructor(
    private readonly lowering: Lowering,
    private readonly f: FunctionDecl,
  ) {
    this.unused = new Set(f.unusedLocals);
  }

  run(): SpDecl {
    const f = this.f;
    this.scopes.push(new Set());
    const params: SpParam[] = f.params.map((p) => {
      const name = this.bind(p.local);
      const t = p.local.type;
      const isArray = t.kind === "array" || t.kind === "string";
      const type =
        t.kind === "array"
          ? t.element === "byte"
            ? "char"
            : "int"
          : t.kind === "string"
            ? "char"
            : t.kind === "record"
              ? sanitizeIdentifier(t.name)
              : t.kind;
      const isConst = t.kind === "string" || ((t.kind === "array" || t.kind === "record") && t.readonly);
      return { isConst, type, name, isArray, defaultValue: p.defaultValue === null ? null : this.expr(p.defaultValue) };
    });
    const unusedParams = f.params.filter((p) => !p.used).map((p) => this.names.get(p.local.id) as string);
    const body = this.stmts(f.body, false);
    this.scopes.pop();
    return {
      kind: "function",
      storage: "stock",
      returnType: f.returnType.kind,
      name: sanitizeIdentifier(f.name),
      params,
      body: unusedParams.length > 0 ? [{ kind: "pragmaUnused", names: unusedParams }, ...body] : body,
      doc: f.doc,
    };
  }

  /** Picks the SourcePawn name of a local: its own, or `_2`, `_3`, … when it would shadow. */
  private bind(local: LocalVar): string {
    const base = sanitizeIdentifier(local.name);
    const taken = (n: string): boolean => this.lowering.isGlobalName(n) || this.scopes.some((s) => s.has(n));
    let name = base;
    for (let k = 2; taken(name); k++) {
      name = `${base}_${k}`;
    }
    this.names.set(local.id, name);
    this.scopes[this.scopes.length - 1].add(name);
    return name;
  }

  private expr(e: Expr): SpExpr {
    return this.lowering.expr(e, this.names);
  }

  /**
   * The test of an `if`, a loop or a `&&`/`||` inside one: `x === 0` prints as `!x` and `x !== 0` as `x` (the
   * same truth for an int). spcomp compiles a comparison there as a push, a load, a pop, an exchange and a
   * compare-and-jump whatever its operands (9 x86 instructions in the JIT for `if (a == 0)`), and a bare value
   * as a test-and-jump (3). The subset compares ints only with ints, so a literal 0 on one side means an int on
   * the other.
   */
  private condition(e: Expr): SpExpr {
    if (e.kind === "binary" && (e.op === "&&" || e.op === "||")) {
      return { kind: "binary", op: e.op, left: this.condition(e.left), right: this.condition(e.right) };
    }
    if (e.kind === "binary" && (e.op === "===" || e.op === "!==")) {
      const isZero = (x: Expr): boolean => x.kind === "int" && x.value === 0;
      const other = isZero(e.right) ? e.left : isZero(e.left) ? e.right : null;
      if (other !== null) {
        const value = this.expr(other);
        return e.op === "===" ? { kind: "unary", op: "!", operand: value } : value;
      }
    }
    return this.expr(e);
  }

  private lvalue(t: LValue): SpExpr {
    return this.expr(t);
  }

  /** Statements of a block; `scoped` opens a new scope for the locals they declare. */
  private stmts(stmts: readonly Stmt[], scoped = true): SpStmt[] {
    if (scoped) {
      this.scopes.push(new Set());
    }
    const out: SpStmt[] = [];
    for (const s of stmts) {
      this.stmt(s, out);
    }
    if (scoped) {
      this.scopes.pop();
    }
    return out;
  }

  private local(local: LocalVar, init: Expr | null): { type: SpType; decl: SpDeclarator } {
    const initExpr = init === null ? null : this.expr(init);
    this.lowering.warnLargeLocal(local);
    const name = this.bind(local);
    const t = local.type;
    if (t.kind === "array") {
      const size = t.size === null ? ({ kind: "int", text: "1" } as SpExpr) : this.arraySize(t);
      return { type: t.element === "byte" ? "char" : "int", decl: { name, dims: [size], init: null } };
    }
    const type = t.kind === "record" ? sanitizeIdentifier(t.name) : t.kind === "bool" ? "bool" : "int";
    return { type, decl: { name, dims: [], init: initExpr } };
  }

  private arraySize(t: Extract<ValueType, { kind: "array" }>): SpExpr {
    const s = t.size;
    if (s === null) {
      return { kind: "int", text: "1" };
    }
    return s.kind === "table" ? { kind: "sizeof", name: sanitizeIdentifier(s.name) } : this.expr(s.expr);
  }

  /** `x = 1`, `x += 2`, `x++`, a call: as one SourcePawn expression. */
  private simple(s: Stmt): SpExpr | null {
    switch (s.kind) {
      case "assign": {
        const cheaper = s.op === "<<=" ? shiftAsMultiply(s.value) : null;
        if (cheaper !== null) {
          return { kind: "assign", op: "*=", target: this.lvalue(s.target), value: cheaper };
        }
        return { kind: "assign", op: s.op, target: this.lvalue(s.target), value: this.expr(s.value) };
      }
      case "update":
        return { kind: "update", op: s.op, target: this.lvalue(s.target) };
      case "call":
        return this.expr(s.call);
      default:
        return null;
    }
  }

  private isTrue(e: Expr): boolean {
    return e.kind === "bool" && e.value;
  }

  private stmt(s: Stmt, out: SpStmt[]): void {
    switch (s.kind) {
      case "comment":
        out.push({ kind: "comment", lines: s.lines });
        return;
      case "local": {
        const { type, decl } = this.local(s.local, s.init);
        out.push({ kind: "local", type, decl });
        if (this.unused.has(s.local.id)) {
          out.push({ kind: "pragmaUnused", names: [decl.name] });
        }
        return;
      }
      case "assign":
      case "update":
      case "call":
        out.push({ kind: "expr", expr: this.simple(s) as SpExpr });
        return;
      case "if":
        out.push({
          kind: "if",
          test: this.condition(s.test),
          then: this.stmts(s.then),
          else: s.else === null ? null : this.stmts(s.else),
        });
        return;
      case "for": {
        this.scopes.push(new Set());
        let init: Extract<SpStmt, { kind: "for" }>["init"] = null;
        if (s.init.length > 0 && s.init[0].kind === "local") {
          const decls: SpDeclarator[] = [];
          let type: SpType = "int";
          for (const d of s.init) {
            if (d.kind === "local") {
              const l = this.local(d.local, d.init);
              type = l.type;
              decls.push(l.decl);
            }
          }
          init = { kind: "decls", type, decls };
        } else if (s.init.length > 0) {
          init = { kind: "exprs", exprs: s.init.map((x) => this.simple(x)).filter((x) => x !== null) };
        }
        const test = s.test === null || this.isTrue(s.test) ? null : this.condition(s.test);
        const update = s.update.map((x) => this.simple(x)).filter((x) => x !== null);
        const body = this.stmts(s.body);
        this.scopes.pop();
        out.push({ kind: "for", init, test, update, body });
        return;
      }
      case "while":
        if (this.isTrue(s.test)) {
          // `while (true)` would get "redundant test" (warning 206) from spcomp.
          out.push({ kind: "for", init: null, test: null, update: [], body: this.stmts(s.body) });
        } else {
          out.push({ kind: "while", test: this.condition(s.test), body: this.stmts(s.body) });
        }
        return;
      case "doWhile":
        if (this.isTrue(s.test)) {
          out.push({ kind: "for", init: null, test: null, update: [], body: this.stmts(s.body) });
        } else {
          out.push({ kind: "doWhile", body: this.stmts(s.body), test: this.condition(s.test) });
        }
        return;
      case "break":
        out.push({ kind: "break" });
        return;
      case "continue":
        out.push({ kind: "continue" });
        return;
      case "return":
        out.push({ kind: "return", value: s.value === null ? null : this.expr(s.value) });
        return;
      case "switch": {
        // One value per case label, the body repeated: spcomp 1.13's x86-64 JIT crashes on a label with several
        // values (`case 1, 2:`) when it builds a jump table (see /opt/sptool/FINDINGS.md, "Bug found").
        const cases: SpCase[] = [];
        for (const c of s.cases) {
          if (c.isDefault) {
            cases.push({ labels: null, body: this.stmts(c.body) });
            continue;
          }
          for (const v of c.values) {
            cases.push({ labels: [this.expr(v)], body: this.stmts(c.body) });
          }
        }
        out.push({ kind: "switch", subject: this.expr(s.subject), cases });
        return;
      }
      case "block":
        out.push({ kind: "block", body: this.stmts(s.body) });
        return;
    }
  }
}

/**
 * spcomp emits no optimised forms of its own: a binary operator whose right
 * operand is a constant and that is not commutative costs a push, a constant
 * load, a pop and (for shifts) an exchange before the operation itself, where
 * a commutative one (`+`, `*`) loads the constant straight into the second
 * register. So a shift left by a literal 0..30 is printed as the multiplication
 * by the power of two (the same 32 bits: both wrap), and subtracting a literal
 * as adding its negation (the same 32 bits). Not when the left operand is a
 * constant too: spcomp folds those.
 */
function cheaperBinary(e: Extract<Expr, { kind: "binary" }>): { op: "*" | "+"; right: SpExpr } | null {
  if (isConstantExpr(e.left)) {
    return null;
  }
  if (e.op === "<<") {
    const m = shiftAsMultiply(e.right);
    return m === null ? null : { op: "*", right: m };
  }
  if (e.op === "-" && e.right.kind === "int" && e.right.value > 0 && e.right.value <= 0x7fffffff) {
    return { op: "+", right: { kind: "int", text: `-${e.right.value}` } };
  }
  return null;
}

/** True when `e` reads one byte of a `Uint8Array` or a string: a `char` in SourcePawn. */
function readsChar(e: Expr): boolean {
  if (e.kind === "strCharAt") {
    return true;
  }
  if (e.kind !== "index") {
    return false;
  }
  return arrayTypeOf(e.array)?.element === "byte";
}

/**
 * A branch of `?:` as spcomp accepts it: both branches must have one type, and a byte read is a `char` while
 * every other int value is an `int` (`c ? b[i] : 0` is error 450), so a byte read becomes `view_as<int>(…)`,
 * which costs nothing at run time.
 */
function asIntBranch(e: Expr, lowered: SpExpr): SpExpr {
  return readsChar(e) ? { kind: "viewAs", type: "int", operand: lowered } : lowered;
}

/** The multiplier equal to `<< k` for a literal k in 0..30 (hexadecimal from 2^8 on), or null. */
function shiftAsMultiply(k: Expr): SpExpr | null {
  if (k.kind !== "int" || k.value > 30) {
    return null;
  }
  const m = 2 ** k.value;
  return { kind: "int", text: m >= 256 ? `0x${m.toString(16)}` : String(m) };
}

/** Calls `fn` on `e` and every expression inside it. */
export function walkExpr(e: Expr, fn: (x: Expr) => void): void {
  fn(e);
  switch (e.kind) {
    case "index":
      walkExpr(e.array, fn);
      walkExpr(e.index, fn);
      return;
    case "field":
      walkExpr(e.record, fn);
      return;
    case "unary":
    case "wrap":
    case "toUint32":
      walkExpr(e.operand, fn);
      return;
    case "binary":
    case "div":
    case "imul":
      walkExpr(e.left, fn);
      walkExpr(e.right, fn);
      return;
    case "conditional":
      walkExpr(e.test, fn);
      walkExpr(e.whenTrue, fn);
      walkExpr(e.whenFalse, fn);
      return;
    case "call":
      e.args.forEach((a) => walkExpr(a, fn));
      return;
    case "strLength":
      walkExpr(e.string, fn);
      return;
    case "strCharAt":
      walkExpr(e.string, fn);
      walkExpr(e.index, fn);
      return;
    case "arrayLength":
      if (e.size.kind === "expr") {
        walkExpr(e.size.expr, fn);
      }
      return;
    default:
      return;
  }
}

/** Lowers the whole model to SourcePawn declarations (the body of the core include). */
export function lowerSpec(model: SpecModel, options: LowerOptions): LowerResult {
  const l = new Lowering(model, options);
  const decls = l.run();
  return { decls, diagnostics: l.diagnostics };
}
