/**
 * `spgen generate` as a library: spec + templates + options → the files of
 * out/, all in memory. Nothing is written here (see generator/out-dir.ts).
 * Options whose plugin spcomp cannot compile are refused here (static-memory.ts).
 */

import { readdirSync } from "node:fs";
import path from "node:path";
import { type Diagnostic, UsageError } from "./diagnostics.js";
import { evalConst } from "./frontend/constant.js";
import type { ConstDecl, EnumDecl, SpecModel } from "./model.js";
import { CONFIG_CONSTANTS, configOverrides, type GenerateOptions } from "./options.js";
import { manifestFile } from "./out-dir.js";
import { renderContext, type RenderConfig } from "./render-context.js";
import { type OutputFile, renderTemplates } from "./render.js";
import { printDecls } from "./sourcepawn/printer.js";
import { checkStaticMemory } from "./static-memory.js";
import { displayPath, transpileFiles } from "./transpile.js";

export type { OutputFile } from "./render.js";

/** The result of a successful generation: files (sorted by path) and warnings. */
export interface Generation {
  readonly files: readonly OutputFile[];
  readonly warnings: readonly Diagnostic[];
}

/** The spec modules of a directory: `*.ts` except declarations and tests, sorted by name. */
export function listSpecFiles(specDir: string): string[] {
  const files = readdirSync(specDir)
    .filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts") && !f.endsWith(".test.ts"))
    .sort()
    .map((f) => path.join(specDir, f));
  if (files.length === 0) {
    throw new UsageError(`--spec: no *.ts modules in ${specDir}`);
  }
  return files;
}

/** Value of an int constant of the model, with `overrides` applied. */
function constantValue(model: SpecModel, name: string, overrides: ReadonlyMap<string, number>): number | null {
  const decls = model.modules.flatMap((m) => m.decls);
  const consts = new Map(decls.filter((d): d is ConstDecl => d.kind === "const").map((d) => [d.name, d]));
  const enums = new Map<string, EnumDecl>(
    decls.filter((d): d is EnumDecl => d.kind === "enum").map((d) => [d.name, d]),
  );
  const c = consts.get(name);
  if (c === undefined) {
    return null;
  }
  const o = overrides.get(name);
  if (o !== undefined) {
    return o;
  }
  return evalConst(
    c.value,
    (n) =>
      overrides.has(n) ? { kind: "int", value: overrides.get(n) as number, radix: 10 } : (consts.get(n)?.value ?? null),
    (e, m) => enums.get(e)?.members.find((x) => x.name === m)?.value ?? null,
    () => null,
  );
}

/** Formats the TypeScript/JSON/JavaScript outputs (if a template makes any) with the project's prettier settings. */
async function formatScripts(files: readonly OutputFile[], cwd: string): Promise<OutputFile[]> {
  const isScript = (p: string): boolean => /\.(ts|mts|js|mjs|json)$/.test(p);
  if (!files.some((f) => isScript(f.path))) {
    return [...files];
  }
  const prettier = await import("prettier");
  const out: OutputFile[] = [];
  for (const f of files) {
    if (!isScript(f.path)) {
      out.push(f);
      continue;
    }
    const filepath = path.join(cwd, f.path);
    const config = (await prettier.resolveConfig(filepath)) ?? {};
    out.push({ path: f.path, content: await prettier.format(f.content, { ...config, filepath }) });
  }
  return out;
}

/** Renders all output files in memory. Throws DiagnosticsError (spec errors) or UsageError (bad options). */
export async function generateFiles(options: GenerateOptions): Promise<Generation> {
  const specFiles = listSpecFiles(options.specDir);
  const overrides = configOverrides(options);
  const result = transpileFiles(specFiles, { cwd: options.cwd, overrides });
  const defined = new Set(
    result.model.modules
      .flatMap((m) => m.decls)
      .filter((d) => d.kind === "const")
      .map((d) => d.name),
  );
  for (const name of overrides.keys()) {
    if (!defined.has(name)) {
      const flag = Object.entries(CONFIG_CONSTANTS).find(([, c]) => c === name)?.[0] ?? name;
      throw new UsageError(
        `--${flag.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}: the spec defines no ${name} to override`,
      );
    }
  }
  const config: RenderConfig = {
    maxMessageSize: constantValue(result.model, CONFIG_CONSTANTS.maxMessageSize, overrides),
    maxConnections: constantValue(result.model, CONFIG_CONSTANTS.maxConnections, overrides),
    tls: options.tls,
  };
  // Refused before anything is rendered or written: options whose plugin spcomp cannot compile.
  const messageBuffer = constantValue(result.model, "CONFIG_MESSAGE_BUFFER", overrides);
  const maxFrameHeader = constantValue(result.model, "MAX_FRAME_HEADER", overrides);
  if (
    config.maxMessageSize !== null &&
    config.maxConnections !== null &&
    messageBuffer !== null &&
    maxFrameHeader !== null
  ) {
    checkStaticMemory({
      maxMessageSize: config.maxMessageSize,
      maxConnections: config.maxConnections,
      messageBuffer,
      maxFrameHeader,
    });
  }
  const sources = specFiles.map((f) => displayPath(options.cwd, f));
  const ctx = renderContext(sources, printDecls(result.decls), config, displayPath(options.cwd, options.templatesDir));
  const rendered = await formatScripts(renderTemplates(options.templatesDir, ctx), options.cwd);
  const files = [...rendered, manifestFile(rendered)].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { files, warnings: result.diagnostics.filter((d) => d.severity === "warning") };
}
