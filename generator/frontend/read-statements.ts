/**
 * Statements of a function body → IR statements: locals, assignments,
 * `++`/`--`, calls, if/for/while/do, break/continue/return and switches
 * without fall-through. Everything else is reported.
 */

import { ts } from "../typescript.js";
import type { AssignOp, Expr, LocalVar, LValue, Stmt, SwitchCase, ValueType } from "../model.js";
import { ExpressionReader, type FunctionScope, type TExpr, typeName } from "./read-expressions.js";
import { type ReaderContext, skipParens, statementComments } from "./reader-context.js";

const ASSIGN_OPS: ReadonlyMap<ts.SyntaxKind, AssignOp> = new Map([
  [ts.SyntaxKind.EqualsToken, "="],
  [ts.SyntaxKind.PlusEqualsToken, "+="],
  [ts.SyntaxKind.MinusEqualsToken, "-="],
  [ts.SyntaxKind.AsteriskEqualsToken, "*="],
  [ts.SyntaxKind.PercentEqualsToken, "%="],
  [ts.SyntaxKind.BarEqualsToken, "|="],
  [ts.SyntaxKind.AmpersandEqualsToken, "&="],
  [ts.SyntaxKind.CaretEqualsToken, "^="],
  [ts.SyntaxKind.LessThanLessThanEqualsToken, "<<="],
  [ts.SyntaxKind.GreaterThanGreaterThanEqualsToken, ">>="],
  [ts.SyntaxKind.GreaterThanGreaterThanGreaterThanEqualsToken, ">>>="],
]);

/** Value of constant case labels, for the duplicate check. */
export type CaseEvaluator = (e: Expr) => number | null;

export class StatementReader extends ExpressionReader {
  /** What an unlabelled `break` inside the current statement would leave. */
  private readonly jumpTargets: ("loop" | "switch")[] = [];

  constructor(
    ctx: ReaderContext,
    scope: FunctionScope,
    private readonly returnKind: "int" | "bool" | "void",
    private readonly evalCase: CaseEvaluator,
  ) {
    super(ctx, scope);
  }

  private get fnScope(): FunctionScope {
    return this.scope as FunctionScope;
  }

  /** Declares a local (or parameter) for a declaration node. */
  declare(decl: ts.Node, name: string, type: ValueType): LocalVar {
    const local: LocalVar = { id: this.fnScope.nextId++, name, type, pos: this.ctx.pos(decl) };
    this.fnScope.locals.set(decl, local);
    this.fnScope.names[this.fnScope.names.length - 1].set(name, local);
    this.fnScope.reads.set(local.id, 0);
    return local;
  }

  /** Marks the names a refused declaration binds, so that their uses are not reported again. */
  private poison(decl: ts.VariableDeclaration): void {
    const visit = (n: ts.Node): void => {
      if (ts.isVariableDeclaration(n) || ts.isBindingElement(n)) {
        this.fnScope.poisoned.add(n);
        if (ts.isIdentifier(n.name)) {
          this.fnScope.names[this.fnScope.names.length - 1].set(n.name.text, null);
        }
      }
      ts.forEachChild(n, visit);
    };
    visit(decl);
  }

  /** The statements of a block or of a single statement used as a body. */
  body(node: ts.Statement): Stmt[] {
    return ts.isBlock(node) ? this.statements(node.statements) : this.statements([node]);
  }

  /** Runs `fn` in a new block scope. */
  private inScope<T>(fn: () => T): T {
    this.fnScope.names.push(new Map());
    try {
      return fn();
    } finally {
      this.fnScope.names.pop();
    }
  }

  /** The statements of a block, in their own scope. */
  statements(nodes: readonly ts.Statement[]): Stmt[] {
    return this.inScope(() => {
      const out: Stmt[] = [];
      let reported = false;
      for (const n of nodes) {
        if (!reported && n.kind !== ts.SyntaxKind.EmptyStatement && endsControlFlow(out)) {
          this.ctx.unsupported(n, "unreachable code", "remove it: spcomp warns about it with warning 225");
          reported = true;
        }
        const comments = statementComments(n);
        if (comments.length > 0) {
          out.push({ kind: "comment", lines: comments, pos: this.ctx.pos(n) });
        }
        this.statement(n, out);
      }
      return out;
    });
  }

