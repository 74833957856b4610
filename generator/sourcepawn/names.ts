/**
 * SourcePawn naming, in one place: the words a TypeScript identifier must
 * not become, the sanitizer that avoids them, and the rules that turn spec
 * names into SourcePawn names.
 *
 * Naming rules (deterministic, documented in generator/README.md):
 * - functions, records, constants, tables, locals and parameters keep their
 *   TypeScript name, so that `decoderFeed` in the spec is `decoderFeed` in
 *   the output (TypeScript names are already unique per module, and the
 *   generator reports names that collide across modules);
 * - a const enum member `E.A` becomes `E_A` (untagged enum, plain int);
 * - a name that is a SourcePawn keyword, type or built-in gets a trailing `_`
 *   (`char` → `char_`); characters SourcePawn does not allow in names
 *   (`$`, non-ASCII) become `_`;
 * - a local that would shadow a global or an outer local (SourcePawn warns
 *   about both) gets `_2`, `_3`, … (see generator/lower.ts).
 */

/**
 * Keywords of the SourcePawn lexer (sourcepawn compiler/lexer.cpp, `sc_tokens`,
 * 1.12 and master), plus words older compilers reserved.
 */
export const SOURCEPAWN_KEYWORDS: readonly string[] = [
  "acquire",
  "as",
  "assert",
  "break",
  "builtin",
  "case",
  "cast_to",
  "catch",
  "cellsof",
  "char",
  "const",
  "continue",
  "decl",
  "default",
  "defined",
  "delete",
  "do",
  "double",
  "else",
  "enum",
  "exit",
  "explicit",
  "false",
  "finally",
  "for",
  "foreach",
  "forward",
  "funcenum",
  "functag",
  "function",
  "goto",
  "if",
  "implicit",
  "import",
  "in",
  "int",
  "int8",
  "int16",
  "int32",
  "int64",
  "interface",
  "intn",
  "let",
  "methodmap",
  "namespace",
  "native",
  "new",
  "null",
  "object",
  "operator",
  "package",
  "private",
  "property",
  "protected",
  "public",
  "readonly",
  "return",
  "sealed",
  "sizeof",
  "static",
  "static_assert",
  "stock",
  "struct",
  "switch",
  "tagof",
  "this",
  "throw",
  "true",
  "try",
  "typedef",
  "typeof",
  "typeset",
  "uint8",
  "uint16",
  "uint32",
  "uint64",
  "uintn",
  "union",
  "using",
  "var",
  "variant",
  "view_as",
  "virtual",
  "void",
  "volatile",
  "while",
  "with",
  "__nullable__",
];

/** Built-in type names and constants (compiler/types.cpp, builtin-generator.cpp, main.cpp). */
export const SOURCEPAWN_BUILTINS: readonly string[] = [
  "_",
  "any",
  "bool",
  "float",
  "Float",
  "String",
  "Function",
  "null_t",
  "nullfunc_t",
  "EOS",
  "cellmax",
  "cellmin",
  "INVALID_FUNCTION",
  "__LINE__",
  "__FILE__",
  "__DATE__",
  "__TIME__",
  "__BINARY_PATH__",
  "__BINARY_NAME__",
  "myinfo",
];

/** Names of the generated core prelude (generator/lower.ts). */
export const PRELUDE_NAMES: readonly string[] = ["SpStrLen"];

const RESERVED = new Set<string>([...SOURCEPAWN_KEYWORDS, ...SOURCEPAWN_BUILTINS, ...PRELUDE_NAMES]);

/** True when `name` cannot be used as a SourcePawn identifier as it is. */
export function isReserved(name: string): boolean {
  return RESERVED.has(name);
}

/** A valid, non-reserved SourcePawn identifier for a TypeScript identifier. */
export function sanitizeIdentifier(name: string): string {
  let s = name.replace(/[^A-Za-z0-9_]/g, "_");
  if (/^[0-9]/.test(s)) {
    s = `_${s}`;
  }
  while (RESERVED.has(s)) {
    s = `${s}_`;
  }
  return s;
}

/** `E.A` → `E_A`. */
export function enumMemberName(enumName: string, member: string): string {
  return sanitizeIdentifier(`${enumName}_${member}`);
}

/** The include guard symbol for a file name: `websocket/core.inc` → `_websocket_core_included`. */
export function includeGuard(fileName: string): string {
  const base = fileName.replace(/\.(inc|sp)$/, "");
  return `_${base.replace(/[^A-Za-z0-9]+/g, "_").replace(/^_+|_+$/g, "")}_included`;
}
