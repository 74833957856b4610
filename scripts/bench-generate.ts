/**
 * Benchmark (not a test): cold runs of `spgen generate` and
 * `spgen generate --check`, each in a fresh node process, next to the bare
 * cost of starting node and of loading TypeScript's bundle, measured in the same run
 * and interleaved (round-robin) so that machine load hits every row alike.
 * Prints the median, min and max wall time and the median peak RSS.
 *
 *   npm run build && node dist/scripts/bench-generate.js [--runs N] [--help]   (N >= 5, default 7)
 *
 * spgen loads TypeScript through a V8 code cache in node_modules/.cache/spgen
 * (generator/typescript.ts); the warm-up round writes it when it is missing,
 * and the last row runs without it (SPGEN_NO_CODE_CACHE=1), as a first run
 * after `npm install` does.
 *
 * Peak RSS comes from `/usr/bin/time -v` when it exists, otherwise from the
 * child's own process.resourceUsage().maxRSS (reported by a preloaded hook).
 */

import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const CLI = path.join(ROOT, "dist/generator/cli.js");
const TARGET_MS = 600;
const TARGET_MB = 250;
const TS_BUNDLE = "@ts-morph/common/dist/typescript.js";

interface Row {
  readonly label: string;
  readonly args: readonly string[];
  /** Expected exit code. */
  readonly code: number;
  /** Extra environment variables. */
  readonly env?: Readonly<Record<string, string>>;
}

interface Sample {
  readonly ms: number;
  readonly rssMb: number;
  /** User + system CPU time in ms (from /usr/bin/time; NaN without it): steadier than wall time on a busy machine. */
  readonly cpuMs: number;
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

const USAGE = `usage: node dist/scripts/bench-generate.js [--runs N]

Cold runs of \`spgen generate\` and \`generate --check\` next to bare node, interleaved;
prints the median, min and max wall time and peak RSS of each row.
  --runs N   runs per row, an integer >= 5 (default 7; the median needs several)
  --help     this text
`;

/** The number of runs per row, or a one-line reason why the arguments are wrong. */
function parseArgs(argv: readonly string[]): number | string {
  let runs = 7;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--runs") {
      const n = Number(argv[i + 1]);
      if (argv[i + 1] === undefined || !Number.isInteger(n) || n < 5) {
        return `--runs must be an integer >= 5 (got ${argv[i + 1] ?? "nothing"})`;
      }
      runs = n;
      i++;
    } else {
      return `unknown argument ${argv[i]}`;
    }
  }
  return runs;
}

const TIME = "/usr/bin/time";
const useTime = existsSync(TIME);
const work = mkdtempSync(path.join(tmpdir(), "spgen-bench-"));
const hook = path.join(work, "rss-hook.cjs");
writeFileSync(
  hook,
  "process.on('exit', () => process.stderr.write('\\nSPGEN_MAXRSS_KB ' + process.resourceUsage().maxRSS + '\\n'));\n",
);

function runOnce(row: Row): Sample {
  const nodeArgs = useTime ? [...row.args] : ["-r", hook, ...row.args];
  const cmd = useTime ? TIME : process.execPath;
  const args = useTime ? ["-v", process.execPath, ...nodeArgs] : nodeArgs;
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { cwd: ROOT, encoding: "utf8", env: { ...process.env, ...row.env } });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== row.code) {
    throw new Error(`${row.label}: exit ${r.status}, expected ${row.code}\n${r.stderr}`);
  }
  const m = useTime
    ? /Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr)
    : /SPGEN_MAXRSS_KB (\d+)/.exec(r.stderr);
  const user = /User time \(seconds\): ([\d.]+)/.exec(r.stderr);
  const sys = /System time \(seconds\): ([\d.]+)/.exec(r.stderr);
  const cpuMs = user === null || sys === null ? NaN : (Number(user[1]) + Number(sys[1])) * 1000;
  return { ms, rssMb: m === null ? NaN : Number(m[1]) / 1024, cpuMs };
}