  private statement(node: ts.Statement, out: Stmt[]): void {
    const k = ts.SyntaxKind;
    switch (node.kind) {
      case k.VariableStatement:
        this.variableStatement(node as ts.VariableStatement, out);
        return;
      case k.ExpressionStatement:
        this.expressionStatement((node as ts.ExpressionStatement).expression, out);
        return;
      case k.IfStatement:
        out.push(...this.ifStatement(node as ts.IfStatement));
        return;
      case k.ForStatement:
        this.forStatement(node as ts.ForStatement, out);
        return;
      case k.WhileStatement: {
        const w = node as ts.WhileStatement;
        const test = this.testCondition(w.expression, true);
        const body = this.loopBody(w.statement);
        if (test !== null) {
          out.push({ kind: "while", test: test.expr, body });
        }
        return;
      }
      case k.DoStatement: {
        const d = node as ts.DoStatement;
        const body = this.loopBody(d.statement);
        const test = this.testCondition(d.expression, true);
        if (test !== null) {
          out.push({ kind: "doWhile", body, test: test.expr });
        }
        return;
      }
      case k.BreakStatement:
      case k.ContinueStatement: {
        const j = node as ts.BreakOrContinueStatement;
        if (j.label !== undefined) {
          this.ctx.unsupported(node, "a labelled break/continue", "restructure the loops, e.g. with a flag");
          return;
        }
        if (node.kind === k.BreakStatement && this.jumpTargets[this.jumpTargets.length - 1] === "switch") {
          this.ctx.unsupported(
            node,
            "`break` that leaves a switch from inside a nested statement",
            "SourcePawn cases end by themselves and its `break` would leave the enclosing loop: end the case with its only break, or use a flag",
          );
          return;
        }
        out.push({ kind: node.kind === k.BreakStatement ? "break" : "continue" });
        return;
      }
      case k.ReturnStatement:
        this.returnStatement(node as ts.ReturnStatement, out);
        return;
      case k.SwitchStatement:
        this.switchStatement(node as ts.SwitchStatement, out);
        return;
      case k.Block:
        out.push({ kind: "block", body: this.statements((node as ts.Block).statements) });
        return;
      case k.EmptyStatement:
        return;
      case k.ThrowStatement:
        this.ctx.unsupported(node, "`throw`", "the core has no exceptions: return an error code");
        return;
      case k.TryStatement:
        this.ctx.unsupported(node, "try/catch", "the core has no exceptions: return an error code");
        return;
      case k.ForOfStatement:
        this.ctx.unsupported(node, "for…of", "loop over an index: `for (let i = 0; i < n; i++)`");
        return;
      case k.ForInStatement:
        this.ctx.unsupported(node, "for…in", "loop over an index: `for (let i = 0; i < n; i++)`");
        return;
      case k.LabeledStatement:
        this.ctx.unsupported(node, "a labelled statement", "restructure the loops, e.g. with a flag");
        return;
      case k.FunctionDeclaration:
        this.ctx.unsupported(node, "a nested function", "declare functions at module level");
        return;
      case k.ClassDeclaration:
        this.ctx.unsupported(node, "a local class", "declare records at module level");
        return;
      default:
        this.ctx.unsupported(
          node,
          `the statement \`${ts.SyntaxKind[node.kind]}\``,
          "see spec/README.md for the statements of the subset",
        );
        return;
    }
  }

  private loopBody(node: ts.Statement): Stmt[] {
    this.jumpTargets.push("loop");
    const body = this.body(node);
    this.jumpTargets.pop();
    return body;
  }

  private variableStatement(node: ts.VariableStatement, out: Stmt[]): void {
    out.push(...this.declarationList(node.declarationList, false));
  }

