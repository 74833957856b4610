/**
 * stunnel (Debian's stunnel4) as the TLS tunnel of the wss:// tunnel tests: a TLS client that
 * listens on loopback in plain TCP and forwards to a TLS server, verifying its certificate
 * against one CA file. Shared by spec/test/ws-tunnel.test.ts and the real-SourceMod group.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import net, { type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { onPath } from "../../../generator/find-tool.js";

/** The stunnel program, or null when it is not installed. */
export const STUNNEL = onPath("stunnel4") ?? onPath("stunnel");

/** Why the tunnel tests cannot run, for their skip line (null when they can). */
export const STUNNEL_MISSING =
  STUNNEL === null ? "stunnel not found on PATH (Debian package stunnel4; .ci/run installs it)" : null;

/** The test certificate (CN localhost, SAN localhost and 127.0.0.1), its key, and another CA that does not sign it. */
export const TLS_FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), "../fixtures/tls");

/** A free loopback port (bound and released). */
async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", () => r()));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** One running stunnel client service. */
export interface Tunnel {
  /** The plain-TCP port it listens on (127.0.0.1). */
  readonly port: number;
  stop(): void;
}

/**
 * Starts stunnel in client mode from 127.0.0.1:<port> to 127.0.0.1:`tlsPort`, SNI and host
 * check `localhost`, trusting only `caFile`; resolves once it accepts connections.
 */
export async function startTunnel(tlsPort: number, caFile: string): Promise<Tunnel> {
  if (STUNNEL === null) {
    throw new Error(STUNNEL_MISSING ?? "no stunnel");
  }
  const dir = mkdtempSync(path.join(tmpdir(), "spgen-stunnel-"));
  const port = await freePort();
  const conf = path.join(dir, "stunnel.conf");
  writeFileSync(
    conf,
    [
      "foreground = yes",
      "pid =",
      "debug = 4",
      "[wss]",
      "client = yes",
      `accept = 127.0.0.1:${port}`,
      `connect = 127.0.0.1:${tlsPort}`,
      "sni = localhost",
      "verifyChain = yes",
      `CAfile = ${caFile}`,
      "checkHost = localhost",
      "",
    ].join("\n"),
  );
  const child: ChildProcess = spawn(STUNNEL, [conf], { stdio: ["ignore", "ignore", "ignore"] });
  const stop = (): void => {
    child.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  };
  for (let i = 0; i < 100; i++) {
    const ok = await new Promise<boolean>((r) => {
      const s = net.connect(port, "127.0.0.1", () => {
        s.destroy();
        r(true);
      });
      s.on("error", () => r(false));
    });
    if (ok) {
      return { port, stop };
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  stop();
  throw new Error("stunnel did not start listening");
}
