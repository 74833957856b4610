/**
 * The TypeScript compiler API, loaded with `require`: the copy bundled with
 * ts-morph (`@ts-morph/common/dist/typescript.js`, resolved from ts-morph's
 * own location), without ts-morph itself. The frontend works on raw compiler
 * nodes and the checker, and spec-project.ts builds the program with a small
 * in-memory compiler host, so ts-morph's wrappers (about 2.5 MB more to load,
 * and a wrapper per source file) are not needed at run time.
 *
 * Loading it as CommonJS skips the scan for export names that importing a
 * CommonJS package from an ES module costs (about 0.1-0.15 s per run), and a
 * V8 code cache (below) spares compiling it on every run. Other generator
 * modules import `ts` from here; the type-only namespace below gives
 * `ts.Node` & co. their usual meaning in type positions.
 */

import { isAscii } from "node:buffer";
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { createRequire, Module } from "node:module";
import path from "node:path";
import { Script } from "node:vm";
import type { ts as TsNs } from "ts-morph";

const fromMorph = createRequire(createRequire(import.meta.url).resolve("ts-morph"));
const TS_FILE = fromMorph.resolve("@ts-morph/common/dist/typescript.js");

/**
 * Where the V8 code cache of TypeScript's bundle lives: `node_modules/.cache/spgen/`, one file per bundle
 * (path, size, modification time) and V8 version, so that a changed bundle or Node never meets a stale cache
 * (V8 also checks it and rejects a mismatch). Null when the bundle is not under a node_modules directory.
 */
function cachePath(file: string): string | null {
  const at = file.lastIndexOf(`${path.sep}node_modules${path.sep}`);
  if (at < 0) {
    return null;
  }
  const st = statSync(file);
  const key = `${file}:${st.size}:${st.mtimeMs}:${process.versions.v8}`;
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h = Math.imul(h ^ key.charCodeAt(i), 0x01000193) >>> 0;
  }
  return path.join(file.slice(0, at), "node_modules", ".cache", "spgen", `typescript-${h.toString(16)}.v8cache`);
}

/**
 * The text of a JavaScript file. TypeScript's bundle is plain ASCII: decoded as Latin-1 (one byte, one character,
 * the same string for ASCII) it reads in about half the time of UTF-8 decoding (measured 67-72 ms against 121 ms
 * for the 9 MB bundle in a fresh process), which is the slowest step of loading it. Any other byte falls back
 * to UTF-8, so a future bundle with non-ASCII text still reads correctly.
 */
function readSource(file: string): string {
  const bytes = readFileSync(file);
  return isAscii(bytes) ? bytes.toString("latin1") : bytes.toString("utf8");
}

/**
 * Loads TypeScript's 9 MB bundle as `require` would, through a V8 code cache: compiling the bundle and the
 * functions a run uses costs about 0.1 s of each run otherwise. The cache is written at exit when it was
 * missing or rejected, after the run (so it holds the parser's and checker's functions too), through a
 * temporary file and a rename (concurrent runs never see half a file); any failure to read or write it
 * only costs the time it would have saved. SPGEN_NO_CODE_CACHE=1 turns it off.
 */
function loadTypeScript(): typeof TsNs {
  const cache = process.env.SPGEN_NO_CODE_CACHE === "1" ? null : cachePath(TS_FILE);
  if (cache === null) {
    return fromMorph(TS_FILE) as typeof TsNs;
  }
  let cachedData: Buffer | undefined;
  try {
    cachedData = readFileSync(cache);
  } catch {
    cachedData = undefined;
  }
  const script = new Script(Module.wrap(readSource(TS_FILE)), { filename: TS_FILE, cachedData });
  const mod = { exports: {} as unknown, filename: TS_FILE };
  const run = script.runInThisContext() as (...args: unknown[]) => void;
  run.call(mod.exports, mod.exports, createRequire(TS_FILE), mod, TS_FILE, path.dirname(TS_FILE));
  if (cachedData === undefined || script.cachedDataRejected === true) {
    process.once("exit", () => {
      try {
        mkdirSync(path.dirname(cache), { recursive: true });
        const tmp = `${cache}.${process.pid}.tmp`;
        writeFileSync(tmp, script.createCachedData());
        renameSync(tmp, cache);
      } catch {
        // A read-only node_modules: no cache, same results.
      }
    });
  }
  return mod.exports as typeof TsNs;
}

/** The compiler API bundled with ts-morph. */
export const ts: typeof TsNs = loadTypeScript();

/* eslint-disable @typescript-eslint/no-namespace */
/** The compiler API types used by the generator. */
export declare namespace ts {
  export type ArrayLiteralExpression = TsNs.ArrayLiteralExpression;
  export type BinaryExpression = TsNs.BinaryExpression;
  export type Block = TsNs.Block;
  export type BreakOrContinueStatement = TsNs.BreakOrContinueStatement;
  export type CompilerHost = TsNs.CompilerHost;
  export type CompilerOptions = TsNs.CompilerOptions;
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