  /** `let`/`const` declarations; in a for-initialiser only int/bool locals are allowed. */
  private declarationList(list: ts.VariableDeclarationList, inFor: boolean): Stmt[] {
    const out: Stmt[] = [];
    if ((list.flags & (ts.NodeFlags.Let | ts.NodeFlags.Const)) === 0) {
      this.ctx.unsupported(list, "`var`", "use let or const");
      list.declarations.forEach((d) => this.poison(d));
      return out;
    }
    for (const d of list.declarations) {
      const stmt = this.localDeclaration(d, inFor);
      if (stmt === null) {
        this.poison(d);
      } else {
        out.push(stmt);
      }
    }
    return out;
  }

  /** One `let`/`const` declarator, or null (reported) when it is refused. */
  private localDeclaration(d: ts.VariableDeclaration, inFor: boolean): Stmt | null {
    if (!ts.isIdentifier(d.name)) {
      this.ctx.unsupported(d.name, "destructuring", "declare one local per value");
      return null;
    }
    if (d.initializer === undefined) {
      this.ctx.unsupported(d, "a local without an initialiser", "give it a value, e.g. `let x = 0`");
      return null;
    }
    if (d.type !== undefined && !this.simpleLocalAnnotation(d.type)) {
      return null;
    }
    const init = skipParens(d.initializer);
    if (ts.isNewExpression(init)) {
      if (inFor) {
        this.ctx.unsupported(init, "an array or record declared in a for-initialiser", "declare it before the loop");
        return null;
      }
      const type = this.newLocalType(init);
      return type === null ? null : { kind: "local", local: this.declare(d, d.name.text, type), init: null };
    }
    const value = this.expr(d.initializer);
    if (value === null) {
      return null;
    }
    if (value.type.kind === "string") {
      this.ctx.unsupported(d, "a string local", "pass string literals or constants directly where they are needed");
      return null;
    }
    if (value.type.kind === "array" || value.type.kind === "record") {
      this.ctx.unsupported(
        d,
        "a local that aliases an array or record",
        "use the original name: SourcePawn would copy where JavaScript shares",
      );
      return null;
    }
    return { kind: "local", local: this.declare(d, d.name.text, value.type), init: value.expr };
  }

  private simpleLocalAnnotation(t: ts.TypeNode): boolean {
    if (t.kind === ts.SyntaxKind.NumberKeyword || t.kind === ts.SyntaxKind.BooleanKeyword) {
      return true;
    }
    if (ts.isTypeReferenceNode(t) && ts.isIdentifier(t.typeName) && t.typeArguments === undefined) {
      return true;
    }
    if (t.kind === ts.SyntaxKind.AnyKeyword) {
      this.ctx.unsupported(t, "`any`", "annotate number or boolean, or leave the type to inference");
    } else {
      this.ctx.unsupported(
        t,
        `the local type \`${t.getText()}\``,
        "locals are number, boolean, Uint8Array, Int32Array or a record",
      );
    }
    return false;
  }

  private expressionStatement(e: ts.Expression, out: Stmt[]): void {
    const s = this.simpleStatement(e);
    if (s !== null) {
      out.push(...s);
    }
  }

  /** A call, an assignment or `++`/`--` (also the pieces of a for-update). */
  private simpleStatement(node: ts.Expression): Stmt[] | null {
    const e = skipParens(node);
    const k = ts.SyntaxKind;
    if (ts.isCallExpression(e)) {
      const c = this.call(e);
      if (c === null || c.expr.kind !== "call") {
        if (c !== null) {
          this.ctx.unsupported(e, "a call whose result is unused", "use the value, or drop the call");
        }
        return null;
      }
      return [{ kind: "call", call: c.expr }];
    }
    if (ts.isBinaryExpression(e)) {
      const op = ASSIGN_OPS.get(e.operatorToken.kind);
      if (op !== undefined) {
        return this.assignment(e, op);
      }
      const opKind = e.operatorToken.kind;
      if (opKind >= k.FirstAssignment && opKind <= k.LastAssignment) {
        const t = e.operatorToken.getText();
        this.ctx.unsupported(
          e.operatorToken,
          `\`${t}\``,
          t === "/=" ? "write `x = (x / y) | 0`" : "use = and the operators of the subset",
        );
        return null;
      }
    }
    if (
      (ts.isPrefixUnaryExpression(e) || ts.isPostfixUnaryExpression(e)) &&
      (e.operator === k.PlusPlusToken || e.operator === k.MinusMinusToken)
    ) {
      const target = this.lvalue(e.operand, true);
      if (target === null) {
        return null;
      }
      if (target.type.kind !== "int") {
        this.ctx.report(e, `\`++\`/\`--\` on ${typeName(target.type)}`);
        return null;
      }
      return [{ kind: "update", op: e.operator === k.PlusPlusToken ? "++" : "--", target }];
    }
    this.ctx.unsupported(
      node,
      "an expression statement that is not a call, an assignment or `++`/`--`",
      "drop it, or assign its value",
    );
    return null;
  }

