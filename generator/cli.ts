#!/usr/bin/env node
/**
 * The `spgen` command line (yargs): generate, generate --check, transpile, build.
 *
 * Exit codes (EXIT below): 0 success; 1 a stale out/ (`--check`); 2 bad
 * options, paths or a missing tool; 3 an internal error; 4 the spec (or a
 * transpiled module) has errors; `build` exits with the compiler's code.
 * Paths default to spec/core, templates/ and out/ under the working directory
 * (run spgen from the project root).
 */

import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import yargs from "yargs";
import { hideBin } from "yargs/helpers";
import { buildPlugins } from "./build.js";
import { type Diagnostic, DiagnosticsError, formatDiagnostic, UsageError } from "./diagnostics.js";
import { generateFiles } from "./generate.js";
import { DEFAULT_DIRS, OPTION_LIMITS, parseGenerateOptions, TLS_MODES } from "./options.js";
import { checkOutput, writeOutput } from "./out-dir.js";
import { makeDir, removeCreated, shownPath } from "./paths.js";
import { transpileToInclude } from "./transpile.js";

/** The exit codes of every command (README.md and generator/README.md list them). */
export const EXIT = { ok: 0, stale: 1, usage: 2, internal: 3, specErrors: 4 } as const;

/** Where the CLI writes; replaceable in-process (the tests run the real binary instead). */
interface Io {
  out(text: string): void;
  err(text: string): void;
}

const io: Io = {
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
};

function printDiagnostics(diagnostics: readonly Diagnostic[]): void {
  for (const d of diagnostics) {
    io.err(`${formatDiagnostic(d)}\n`);
  }
}

/** Runs a command body and turns its errors into messages and exit codes. */
async function run(body: () => Promise<number>): Promise<void> {
  try {
    process.exitCode = await body();
  } catch (e) {
    if (e instanceof DiagnosticsError) {
      printDiagnostics(e.diagnostics);
      const n = e.diagnostics.filter((d) => d.severity === "error").length;
      io.err(`spgen: ${n} error${n === 1 ? "" : "s"}; nothing was written\n`);
      process.exitCode = EXIT.specErrors;
    } else if (e instanceof UsageError) {
      io.err(`spgen: ${e.message}\n`);
      process.exitCode = EXIT.usage;
    } else {
      io.err(`spgen: internal error: ${(e as Error).stack ?? String(e)}\n`);
      process.exitCode = EXIT.internal;
    }
  }
}

interface GenerateArgs {
  spec?: string;
  templates?: string;
  out?: string;
  maxMessageSize?: string;
  maxConnections?: string;
  tls?: string;
  check?: boolean;
}

async function generateCommand(args: GenerateArgs): Promise<number> {
  const cwd = process.cwd();
  const options = parseGenerateOptions(
    {
      spec: args.spec,
      templates: args.templates,
      out: args.out,
      maxMessageSize: args.maxMessageSize,
      maxConnections: args.maxConnections,
      tls: args.tls,
    },
    cwd,
  );
  const label = shownPath(cwd, options.outDir);
  // The output directory is made first, so that a path that cannot be made fails at once (not after the
  // generation), and removed again when the spec has errors.
  const created = args.check === true ? [] : makeDir(options.outDir, label);
  let gen: Awaited<ReturnType<typeof generateFiles>>;
  try {
    gen = await generateFiles(options);
  } catch (e) {
    removeCreated(created);
    throw e;
  }
  printDiagnostics(gen.warnings);
  if (args.check === true) {
    if (!existsSync(options.outDir)) {
      // A diff of every file against nothing helps nobody: one line.
      io.err(`spgen: ${label}/ does not exist; run \`spgen generate\` with the same options\n`);
      return EXIT.stale;
    }
    const stale = await checkOutput(options.outDir, gen.files, label);
    if (stale.length === 0) {
      io.err(`spgen: ${label}/ is up to date (${gen.files.length} files)\n`);
      return 0;
    }
    for (const s of stale) {
      io.out(s.diff);
    }
    const list = stale.map((s) => `${label}/${s.path} (${s.status})`).join(", ");
    io.err(`spgen: ${label}/ is stale: ${list}; run \`spgen generate\` with the same options\n`);
    return EXIT.stale;
  }
  let report: ReturnType<typeof writeOutput>;
  try {
    report = writeOutput(options.outDir, gen.files);
  } catch (e) {
    if (e instanceof UsageError) {
      throw e;
    }
    throw new UsageError(`cannot write ${label}/: ${(e as Error).message}`);
  }
  const parts = [`${report.written.length} written`, `${report.unchanged} unchanged`];
  if (report.removed.length > 0) {
    parts.push(`${report.removed.length} removed (${report.removed.join(", ")})`);
  }
  io.err(`spgen: ${label}/: ${parts.join(", ")}\n`);
  return 0;
}

