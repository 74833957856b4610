/**
 * Harness for the end-to-end group: a private copy of one game folder per run, plugins
 * compiled with that folder's spcomp, the mock dedicated server started with console
 * commands on stdin, its stdout collected line by line, waits for a line with a timeout,
 * a clean stop (SIGTERM, then SIGKILL), and the SourceMod error log.
 *
 * Two servers never share a game folder: every run copies the template into its own temp
 * dir (the copy is cheap: ~45 MB, about 0.3 s; the template's scripting/ folder is left out,
 * the compiler runs from the template).
 */

import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { appendFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import readline from "node:readline";
import type { GameDir } from "../../toolchain/index.js";

/** A game folder of our own, copied from a template. */
export interface GameCopy {
  readonly dir: string;
  /** addons/sourcemod/plugins in the copy. */
  readonly plugins: string;
  /** addons/sourcemod/logs in the copy. */
  readonly logs: string;
  /** Removes the copy. */
  remove(): void;
}

/** Copies `game`'s template into a new temp dir (without scripting/ and without old logs). */
export function copyGameDir(game: GameDir): GameCopy {
  const dir = mkdtempSync(path.join(os.tmpdir(), `spgen-e2e-${game.extension}-`));
  const skip = new Set([
    path.join(game.template, "addons/sourcemod/scripting"),
    path.join(game.template, "addons/sourcemod/logs"),
  ]);
  cpSync(game.template, dir, { recursive: true, filter: (src) => !skip.has(src), verbatimSymlinks: true });
  const logs = path.join(dir, "addons/sourcemod/logs");
  mkdirSync(logs, { recursive: true });
  return {
    dir,
    plugins: path.join(dir, "addons/sourcemod/plugins"),
    logs,
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Runs a program to its end; resolves with its exit code and output. */
function run(cmd: string, args: readonly string[], cwd: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (d: Buffer) => (output += d.toString("utf8")));
    child.stderr.on("data", (d: Buffer) => (output += d.toString("utf8")));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? -1, output }));
  });
}

/**
 * Compiles `source` with the game folder's spcomp against its includes (SourceMod + its
 * socket.inc), then `includes` (e.g. out/scripting/include), into `smx`. Throws with the
 * compiler's output when it fails.
 */
export async function compilePlugin(
  game: GameDir,
  source: string,
  smx: string,
  includes: readonly string[],
  flags: readonly string[] = [],
): Promise<void> {
  const args = [...includes.map((i) => `-i${i}`), `-i${game.include}`, ...flags, source, `-o${smx}`];
  const r = await run(game.spcomp, args, path.dirname(smx));
  if (r.code !== 0 || !existsSync(smx)) {
    throw new Error(`spcomp (${game.extension}) failed on ${source} (exit ${r.code}):\n${r.output}`);
  }
}

/** A line matcher: a regular expression or a predicate. */
export type LineMatch = RegExp | ((line: string) => boolean);

interface Waiter {
  readonly match: LineMatch;
  readonly from: number;
  readonly resolve: (r: { line: string; index: number; groups: RegExpExecArray | null }) => void;
  readonly reject: (e: Error) => void;
}

function matchLine(match: LineMatch, line: string): RegExpExecArray | null | false {
  if (typeof match === "function") {
    return match(line) ? null : false;
  }
  match.lastIndex = 0;
  const m = match.exec(line);
  return m === null ? false : m;
}

const running = new Set<ChildProcessWithoutNullStreams>();
process.once("exit", () => {
  for (const child of running) {
    child.kill("SIGKILL");
  }
});

/** One mock dedicated server process in a game folder copy (its output also goes to srcds-output.log there). */
export class Srcds {
  /** Every stdout line so far (stderr lines too, prefixed "[stderr] "). */
  readonly lines: string[] = [];
  private readonly waiters = new Set<Waiter>();
  private exited: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  private readonly exitPromise: Promise<void>;

  private constructor(
    private readonly child: ChildProcessWithoutNullStreams,
    readonly game: GameCopy,
    readonly label: string,
  ) {
    running.add(child);
    const transcript = path.join(game.dir, "srcds-output.log");
    const onLine = (line: string): void => {
      const index = this.lines.length;
      this.lines.push(line);
      appendFileSync(transcript, `${line}\n`);
      for (const w of [...this.waiters]) {
        if (index >= w.from) {
          const m = matchLine(w.match, line);
          if (m !== false) {
            this.waiters.delete(w);
            w.resolve({ line, index, groups: m });
          }
        }
      }
    };
    readline.createInterface({ input: child.stdout }).on("line", onLine);
    readline.createInterface({ input: child.stderr }).on("line", (l) => onLine(`[stderr] ${l}`));
    this.exitPromise = new Promise((resolve) => {
      child.on("exit", (code, signal) => {
        running.delete(child);
        this.exited = { code, signal };
        for (const w of [...this.waiters]) {
          this.waiters.delete(w);
          w.reject(
            new Error(
              `${this.label}: srcds exited (code ${code}, signal ${signal}) while waiting for ${String(w.match)}\n${this.tail()}`,
            ),
          );
        }
        resolve();
      });
    });
  }