function main(): number {
  const argv = process.argv.slice(2);
  if (argv.includes("--help")) {
    process.stdout.write(USAGE);
    return 0;
  }
  const runs = parseArgs(argv);
  if (typeof runs === "string") {
    process.stderr.write(`bench-generate: ${runs}\n${USAGE}`);
    return 2;
  }
  if (!existsSync(CLI)) {
    process.stderr.write("bench-generate: dist/generator/cli.js is missing: run `npm run build` first\n");
    return 2;
  }
  const out = path.join(work, "out");
  const rows: Row[] = [
    { label: "node -e ''", args: ["-e", ""], code: 0 },
    { label: "node -e \"require('ts-morph')\"", args: ["-e", "require('ts-morph')"], code: 0 },
    {
      label: "require TypeScript's bundle (no code cache)",
      args: ["-e", `require(require('module').createRequire(require.resolve('ts-morph')).resolve('${TS_BUNDLE}'))`],
      code: 0,
    },
    { label: "spgen generate (into a temp dir)", args: [CLI, "generate", "--out", out], code: 0 },
    { label: "spgen generate --check", args: [CLI, "generate", "--check", "--out", out], code: 0 },
    {
      label: "spgen generate --check, no code cache",
      args: [CLI, "generate", "--check", "--out", out],
      code: 0,
      env: { SPGEN_NO_CODE_CACHE: "1" },
    },
  ];
  // One warm-up round (fills the OS file cache), not counted.
  for (const row of rows) {
    runOnce(row);
  }
  const samples = new Map<string, Sample[]>(rows.map((r) => [r.label, []]));
  for (let i = 0; i < runs; i++) {
    for (const row of rows) {
      samples.get(row.label)?.push(runOnce(row));
    }
  }
  const width = Math.max(...rows.map((r) => r.label.length));
  const lines = [
    `spgen generate benchmark: ${runs} cold runs per row (fresh node processes, interleaved), node ${process.version}, ${cpus().length} CPUs, load average ${loadavg()
      .map((x) => x.toFixed(2))
      .join(" ")}`,
    `peak RSS from ${useTime ? "/usr/bin/time -v" : "process.resourceUsage().maxRSS"}`,
    "",
    `${"command".padEnd(width)}  median ms     min     max  median peak RSS MB  median CPU ms`,
    `${"-".repeat(width)}  ---------  ------  ------  ------------------  -------------`,
  ];
  for (const row of rows) {
    const s = samples.get(row.label) ?? [];
    const ms = s.map((x) => x.ms);
    lines.push(
      `${row.label.padEnd(width)}  ${median(ms).toFixed(0).padStart(9)}  ${Math.min(...ms)
        .toFixed(0)
        .padStart(6)}  ${Math.max(...ms)
        .toFixed(0)
        .padStart(6)}  ${median(s.map((x) => x.rssMb))
        .toFixed(1)
        .padStart(18)}  ${median(s.map((x) => x.cpuMs))
        .toFixed(0)
        .padStart(13)}`,
    );
  }
  lines.push("");
  for (const label of ["spgen generate (into a temp dir)", "spgen generate --check"]) {
    const s = samples.get(label) ?? [];
    const ms = median(s.map((x) => x.ms));
    const mb = median(s.map((x) => x.rssMb));
    const ok = ms <= TARGET_MS && mb <= TARGET_MB;
    lines.push(
      `${label}: ${ms.toFixed(0)} ms, ${mb.toFixed(1)} MB (target <= ${TARGET_MS} ms, <= ${TARGET_MB} MB): ${ok ? "met" : "NOT met"}`,
    );
  }
  process.stdout.write(`${lines.join("\n")}\n`);
  return 0;
}

try {
  process.exitCode = main();
} finally {
  rmSync(work, { recursive: true, force: true });
}
