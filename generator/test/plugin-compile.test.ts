/**
 * The generated plugin in the real toolchain: out/scripting/*.sp (the
 * websocket plugin, with its core, and any other generated plugin), the public
 * include out/scripting/include/websocket.inc (through consumer plugins written
 * the way authors write them) and examples/match_events.sp, compiled with every
 * spcomp found (spcomp-1.12 and spcomp-1.13 on PATH with their SourceMod
 * includes, or SPCOMP with SM_INCLUDE) against both socket.inc flavours
 * (plain JoinedSenses and oldmagic TLS), warnings as errors (-E).
 *
 * Where a compiler or an include directory is missing, its tests are skipped
 * and their names say what is missing.
 */
import { execFile } from "node:child_process";
import {
  accessSync,
  constants,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const SCRIPTING = path.join(ROOT, "out/scripting");
const PLUGIN = path.join(SCRIPTING, "websocket.sp");
const INCLUDE_DIR = path.join(SCRIPTING, "include");
const INCLUDE = path.join(INCLUDE_DIR, "websocket.inc");
const EXAMPLE = path.join(ROOT, "examples/match_events.sp");
const SM_SHARE = "/usr/local/share/sourcemod";

interface Toolchain {
  /** Shown in test names. */
  readonly name: string;
  readonly spcomp: string | null;
  /** SourceMod include directory matching the compiler. */
  readonly include: string;
}

function executable(p: string): boolean {
  try {
    accessSync(p, constants.X_OK);
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

function onPath(name: string): string | null {
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
    if (dir !== "" && executable(path.join(dir, name))) {
      return path.join(dir, name);
    }
  }
  return null;
}

function toolchains(): Toolchain[] {
  const out: Toolchain[] = [];
  for (const v of ["1.12", "1.13"]) {
    out.push({ name: `spcomp-${v}`, spcomp: onPath(`spcomp-${v}`), include: path.join(SM_SHARE, v, "include") });
  }
  const explicit = process.env.SPCOMP;
  if (explicit !== undefined && explicit !== "") {
    out.push({
      name: `SPCOMP=${explicit}`,
      spcomp: executable(explicit) ? explicit : null,
      include: process.env.SM_INCLUDE ?? path.join(SM_SHARE, "include"),
    });
  } else if (out.every((t) => t.spcomp === null)) {
    out.push({
      name: "spcomp",
      spcomp: onPath("spcomp"),
      include: process.env.SM_INCLUDE ?? path.join(SM_SHARE, "include"),
    });
  }
  return out;
}

const FLAVOURS = [
  {
    name: "socket.inc plain (JoinedSenses)",
    dir: process.env.SOCKET_INCLUDE_PLAIN ?? path.join(SM_SHARE, "socket-plain"),
  },
  { name: "socket.inc TLS (oldmagic)", dir: process.env.SOCKET_INCLUDE_TLS ?? path.join(SM_SHARE, "socket-tls") },
];

/** Why a toolchain cannot run, or null when it can. */
function missing(t: Toolchain): string | null {
  if (t.spcomp === null) {
    return `${t.name} not found (not on PATH / not executable)`;
  }
  if (!existsSync(path.join(t.include, "sourcemod.inc"))) {
    return `no SourceMod includes for ${t.name} in ${t.include}`;
  }
  return null;
}

interface Compiled {
  readonly code: number;
  readonly output: string;
}

const work = mkdtempSync(path.join(tmpdir(), "spgen-plugin-compile-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));
let counter = 0;

/** Compiles `file` with -E and the include directories; resolves with spcomp's exit code and output. */
function compile(t: Toolchain, file: string, includes: readonly string[]): Promise<Compiled> {
  const args = ["-E", ...includes.flatMap((d) => ["-i", d]), "-o", path.join(work, `out${counter++}.smx`), file];
  return new Promise((resolve) => {
    execFile(t.spcomp as string, args, { cwd: path.dirname(file), maxBuffer: 1 << 24 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === "number" ? err.code : 1;
      resolve({ code, output: `${stdout}${stderr}` });
    });
  });
}

/** Asserts a clean compile: exit code 0 and not one warning or error line. */
function expectClean(r: Compiled): void {
  const problems = r.output.split("\n").filter((l) => /\b(warning|error|fatal error) \d+:/.test(l));
  expect(problems, r.output).toEqual([]);
  expect(r.code, r.output).toBe(0);
}

function consumer(name: string, text: string): string {
  const file = path.join(work, name);
  writeFileSync(file, text);
  return file;
}

/** The call plugin authors already wrote against sm-websocket's API (../shared/protocol-notes.md), unchanged. */
const USER_CALL = consumer(
  "user_call.sp",
  `#pragma semicolon 1
#pragma newdecls required
#include <sourcemod>
#include <websocket>

char jsonData[] = "{\\"event\\":\\"hello\\"}";

public void OnPluginStart()
{
	WebsocketHandle ws = Websocket_Connect("wss://chat.example.org:8080", "/socket.io",
		OnWebSocketReceive, OnWebSocketDisconnect, OnWebSocketError);
	Websocket_Send(ws, SendType_Text, jsonData);
}

public void OnWebSocketReceive(WebsocketHandle websocket, WebsocketSendType iType, const char[] receiveData, const int dataSize)
{
	PrintToServer("%d %d %s", iType, dataSize, receiveData);
}

public void OnWebSocketDisconnect(WebsocketHandle websocket)
{
	PrintToServer("closed %d", websocket);
}

public void OnWebSocketError(WebsocketHandle websocket, const int errorType, const int errorNum)
{
	PrintToServer("error %d %d %d", websocket, errorType, errorNum);
}
`,
);

/** Everything else of the API, with the library optional (#undef REQUIRE_PLUGIN: the MarkNativeAsOptional block). */
const FULL_API = consumer(
  "full_api.sp",
  `#pragma semicolon 1
#pragma newdecls required
#include <sourcemod>
#undef REQUIRE_PLUGIN
#include <websocket>

public void OnPluginStart()
{
	if (!LibraryExists("websocket"))
	{
		return;
	}
	WebsocketHandle ws = WebsocketHandle.Connect("ws://127.0.0.1:3000/echo", "", OnRecv, OnClosed, OnError, 42);
	ws.SetHeader("Authorization", "Bearer abc");
	ws.SetProtocols("chat.v2, chat");
	ws.SetOrigin("https://example.org");
	ws.HookOpen(OnOpen);
	ws.HookReadyStateChange(OnState);
	ws.SetKeepalive(15000);
	char bin[4];
	bin[0] = 1;
	bin[2] = 2;
	ws.Send(SendType_Binary, bin, sizeof(bin));
	ws.Data = ws.Data + 1;
	if (ws.ReadyState == State_Open && ws.Ping())
	{
		ws.Close(4000, "done");
	}
	Websocket_HookOpen(ws, OnOpen);
	Websocket_SetData(ws, Websocket_GetData(ws));
	PrintToServer("tls %d state %d", Websocket_IsTlsAvailable(), Websocket_GetReadyState(ws));
	Websocket_Close(ws);

	SocketIO io = SocketIO.Connect("http://127.0.0.1:3000", "/admin", "{\\"token\\":\\"abc\\"}", OnEvent, OnIoError, 7, "/socket.io/");
	io.HookConnect(OnConnect);
	io.HookConnectError(OnConnectError);
	io.HookDisconnect(OnDisconnect);
	io.SetHeader("Cookie", "a=b");
	io.SetReconnect(true, 500, 10000, 20);
	io.Emit("round_end", "{\\"round\\":3}", OnAck, 9);
	io.Emit("ping");
	SocketIO_Emit(io, "x", "1,2", INVALID_FUNCTION);
	if (io.Connected)
	{
		io.Close();
	}
	SocketIO_SetData(io, SocketIO_GetData(io));
}

public void OnRecv(WebsocketHandle ws, WebsocketSendType type, const char[] data, int size) {}
public void OnClosed(WebsocketHandle ws, int code, const char[] reason, bool wasClean) {}
public void OnError(WebsocketHandle ws, WebsocketError error, int detail, const char[] message) {}
public void OnOpen(WebsocketHandle ws, const char[] protocol) {}
public void OnState(WebsocketHandle ws, WebsocketReadyState state) {}
public void OnEvent(SocketIO io, const char[] event, const char[] argsJson, int ackId)
{
	if (ackId >= 0)
	{
		io.Ack(ackId, "\\"ok\\"");
	}
}
public void OnIoError(SocketIO io, WebsocketError error, int detail, const char[] message) {}
public void OnConnect(SocketIO io, const char[] dataJson) {}
public void OnConnectError(SocketIO io, const char[] dataJson) {}
public void OnDisconnect(SocketIO io, const char[] reason, bool willReconnect) {}
public void OnAck(SocketIO io, const char[] argsJson, any data) {}
`,
);

/** A receive callback of the wrong shape must not compile: the typesets do check. */
const WRONG_CALLBACK = consumer(
  "wrong_callback.sp",
  `#pragma semicolon 1
#pragma newdecls required
#include <sourcemod>
#include <websocket>

public void OnPluginStart()
{
	Websocket_Connect("ws://127.0.0.1", "", OnRecv, OnClosed, OnError);
}

public void OnRecv(WebsocketHandle ws, const char[] data) {}
public void OnClosed(WebsocketHandle ws) {}
public void OnError(WebsocketHandle ws, int errorType, int errorNum) {}
`,
);

function generatedPlugins(): string[] {
  return existsSync(SCRIPTING)
    ? readdirSync(SCRIPTING)
        .filter((f) => f.endsWith(".sp"))
        .sort()
        .map((f) => path.join(SCRIPTING, f))
    : [];
}

describe("generated plugin sources", () => {
  it("out/scripting holds the websocket plugin glue and its public include", () => {
    const plugin = readFileSync(PLUGIN, "utf8");
    const include = readFileSync(INCLUDE, "utf8");
    expect(plugin).toMatch(/^\/\/ Generated by spgen .*DO NOT EDIT\.$/m);
    expect(plugin).toContain('#include "websocket/core.inc"');
    expect(plugin).toContain('RegPluginLibrary("websocket");');
    expect(plugin).toContain('CreateNative("Websocket_Connect", Native_Connect);');
    expect(plugin).toContain('CreateNative("SocketIO_Connect", Native_SioConnect);');
    expect(include).toContain("native WebsocketHandle Websocket_Connect(");
    expect(include).toContain("public SharedPlugin __pl_websocket =");
    // Every native of the include is registered by the plugin and marked optional by the include.
    const natives = [...include.matchAll(/^native \w+ (\w+)\(/gm)].map((m) => m[1]);
    expect(natives.length).toBeGreaterThan(20);
    for (const n of natives) {
      expect(plugin, n).toContain(`CreateNative("${n}",`);
      expect(include, n).toContain(`MarkNativeAsOptional("${n}");`);
    }
  });
});

for (const t of toolchains()) {
  const why = missing(t);
  if (why !== null) {
    describe(t.name, () => {
      it.skip(`skipped: ${why}`, () => {});
    });
    continue;
  }
  describe(`${t.name} -E`, () => {
    for (const flavour of FLAVOURS) {
      if (!existsSync(path.join(flavour.dir, "socket.inc"))) {
        it.skip(`skipped: no socket.inc in ${flavour.dir} (${flavour.name})`, () => {});
        continue;
      }
      const includes = [INCLUDE_DIR, t.include, flavour.dir];
      it(`compiles every out/scripting/*.sp against ${flavour.name}`, async () => {
        const plugins = generatedPlugins();
        expect(plugins).toContain(PLUGIN);
        const results = await Promise.all(plugins.map((p) => compile(t, p, includes)));
        results.forEach(expectClean);
      });
    }
    it("compiles plugins that include websocket.inc (the sm-websocket call as written, the whole API, optional library)", async () => {
      const includes = [INCLUDE_DIR, t.include];
      const [user, full] = await Promise.all([compile(t, USER_CALL, includes), compile(t, FULL_API, includes)]);
      expectClean(user);
      expectClean(full);
    });
    it("refuses a callback of the wrong shape", async () => {
      const r = await compile(t, WRONG_CALLBACK, [INCLUDE_DIR, t.include]);
      expect(r.code).not.toBe(0);
      expect(r.output).toMatch(/wrong_callback\.sp\(8\) : error 100: function prototypes do not match/);
    });
    it("compiles examples/match_events.sp with stock includes", async () => {
      expectClean(await compile(t, EXAMPLE, [INCLUDE_DIR, t.include]));
    });
  });
}
