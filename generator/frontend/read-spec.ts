/**
 * The frontend entry point: module-level declarations of every spec file →
 * the typed model. Three passes, so that declaration order and imports do
 * not matter: (1) register every module-level name, (2) read constants,
 * tables, enums, records and function signatures, (3) read function bodies.
 */

import { ts } from "../typescript.js";
import type { Diagnostic } from "../diagnostics.js";
import type {
  ConstDecl,
  Decl,
  EnumDecl,
  EnumMember,
  Expr,
  FieldDecl,
  FunctionDecl,
  Module,
  ParamDecl,
  RecordDecl,
  ReturnType,
  SpecModel,
  TableDecl,
  ValueType,
} from "../model.js";
import { evalConst, isConstantExpr } from "./constant.js";
import { ExpressionReader, type FunctionScope, typeName } from "./read-expressions.js";
import { endsControlFlow, StatementReader } from "./read-statements.js";
import { hintCommentErrors } from "./stray-hints.js";
import {
  type ConstInfo,
  docOf,
  type FunctionInfo,
  moduleDocOf,
  ReaderContext,
  type RecordInfo,
  skipParens,
  type TableInfo,
} from "./reader-context.js";

/** One file to read: `emit` files become part of the model, the others only provide declarations (types of imports). */
export interface SpecInput {
  readonly sourceFile: ts.SourceFile;
  /** Path shown in diagnostics (relative to the working directory when inside it, else absolute). */
  readonly path: string;
  /** Name shown in generated headers and module banners (relative to the spec root, `/` separators). */
  readonly name: string;
  readonly emit: boolean;
}

/** Reads the given files; the model holds the `emit` files in the order given. */
export function readSpec(
  checker: ts.TypeChecker,
  inputs: readonly SpecInput[],
): { model: SpecModel; diagnostics: Diagnostic[] } {
  const ctx = new ReaderContext(checker);
  for (const input of inputs) {
    ctx.setPath(input.sourceFile, input.path);
  }
  for (const input of inputs) {
    if (input.emit) {
      ctx.diagnostics.push(...hintCommentErrors(input.sourceFile, input.path));
    }
  }
  const loaded = new Set(inputs.map((i) => i.sourceFile));
  for (const input of inputs) {
    registerGlobals(ctx, input.sourceFile);
  }
  const partial = inputs.map((input) => ({ input, decls: readDeclarations(ctx, input, loaded) }));
  const modules: Module[] = [];
  for (const { input, decls } of partial) {
    if (!input.emit) {
      continue;
    }
    const out: Decl[] = decls
      .map((d) => (d.kind === "pendingFunction" ? readFunctionBody(ctx, d) : d))
      .filter((d) => d !== null);
    modules.push({ path: input.path, name: input.name, doc: moduleDocOf(input.sourceFile), decls: out });
  }
  return { model: { modules }, diagnostics: ctx.diagnostics };
}

// ---------------------------------------------------------------------------
// Pass 1: names

function registerGlobals(ctx: ReaderContext, sf: ts.SourceFile): void {
  for (const st of sf.statements) {
    if (ts.isVariableStatement(st)) {
      for (const d of st.declarationList.declarations) {
        if (!ts.isIdentifier(d.name)) {
          continue;
        }
        const init = d.initializer === undefined ? undefined : skipParens(d.initializer);
        if (init !== undefined && ts.isArrayLiteralExpression(init)) {
          const info: TableInfo = { name: d.name.text, count: init.elements.length };
          ctx.globals.set(d, { kind: "table", info });
        } else {
          const text = init !== undefined && ts.isStringLiteral(init) ? init.text : null;
          const info: ConstInfo = { name: d.name.text, type: constType(ctx, d), value: null, text };
          ctx.globals.set(d, { kind: "const", info });
        }
      }
    } else if (ts.isEnumDeclaration(st)) {
      const members = new Map<string, ts.EnumMember>();
      for (const m of st.members) {
        if (ts.isIdentifier(m.name)) {
          members.set(m.name.text, m);
        }
      }
      ctx.globals.set(st, { kind: "enum", info: { name: st.name.text, members } });
    } else if (ts.isClassDeclaration(st) && st.name !== undefined) {
      const info: RecordInfo = { name: st.name.text, fields: new Map() };
      ctx.globals.set(st, { kind: "record", info });
      ctx.recordsByName.set(info.name, info);
    } else if (ts.isFunctionDeclaration(st) && st.name !== undefined && st.body !== undefined) {
      const info: FunctionInfo = { name: st.name.text, params: [], returnType: { kind: "int" } };
      ctx.globals.set(st, { kind: "function", info });
    }
  }
}