  private assignment(e: ts.BinaryExpression, op: AssignOp): Stmt[] | null {
    const target = this.lvalue(e.left, op !== "=");
    const value = this.expr(e.right);
    if (target === null || value === null) {
      return null;
    }
    if (target.type.kind === "array" || target.type.kind === "record") {
      this.ctx.unsupported(
        e,
        "assigning a whole array or record",
        "SourcePawn copies where JavaScript shares: copy the fields or elements one by one",
      );
      return null;
    }
    if (value.type.kind !== target.type.kind) {
      this.typeErrorAssign(e.right, value, target.type);
      return null;
    }
    if (op !== "=" && target.type.kind !== "int") {
      this.ctx.report(e, `\`${op}\` on ${typeName(target.type)}`);
      return null;
    }
    if (
      op === "=" &&
      target.kind === "local" &&
      value.expr.kind === "local" &&
      value.expr.local.id === target.local.id
    ) {
      this.ctx.unsupported(
        e,
        "assigning a variable to itself",
        "drop the statement: spcomp warns about it with warning 226",
      );
      return null;
    }
    if (op === ">>>=" && target.kind !== "index") {
      const count = skipParens(e.right);
      const v = ts.isNumericLiteral(count) ? Number(count.text) : -1;
      if (!(v >= 1 && v <= 31)) {
        this.ctx.unsupported(
          e,
          "`>>>=` by 0 or by a variable count on a local or field",
          "JavaScript reads the result as unsigned where SourcePawn has a negative int: shift by a constant 1..31",
        );
        return null;
      }
    }
    return [{ kind: "assign", op, target, value: value.expr }];
  }

  private typeErrorAssign(node: ts.Node, value: TExpr, target: ValueType): void {
    if (value.type.kind === "string" || value.type.kind === "array" || value.type.kind === "record") {
      this.typeError(node, value.type, "an assigned value");
    } else {
      this.ctx.report(node, `${typeName(value.type)} assigned to ${typeName(target)}`);
    }
  }

  /** An assignment target; `reads` when the statement also reads it (compound assignment, ++/--). */
  private lvalue(node: ts.Expression, reads: boolean): (LValue & { type: ValueType }) | null {
    const e = skipParens(node);
    if (ts.isIdentifier(e)) {
      const local = this.localOf(e);
      if (local === undefined) {
        const g = this.ctx.globalOf(e);
        if (g !== undefined) {
          this.ctx.unsupported(
            e,
            "assigning a module-level name",
            "the core has no globals that change: keep state in records",
          );
        } else {
          this.expr(e);
        }
        return null;
      }
      if (reads) {
        this.markRead(local);
      }
      return { kind: "local", local, type: local.type };
    }
    if (ts.isElementAccessExpression(e)) {
      const r = this.expr(e);
      if (r === null || r.expr.kind !== "index") {
        return null;
      }
      const arrType = this.arrayTypeOf(r.expr.array);
      if (arrType !== null && arrType.kind === "array" && arrType.readonly) {
        this.ctx.report(e, "writing to a read-only array");
        return null;
      }
      return { kind: "index", array: r.expr.array, index: r.expr.index, type: r.type };
    }
    if (ts.isPropertyAccessExpression(e)) {
      const r = this.expr(e);
      if (r === null) {
        return null;
      }
      if (r.expr.kind !== "field") {
        this.ctx.unsupported(
          e,
          "assigning this property",
          "only record fields, locals and array elements can be assigned",
        );
        return null;
      }
      const recType = this.arrayTypeOf(r.expr.record);
      if (recType !== null && recType.kind === "record" && recType.readonly) {
        this.ctx.report(e, "writing to a field of a read-only record");
        return null;
      }
      return { kind: "field", record: r.expr.record, field: r.expr.field, type: r.type };
    }
    this.ctx.unsupported(e, "this assignment target", "assign locals, record fields and array elements");
    return null;
  }