async function transpileCommand(args: { files: string[]; output?: string; withImports?: boolean }): Promise<number> {
  const cwd = process.cwd();
  const files = args.files.map((f) => path.resolve(cwd, f));
  args.files.forEach((given, i) => {
    if (!files[i].endsWith(".ts")) {
      throw new UsageError(`not a TypeScript file: ${given}`);
    }
  });
  const outName = args.output ?? `${path.basename(files[0], ".ts")}.inc`;
  args.files.forEach((given, i) => {
    if (!existsSync(files[i])) {
      throw new UsageError(`no such file: ${given}`);
    }
  });
  const toStdout = args.output === undefined || args.output === "-";
  const target = path.resolve(cwd, args.output ?? "-");
  // The directory first (see generateCommand): an -o path that cannot be made fails before transpiling.
  const created = toStdout ? [] : makeDir(path.dirname(target), path.dirname(args.output as string));
  let r: ReturnType<typeof transpileToInclude>;
  try {
    r = transpileToInclude(files, outName, { cwd, emitImports: args.withImports === true });
  } catch (e) {
    removeCreated(created);
    throw e;
  }
  printDiagnostics(r.diagnostics);
  if (toStdout) {
    io.out(r.text);
    return 0;
  }
  const tmp = `${target}.spgen-tmp-${process.pid}`;
  try {
    writeFileSync(tmp, r.text);
    renameSync(tmp, target);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw new UsageError(`cannot write ${args.output}: ${(e as Error).message}`);
  }
  return 0;
}

async function buildCommand(args: { include?: string[]; out?: string; werror?: boolean }): Promise<number> {
  const cwd = process.cwd();
  const r = buildPlugins(
    {
      outDir: path.resolve(cwd, args.out ?? DEFAULT_DIRS.out),
      includeDirs: args.include ?? [],
      warningsAsErrors: args.werror !== false,
      env: process.env,
    },
    cwd,
  );
  io.out(r.output);
  return r.exitCode;
}

/** The version of package.json (dist/generator/cli.js and generator/cli.ts both sit two levels below it). */
function packageVersion(): string {
  const file = fileURLToPath(new URL("../../package.json", import.meta.url));
  return (JSON.parse(readFileSync(file, "utf8")) as { version: string }).version;
}