/** int, bool or string, from the checker's type of a constant. */
function constType(ctx: ReaderContext, d: ts.VariableDeclaration): ValueType {
  const t = ctx.checker.getTypeAtLocation(d.name);
  if ((t.flags & ts.TypeFlags.BooleanLike) !== 0) {
    return { kind: "bool" };
  }
  if ((t.flags & ts.TypeFlags.StringLike) !== 0) {
    return { kind: "string" };
  }
  return { kind: "int" };
}

// ---------------------------------------------------------------------------
// Pass 2: declarations

interface PendingFunction {
  readonly kind: "pendingFunction";
  readonly node: ts.FunctionDeclaration;
  readonly info: FunctionInfo;
  readonly exported: boolean;
}

function isExported(node: ts.Node): boolean {
  return (ts.getCombinedModifierFlags(node as ts.Declaration) & ts.ModifierFlags.Export) !== 0;
}

function hasModifier(node: ts.Node, kind: ts.SyntaxKind): boolean {
  return ts.canHaveModifiers(node) && (ts.getModifiers(node) ?? []).some((m) => m.kind === kind);
}

function readDeclarations(
  ctx: ReaderContext,
  input: SpecInput,
  loaded: ReadonlySet<ts.SourceFile>,
): (Decl | PendingFunction)[] {
  const out: (Decl | PendingFunction)[] = [];
  const consts = new ExpressionReader(ctx, null);
  for (const st of input.sourceFile.statements) {
    if (hasModifier(st, ts.SyntaxKind.DefaultKeyword)) {
      ctx.unsupported(st, "a default export", "export declarations by name");
      continue;
    }
    if (hasModifier(st, ts.SyntaxKind.DeclareKeyword)) {
      ctx.unsupported(st, "`declare`", "the core declares and defines everything it uses");
      continue;
    }
    switch (st.kind) {
      case ts.SyntaxKind.ImportDeclaration:
        checkImport(ctx, st as ts.ImportDeclaration, loaded);
        break;
      case ts.SyntaxKind.VariableStatement:
        out.push(...readVariableStatement(ctx, consts, st as ts.VariableStatement));
        break;
      case ts.SyntaxKind.EnumDeclaration: {
        const e = readEnum(ctx, consts, st as ts.EnumDeclaration);
        if (e !== null) {
          out.push(e);
        }
        break;
      }
      case ts.SyntaxKind.ClassDeclaration: {
        const r = readRecord(ctx, consts, st as ts.ClassDeclaration);
        if (r !== null) {
          out.push(r);
        }
        break;
      }
      case ts.SyntaxKind.FunctionDeclaration: {
        const f = readSignature(ctx, st as ts.FunctionDeclaration);
        if (f !== null) {
          out.push(f);
        }
        break;
      }
      case ts.SyntaxKind.EmptyStatement:
        break;
      case ts.SyntaxKind.ExportDeclaration:
        ctx.unsupported(st, "a re-export", "import from the module that declares the name");
        break;
      case ts.SyntaxKind.ExportAssignment:
        ctx.unsupported(st, "a default export", "export declarations by name");
        break;
      case ts.SyntaxKind.InterfaceDeclaration:
      case ts.SyntaxKind.TypeAliasDeclaration:
        ctx.unsupported(
          st,
          "an interface or type alias",
          "use records (field-only classes) and the types of the subset",
        );
        break;
      case ts.SyntaxKind.ModuleDeclaration:
        ctx.unsupported(st, "a namespace", "use plain module-level declarations");
        break;
      default:
        ctx.unsupported(
          st,
          "a module-level statement",
          "a core module only declares constants, enums, records and functions: no side effects",
        );
        break;
    }
  }
  return out;
}