  /** The type of an array or record expression already read. */
  private arrayTypeOf(e: Expr): ValueType | null {
    switch (e.kind) {
      case "local":
        return e.local.type;
      case "field":
      case "index":
        return e.type;
      case "table":
        return e.type;
      default:
        return null;
    }
  }

  private ifStatement(node: ts.IfStatement): Stmt[] {
    const test = this.testCondition(node.expression);
    const then = this.body(node.thenStatement);
    let els: Stmt[] | null = null;
    if (node.elseStatement !== undefined) {
      els = ts.isIfStatement(node.elseStatement) ? this.ifStatement(node.elseStatement) : this.body(node.elseStatement);
    }
    return test === null ? [] : [{ kind: "if", test: test.expr, then, else: els }];
  }

  private forStatement(node: ts.ForStatement, out: Stmt[]): void {
    this.inScope(() => this.forStatementInScope(node, out));
  }

  private forStatementInScope(node: ts.ForStatement, out: Stmt[]): void {
    let init: Stmt[] = [];
    if (node.initializer !== undefined) {
      if (ts.isVariableDeclarationList(node.initializer)) {
        init = this.declarationList(node.initializer, true);
        const kinds = new Set(init.map((s) => (s.kind === "local" ? s.local.type.kind : "")));
        if (kinds.size > 1) {
          this.ctx.unsupported(
            node.initializer,
            "for-loop locals of different types",
            "declare the extra locals before the loop",
          );
          return;
        }
      } else {
        init = this.commaList(node.initializer) ?? [];
      }
    }
    const test = node.condition === undefined ? null : this.testCondition(node.condition, true);
    const update = node.incrementor === undefined ? [] : (this.commaList(node.incrementor) ?? []);
    const body = this.loopBody(node.statement);
    if (node.condition !== undefined && test === null) {
      return;
    }
    out.push({ kind: "for", init, test: test === null ? null : test.expr, update, body });
  }

  /** `a = 0, b++`: the statements of a for-initialiser or update. */
  private commaList(node: ts.Expression): Stmt[] | null {
    const e = skipParens(node);
    if (ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.CommaToken) {
      const a = this.commaList(e.left);
      const b = this.commaList(e.right);
      return a === null || b === null ? null : [...a, ...b];
    }
    return this.simpleStatement(e);
  }

  private returnStatement(node: ts.ReturnStatement, out: Stmt[]): void {
    if (node.expression === undefined) {
      if (this.returnKind !== "void") {
        this.ctx.report(node, "`return` without a value in a function that returns one");
        return;
      }
      out.push({ kind: "return", value: null });
      return;
    }
    if (this.returnKind === "void") {
      this.ctx.report(node, "`return` with a value in a void function");
      return;
    }
    const v = this.scalar(node.expression, "a return value");
    if (v === null) {
      return;
    }
    if (v.type.kind !== this.returnKind) {
      this.ctx.report(
        node.expression,
        `returns ${typeName(v.type)} from a function declared to return ${this.returnKind === "int" ? "number" : "boolean"}`,
      );
      return;
    }
    out.push({ kind: "return", value: v.expr });
  }