  /**
   * Starts srcds in `game` (a copy) with `+map de_thunder` and run mode for at most
   * `maxSeconds` (the server ends itself then, should a test leak it), and waits until it
   * runs frames.
   */
  static async start(srcds: string, game: GameCopy, label: string, maxSeconds = 900): Promise<Srcds> {
    const child = spawn(srcds, ["-game_dir", game.dir, "+map", "de_thunder", "-run-ticks", String(maxSeconds * 60)], {
      cwd: game.dir,
      stdio: ["pipe", "pipe", "pipe"],
    });
    const server = new Srcds(child, game, label);
    await server.waitFor(/^Entering run mode/, 20_000);
    return server;
  }

  /** How the process ended, or null while it runs. */
  exitStatus(): { code: number | null; signal: NodeJS.Signals | null } | null {
    return this.exited;
  }

  /** The server's process id (for /proc/<pid>/status). */
  get pid(): number {
    return this.child.pid ?? 0;
  }

  /** The index the next line will have: pass it as `from` to wait only for lines after now. */
  mark(): number {
    return this.lines.length;
  }

  /** Lines from `from` on. */
  since(from: number): string[] {
    return this.lines.slice(from);
  }

  /** Types one console command (one command runs per server frame). */
  send(command: string): void {
    if (this.exited !== null) {
      throw new Error(`${this.label}: srcds has exited, cannot send ${command}`);
    }
    this.child.stdin.write(`${command}\n`);
  }

  /**
   * Resolves with the first line at index ≥ `from` (default: any line so far) that matches;
   * rejects after `timeoutMs` with the last lines in the message.
   */
  waitFor(
    match: LineMatch,
    timeoutMs: number,
    from = 0,
  ): Promise<{ line: string; index: number; groups: RegExpExecArray | null }> {
    for (let i = from; i < this.lines.length; i++) {
      const m = matchLine(match, this.lines[i]);
      if (m !== false) {
        return Promise.resolve({ line: this.lines[i], index: i, groups: m });
      }
    }
    if (this.exited !== null) {
      return Promise.reject(new Error(`${this.label}: srcds has exited; ${String(match)} never came\n${this.tail()}`));
    }
    return new Promise((resolve, reject) => {
      const w: Waiter = {
        match,
        from,
        resolve: (r) => {
          clearTimeout(timer);
          resolve(r);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      };
      const timer = setTimeout(() => {
        this.waiters.delete(w);
        reject(
          new Error(`${this.label}: no line matching ${String(match)} within ${timeoutMs} ms\n${this.tail(from)}`),
        );
      }, timeoutMs);
      this.waiters.add(w);
    });
  }

  /** The last lines (from `from` on, at most 60), for failure messages. */
  tail(from = 0): string {
    const start = Math.max(from, this.lines.length - 60);
    return `--- srcds (${this.label}) lines ${start}..${this.lines.length - 1} ---\n${this.lines.slice(start).join("\n")}`;
  }

  /** Stops the server: SIGTERM (a clean shutdown: OnPluginEnd runs, logs close), SIGKILL after `graceMs`. */
  async stop(graceMs = 5000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (this.exited === null) {
      this.child.kill("SIGTERM");
      const timer = setTimeout(() => this.child.kill("SIGKILL"), graceMs);
      await this.exitPromise;
      clearTimeout(timer);
    }
    return this.exited!;
  }

  /** The SourceMod error log(s) of this run (errors_*.log, all dates), concatenated. */
  errorLog(): string {
    if (!existsSync(this.game.logs)) {
      return "";
    }
    return readdirSync(this.game.logs)
      .filter((f) => /^errors_.*\.log$/.test(f))
      .sort()
      .map((f) => readFileSync(path.join(this.game.logs, f), "utf8"))
      .join("");
  }
}

/** The "Blaming: x.smx" plugin names of every exception in an error log or a list of lines. */
export function blamed(log: string | readonly string[]): string[] {
  const text = typeof log === "string" ? log : log.join("\n");
  return [...text.matchAll(/Blaming: (\S+)/g)].map((m) => m[1]);
}

/** The "Exception reported: ..." messages in an error log or a list of lines. */
export function exceptions(log: string | readonly string[]): string[] {
  const text = typeof log === "string" ? log : log.join("\n");
  return [...text.matchAll(/Exception reported: (.*)/g)].map((m) => m[1]);
}