function checkImport(ctx: ReaderContext, node: ts.ImportDeclaration, loaded: ReadonlySet<ts.SourceFile>): void {
  const clause = node.importClause;
  if (clause !== undefined) {
    if (clause.name !== undefined) {
      ctx.unsupported(clause, "a default import", 'import names: `import { f } from "./m.js"`');
      return;
    }
    if (clause.namedBindings !== undefined && ts.isNamespaceImport(clause.namedBindings)) {
      ctx.unsupported(clause, "a namespace import", 'import names: `import { f } from "./m.js"`');
      return;
    }
  }
  const mod = ctx.checker.getSymbolAtLocation(node.moduleSpecifier);
  const target = mod?.valueDeclaration ?? mod?.declarations?.[0];
  if (target === undefined || !ts.isSourceFile(target) || !loaded.has(target)) {
    ctx.unsupported(
      node.moduleSpecifier,
      "an import from outside the core",
      "core modules import only each other; the generator has no I/O or libraries",
    );
  }
}

function readVariableStatement(ctx: ReaderContext, reader: ExpressionReader, st: ts.VariableStatement): Decl[] {
  const out: Decl[] = [];
  if ((st.declarationList.flags & ts.NodeFlags.Const) === 0) {
    ctx.unsupported(
      st,
      "module-level `let`/`var`",
      "the core has no globals that change: keep state in records passed as parameters",
    );
    return out;
  }
  const doc = docOf(st);
  for (const d of st.declarationList.declarations) {
    if (!ts.isIdentifier(d.name)) {
      ctx.unsupported(d.name, "destructuring", "declare one constant per value");
      continue;
    }
    if (d.initializer === undefined) {
      ctx.unsupported(d, "a constant without a value", "give it a value");
      continue;
    }
    const g = ctx.globals.get(d);
    const init = skipParens(d.initializer);
    if (g?.kind === "table") {
      const t = readTable(ctx, reader, d, init as ts.ArrayLiteralExpression, g.info, doc);
      if (t !== null) {
        out.push(t);
      }
      continue;
    }
    if (g?.kind !== "const") {
      continue;
    }
    if (ts.isNewExpression(init)) {
      ctx.unsupported(
        init,
        "a module-level array or record",
        "globals that change are not in the subset: keep buffers in records passed as parameters",
      );
      continue;
    }
    if (d.type !== undefined && !isScalarAnnotation(d.type)) {
      ctx.unsupported(
        d.type,
        `the constant type \`${d.type.getText()}\``,
        "constants are number, boolean or string; tables are `readonly number[]`",
      );
      continue;
    }
    const v = reader.expr(d.initializer);
    if (v === null) {
      continue;
    }
    if (v.type.kind === "array" || v.type.kind === "record") {
      ctx.unsupported(d, "a constant that aliases an array", "declare a table with its own values");
      continue;
    }
    if (v.type.kind === "string" && v.expr.kind !== "string") {
      ctx.unsupported(
        d.initializer,
        "a string constant that is not a single literal",
        "write the whole text as one literal",
      );
      continue;
    }
    if (!isConstantExpr(v.expr)) {
      ctx.unsupported(
        d.initializer,
        "a constant that is not a compile-time constant",
        "use literals, other constants, enum members and arithmetic of those",
      );
      continue;
    }
    g.info.type = v.type;
    g.info.value = v.expr;
    const c: ConstDecl = { kind: "const", name: d.name.text, type: v.type, value: v.expr, doc, pos: ctx.pos(d) };
    out.push(c);
  }
  return out;
}

function isScalarAnnotation(t: ts.TypeNode): boolean {
  return (
    t.kind === ts.SyntaxKind.NumberKeyword ||
    t.kind === ts.SyntaxKind.BooleanKeyword ||
    t.kind === ts.SyntaxKind.StringKeyword
  );
}

/** `readonly number[]` or `ReadonlyArray<number>`. */
function isReadonlyNumberArray(t: ts.TypeNode | undefined): boolean {
  if (t === undefined) {
    return false;
  }
  if (ts.isTypeOperatorNode(t) && t.operator === ts.SyntaxKind.ReadonlyKeyword) {
    return ts.isArrayTypeNode(t.type) && t.type.elementType.kind === ts.SyntaxKind.NumberKeyword;
  }
  return (
    ts.isTypeReferenceNode(t) &&
    ts.isIdentifier(t.typeName) &&
    t.typeName.text === "ReadonlyArray" &&
    t.typeArguments?.length === 1 &&
    t.typeArguments[0].kind === ts.SyntaxKind.NumberKeyword
  );
}

