/**
 * The TypeScript compiler API and ts-morph's Project, loaded with `require`.
 *
 * ts-morph is a CommonJS package; importing it from an ES module makes Node
 * scan its source (and the bundled TypeScript it re-exports) for export
 * names, which costs about 0.1-0.15 s per run. Requiring it skips that scan.
 * Other generator modules import `ts` and `Project` from here; the type-only
 * namespace below gives `ts.Node` & co. their usual meaning in type positions.
 */

import { createRequire } from "node:module";
import type * as TsMorph from "ts-morph";
import type { ts as TsNs } from "ts-morph";

const morph = createRequire(import.meta.url)("ts-morph") as typeof TsMorph;

/** The compiler API bundled with ts-morph. */
export const ts: typeof TsNs = morph.ts;

/** ts-morph's Project. */
export const Project: typeof TsMorph.Project = morph.Project;
export type Project = TsMorph.Project;
export type SourceFile = TsMorph.SourceFile;

/* eslint-disable @typescript-eslint/no-namespace */
/** The compiler API types used by the generator. */
export declare namespace ts {
  export type ArrayLiteralExpression = TsNs.ArrayLiteralExpression;
  export type BinaryExpression = TsNs.BinaryExpression;
  export type Block = TsNs.Block;
  export type BreakOrContinueStatement = TsNs.BreakOrContinueStatement;
  export type CallExpression = TsNs.CallExpression;
  export type ClassDeclaration = TsNs.ClassDeclaration;
  export type CommentRange = TsNs.CommentRange;
  export type ConditionalExpression = TsNs.ConditionalExpression;
  export type Declaration = TsNs.Declaration;
  export type DoStatement = TsNs.DoStatement;
  export type ElementAccessExpression = TsNs.ElementAccessExpression;
  export type EnumDeclaration = TsNs.EnumDeclaration;
  export type EnumMember = TsNs.EnumMember;
  export type Expression = TsNs.Expression;
  export type ExpressionStatement = TsNs.ExpressionStatement;
  export type ForStatement = TsNs.ForStatement;
  export type FunctionDeclaration = TsNs.FunctionDeclaration;
  export type Identifier = TsNs.Identifier;
  export type IfStatement = TsNs.IfStatement;
  export type ImportDeclaration = TsNs.ImportDeclaration;
  export type NewExpression = TsNs.NewExpression;
  export type Node = TsNs.Node;
  export type NumericLiteral = TsNs.NumericLiteral;
  export type ParenthesizedExpression = TsNs.ParenthesizedExpression;
  export type PrefixUnaryExpression = TsNs.PrefixUnaryExpression;
  export type Program = TsNs.Program;
  export type PropertyAccessExpression = TsNs.PropertyAccessExpression;
  export type PropertyDeclaration = TsNs.PropertyDeclaration;
  export type ReturnStatement = TsNs.ReturnStatement;
  export type SourceFile = TsNs.SourceFile;
  export type Statement = TsNs.Statement;
  export type StringLiteral = TsNs.StringLiteral;
  export type SwitchStatement = TsNs.SwitchStatement;
  export type SyntaxKind = TsNs.SyntaxKind;
  export type TypeChecker = TsNs.TypeChecker;
  export type TypeNode = TsNs.TypeNode;
  export type VariableDeclaration = TsNs.VariableDeclaration;
  export type VariableDeclarationList = TsNs.VariableDeclarationList;
  export type VariableStatement = TsNs.VariableStatement;
  export type WhileStatement = TsNs.WhileStatement;
}
