/**
 * The only library the spec is type-checked against (`noLib: true`): the
 * handful of globals the SourcePawn subset uses, plus the empty shells the
 * TypeScript checker requires to exist. Loading the standard lib instead
 * costs about a second per run; this costs nothing.
 */

/** Virtual path of the minimal lib inside the spec program. */
export const MINIMAL_LIB_PATH = "/__spgen__/lib.subset.d.ts";

/** Declarations of the minimal lib. */
export const MINIMAL_LIB = `
interface Array<T> { readonly length: number; [n: number]: T; }
interface ReadonlyArray<T> { readonly length: number; readonly [n: number]: T; }
interface Boolean {}
interface Function {}
interface CallableFunction extends Function {}
interface NewableFunction extends Function {}
interface IArguments {}
interface Number {}
interface Object {}
interface RegExp {}
interface String { readonly length: number; charCodeAt(index: number): number; }
interface TemplateStringsArray extends ReadonlyArray<string> {}
type Readonly<T> = { readonly [P in keyof T]: T[P] };
interface Uint8Array { readonly length: number; [index: number]: number; readonly __spgenUint8Array: void; }
interface Uint8ArrayConstructor { new (length: number): Uint8Array; }
declare var Uint8Array: Uint8ArrayConstructor;
interface Int32Array { readonly length: number; [index: number]: number; readonly __spgenInt32Array: void; }
interface Int32ArrayConstructor { new (length: number): Int32Array; }
declare var Int32Array: Int32ArrayConstructor;
interface Math { imul(a: number, b: number): number; }
declare var Math: Math;
`;