function readTable(
  ctx: ReaderContext,
  reader: ExpressionReader,
  d: ts.VariableDeclaration,
  init: ts.ArrayLiteralExpression,
  info: TableInfo,
  doc: readonly string[],
): TableDecl | null {
  if (!isReadonlyNumberArray(d.type)) {
    ctx.unsupported(
      d,
      "an array constant not typed `readonly number[]`",
      "annotate the table `readonly number[]`: the core has no globals that change",
    );
    return null;
  }
  if (init.elements.length === 0) {
    ctx.unsupported(init, "an empty table", "SourcePawn arrays have at least one element");
    return null;
  }
  const sf = d.getSourceFile();
  const rows: { values: Expr[]; comment: string | null }[] = [];
  let line = -1;
  let ok = true;
  for (const el of init.elements) {
    if (ts.isSpreadElement(el) || ts.isOmittedExpression(el)) {
      ctx.unsupported(el, "a spread or hole in a table", "write every element");
      ok = false;
      continue;
    }
    const v = reader.constantInt(el, "a table element");
    if (v === null) {
      ok = false;
      continue;
    }
    const l = sf.getLineAndCharacterOfPosition(el.getStart(sf)).line;
    if (l !== line || rows.length === 0) {
      rows.push({ values: [], comment: null });
      line = l;
    }
    rows[rows.length - 1].values.push(v.expr);
  }
  if (!ok) {
    return null;
  }
  // A `// comment` after the last element of a source line stays with its row.
  let r = -1;
  let prevLine = -1;
  for (const el of init.elements) {
    const l = sf.getLineAndCharacterOfPosition(el.getStart(sf)).line;
    if (l !== prevLine) {
      r++;
      prevLine = l;
    }
    const trailing = ts.getTrailingCommentRanges(sf.text, commaEnd(sf.text, el.end)) ?? [];
    const c = trailing.find((x) => x.kind === ts.SyntaxKind.SingleLineCommentTrivia);
    if (c !== undefined) {
      rows[r].comment = sf.text.slice(c.pos + 2, c.end).trim();
    }
  }
  info.count = init.elements.length;
  return { kind: "table", name: (d.name as ts.Identifier).text, rows, count: info.count, doc, pos: ctx.pos(d) };
}

/** The position after the `,` that follows an array element (or `pos` when none follows). */
function commaEnd(text: string, pos: number): number {
  let i = pos;
  while (i < text.length && (text[i] === " " || text[i] === "\t")) {
    i++;
  }
  return text[i] === "," ? i + 1 : pos;
}

function readEnum(ctx: ReaderContext, reader: ExpressionReader, node: ts.EnumDeclaration): EnumDecl | null {
  if (!hasModifier(node, ts.SyntaxKind.ConstKeyword)) {
    ctx.unsupported(
      node,
      "an enum that is not a `const enum`",
      "write `export const enum " + node.name.text + " { … }`",
    );
    return null;
  }
  const members: EnumMember[] = [];
  for (const m of node.members) {
    if (!ts.isIdentifier(m.name)) {
      ctx.unsupported(m.name, "an enum member with a non-identifier name", "name members with identifiers");
      continue;
    }
    if (m.initializer === undefined) {
      ctx.unsupported(
        m,
        "an enum member without an explicit value",
        "give every member an integer value, e.g. `A = 1`",
      );
      continue;
    }
    const v = reader.constantInt(m.initializer, "an enum value");
    if (v !== null) {
      members.push({ name: m.name.text, value: v.expr, doc: docOf(m) });
    }
  }
  return { kind: "enum", name: node.name.text, members, doc: docOf(node), pos: ctx.pos(node) };
}