const parser = yargs(hideBin(process.argv))
  .scriptName("spgen")
  .usage(
    "$0 <command> [options]\n\nGenerates a SourceMod WebSocket + Socket.IO client plugin from an executable TypeScript spec.",
  )
  .command(
    "generate",
    "Transpile spec/core and render templates/ into out/",
    (y) =>
      y
        .option("spec", {
          type: "string",
          describe: "Directory of the spec modules",
          default: DEFAULT_DIRS.spec,
          defaultDescription: DEFAULT_DIRS.spec,
        })
        .option("templates", {
          type: "string",
          describe: "Directory of the Handlebars skeletons",
          default: DEFAULT_DIRS.templates,
        })
        .option("out", {
          type: "string",
          describe: "Output directory (a SourceMod scripting/ tree goes under it)",
          default: DEFAULT_DIRS.out,
        })
        .option("max-message-size", {
          type: "string",
          describe: `Largest message in bytes, ${OPTION_LIMITS.maxMessageSize.min}..${OPTION_LIMITS.maxMessageSize.max} (overrides CONFIG_MAX_MESSAGE_SIZE)`,
          defaultDescription: "the spec's CONFIG_MAX_MESSAGE_SIZE",
        })
        .option("max-connections", {
          type: "string",
          describe: `Connections the plugin holds at once, ${OPTION_LIMITS.maxConnections.min}..${OPTION_LIMITS.maxConnections.max} (overrides CONFIG_MAX_CONNECTIONS)`,
          defaultDescription: "the spec's CONFIG_MAX_CONNECTIONS",
        })
        .option("tls", {
          type: "string",
          describe: `How wss:// is provided: ${TLS_MODES.join(" | ")}`,
          default: "auto",
        })
        .option("check", {
          type: "boolean",
          describe:
            "Render in memory and compare with out/: print a unified diff and exit 1 when stale (4 when the spec has errors)",
          default: false,
        })
        .example("$0 generate", "regenerate out/ from spec/core and templates/")
        .example("$0 generate --check", "exit 1 with a diff when out/ is stale, 4 when the spec has errors (CI)")
        .example(
          "$0 generate --max-message-size 4194304 --max-connections 64 --out build/sm",
          "custom limits into another directory",
        ),
    (argv) =>
      run(() =>
        generateCommand({
          spec: argv.spec,
          templates: argv.templates,
          out: argv.out,
          maxMessageSize: argv.maxMessageSize,
          maxConnections: argv.maxConnections,
          tls: argv.tls,
          check: argv.check,
        }),
      ),
  )
  .command(
    "transpile <files..>",
    "Transpile TypeScript modules written in the SourcePawn subset into one SourcePawn include",
    (y) =>
      y
        .positional("files", {
          type: "string",
          array: true,
          demandOption: true,
          defaultDescription: "none",
          describe: "Modules to transpile (their imports are read, not emitted)",
        })
        .option("output", { alias: "o", type: "string", describe: "The .inc to write (default: stdout)" })
        .option("with-imports", {
          type: "boolean",
          default: false,
          describe: "Also emit the modules they import (transitively), for a self-contained include",
        })
        .example("$0 transpile spec/core/sha1.ts -o sha1.inc", "SHA-1 as a SourcePawn include")
        .example(
          "$0 transpile spec/core/handshake.ts --with-imports -o handshake.inc",
          "the handshake and everything it uses",
        ),
    (argv) =>
      run(() =>
        transpileCommand({ files: argv.files as string[], output: argv.output, withImports: argv.withImports }),
      ),
  )
  .command(
    "vectors",
    "Run the oracle over every test vector and write out/vectors/ and out/scripting/websocket_selftest.sp",
    (y) =>
      y
        .option("out", { type: "string", describe: "Output directory", default: DEFAULT_DIRS.out })
        .option("check", {
          type: "boolean",
          describe: "Compare with out/ instead of writing: print a unified diff and exit 1 when stale",
          default: false,
        })
        .example("$0 vectors", "regenerate the vectors program, expected lines and self-test plugin")
        .example("$0 vectors --check", "exit 1 with a diff when they are stale"),
    // Imported on demand: the vectors pull in the oracle and the hostile-server table (tens of MB
    // built at import), which `generate` must not pay for.
    (argv) =>
      run(async () =>
        (await import("./vectors/write.js")).vectorsCommand({ cwd: process.cwd(), out: argv.out, check: argv.check }),
      ),
  )
  .command(
    "build",
    "Compile out/scripting/*.sp with spcomp (SPCOMP or PATH) into out/plugins/",
    (y) =>
      y
        .option("include", {
          alias: "i",
          type: "string",
          array: true,
          describe: "Include directory (repeatable; after those in SM_INCLUDE)",
        })
        .option("out", { type: "string", describe: "The generated output directory", default: DEFAULT_DIRS.out })
        .option("werror", {
          type: "boolean",
          describe: "Treat compiler warnings as errors (spcomp -E); --no-werror to allow them",
          default: true,
        })
        .example("SM_INCLUDE=/opt/sourcemod/scripting/include $0 build", "compile against SourceMod's includes")
        .example("$0 build -i ../socket/include", "add the socket extension's include directory"),
    (argv) =>
      run(() => buildCommand({ include: argv.include as string[] | undefined, out: argv.out, werror: argv.werror })),
  )
  .epilogue(
    "Exit codes: 0 success; 1 out/ is stale (--check); 2 bad option or path, missing tool or includes; " +
      "3 internal error; 4 the spec has errors (file:line:col diagnostics); build: the compiler's code.",
  )
  .demandCommand(1, "spgen: a command is required (generate, vectors, transpile or build); see spgen --help")
  .strict()
  .help()
  .alias("h", "help")
  .version(packageVersion())
  .wrap(Math.min(120, process.stdout.columns ?? 100))
  .fail((msg, err) => {
    if (err !== undefined && err !== null && (msg === null || msg === undefined)) {
      io.err(`spgen: internal error: ${err.stack ?? String(err)}\n`);
      process.exit(EXIT.internal);
    }
    const text = String(msg ?? err)
      .split("\n")[0]
      .replace(/; see spgen --help$/, "");
    io.err(`${text.startsWith("spgen:") ? text : `spgen: ${text}`} (see spgen --help)\n`);
    process.exit(EXIT.usage);
  });

await parser.parseAsync();
