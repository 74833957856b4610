/**
 * Renders the Handlebars skeletons of templates/ into output files, in
 * memory. `templates/<path>.hbs` becomes `out/<path>`; files under
 * `templates/partials/` are partials (`{{> name}}`), not outputs.
 * Handlebars runs with `noEscape` (its HTML escaping has no place in
 * SourcePawn) and `strict` (a misspelled field fails instead of printing
 * nothing).
 */

import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import Handlebars from "handlebars";
import { UsageError } from "./diagnostics.js";
import { type RenderContext, withFile } from "./render-context.js";

/** One generated file: its path under out/ (`/` separators) and its content. */
export interface OutputFile {
  readonly path: string;
  readonly content: string;
}

function listTemplates(dir: string, rel = ""): string[] {
  const out: string[] = [];
  for (const e of readdirSync(path.join(dir, rel), { withFileTypes: true })) {
    const r = rel === "" ? e.name : `${rel}/${e.name}`;
    if (e.isDirectory()) {
      out.push(...listTemplates(dir, r));
    } else if (e.isFile() && e.name.endsWith(".hbs")) {
      out.push(r);
    }
  }
  return out.sort();
}

/** LF line ends and exactly one trailing newline. */
export function normalizeText(text: string): string {
  const lf = text.replace(/\r\n?/g, "\n");
  return `${lf.replace(/\n+$/, "")}\n`;
}

/** Renders every template of `templatesDir`; output order is the sorted template paths. */
export function renderTemplates(templatesDir: string, ctx: Omit<RenderContext, "file">): OutputFile[] {
  const hb = Handlebars.create();
  const all = listTemplates(templatesDir);
  const partials = all.filter((t) => t.startsWith("partials/"));
  const pages = all.filter((t) => !t.startsWith("partials/"));
  if (pages.length === 0) {
    throw new UsageError(`--templates: no *.hbs templates in ${templatesDir}`);
  }
  for (const p of partials) {
    hb.registerPartial(p.slice("partials/".length, -".hbs".length), readFileSync(path.join(templatesDir, p), "utf8"));
  }
  return pages.map((t) => {
    const outPath = t.slice(0, -".hbs".length);
    const template = hb.compile(readFileSync(path.join(templatesDir, t), "utf8"), { noEscape: true, strict: true });
    let text: string;
    try {
      text = template(withFile(ctx, outPath));
    } catch (e) {
      throw new UsageError(`templates/${t}: ${(e as Error).message.split("\n")[0]}`);
    }
    return { path: outPath, content: normalizeText(text) };
  });
}