function readRecord(ctx: ReaderContext, reader: ExpressionReader, node: ts.ClassDeclaration): RecordDecl | null {
  if (node.name === undefined) {
    ctx.unsupported(node, "an anonymous class", "name the record");
    return null;
  }
  const info = ctx.recordsByName.get(node.name.text) as RecordInfo;
  if (node.heritageClauses !== undefined) {
    ctx.unsupported(
      node.heritageClauses[0],
      "class inheritance",
      "records are plain data: nest a record as a field instead",
    );
  }
  if (node.typeParameters !== undefined) {
    ctx.unsupported(node.typeParameters[0], "a generic class", "records have fixed field types");
  }
  if (hasModifier(node, ts.SyntaxKind.AbstractKeyword)) {
    ctx.unsupported(node, "an abstract class", "records are plain data");
  }
  const fields: FieldDecl[] = [];
  for (const m of node.members) {
    if (ts.isSemicolonClassElement(m)) {
      continue;
    }
    if (ts.isMethodDeclaration(m)) {
      ctx.unsupported(
        m,
        "a class method",
        "records are data only: write a module-level function that takes the record",
      );
      continue;
    }
    if (ts.isConstructorDeclaration(m)) {
      ctx.unsupported(m, "a constructor", "records are zero-initialised: set their fields in an init function");
      continue;
    }
    if (ts.isGetAccessorDeclaration(m) || ts.isSetAccessorDeclaration(m)) {
      ctx.unsupported(m, "a getter or setter", "records are data only: write a module-level function");
      continue;
    }
    if (!ts.isPropertyDeclaration(m)) {
      ctx.unsupported(m, "this class member", "records only have fields with zero initialisers");
      continue;
    }
    const f = readField(ctx, reader, m);
    if (f !== null) {
      fields.push(f);
      info.fields.set(f.name, f.type);
    }
  }
  return { kind: "record", name: node.name.text, fields, doc: docOf(node), pos: ctx.pos(node) };
}

function readField(ctx: ReaderContext, reader: ExpressionReader, m: ts.PropertyDeclaration): FieldDecl | null {
  if (!ts.isIdentifier(m.name)) {
    ctx.unsupported(m.name, "a computed or private field name", "name fields with identifiers");
    return null;
  }
  for (const mod of ts.getModifiers(m) ?? []) {
    if (mod.kind === ts.SyntaxKind.StaticKeyword) {
      ctx.unsupported(m, "a static member", "module-level constants replace static fields");
      return null;
    }
    if (mod.kind !== ts.SyntaxKind.ReadonlyKeyword) {
      ctx.unsupported(mod, `the \`${mod.getText()}\` modifier`, "records are plain data; only `readonly` is allowed");
      return null;
    }
  }
  if (m.questionToken !== undefined || m.exclamationToken !== undefined) {
    ctx.unsupported(m, "an optional or definitely-assigned field", "every field has a zero initialiser");
    return null;
  }
  if (m.type !== undefined && m.type.kind === ts.SyntaxKind.AnyKeyword) {
    ctx.unsupported(m.type, "`any`", "fields are number, boolean, Uint8Array, Int32Array or a record");
    return null;
  }
  if (m.initializer === undefined) {
    ctx.unsupported(
      m,
      "a field without an initialiser",
      "initialise it to the zero of its type: 0, false, a new array or a new record",
    );
    return null;
  }
  const init = skipParens(m.initializer);
  let type: ValueType | null = null;
  if (ts.isNumericLiteral(init) && init.text === "0") {
    type = { kind: "int" };
  } else if (init.kind === ts.SyntaxKind.FalseKeyword) {
    type = { kind: "bool" };
  } else if (ts.isNewExpression(init)) {
    type = reader.newLocalType(init);
    if (type === null) {
      return null;
    }
  } else {
    ctx.unsupported(
      m.initializer,
      "a field initialiser other than the zero of its type",
      "SourcePawn zero-fills enum structs: initialise to 0, false, a new array or a new record, and set other values in an init function",
    );
    return null;
  }
  return { name: m.name.text, type, doc: docOf(m), pos: ctx.pos(m) };
}