  private switchStatement(node: ts.SwitchStatement, out: Stmt[]): void {
    const subject = this.int(node.expression, "a switch subject");
    const cases: SwitchCase[] = [];
    const clauses = node.caseBlock.clauses;
    const seen = new Map<number, ts.Node>();
    let pendingValues: Expr[] = [];
    let pendingDefault = false;
    let ok = subject !== null;
    clauses.forEach((clause, index) => {
      if (ts.isCaseClause(clause)) {
        const v = this.caseValue(clause.expression);
        if (v === null) {
          ok = false;
        } else {
          const n = this.evalCase(v);
          if (n !== null) {
            if (seen.has(n)) {
              this.ctx.report(clause.expression, `duplicate case value ${n}`);
              ok = false;
            }
            seen.set(n, clause);
          }
          pendingValues.push(v);
        }
      } else {
        pendingDefault = true;
      }
      const isLast = index === clauses.length - 1;
      let stmts: readonly ts.Statement[] = clause.statements;
      if (stmts.length === 1 && ts.isBlock(stmts[0])) {
        stmts = stmts[0].statements;
      }
      if (clause.statements.length === 0 && !isLast) {
        return;
      }
      const last = stmts[stmts.length - 1];
      let bodyNodes = stmts;
      if (last !== undefined && ts.isBreakStatement(last) && last.label === undefined) {
        bodyNodes = stmts.slice(0, -1);
      } else if (
        last !== undefined &&
        (ts.isReturnStatement(last) || ts.isContinueStatement(last) || ts.isThrowStatement(last))
      ) {
        bodyNodes = stmts;
      } else if (!isLast) {
        this.ctx.unsupported(
          clause,
          "fall-through from one case into the next",
          "end every non-empty case with break, return or continue; SourcePawn cases never fall through",
        );
        ok = false;
      }
      this.jumpTargets.push("switch");
      const body = this.statements(bodyNodes);
      this.jumpTargets.pop();
      cases.push({ values: pendingValues, isDefault: pendingDefault, body });
      pendingValues = [];
      pendingDefault = false;
    });
    if (ok && subject !== null) {
      out.push({ kind: "switch", subject: subject.expr, cases });
    }
  }

  private caseValue(node: ts.Expression): Expr | null {
    const e = this.int(node, "a case value");
    if (e === null) {
      return null;
    }
    const x = e.expr;
    const okKind =
      x.kind === "int" ||
      x.kind === "char" ||
      x.kind === "enumMember" ||
      x.kind === "const" ||
      (x.kind === "unary" && x.op === "-" && x.operand.kind === "int");
    if (!okKind) {
      this.ctx.unsupported(
        node,
        "a case value that is not a literal, character code, enum member or constant",
        "SourcePawn case labels are constants; use if/else for computed values",
      );
      return null;
    }
    return x;
  }
}

/** True when `s` never completes normally: it returns, breaks, continues, or loops forever. */
export function terminates(s: Stmt): boolean {
  switch (s.kind) {
    case "return":
    case "break":
    case "continue":
      return true;
    case "if":
      return s.else !== null && endsControlFlow(s.then) && endsControlFlow(s.else);
    case "block":
      return endsControlFlow(s.body);
    case "switch":
      return s.cases.some((c) => c.isDefault) && s.cases.every((c) => endsControlFlow(c.body));
    case "for":
      return (s.test === null || isTrueLiteral(s.test)) && !breaksOut(s.body);
    case "while":
    case "doWhile":
      return isTrueLiteral(s.test) && !breaksOut(s.body);
    default:
      return false;
  }
}

/** True when the last statement of a list (comments aside) never completes normally. */
export function endsControlFlow(stmts: readonly Stmt[]): boolean {
  for (let i = stmts.length - 1; i >= 0; i--) {
    if (stmts[i].kind !== "comment") {
      return terminates(stmts[i]);
    }
  }
  return false;
}

function isTrueLiteral(e: Expr): boolean {
  return e.kind === "bool" && e.value;
}

/** True when a loop body holds a `break` that leaves that loop (not one of an inner loop). */
function breaksOut(stmts: readonly Stmt[]): boolean {
  return stmts.some((s) => {
    switch (s.kind) {
      case "break":
        return true;
      case "if":
        return breaksOut(s.then) || (s.else !== null && breaksOut(s.else));
      case "block":
        return breaksOut(s.body);
      case "switch":
        return s.cases.some((c) => breaksOut(c.body));
      default:
        return false;
    }
  });
}