/** A parameter type: number, boolean, string, Uint8Array, Int32Array, readonly number[], a record, or Readonly<…> of those. */
function readParamType(ctx: ReaderContext, t: ts.TypeNode | undefined, at: ts.Node): ValueType | null {
  if (t === undefined) {
    ctx.unsupported(
      at,
      "a parameter without a type annotation",
      "annotate it: number, boolean, string, Uint8Array, Int32Array or a record",
    );
    return null;
  }
  switch (t.kind) {
    case ts.SyntaxKind.NumberKeyword:
      return { kind: "int" };
    case ts.SyntaxKind.BooleanKeyword:
      return { kind: "bool" };
    case ts.SyntaxKind.StringKeyword:
      return { kind: "string" };
    case ts.SyntaxKind.AnyKeyword:
      ctx.unsupported(t, "`any`", "annotate number, boolean, string, Uint8Array, Int32Array or a record");
      return null;
    default:
      break;
  }
  if (isReadonlyNumberArray(t)) {
    return { kind: "array", element: "int", readonly: true, size: null };
  }
  if (ts.isTypeReferenceNode(t) && ts.isIdentifier(t.typeName)) {
    const name = t.typeName.text;
    if (name === "Readonly" && t.typeArguments?.length === 1) {
      const inner = readParamType(ctx, t.typeArguments[0], at);
      if (inner === null) {
        return null;
      }
      if (inner.kind === "array" || inner.kind === "record") {
        return { ...inner, readonly: true };
      }
      ctx.unsupported(t, `\`Readonly<${typeName(inner)}>\``, "Readonly applies to arrays and records");
      return null;
    }
    if (t.typeArguments === undefined) {
      if (name === "Uint8Array" || name === "Int32Array") {
        return { kind: "array", element: name === "Uint8Array" ? "byte" : "int", readonly: false, size: null };
      }
      const g = ctx.globalOf(t.typeName);
      if (g !== undefined && g.kind === "record") {
        return { kind: "record", name: g.info.name, readonly: false };
      }
      if (g !== undefined && g.kind === "enum") {
        reportEnumType(ctx, t, "parameter", name);
        return null;
      }
    }
  }
  ctx.unsupported(
    t,
    `the parameter type \`${t.getText()}\``,
    "use number, boolean, string, Uint8Array, Int32Array, readonly number[], a record, or Readonly<…> of those",
  );
  return null;
}

/** An enum used as a parameter or return type: the subset annotates enum values as `number` (they are ints). */
function reportEnumType(ctx: ReaderContext, t: ts.TypeNode, role: "parameter" | "return", name: string): void {
  ctx.unsupported(
    t,
    `the ${role} type \`${name}\` (an enum)`,
    `annotate \`number\`: a member of ${name} is an int in SourcePawn`,
  );
}

function readReturnType(ctx: ReaderContext, node: ts.FunctionDeclaration): ReturnType | null {
  const t = node.type;
  if (t === undefined) {
    ctx.unsupported(
      node.name ?? node,
      "a function without a return type annotation",
      "annotate it `: number`, `: boolean` or `: void`",
    );
    return null;
  }
  switch (t.kind) {
    case ts.SyntaxKind.NumberKeyword:
      return { kind: "int" };
    case ts.SyntaxKind.BooleanKeyword:
      return { kind: "bool" };
    case ts.SyntaxKind.VoidKeyword:
      return { kind: "void" };
    default:
      if (ts.isTypeReferenceNode(t) && ts.isIdentifier(t.typeName) && ctx.globalOf(t.typeName)?.kind === "enum") {
        reportEnumType(ctx, t, "return", t.typeName.text);
        return null;
      }
      ctx.unsupported(
        t,
        `the return type \`${t.getText()}\``,
        "functions return number, boolean or void; write results into arrays or records passed in",
      );
      return null;
  }
}

function readSignature(ctx: ReaderContext, node: ts.FunctionDeclaration): PendingFunction | null {
  if (node.name === undefined) {
    ctx.unsupported(node, "an anonymous function", "name the function");
    return null;
  }
  if (node.body === undefined) {
    ctx.unsupported(
      node,
      "a function without a body (an overload or a declaration)",
      "declare each function once, with its body",
    );
    return null;
  }
  const g = ctx.globals.get(node);
  if (g === undefined || g.kind !== "function") {
    return null;
  }
  let ok = true;
  if (node.asteriskToken !== undefined) {
    ctx.unsupported(node, "a generator function", "return values through arrays or records");
    ok = false;
  }
  if (hasModifier(node, ts.SyntaxKind.AsyncKeyword)) {
    ctx.unsupported(node, "an async function", "the core is synchronous and has no I/O");
    ok = false;
  }
  if (node.typeParameters !== undefined) {
    ctx.unsupported(node.typeParameters[0], "a generic function", "the subset has no generics");
    ok = false;
  }
  const params: FunctionInfo["params"] = [];
  for (const p of node.parameters) {
    if (!ts.isIdentifier(p.name)) {
      ctx.unsupported(p.name, "destructuring", "take each value as its own parameter");
      ok = false;
      continue;
    }
    if (p.name.text === "this") {
      ctx.unsupported(p, "`this` parameters", "records have no methods: take the record as a normal parameter");
      ok = false;
      continue;
    }
    if (p.dotDotDotToken !== undefined) {
      ctx.unsupported(p, "a rest parameter", "pass an array with an offset and a length");
      ok = false;
      continue;
    }
    if (p.questionToken !== undefined) {
      ctx.unsupported(p, "an optional parameter without a default", "give it a default value, e.g. `n: number = 0`");
      ok = false;
      continue;
    }
    const type = readParamType(ctx, p.type, p);
    if (type === null) {
      ok = false;
      continue;
    }
    if (p.initializer !== undefined && type.kind !== "int" && type.kind !== "bool") {
      ctx.unsupported(
        p.initializer,
        "a default value for an array, record or string parameter",
        "only int and bool parameters may have a default",
      );
      ok = false;
      continue;
    }
    params.push({ name: p.name.text, type, hasDefault: p.initializer !== undefined });
  }
  const returnType = readReturnType(ctx, node);
  if (returnType === null) {
    ok = false;
  }
  g.info.params = params;
  g.info.returnType = returnType ?? { kind: "void" };
  return ok ? { kind: "pendingFunction", node, info: g.info, exported: isExported(node) } : null;
}

// ---------------------------------------------------------------------------
// Pass 3: bodies

function readFunctionBody(ctx: ReaderContext, f: PendingFunction): FunctionDecl | null {
  const scope: FunctionScope = {
    locals: new Map(),
    reads: new Map(),
    poisoned: new Set(),
    names: [new Map()],
    nextId: 0,
  };
  const valueOfConst = (name: string): Expr | null => {
    for (const g of ctx.globals.values()) {
      if (g.kind === "const" && g.info.name === name) {
        return g.info.value;
      }
    }
    return null;
  };
  const evalCase = (e: Expr): number | null =>
    evalConst(
      e,
      valueOfConst,
      () => null,
      () => null,
    );
  const reader = new StatementReader(ctx, scope, f.info.returnType.kind, evalCase);
  const before = ctx.diagnostics.length;
  const params: { local: ParamDecl["local"]; defaultValue: Expr | null }[] = [];
  f.node.parameters.forEach((p, i) => {
    const info = f.info.params[i];
    const local = reader.declare(p, info.name, info.type);
    let defaultValue: Expr | null = null;
    if (p.initializer !== undefined) {
      const v = reader.scalar(p.initializer, "a default value");
      if (v !== null && v.type.kind !== info.type.kind) {
        ctx.report(p.initializer, `a ${typeName(v.type)} default for a ${typeName(info.type)} parameter`);
      } else if (v !== null && !isConstantExpr(v.expr)) {
        ctx.unsupported(
          p.initializer,
          "a default value that is not a compile-time constant",
          "use a literal or a constant",
        );
      } else if (v !== null) {
        defaultValue = v.expr;
      }
    }
    params.push({ local, defaultValue });
  });
  const body = reader.statements((f.node.body as ts.Block).statements);
  if (ctx.diagnostics.slice(before).some((d) => d.severity === "error")) {
    return null;
  }
  if (f.info.returnType.kind !== "void" && !endsControlFlow(body)) {
    ctx.unsupported(
      f.node.name ?? f.node,
      "a function that can reach its end without returning a value",
      "return a value on every path: JavaScript would return undefined, spcomp warns with warning 209",
    );
    return null;
  }
  const paramIds = new Set(params.map((p) => p.local.id));
  const unusedLocals: number[] = [];
  for (const [id, n] of scope.reads) {
    if (n === 0 && !paramIds.has(id)) {
      unusedLocals.push(id);
    }
  }
  return {
    kind: "function",
    name: f.info.name,
    exported: f.exported,
    params: params.map((p) => ({
      local: p.local,
      defaultValue: p.defaultValue,
      used: (scope.reads.get(p.local.id) ?? 0) > 0,
    })),
    returnType: f.info.returnType,
    body,
    unusedLocals,
    doc: docOf(f.node),
    pos: ctx.pos(f.node),
  };
}
