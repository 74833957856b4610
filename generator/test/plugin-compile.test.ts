/**
 * The generated plugin in the real toolchain: out/scripting/*.sp (the
 * websocket plugin, with its core, and any other generated plugin), the public
 * include out/scripting/include/websocket.inc (through consumer plugins written
 * the way authors write them) and examples/match_events.sp, compiled with every
 * spcomp found (spcomp-1.12 and spcomp-1.13 on PATH with their SourceMod
 * includes, or SPCOMP with SM_INCLUDE) against both socket.inc flavours
 * (plain JoinedSenses and oldmagic TLS), warnings as errors (-E).
 *
 * The glue also runs: spshell (spshell-1.12, spshell-1.13) executes
 * out/scripting/websocket.sp, core included, against a mock of the SourceMod
 * natives and of the socket extension written in SourcePawn below. Two
 * drivers call the plugin's natives and socket callbacks the way SourceMod and
 * the extension would, play the server side (handshake, frames, Engine.IO and
 * Socket.IO packets), decode what the plugin sends and check every callback:
 * queueing, fragmented binary messages with NUL bytes, ping/pong, close
 * handshake and its timeout, keepalive, native errors, owner unload, reconnect
 * of raw WebSocket connections (drop, backoff delays, a fresh handshake with the
 * same settings, sends queued while waiting and flushed in order, which closes
 * reconnect and which do not, maxAttempts, queue overflow, Close and unload
 * while waiting), Socket.IO connect/auth/acks/events, heartbeat timeout,
 * reconnect with backoff, open timeout, CONNECT_ERROR and the reconnect limit.
 *
 * Where a compiler, spshell or an include directory is missing, its tests are
 * skipped and their names say what is missing.
 */
import { execFile, execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import {
  findCompilers,
  findShells,
  findSocketIncludes,
  SOURCEPAWN_VERSIONS,
  versionVariable,
} from "../toolchain/index.js";
import { skipWithReason } from "./skip.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const SCRIPTING = path.join(ROOT, "out/scripting");
const PLUGIN = path.join(SCRIPTING, "websocket.sp");
const INCLUDE_DIR = path.join(SCRIPTING, "include");
const INCLUDE = path.join(INCLUDE_DIR, "websocket.inc");
const EXAMPLE = path.join(ROOT, "examples/match_events.sp");
/** sm-websocket server consumers (also loaded in the real-SourceMod group): old syntax, and new syntax with getPath. */
const SERVER_CONSUMERS = ["e2e_server.sp", "e2e_server2.sp"].map((f) =>
  path.join(ROOT, "generator/test/e2e/fixtures", f),
);
interface Toolchain {
  /** Shown in test names. */
  readonly name: string;
  readonly spcomp: string;
  /** SourceMod include directory matching the compiler. */
  readonly include: string;
}

const COMPILERS = findCompilers();
const SOCKETS = findSocketIncludes();
const FLAVOURS = SOCKETS.filter((s) => s.dir !== null).map((s) => ({ name: s.name, dir: s.dir as string }));

/** One toolchain per pinned compiler version, or why that version cannot run (each version gets its own includes). */
function toolchains(): ({ ok: true; t: Toolchain } | { ok: false; name: string; why: string })[] {
  return SOURCEPAWN_VERSIONS.map((v) => {
    const c = COMPILERS.find((x) => x.version === v);
    if (c === undefined) {
      return {
        ok: false,
        name: `spcomp-${v}`,
        why: `spcomp ${v} not found (${versionVariable("SPCOMP", v)}, SPCOMP, spcomp-${v} or spcomp on PATH)`,
      };
    }
    if (c.smInclude === null) {
      return { ok: false, name: `spcomp-${v}`, why: c.smIncludeWhy ?? `no SourceMod ${v} includes` };
    }
    return { ok: true, t: { name: `spcomp-${v}`, spcomp: c.path, include: c.smInclude } };
  });
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
    execFile(t.spcomp, args, { cwd: path.dirname(file), maxBuffer: 1 << 24 }, (err, stdout, stderr) => {
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
	ws.SetReconnect(true, 500, 10000, 20);
	Websocket_SetReconnect(ws, false);
	WebsocketHandle ws2 = Websocket_Connect("ws://127.0.0.1:3000/live", "", OnRecv, OnClosedReconnect, OnError);
	Websocket_SetReconnect(ws2, true, _, _, 5);
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
public void OnClosedReconnect(WebsocketHandle ws, int code, const char[] reason, bool wasClean, bool willReconnect)
{
	if (!willReconnect)
	{
		PrintToServer("released %d", code);
	}
}
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

/** A receive buffer larger than any message websocket.smx accepts is a compile error, not a silent waste. */
const RECEIVE_TOO_BIG = consumer(
  "receive_too_big.sp",
  `#pragma semicolon 1
#pragma newdecls required
#define WEBSOCKET_RECEIVE_MAX (WEBSOCKET_MAX_MESSAGE_SIZE + 1)
#include <sourcemod>
#include <websocket>

public void OnPluginStart()
{
}
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

for (const found of toolchains()) {
  if (!found.ok) {
    describe(found.name, () => skipWithReason(import.meta.url, `${found.name} -E compiles`, found.why));
    continue;
  }
  const t = found.t;
  for (const s of SOCKETS.filter((x) => x.dir === null)) {
    describe(t.name, () => skipWithReason(import.meta.url, `${t.name} -E against ${s.name}`, s.why ?? "no socket.inc"));
  }
  describe(`${t.name} -E`, () => {
    for (const flavour of FLAVOURS) {
      const includes = [INCLUDE_DIR, t.include, flavour.dir];
      it(`compiles every out/scripting/*.sp against ${flavour.name}`, async () => {
        const plugins = generatedPlugins();
        expect(plugins).toContain(PLUGIN);
        const results = await Promise.all(plugins.map((p) => compile(t, p, includes)));
        results.forEach(expectClean);
      });
    }
    it("compiles the plugin generated with --tls none and --tls oldmagic against both socket.inc flavours", async () => {
      const flavours = FLAVOURS;
      for (const mode of ["none", "oldmagic"]) {
        const outDir = path.join(work, `tls-${mode}`);
        execFileSync(
          process.execPath,
          [path.join(ROOT, "dist/generator/cli.js"), "generate", "--tls", mode, "--out", outDir],
          {
            cwd: ROOT,
            stdio: "pipe",
          },
        );
        const sp = path.join(outDir, "scripting/websocket.sp");
        expect(readFileSync(sp, "utf8")).toContain(
          `#define WEBSOCKET_TLS_MODE ${mode === "none" ? 2 : 1} // --tls ${mode}`,
        );
        for (const flavour of flavours) {
          expectClean(await compile(t, sp, [path.join(outDir, "scripting/include"), t.include, flavour.dir]));
        }
      }
    });
    it("compiles plugins that include websocket.inc (the sm-websocket call as written, the whole API, optional library)", async () => {
      const includes = [INCLUDE_DIR, t.include];
      const [user, full] = await Promise.all([compile(t, USER_CALL, includes), compile(t, FULL_API, includes)]);
      expectClean(user);
      expectClean(full);
    });
    it("refuses WEBSOCKET_RECEIVE_MAX above WEBSOCKET_MAX_MESSAGE_SIZE with an error that says so", async () => {
      const r = await compile(t, RECEIVE_TOO_BIG, [INCLUDE_DIR, t.include]);
      expect(r.code).not.toBe(0);
      expect(r.output).toMatch(/WEBSOCKET_RECEIVE_MAX must be 1 to WEBSOCKET_MAX_MESSAGE_SIZE/);
    });
    it("compiles sm-websocket server consumers unchanged (old syntax; new syntax with the getPath incoming callback)", async () => {
      const results = await Promise.all(SERVER_CONSUMERS.map((f) => compile(t, f, [INCLUDE_DIR, t.include])));
      results.forEach(expectClean);
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

// ---------------------------------------------------------------------------
// Running the glue in spshell against a mock SourceMod
// ---------------------------------------------------------------------------

const MOCK_SOURCEMOD_INC = String.raw`// Mock of the parts of SourceMod the websocket plugin uses, for running it in spshell.
// Natives are replaced by stocks that record what they get; forwards call Mock_Dispatch
// (defined by the driver); socket natives live in the mock socket.inc.
#if defined _mock_sourcemod_included
 #endinput
#endif
#define _mock_sourcemod_included

#include <float>
#include <handles>

native void print(const char[] str);
native void printnum(int n);
native void printnums(any ...);
native void printf(const char[] fmt, any ...);

#define REQUIRE_PLUGIN
#define REQUIRE_EXTENSIONS
#define SP_ERROR_NONE 0
#define SP_ERROR_HEAPLOW 7
#define SP_ERROR_NATIVE 23
#define SM_PARAM_STRING_UTF8 (1<<0)
#define SM_PARAM_STRING_COPY (1<<1)
#define SM_PARAM_STRING_BINARY (1<<2)
#define SM_PARAM_COPYBACK (1<<0)
#define TIMER_REPEAT (1<<0)
#define PLATFORM_MAX_PATH 256

struct Plugin
{
	public const char[] name;
	public const char[] description;
	public const char[] author;
	public const char[] version;
	public const char[] url;
};

struct SharedPlugin
{
	public const char[] name;
	public const char[] file;
	public bool required;
};

struct Extension
{
	public const char[] name;
	public const char[] file;
	public bool autoload;
	public bool required;
};

enum Action
{
	Plugin_Continue = 0,
	Plugin_Changed = 1,
	Plugin_Handled = 3,
	Plugin_Stop = 4
};

enum APLRes
{
	APLRes_Success = 0,
	APLRes_Failure,
	APLRes_SilentFailure
};

enum ExecType
{
	ET_Ignore = 0,
	ET_Single = 1,
	ET_Event = 2,
	ET_Hook = 3
};

enum ParamType
{
	Param_Any = 0,
	Param_Cell = (1<<1),
	Param_Float = (2<<1),
	Param_String = (3<<1)|1,
	Param_Array = (4<<1)|1,
	Param_VarArgs = (5<<1),
	Param_CellByRef = (1<<1)|1,
	Param_FloatByRef = (2<<1)|1
};

enum FeatureType
{
	FeatureType_Native,
	FeatureType_Capability
};

enum FeatureStatus
{
	FeatureStatus_Available,
	FeatureStatus_Unavailable,
	FeatureStatus_Unknown
};

typedef NativeCall = function any (Handle plugin, int numParams);
typeset Timer
{
	function Action (Handle timer);
	function Action (Handle timer, any data);
};

// ---- recording state, read by the driver ----
stock float g_MockTime = 1000.0;
stock int g_MockRand = 12345;
stock bool g_MockTls = false;
stock int g_MockErrors;
stock char g_MockError[512];
stock int g_MockNatives;
stock int g_MockTimers;

stock any g_NP_Cell[16];
stock Function g_NP_Func[16];
stock char g_NP_Str[16][70000];

#define MOCK_MAX_FWD 4096
stock Function g_FwdFunc[MOCK_MAX_FWD];
stock int g_FwdCount;
stock int g_CallFwd;
stock int g_CallN;
stock any g_CallCells[8];
stock char g_CallStr[8][70000];
stock int g_CallStrLen[8];
// Call_StartFunction instead of Call_StartForward: the function to call.
stock bool g_CallIsFunc;
stock Function g_CallFunc;

// SourceMod copies every array or string argument onto the heap of the plugin it calls
// (ScriptedInvoker::Invoke), and when that heap cannot take it, Call_Finish fails and the
// exception is reported in, and aborts, the calling plugin. The mock counts such calls:
// g_MockCalleeHeap is how many bytes the receiving plugin's heap holds for them, and
// g_MockHeapExceptions how many calls did not fit (nothing is called then).
stock int g_MockCalleeHeap = 16000;
stock int g_MockHeapExceptions;
stock int g_CallHeap;
// False: the consumer was built with an older websocket.inc (no __Websocket_Deliver).
stock bool g_MockHasEntry = true;
// What SetNativeArray last wrote (cells), read back by Mock_ReadDelivery.
stock int g_MockArray[262160];

stock void CreateNative(const char[] name, NativeCall func)
{
	if (name[0] != 0 && func != INVALID_FUNCTION)
	{
		g_MockNatives++;
	}
}

stock void MarkNativeAsOptional(const char[] name)
{
	if (name[0] == 0)
	{
		g_MockErrors++;
	}
}

stock void RegPluginLibrary(const char[] name)
{
	if (name[0] == 0)
	{
		g_MockErrors++;
	}
}

stock Handle CreateTimer(float interval, Timer func, any data = 0, int flags = 0)
{
	if (interval > 0.0 && func != INVALID_FUNCTION && data == 0 && flags != 0)
	{
		g_MockTimers++;
	}
	return view_as<Handle>(999);
}

stock float GetEngineTime()
{
	return g_MockTime;
}

stock int GetURandomInt()
{
	g_MockRand = g_MockRand * 1103515245 + 12345;
	return g_MockRand >>> 1;
}

// Which socket extension the mock pretends to be: 0 another, 1 JoinedSenses, 2 oldmagic.
stock int g_MockExtension;
stock int g_MockLogMessages;

// As SourceMod answers: a native the calling plugin binds is Available when bound; another
// plugin's or extension's native it does not use is Unavailable (known) or Unknown.
stock FeatureStatus GetFeatureStatus(FeatureType type, const char[] name)
{
	if (type != FeatureType_Native)
	{
		return FeatureStatus_Unknown;
	}
	if (StrIs(name, "SocketConnectTLS") || StrIs(name, "SocketSendTLS"))
	{
		return g_MockTls ? FeatureStatus_Available : FeatureStatus_Unavailable;
	}
	if (StrIs(name, "Socket.Connect"))
	{
		return g_MockExtension == 1 ? FeatureStatus_Unavailable : FeatureStatus_Unknown;
	}
	if (StrIs(name, "SocketSetTLSOption"))
	{
		return g_MockExtension == 2 ? FeatureStatus_Unavailable : FeatureStatus_Unknown;
	}
	return FeatureStatus_Unknown;
}

stock void LogMessage(const char[] format, any ...)
{
	if (format[0] != 0)
	{
		g_MockLogMessages++;
	}
}

stock int strcopy(char[] dest, int destLen, const char[] source)
{
	int i = 0;
	while (i < destLen - 1 && source[i] != 0)
	{
		dest[i] = source[i];
		i++;
	}
	dest[i] = 0;
	return i;
}

stock int FindCharInString(const char[] str, char c, bool reverse = false)
{
	int found = -1;
	for (int i = 0; str[i] != 0; i++)
	{
		if (str[i] == c)
		{
			found = i;
			if (!reverse)
			{
				return i;
			}
		}
	}
	return found;
}

// Format arguments cannot be read by a SourcePawn function: the format itself is copied.
stock int FormatEx(char[] buffer, int maxlength, const char[] format, any ...)
{
	return strcopy(buffer, maxlength, format);
}

stock int Format(char[] buffer, int maxlength, const char[] format, any ...)
{
	return strcopy(buffer, maxlength, format);
}

stock int ThrowNativeError(int error, const char[] fmt, any ...)
{
	if (error == SP_ERROR_NATIVE)
	{
		g_MockErrors++;
		strcopy(g_MockError, sizeof(g_MockError), fmt);
	}
	return 0;
}

stock any GetNativeCell(int param)
{
	return g_NP_Cell[param];
}

stock Function GetNativeFunction(int param)
{
	return g_NP_Func[param];
}

stock int GetNativeStringLength(int param, int &length)
{
	length = 0;
	while (g_NP_Str[param][length] != 0)
	{
		length++;
	}
	return 0;
}

stock int GetNativeString(int param, char[] buffer, int maxlength, int &bytes = 0)
{
	bytes = strcopy(buffer, maxlength, g_NP_Str[param]);
	return 0;
}

// Cells packed from the parameter's bytes, low byte first, as SourcePawn stores a char array.
stock int GetNativeArray(int param, any[] local, int size)
{
	for (int k = 0; k < size; k++)
	{
		local[k] = g_NP_Str[param][4 * k] | (g_NP_Str[param][4 * k + 1] << 8) | (g_NP_Str[param][4 * k + 2] << 16) | (g_NP_Str[param][4 * k + 3] << 24);
	}
	return 0;
}

// ---- console variables and logs ----
#define FCVAR_PROTECTED (1<<5)
// The value of sm_websocket_tls_tunnels.
stock char g_MockTunnels[2048];
stock int g_MockLogErrors;
stock char g_MockLogError[512];

typedef ConVarChanged = function void (ConVar convar, const char[] oldValue, const char[] newValue);

methodmap ConVar < Handle
{
	public void GetString(char[] value, int maxlength)
	{
		strcopy(value, maxlength, g_MockTunnels);
	}
	public void AddChangeHook(ConVarChanged callback)
	{
		if (callback == INVALID_FUNCTION)
		{
			g_MockErrors++;
		}
	}
}

stock ConVar CreateConVar(const char[] name, const char[] defaultValue, const char[] description = "", int flags = 0, bool hasMin = false, float min = 0.0, bool hasMax = false, float max = 0.0)
{
	if (name[0] == 0 || defaultValue[0] != 0 || description[0] == 0 || flags == 0 || hasMin || hasMax || min != max)
	{
		g_MockErrors++;
	}
	return view_as<ConVar>(778);
}

stock void LogError(const char[] format, any ...)
{
	g_MockLogErrors++;
	strcopy(g_MockLogError, sizeof(g_MockLogError), format);
}

stock int SetNativeArray(int param, const any[] local, int size)
{
	for (int k = 0; k < size; k++)
	{
		g_MockArray[k] = local[k];
	}
	return param > 0 ? 0 : 1;
}

stock int strlen(const char[] s)
{
	int n = 0;
	while (s[n] != 0)
	{
		n++;
	}
	return n;
}

stock Function GetFunctionByName(Handle plugin, const char[] name)
{
	if (g_MockHasEntry && plugin != null && StrIs(name, "__Websocket_Deliver"))
	{
		return __Websocket_Deliver;
	}
	return INVALID_FUNCTION;
}

stock bool StrEqual(const char[] a, const char[] b, bool caseSensitive = true)
{
	int i = 0;
	for (;;)
	{
		int x = a[i];
		int y = b[i];
		if (!caseSensitive)
		{
			x = x >= 'A' && x <= 'Z' ? x + 32 : x;
			y = y >= 'A' && y <= 'Z' ? y + 32 : y;
		}
		if (x != y)
		{
			return false;
		}
		if (x == 0)
		{
			return true;
		}
		i++;
	}
}

stock bool StrIs(const char[] a, const char[] b)
{
	int i = 0;
	while (a[i] != 0 && a[i] == b[i])
	{
		i++;
	}
	return a[i] == b[i];
}

stock int SetNativeString(int param, const char[] source, int maxlength, bool utf8 = true, int &bytes = 0)
{
	bytes = strcopy(g_NP_Str[param], maxlength, source);
	return utf8 ? 0 : 1;
}

// ---- ArrayList (adt_array.inc) ----
// Blocks of blocksize cells. Memory is counted as SourceMod's CellArray allocates it: none until
// the first block, then 8 blocks, doubling whenever a push or resize needs more (realloc). The
// cells live in a pool that only grows: spshell's ~Handle (the native behind delete) does nothing
// the mock could see, so what the plugin still holds is counted over the lists it references
// (MockListCells). An invalid index or block is SourceMod's native error: counted in g_AlErrors.
#define MOCK_AL_LISTS 600
#define MOCK_AL_ITEMS 128
#define MOCK_AL_POOL 4400000
stock int g_AlCount;
stock int g_AlBlock[MOCK_AL_LISTS];
stock int g_AlSize[MOCK_AL_LISTS];
stock int g_AlAlloc[MOCK_AL_LISTS];
stock int g_AlItem[MOCK_AL_LISTS][MOCK_AL_ITEMS];
stock int g_AlPool[MOCK_AL_POOL];
stock int g_AlPoolUsed;
stock int g_AlErrors;

// Forgets every list: only when the plugin references none (the driver checks that first).
stock void MockListsReset()
{
	for (int id = 1; id <= g_AlCount && id < MOCK_AL_LISTS; id++)
	{
		for (int i = 0; i < MOCK_AL_ITEMS; i++)
		{
			g_AlItem[id][i] = 0;
		}
	}
	g_AlCount = 0;
	g_AlPoolUsed = 0;
}

stock int MockListId(Handle list)
{
	int id = view_as<int>(list) - 200000;
	if (id < 1 || id > g_AlCount)
	{
		g_AlErrors++;
		print("FAIL: not an ArrayList handle\n");
		return 0;
	}
	return id;
}

// Grows the counted allocation as CellArray::GrowIfNeeded does, and gives items pool cells.
stock bool MockListGrow(int id, int size)
{
	if (size > g_AlAlloc[id])
	{
		int alloc = g_AlAlloc[id] == 0 ? 8 : g_AlAlloc[id];
		while (size > alloc)
		{
			alloc *= 2;
		}
		g_AlAlloc[id] = alloc;
	}
	if (size > MOCK_AL_ITEMS)
	{
		g_AlErrors++;
		print("FAIL: mock ArrayList holds at most MOCK_AL_ITEMS items\n");
		return false;
	}
	for (int i = g_AlSize[id]; i < size; i++)
	{
		if (g_AlItem[id][i] == 0)
		{
			if (g_AlPoolUsed + g_AlBlock[id] > MOCK_AL_POOL)
			{
				g_AlErrors++;
				print("FAIL: mock ArrayList pool exhausted\n");
				return false;
			}
			g_AlItem[id][i] = g_AlPoolUsed + 1;
			g_AlPoolUsed += g_AlBlock[id];
		}
	}
	g_AlSize[id] = size;
	return true;
}

stock bool MockListIndex(int id, int index)
{
	if (id == 0 || index < 0 || index >= g_AlSize[id])
	{
		g_AlErrors++;
		print("FAIL: ArrayList invalid index\n");
		return false;
	}
	return true;
}

methodmap ArrayList < Handle
{
	public ArrayList(int blocksize = 1, int startsize = 0)
	{
		g_AlCount++;
		int id = g_AlCount;
		if (id >= MOCK_AL_LISTS)
		{
			g_AlErrors++;
			print("FAIL: mock ArrayList: too many lists\n");
			return null;
		}
		g_AlBlock[id] = blocksize;
		g_AlSize[id] = 0;
		g_AlAlloc[id] = 0;
		MockListGrow(id, startsize);
		return view_as<ArrayList>(200000 + id);
	}
	property int Length
	{
		public get()
		{
			return g_AlSize[MockListId(this)];
		}
	}
	public bool Resize(int newsize)
	{
		int id = MockListId(this);
		if (id == 0 || newsize < 0)
		{
			g_AlErrors++;
			return false;
		}
		if (newsize < g_AlSize[id])
		{
			g_AlSize[id] = newsize;
			return true;
		}
		return MockListGrow(id, newsize);
	}
	public int PushArray(const any[] values, int size = -1)
	{
		int id = MockListId(this);
		if (id == 0)
		{
			return -1;
		}
		int index = g_AlSize[id];
		if (!MockListGrow(id, index + 1))
		{
			return -1;
		}
		int n = size < 0 || size > g_AlBlock[id] ? g_AlBlock[id] : size;
		int base = g_AlItem[id][index] - 1;
		for (int k = 0; k < n; k++)
		{
			g_AlPool[base + k] = values[k];
		}
		return index;
	}
	public void SetArray(int index, const any[] values, int size = -1)
	{
		int id = MockListId(this);
		if (!MockListIndex(id, index))
		{
			return;
		}
		int n = size < 0 || size > g_AlBlock[id] ? g_AlBlock[id] : size;
		int base = g_AlItem[id][index] - 1;
		for (int k = 0; k < n; k++)
		{
			g_AlPool[base + k] = values[k];
		}
	}
	public int GetArray(int index, any[] buffer, int size = -1)
	{
		int id = MockListId(this);
		if (!MockListIndex(id, index))
		{
			return 0;
		}
		int n = size < 0 || size > g_AlBlock[id] ? g_AlBlock[id] : size;
		int base = g_AlItem[id][index] - 1;
		for (int k = 0; k < n; k++)
		{
			buffer[k] = g_AlPool[base + k];
		}
		return n;
	}
	public any Get(int index, int block = 0, bool asChar = false)
	{
		int id = MockListId(this);
		if (!MockListIndex(id, index))
		{
			return 0;
		}
		if (asChar || block < 0 || block >= g_AlBlock[id])
		{
			g_AlErrors++;
			print("FAIL: ArrayList invalid block (or asChar, which the plugin never uses)\n");
			return 0;
		}
		return g_AlPool[g_AlItem[id][index] - 1 + block];
	}
}

// Cells SourceMod would hold for the list (allocated blocks × block size); 0 for null.
stock int MockListHeld(ArrayList list)
{
	if (list == null)
	{
		return 0;
	}
	int id = view_as<int>(list) - 200000;
	return g_AlAlloc[id] * g_AlBlock[id];
}

methodmap PrivateForward < Handle
{
	public PrivateForward(ExecType type, ParamType ...)
	{
		g_FwdCount++;
		return view_as<PrivateForward>(100000 + g_FwdCount + view_as<int>(type));
	}
	public bool AddFunction(Handle plugin, Function func)
	{
		g_FwdFunc[view_as<int>(this) - 100000] = func;
		return plugin != null;
	}
}

stock void Call_StartForward(Handle fwd)
{
	g_CallFwd = view_as<int>(fwd) - 100000;
	g_CallN = 0;
	g_CallIsFunc = false;
	g_CallHeap = 0;
}

stock void Call_StartFunction(Handle plugin, Function func)
{
	// null: the calling plugin itself (the consumer's __Websocket_Deliver calling its callback).
	g_CallFunc = plugin == null || plugin != null ? func : INVALID_FUNCTION;
	g_CallN = 0;
	g_CallIsFunc = true;
	g_CallHeap = 0;
}

stock void Call_PushCell(any value)
{
	g_CallCells[g_CallN] = value;
	g_CallN++;
}

stock void Call_PushString(const char[] value)
{
	g_CallStrLen[g_CallN] = strcopy(g_CallStr[g_CallN], 70000, value);
	g_CallHeap += (strlen(value) + 4) & ~3;
	g_CallN++;
}

stock void Call_PushStringEx(char[] value, int length, int szflags, int cpflags)
{
	for (int i = 0; i < length && i < 70000; i++)
	{
		g_CallStr[g_CallN][i] = value[i];
	}
	g_CallStrLen[g_CallN] = (szflags & SM_PARAM_STRING_BINARY) != 0 ? length - 1 : length + cpflags;
	g_CallHeap += (length + 3) & ~3;
	g_CallN++;
}

stock int Call_Finish(any &result = 0)
{
	result = 0;
	int heap = g_CallHeap;
	g_CallHeap = 0;
	if (heap > g_MockCalleeHeap)
	{
		g_MockHeapExceptions++;
		printf("EXCEPTION in the calling plugin: Not enough space on the heap (%d bytes of arguments, the callee holds %d)\n", heap, g_MockCalleeHeap);
		return SP_ERROR_HEAPLOW;
	}
	if (g_CallIsFunc && g_CallFunc == Drv_Incoming)
	{
		result = Mock_Incoming();
		return SP_ERROR_NONE;
	}
	if (g_CallIsFunc && g_CallFunc == __Websocket_Deliver)
	{
		// Cells only; the consumer's own calls below reuse the call state.
		any c0 = g_CallCells[0];
		any c1 = g_CallCells[1];
		// any to Function by assignment: spcomp 1.13 refuses view_as between functions and values.
		Function c2 = g_CallCells[2];
		any c3 = g_CallCells[3];
		any c4 = g_CallCells[4];
		result = __Websocket_Deliver(view_as<WebsocketDelivery>(c0), c1, c2, c3, c4);
		return SP_ERROR_NONE;
	}
	Mock_Dispatch(g_CallIsFunc ? g_CallFunc : g_FwdFunc[g_CallFwd]);
	return SP_ERROR_NONE;
}
`;

const MOCK_SOCKET_INC = String.raw`// Mock of the socket extension: records connects and everything sent.
#if defined _socket_included
 #endinput
#endif
#define _socket_included

enum SocketType
{
	SOCKET_TCP = 1,
	SOCKET_UDP,
	SOCKET_RAW
};

enum
{
	EMPTY_HOST = 1,
	NO_HOST,
	CONNECT_ERROR,
	SEND_ERROR,
	BIND_ERROR,
	RECV_ERROR,
	LISTEN_ERROR
};

typedef SocketConnectCB = function void (Handle socket, any arg);
typedef SocketReceiveCB = function void (Handle socket, const char[] receiveData, const int dataSize, any arg);
typedef SocketDisconnectCB = function void (Handle socket, any arg);
typedef SocketErrorCB = function void (Handle socket, const int errorType, const int errorNum, any arg);
typedef SocketIncomingCB = function void (Handle socket, Handle newSocket, const char[] remoteIP, int remotePort, any arg);

stock int g_SockCount;
stock Handle g_SockLast;
stock char g_SockHost[256];
stock int g_SockPort;
stock bool g_SockDown;
stock int g_SockTls;
// Bytes the plugin sent, all sockets.
stock char g_Wire[1200000];
stock int g_WireLen;

stock Handle SocketCreate(SocketType protocol = SOCKET_TCP, SocketErrorCB efunc)
{
	g_SockCount++;
	if (protocol != SOCKET_TCP)
	{
		g_SockTls++;
	}
	g_SockLast = view_as<Handle>(5000 + g_SockCount);
	if (efunc == INVALID_FUNCTION)
	{
		return null;
	}
	return g_SockLast;
}

stock bool SocketSetArg(Handle socket, any arg)
{
	return socket != null && arg >= 0;
}

stock void SocketConnect(Handle socket, SocketConnectCB cfunc, SocketReceiveCB rfunc, SocketDisconnectCB dfunc, const char[] hostname, int port)
{
	if (socket != null && cfunc != INVALID_FUNCTION && rfunc != INVALID_FUNCTION && dfunc != INVALID_FUNCTION)
	{
		strcopy(g_SockHost, sizeof(g_SockHost), hostname);
		g_SockPort = port;
	}
}

enum SocketOption
{
	ConcatenateCallbacks = 1,
	ForceFrameLock,
	CallbacksPerFrame,
	SocketReuseAddr
};

// Listening: the driver fails SocketBind with g_SockBindFails, and plays accepted connections by
// calling the plugin's OnListenIncoming and socket callbacks itself (g_ListenSock is the listener).
stock bool g_SockBindFails;
stock Handle g_ListenSock;
stock int g_ListenPort;
stock int g_SockDisconnects;

stock bool SocketBind(Handle socket, const char[] hostname, int port)
{
	if (socket == null || g_SockBindFails || hostname[0] == 0)
	{
		return false;
	}
	g_ListenPort = port;
	return true;
}

stock bool SocketListen(Handle socket, SocketIncomingCB ifunc)
{
	if (socket == null || ifunc == INVALID_FUNCTION)
	{
		return false;
	}
	g_ListenSock = socket;
	return true;
}

stock bool SocketDisconnect(Handle socket)
{
	g_SockDisconnects++;
	return socket != null;
}

stock void SocketSetReceiveCallback(Handle socket, SocketReceiveCB rfunc)
{
	if (socket == null || rfunc == INVALID_FUNCTION)
	{
		g_SockDown = true;
	}
}

stock void SocketSetDisconnectCallback(Handle socket, SocketDisconnectCB dfunc)
{
	if (socket == null || dfunc == INVALID_FUNCTION)
	{
		g_SockDown = true;
	}
}

stock void SocketSetErrorCallback(Handle socket, SocketErrorCB efunc)
{
	if (socket == null || efunc == INVALID_FUNCTION)
	{
		g_SockDown = true;
	}
}

stock int g_SockConcatenate;

stock int SocketSetOption(Handle socket, SocketOption option, int value)
{
	if (socket != null && option == ConcatenateCallbacks)
	{
		g_SockConcatenate = value;
	}
	return 1;
}

stock bool SocketIsConnected(Handle socket)
{
	return socket != null && !g_SockDown;
}

stock void SocketSend(Handle socket, const char[] data, int size = -1)
{
	if (socket == null)
	{
		return;
	}
	for (int i = 0; i < size; i++)
	{
		g_Wire[g_WireLen + i] = data[i];
	}
	g_WireLen += size;
}
`;

const DRIVER_COMMON_INC = String.raw`// Shared driver helpers: parameters for natives, callback log, fake server frames, wire decoding.
// The consumer side of websocket.inc (__Websocket_Deliver), as the include compiles it into
// a consumer plugin; its Websocket_ReadDelivery calls go to Mock_ReadDelivery.
#include "drv_consumer.inc"

/** Websocket_ReadDelivery as SourceMod would bind it: the plugin's native, its cells unpacked into buffer. */
stock int Mock_ReadDelivery(int part, char[] buffer, int maxlength)
{
	g_NP_Cell[1] = part;
	g_NP_Cell[3] = maxlength;
	int n = Native_ReadDelivery(view_as<Handle>(9), 3);
	for (int i = 0; i <= n && i < maxlength; i++)
	{
		buffer[i] = (g_MockArray[i >> 2] >>> ((i & 3) * 8)) & 0xFF;
	}
	return n;
}

/** A large server payload, built by the delivery tests. */
stock char g_Big[110000];

/** True when s (NUL-terminated) contains part. */
stock bool StrHas(const char[] s, const char[] part)
{
	for (int i = 0; s[i] != 0; i++)
	{
		int k = 0;
		while (part[k] != 0 && s[i + k] == part[k])
		{
			k++;
		}
		if (part[k] == 0)
		{
			return true;
		}
	}
	return false;
}

/** Makes the next connection's owner a consumer built with this websocket.inc (true) or an older one. */
stock void ConsumerWithEntry(bool entry)
{
	g_MockHasEntry = entry;
	// With the entry: the heap #pragma dynamic gives for WEBSOCKET_RECEIVE_MAX; without: the default heap.
	g_MockCalleeHeap = entry ? WEBSOCKET_RECEIVE_MAX + 16000 : 16000;
}
stock Handle g_Plugin;

stock int g_Fail;
stock int g_Pass;

stock void Check(bool ok, const char[] what)
{
	if (ok)
	{
		g_Pass++;
		return;
	}
	g_Fail++;
	print("FAIL: ");
	print(what);
	print("\n");
}

stock void CheckInt(int got, int want, const char[] what)
{
	if (got != want)
	{
		printf("  got %d, want %d\n", got, want);
	}
	Check(got == want, what);
}

stock bool BytesAre(const char[] a, int alen, const char[] b)
{
	int i = 0;
	for (; i < alen; i++)
	{
		if (b[i] == 0 || a[i] != b[i])
		{
			return false;
		}
	}
	return b[i] == 0;
}

// ---- native parameters ----
stock void P_Clear()
{
	for (int i = 0; i < 16; i++)
	{
		g_NP_Cell[i] = 0;
		g_NP_Func[i] = INVALID_FUNCTION;
		g_NP_Str[i][0] = 0;
	}
}

stock void P_Str(int i, const char[] s)
{
	strcopy(g_NP_Str[i], 70000, s);
}

stock void P_Bytes(int i, const char[] b, int n)
{
	for (int k = 0; k < n; k++)
	{
		g_NP_Str[i][k] = b[k];
	}
	g_NP_Str[i][n] = 0;
}

// ---- callback log ----
#define EV_MAX 32
// Set by a driver: when the next callback of this kind is logged, Drv_Reenter(event index) runs
// inside it, as a plugin calling natives from its callback would.
stock int g_ReenterKind;

enum
{
	Ev_Recv = 1,
	Ev_Disc,
	Ev_Err,
	Ev_Open,
	Ev_State,
	Ev_SioEvent,
	Ev_SioConnect,
	Ev_SioConnectError,
	Ev_SioDisc,
	Ev_SioErr,
	Ev_SioAck,
	Ev_Incoming,
	Ev_Close
};
stock int g_EvN;
stock int g_EvKind[EV_MAX];
stock any g_EvCell[EV_MAX][5];
stock char g_EvStr[EV_MAX][2][2048];
stock int g_EvStrLen[EV_MAX][2];
// The last received message, whole (it can be large).
stock char g_LastMsg[70000];
stock int g_LastMsgLen;

public void Drv_Recv(WebsocketHandle ws, WebsocketSendType type, const char[] data, const int size) {}
public void Drv_Disc(WebsocketHandle ws, int code, const char[] reason, bool clean, bool willReconnect) {}
public void Drv_Err(WebsocketHandle ws, WebsocketError e, int detail, const char[] msg) {}
public void Drv_Open(WebsocketHandle ws, const char[] protocol) {}
public void Drv_State(WebsocketHandle ws, WebsocketReadyState s) {}
public void Drv_SioEvent(SocketIO io, const char[] ev, const char[] args, int ackId) {}
public void Drv_SioConnect(SocketIO io, const char[] data, bool recovered) {}
public void Drv_SioConnectError(SocketIO io, const char[] data) {}
public void Drv_SioDisc(SocketIO io, const char[] reason, bool will) {}
public void Drv_SioErr(SocketIO io, WebsocketError e, int detail, const char[] msg) {}
public void Drv_SioAck(SocketIO io, const char[] args, any data, bool failed) {}
public void Drv_Close(WebsocketHandle ws) {}
public Action Drv_Incoming(WebsocketHandle listenWs, WebsocketHandle child, const char[] ip, int port, char protocols[256], char getPath[2000]) { return Plugin_Continue; }

// The incoming callback as a server consumer writes it (the mock's Call_Finish calls Mock_Incoming
// for Drv_Incoming): logged, then it hooks the child when g_InHook, chooses g_InChoose (written
// into the plugin's protocols buffer, as SourceMod's copyback would) and returns g_InResult.
stock bool g_InHook = true;
stock Action g_InResult = Plugin_Continue;
stock char g_InChoose[256];
stock bool g_InChooseSet;
stock char g_InProtocols[256];
stock char g_InPath[2000];
stock char g_InIp[64];

stock Action Mock_Incoming()
{
	Mock_Dispatch(Drv_Incoming);
	any child = g_CallCells[1];
	strcopy(g_InIp, sizeof(g_InIp), g_CallStr[2]);
	strcopy(g_InProtocols, sizeof(g_InProtocols), g_CallStr[4]);
	strcopy(g_InPath, sizeof(g_InPath), g_CallStr[5]);
	if (g_InHook)
	{
		P_Clear();
		g_NP_Cell[1] = child;
		g_NP_Func[2] = Drv_Recv;
		g_NP_Func[3] = Drv_Disc;
		g_NP_Func[4] = Drv_Err;
		Native_HookChild(g_Plugin, 4);
		g_NP_Cell[1] = child;
		g_NP_Func[2] = Drv_State;
		Native_HookReadyStateChange(g_Plugin, 2);
	}
	if (g_InChooseSet)
	{
		strcopy(g_Offered, sizeof(g_Offered), g_InChoose);
	}
	return g_InResult;
}

/** How many callbacks of this kind were logged. */
stock int CountEv(int kind)
{
	int n = 0;
	for (int i = 0; i < g_EvN; i++)
	{
		if (g_EvKind[i] == kind)
		{
			n++;
		}
	}
	return n;
}

/** Websocket_Send as the consumer calls it: size -1 sends up to the first NUL. */
stock bool SendWs(WebsocketHandle ws, WebsocketSendType type, const char[] data, int size)
{
	P_Clear();
	g_NP_Cell[1] = ws;
	g_NP_Cell[2] = type;
	if (size < 0)
	{
		P_Str(3, data);
	}
	else
	{
		P_Bytes(3, data, size);
	}
	g_NP_Cell[4] = size;
	return Native_Send(g_Plugin, 4);
}

/** Websocket_GetReadyState as the consumer calls it. */
stock int StateOf(WebsocketHandle ws)
{
	P_Clear();
	g_NP_Cell[1] = ws;
	return Native_GetReadyState(g_Plugin, 1);
}

stock void Mock_Dispatch(Function f)
{
	int kind = 0;
	if (f == Drv_Recv) kind = Ev_Recv;
	else if (f == Drv_Disc) kind = Ev_Disc;
	else if (f == Drv_Err) kind = Ev_Err;
	else if (f == Drv_Open) kind = Ev_Open;
	else if (f == Drv_State) kind = Ev_State;
	else if (f == Drv_SioEvent) kind = Ev_SioEvent;
	else if (f == Drv_SioConnect) kind = Ev_SioConnect;
	else if (f == Drv_SioConnectError) kind = Ev_SioConnectError;
	else if (f == Drv_SioDisc) kind = Ev_SioDisc;
	else if (f == Drv_SioErr) kind = Ev_SioErr;
	else if (f == Drv_SioAck) kind = Ev_SioAck;
	else if (f == Drv_Incoming) kind = Ev_Incoming;
	else if (f == Drv_Close) kind = Ev_Close;
	if (g_EvN >= EV_MAX)
	{
		Check(false, "callback log overflow");
		return;
	}
	int e = g_EvN++;
	g_EvKind[e] = kind;
	int s = 0;
	for (int i = 0; i < g_CallN && i < 5; i++)
	{
		g_EvCell[e][i] = g_CallCells[i];
	}
	// Strings: the pushed ones, in order (cells at their positions are unused then).
	for (int i = 0; i < g_CallN && s < 2; i++)
	{
		bool isStr = false;
		if (kind == Ev_Recv || kind == Ev_Disc) isStr = i == 2;
		else if (kind == Ev_Err || kind == Ev_SioErr) isStr = i == 3;
		else if (kind == Ev_Open || kind == Ev_SioConnect || kind == Ev_SioConnectError || kind == Ev_SioDisc || kind == Ev_SioAck) isStr = i == 1;
		else if (kind == Ev_SioEvent) isStr = i == 1 || i == 2;
		if (isStr)
		{
			int n = g_CallStrLen[i];
			for (int k = 0; k < n && k < 2047; k++)
			{
				g_EvStr[e][s][k] = g_CallStr[i][k];
			}
			g_EvStr[e][s][n < 2047 ? n : 2047] = 0;
			g_EvStrLen[e][s] = n;
			if (kind == Ev_Recv)
			{
				for (int k = 0; k < n && k < 70000; k++)
				{
					g_LastMsg[k] = g_CallStr[i][k];
				}
				g_LastMsgLen = n;
			}
			s++;
		}
	}
	if (kind == g_ReenterKind)
	{
		g_ReenterKind = 0;
		Drv_Reenter(e);
	}
}

void EvClear()
{
	g_EvN = 0;
}

// ---- the fake server ----
stock char g_Srv[300000];
stock char g_SrvKey[4];

// Appends an unmasked server frame at g_Srv[off..]; returns the new end.
stock int SrvFrame(int off, int opcode, bool fin, const char[] payload, int len)
{
	int o = off + frameEncodeHeader(g_Srv, off, fin, opcode, false, len, g_SrvKey, 0);
	for (int i = 0; i < len; i++)
	{
		g_Srv[o + i] = payload[i];
	}
	return o + len;
}

stock int SrvText(int off, const char[] text)
{
	return SrvFrame(off, Opcode_Text, true, text, strlen_(text));
}

stock int strlen_(const char[] s)
{
	int n = 0;
	while (s[n] != 0)
	{
		n++;
	}
	return n;
}

stock void Feed(Handle socket, const char[] data, int len)
{
	OnSocketReceive(socket, data, len, 0);
}

stock void WireClear()
{
	g_WireLen = 0;
}

stock int WireFind(const char[] s)
{
	int n = strlen_(s);
	for (int i = 0; i + n <= g_WireLen; i++)
	{
		int k = 0;
		while (k < n && g_Wire[i + k] == s[k])
		{
			k++;
		}
		if (k == n)
		{
			return i;
		}
	}
	return -1;
}

// The 101 response for the request in g_Wire (its Sec-WebSocket-Key); returns its length in g_Srv.
stock Sha1 g_DrvSha;
stock char g_DrvScratch[128];
stock char g_DrvDigest[20];
stock int SrvAccept(const char[] extraHeaders)
{
	int at = WireFind("Sec-WebSocket-Key: ");
	Check(at >= 0, "request has Sec-WebSocket-Key");
	at += 19;
	for (int i = 0; i < 24; i++)
	{
		g_DrvScratch[i] = g_Wire[at + i];
	}
	bytesPutAscii(g_DrvScratch, 24, 128, WS_GUID);
	sha1(g_DrvSha, g_DrvScratch, 0, 24 + 36, g_DrvDigest, 0);
	int o = bytesPutAscii(g_Srv, 0, sizeof(g_Srv), "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ");
	o += base64Encode(g_DrvDigest, 0, 20, g_Srv, o);
	o = bytesPutAscii(g_Srv, o, sizeof(g_Srv), "\r\n");
	o = bytesPutAscii(g_Srv, o, sizeof(g_Srv), extraHeaders);
	o = bytesPutAscii(g_Srv, o, sizeof(g_Srv), "\r\n");
	return o;
}

// Decodes the client frame at g_Wire[off..]: opcode, unmasked payload into out; returns the offset after it or -1.
stock int WireFrame(int off, int &opcode, char[] out, int &len)
{
	if (off + 2 > g_WireLen)
	{
		return -1;
	}
	opcode = g_Wire[off] & 15;
	Check((g_Wire[off] & 0x80) != 0, "client frame has FIN");
	Check((g_Wire[off + 1] & 0x80) != 0, "client frame is masked");
	int n = g_Wire[off + 1] & 127;
	int o = off + 2;
	if (n == 126)
	{
		n = (g_Wire[o] << 8) | g_Wire[o + 1];
		o += 2;
	}
	else if (n == 127)
	{
		n = (g_Wire[o + 4] << 24) | (g_Wire[o + 5] << 16) | (g_Wire[o + 6] << 8) | g_Wire[o + 7];
		o += 8;
	}
	int key = o;
	o += 4;
	for (int i = 0; i < n; i++)
	{
		out[i] = g_Wire[o + i] ^ g_Wire[key + (i & 3)];
	}
	out[n] = 0;
	len = n;
	return o + n;
}
`;

const DRIVER_WS_SP = String.raw`// Runs the websocket plugin (rendered template + generated core) against the mock SourceMod.
// The driver is also the consumer plugin: it declares room for 100,000-byte messages.
#define WEBSOCKET_RECEIVE_MAX 100000
#include "websocket.sp"
#include "drv_common.inc"

stock char g_Payload2[70000];
stock int g_Op;
stock int g_Len;

stock WebsocketHandle ConnectWs(const char[] url, const char[] path)
{
	P_Clear();
	P_Str(1, url);
	P_Str(2, path);
	g_NP_Func[3] = Drv_Recv;
	g_NP_Func[4] = Drv_Disc;
	g_NP_Func[5] = Drv_Err;
	g_NP_Cell[6] = 77;
	return view_as<WebsocketHandle>(Native_Connect(g_Plugin, 6));
}

stock void HookWs(WebsocketHandle ws)
{
	P_Clear();
	g_NP_Cell[1] = ws;
	g_NP_Func[2] = Drv_Open;
	Native_HookOpen(g_Plugin, 2);
	g_NP_Func[2] = Drv_State;
	Native_HookReadyStateChange(g_Plugin, 2);
}

stock int SlotOf(WebsocketHandle ws)
{
	return SlotOfHandle(view_as<int>(ws));
}

/** Connects and completes the handshake; returns the handle. */
stock WebsocketHandle OpenWs(const char[] url)
{
	WebsocketHandle ws = ConnectWs(url, "");
	HookWs(ws);
	int slot = SlotOf(ws);
	Handle sock = g_Ws[slot].socket;
	WireClear();
	OnSocketConnected(sock, slot);
	int n = SrvAccept("");
	EvClear();
	Feed(sock, g_Srv, n);
	return ws;
}

/** Cells held by the ArrayLists the plugin references (spilled messages, send queues). */
stock int HeldCells()
{
	int cells = 0;
	for (int i = 0; i < CONFIG_MAX_CONNECTIONS; i++)
	{
		cells += MockListHeld(g_Spill[i]) + MockListHeld(g_Queue[i]) + MockListHeld(g_SioQueue[i]);
	}
	return cells;
}

/** Byte p of the stream of connection c in TestConcurrentLarge: one 1 MiB binary frame (10-byte header). */
stock int BigStreamByte(int c, int p)
{
	if (p >= 10)
	{
		return BigPayloadByte(c, p - 10);
	}
	switch (p)
	{
		case 0:
		{
			return 0x82;
		}
		case 1:
		{
			return 127;
		}
		case 7:
		{
			return 0x10;
		}
	}
	return 0;
}

stock int BigPayloadByte(int c, int i)
{
	return (i + c * 31 + (i >> 8) * 7) & 0xFF;
}

stock char g_Chunk[16384];

/**
 * Memory that follows use: every connection receives a 1 MiB message at once, the reads of all
 * connections interleaved (16 KiB each). Each must arrive whole; the cells the ArrayLists hold are
 * sampled after every read and the peak printed.
 */
stock void TestConcurrentLarge()
{
	print("-- every connection receives a 1 MiB message at once\n");
	CheckInt(HeldCells(), 0, "no ArrayList held before");
	MockListsReset();
	WebsocketHandle ws[CONFIG_MAX_CONNECTIONS];
	Handle socks[CONFIG_MAX_CONNECTIONS];
	int slots[CONFIG_MAX_CONNECTIONS];
	for (int c = 0; c < CONFIG_MAX_CONNECTIONS; c++)
	{
		EvClear();
		ws[c] = OpenWs("ws://127.0.0.1:3000");
		slots[c] = SlotOf(ws[c]);
		socks[c] = g_Ws[slots[c]].socket;
		CheckInt(StateOf(ws[c]), 1, "open");
	}
	CheckInt(HeldCells(), 0, "open idle connections hold no ArrayList");
	int total = 10 + 1048576;
	int peak = 0;
	int whole = 0;
	for (int pos = 0; pos < total; pos += sizeof(g_Chunk))
	{
		int n = total - pos < sizeof(g_Chunk) ? total - pos : sizeof(g_Chunk);
		for (int c = 0; c < CONFIG_MAX_CONNECTIONS; c++)
		{
			int k = 0;
			for (; k < n && pos + k < 10; k++)
			{
				g_Chunk[k] = BigStreamByte(c, pos + k);
			}
			for (int i = pos + k - 10; k < n; k++, i++)
			{
				g_Chunk[k] = i + c * 31 + (i >> 8) * 7;
			}
			EvClear();
			Feed(socks[c], g_Chunk, n);
			int held = HeldCells();
			if (held > peak)
			{
				peak = held;
			}
			if (pos + n < total)
			{
				CheckInt(g_EvN, 0, "nothing delivered mid-message");
				continue;
			}
			// The message is complete: delivered from g_Delivery (too large for this consumer's 100,000 bytes).
			Check(g_EvN == 1 && g_EvKind[0] == Ev_Err && g_EvCell[0][1] == WsError_MessageTooLarge && g_EvCell[0][2] == 1048576, "the 1 MiB message is delivered (too large for this consumer)");
			int bad = 0;
			for (int i = 0; i < 1048576; i++)
			{
				if (g_Delivery[i] != ((i + c * 31 + (i >> 8) * 7) & 0xFF))
				{
					bad++;
				}
			}
			CheckInt(g_Delivery[1048575], BigPayloadByte(c, 1048575), "its last byte");
			if (bad == 0)
			{
				whole++;
			}
			Check(g_Spill[slots[c]] == null, "its spilled blocks are freed once delivered");
		}
	}
	CheckInt(whole, CONFIG_MAX_CONNECTIONS, "every connection's message arrived whole");
	CheckInt(g_AlErrors, 0, "no ArrayList misuse");
	printf("peak ArrayList memory while %d connections each receive a 1 MiB message: %d cells = %d bytes (%d bytes a connection)\n", CONFIG_MAX_CONNECTIONS, peak, peak * 4, peak * 4 / CONFIG_MAX_CONNECTIONS);
	// 63 spills of WS_MSG_BUFFER bytes a connection: 64 blocks allocated (8, doubling).
	CheckInt(peak, CONFIG_MAX_CONNECTIONS * 64 * WS_BLOCK_CELLS, "peak: 64 blocks a connection");
	CheckInt(HeldCells(), 0, "nothing held after delivery");
	for (int c = 0; c < CONFIG_MAX_CONNECTIONS; c++)
	{
		EvClear();
		OnSocketDisconnected(socks[c], slots[c]);
		Check(!g_Ws[slots[c]].used, "released");
	}
}

stock void TestHandshakeQueueAndMessages()
{
	print("-- handshake, queue, messages\n");
	g_MockErrors = 0;
	WebsocketHandle ws = ConnectWs("ws://Example.org:8080/ignored?x=1", "/chat?room=1");
	Check(ws != INVALID_WEBSOCKET_HANDLE, "connect returns a handle");
	CheckInt(g_MockErrors, 0, "no native error on connect");
	Check(BytesAre(g_SockHost, strlen_(g_SockHost), "example.org") && g_SockPort == 8080, "socket connects to host:port");
	CheckInt(StateOf(ws), 0, "state CONNECTING");
	HookWs(ws);
	P_Clear();
	g_NP_Cell[1] = ws;
	P_Str(2, "Authorization");
	P_Str(3, "Bearer abc");
	Native_SetHeader(g_Plugin, 3);
	P_Str(2, "chat.v2, chat");
	Native_SetProtocols(g_Plugin, 2);
	CheckInt(g_MockErrors, 0, "headers and protocols accepted");
	P_Str(2, "Bad Header");
	P_Str(3, "x");
	Native_SetHeader(g_Plugin, 3);
	CheckInt(g_MockErrors, 1, "a header name with a space is refused");
	P_Str(2, "X-Evil");
	P_Str(3, "a\r\nHost: evil");
	Native_SetHeader(g_Plugin, 3);
	CheckInt(g_MockErrors, 2, "a header value with CRLF is refused");
	g_MockErrors = 0;

	Check(SendWs(ws, SendType_Text, "hello", -1), "text send while CONNECTING is queued");
	char bin[4];
	bin[0] = 0; bin[1] = 1; bin[2] = 0; bin[3] = 0xFF;
	Check(SendWs(ws, SendType_Binary, bin, 4), "binary send while CONNECTING is queued");
	char bad[3];
	bad[0] = 0xC3; bad[1] = 0x28; bad[2] = 0;
	SendWs(ws, SendType_Text, bad, 2);
	CheckInt(g_MockErrors, 1, "invalid UTF-8 text is a native error");
	g_MockErrors = 0;

	int slot = SlotOf(ws);
	Check(g_Queue[slot] != null && g_Sess[slot].queueLen > 0 && HeldCells() == 8 * WS_BLOCK_CELLS, "the send queue is an ArrayList created by the first queued frame (8 blocks allocated)");
	Handle sock = g_Ws[slot].socket;
	WireClear();
	OnSocketConnected(sock, slot);
	Check(WireFind("GET /chat?room=1 HTTP/1.1\r\nHost: example.org:8080\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ") == 0, "request line and first headers");
	Check(WireFind("Sec-WebSocket-Protocol: chat.v2, chat\r\n") > 0, "subprotocols requested");
	Check(WireFind("Authorization: Bearer abc\r\n") > 0, "extra header sent");
	Check(WireFind("Evil") < 0, "refused headers not sent");
	int n = SrvAccept("Sec-WebSocket-Protocol: chat\r\n");
	n = SrvText(n, "hi");
	WireClear();
	EvClear();
	Feed(sock, g_Srv, n);
	CheckInt(StateOf(ws), 1, "state OPEN");
	CheckInt(g_EvN, 3, "three callbacks: state, open, message");
	CheckInt(g_EvKind[0], Ev_State, "ready state callback first");
	CheckInt(g_EvCell[0][1], 1, "ready state Open");
	CheckInt(g_EvKind[1], Ev_Open, "open callback");
	Check(BytesAre(g_EvStr[1][0], g_EvStrLen[1][0], "chat"), "open callback gets the chosen subprotocol");
	CheckInt(g_EvKind[2], Ev_Recv, "receive callback");
	CheckInt(g_EvCell[2][1], view_as<int>(SendType_Text), "text type");
	CheckInt(g_EvCell[2][3], 2, "size 2");
	Check(BytesAre(g_EvStr[2][0], g_EvStrLen[2][0], "hi"), "payload hi");
	// The queue was flushed in order on open.
	int off = WireFrame(0, g_Op, g_Payload2, g_Len);
	Check(off > 0 && g_Op == Opcode_Text && BytesAre(g_Payload2, g_Len, "hello"), "first queued frame: text hello");
	off = WireFrame(off, g_Op, g_Payload2, g_Len);
	Check(off > 0 && g_Op == Opcode_Binary && g_Len == 4 && g_Payload2[0] == 0 && g_Payload2[1] == 1 && g_Payload2[2] == 0 && g_Payload2[3] == 0xFF, "second queued frame: binary 00 01 00 FF");
	CheckInt(off, g_WireLen, "nothing else sent");
	Check(g_Queue[slot] == null && g_Sess[slot].queueLen == 0, "the flushed queue is deleted");

	// A fragmented binary message with NUL bytes, fed one byte per read, with a ping in between.
	char part[3];
	part[0] = 'a'; part[1] = 0; part[2] = 'b';
	n = SrvFrame(0, Opcode_Binary, false, part, 3);
	n = SrvFrame(n, Opcode_Ping, true, "p!", 2);
	part[0] = 0; part[1] = 0; part[2] = 'z';
	n = SrvFrame(n, Opcode_Continuation, true, part, 3);
	WireClear();
	EvClear();
	for (int i = 0; i < n; i++)
	{
		Feed(sock, g_Srv[i], 1);
	}
	CheckInt(g_EvN, 1, "one message callback for the fragmented message");
	CheckInt(g_EvCell[0][3], 6, "reassembled size 6");
	Check(g_LastMsgLen == 6 && g_LastMsg[0] == 'a' && g_LastMsg[1] == 0 && g_LastMsg[2] == 'b' && g_LastMsg[3] == 0 && g_LastMsg[4] == 0 && g_LastMsg[5] == 'z', "binary payload with NUL bytes intact");
	off = WireFrame(0, g_Op, g_Payload2, g_Len);
	Check(off > 0 && g_Op == Opcode_Pong && BytesAre(g_Payload2, g_Len, "p!"), "ping answered with the same payload");

	// A 70000-byte text message in one read (64-bit length form is not needed: 16-bit and beyond).
	for (int i = 0; i < 69000; i++)
	{
		g_Payload2[i] = 'a' + (i % 26);
	}
	n = SrvFrame(0, Opcode_Text, true, g_Payload2, 69000);
	EvClear();
	Feed(sock, g_Srv, n);
	CheckInt(g_EvN, 1, "large message delivered");
	Check(g_LastMsgLen == 69000 && g_LastMsg[68999] == 'a' + (68999 % 26), "large message intact");
	Check(g_Spill[slot] == null && HeldCells() == 0, "its spilled blocks are freed");
	// The same message a byte at a time: spills at every WS_MSG_BUFFER bytes, still whole.
	EvClear();
	for (int i = 0; i < n; i++)
	{
		Feed(sock, g_Srv[i], 1);
		if (i == n - 2)
		{
			Check(g_Spill[slot] != null && g_Spill[slot].Length == 68999 / WS_MSG_BUFFER, "spilled in blocks while it arrives");
		}
	}
	Check(g_EvN == 1 && g_LastMsgLen == 69000 && g_LastMsg[0] == 'a' && g_LastMsg[16384] == 'a' + (16384 % 26) && g_LastMsg[68999] == 'a' + (68999 % 26), "byte-at-a-time large message intact");
	bool same = true;
	for (int i = 0; i < 69000; i++)
	{
		same = same && g_LastMsg[i] == 'a' + (i % 26);
	}
	Check(same, "every byte of it");

	// Sending a large binary message: length 16-bit form, masked.
	WireClear();
	Check(SendWs(ws, SendType_Binary, g_Payload2, 3000), "send 3000 bytes");
	off = WireFrame(0, g_Op, g_Srv, g_Len);
	Check(off == g_WireLen && g_Len == 3000 && g_Srv[2999] == g_Payload2[2999], "3000-byte frame decodes");

	// Server close: echoed, then TCP close gives a clean disconnect with the server's code and reason.
	char closePayload[5];
	closePayload[0] = 0x03; closePayload[1] = 0xE8; closePayload[2] = 'b'; closePayload[3] = 'y'; closePayload[4] = 'e';
	n = SrvFrame(0, Opcode_Close, true, closePayload, 5);
	WireClear();
	EvClear();
	Feed(sock, g_Srv, n);
	CheckInt(StateOf(ws), 2, "state CLOSING after the server's Close");
	off = WireFrame(0, g_Op, g_Payload2, g_Len);
	Check(off > 0 && g_Op == Opcode_Close && g_Len == 2 && g_Payload2[0] == 0x03 && g_Payload2[1] == 0xE8, "close reply echoes 1000");
	g_MockErrors = 0;
	SendWs(ws, SendType_Text, "late", -1);
	CheckInt(g_MockErrors, 1, "send while CLOSING is a native error");
	g_MockErrors = 0;
	EvClear();
	OnSocketDisconnected(sock, slot);
	CheckInt(g_EvN, 2, "state + disconnect callbacks");
	CheckInt(g_EvKind[1], Ev_Disc, "disconnect callback");
	CheckInt(g_EvCell[1][1], 1000, "close code 1000");
	Check(BytesAre(g_EvStr[1][0], g_EvStrLen[1][0], "bye"), "close reason bye");
	CheckInt(g_EvCell[1][3], 1, "clean close");
	Check(!g_Ws[slot].used, "slot released");
	CheckInt(StateOf(ws), 3, "released handle reads CLOSED");
	SendWs(ws, SendType_Text, "x", -1);
	CheckInt(g_MockErrors, 1, "send on a released handle is a native error");
	g_MockErrors = 0;
}

stock void TestErrors()
{
	print("-- errors\n");
	g_MockErrors = 0;
	WebsocketHandle ws = ConnectWs("ftp://x", "");
	Check(ws == INVALID_WEBSOCKET_HANDLE && g_MockErrors == 1, "bad scheme is a native error");
	ws = ConnectWs("ws://host:99999", "");
	Check(ws == INVALID_WEBSOCKET_HANDLE && g_MockErrors == 2, "bad port is a native error");
	ws = ConnectWs("wss://secure.example.org", "");
	Check(ws == INVALID_WEBSOCKET_HANDLE && g_MockErrors == 3, "wss:// without TLS is a native error");
	g_MockErrors = 0;

	// Another plugin's handle.
	ws = ConnectWs("ws://127.0.0.1:3000", "");
	Handle other = view_as<Handle>(2);
	P_Clear();
	g_NP_Cell[1] = ws;
	Native_GetData(other, 1);
	CheckInt(g_MockErrors, 1, "another plugin's handle is a native error");
	CheckInt(Native_GetData(g_Plugin, 1), 77, "data value kept");
	g_MockErrors = 0;
	g_NP_Cell[1] = 12345;
	Native_GetData(g_Plugin, 1);
	CheckInt(g_MockErrors, 1, "a made-up handle is a native error");
	g_MockErrors = 0;

	// Handshake refused with 403.
	HookWs(ws);
	int slot = SlotOf(ws);
	Handle sock = g_Ws[slot].socket;
	OnSocketConnected(sock, slot);
	int n = bytesPutAscii(g_Srv, 0, sizeof(g_Srv), "HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n");
	EvClear();
	Feed(sock, g_Srv, n);
	CheckInt(g_EvN, 3, "state, error, disconnect");
	CheckInt(g_EvKind[1], Ev_Err, "error callback");
	CheckInt(g_EvCell[1][1], view_as<int>(WsError_HandshakeRejected), "handshake rejected");
	CheckInt(g_EvCell[1][2], 403, "HTTP status 403");
	CheckInt(g_EvKind[2], Ev_Disc, "then disconnect");
	CheckInt(g_EvCell[2][1], 1006, "code 1006");
	Check(!g_Ws[slot].used, "slot released");

	// Protocol error: a masked server frame fails the connection with 1002.
	ws = OpenWs("ws://127.0.0.1:3000");
	slot = SlotOf(ws);
	sock = g_Ws[slot].socket;
	g_Srv[0] = 0x81;
	g_Srv[1] = 0x81;
	g_Srv[2] = 1; g_Srv[3] = 2; g_Srv[4] = 3; g_Srv[5] = 4; g_Srv[6] = 'x';
	WireClear();
	EvClear();
	Feed(sock, g_Srv, 7);
	int off = WireFrame(0, g_Op, g_Payload2, g_Len);
	Check(off > 0 && g_Op == Opcode_Close && g_Len == 2 && ((g_Payload2[0] << 8) | g_Payload2[1]) == 1002, "fails with Close 1002");
	bool sawError = false;
	for (int i = 0; i < g_EvN; i++)
	{
		if (g_EvKind[i] == Ev_Err && g_EvCell[i][1] == view_as<int>(WsError_Protocol) && g_EvCell[i][2] == 1002)
		{
			sawError = true;
		}
	}
	Check(sawError, "protocol error reported with 1002");
	CheckInt(StateOf(ws), 2, "CLOSING while waiting for the server");
	// The server never closes: the close timer ends it.
	EvClear();
	g_MockTime += 4.0;
	Timer_Tick(null);
	CheckInt(StateOf(ws), 2, "still CLOSING after 4 s");
	g_MockTime += 1.5;
	Timer_Tick(null);
	CheckInt(StateOf(ws), 3, "CLOSED after the close timeout");
	bool sawDisc = false;
	for (int i = 0; i < g_EvN; i++)
	{
		if (g_EvKind[i] == Ev_Disc && g_EvCell[i][3] == 0)
		{
			sawDisc = true;
		}
	}
	Check(sawDisc, "disconnect callback, not clean");

	// User close with code and reason.
	ws = OpenWs("ws://127.0.0.1:3000");
	slot = SlotOf(ws);
	P_Clear();
	g_NP_Cell[1] = ws;
	g_NP_Cell[2] = 4000;
	P_Str(3, "done");
	WireClear();
	Check(Native_Close(g_Plugin, 3), "close starts");
	off = WireFrame(0, g_Op, g_Payload2, g_Len);
	Check(off > 0 && g_Op == Opcode_Close && g_Len == 6 && ((g_Payload2[0] << 8) | g_Payload2[1]) == 4000 && g_Payload2[2] == 'd', "Close 4000 done");
	g_NP_Cell[2] = 1005;
	Native_Close(g_Plugin, 3);
	CheckInt(g_MockErrors, 1, "close code 1005 is a native error");
	g_MockErrors = 0;

	// Keepalive: pings every interval, fails after two silent intervals.
	ws = OpenWs("ws://127.0.0.1:3000");
	slot = SlotOf(ws);
	P_Clear();
	g_NP_Cell[1] = ws;
	g_NP_Cell[2] = 2000;
	Native_SetKeepalive(g_Plugin, 2);
	WireClear();
	g_MockTime += 2.1;
	Timer_Tick(null);
	off = WireFrame(0, g_Op, g_Payload2, g_Len);
	Check(off > 0 && g_Op == Opcode_Ping, "keepalive ping sent");
	EvClear();
	g_MockTime += 2.0;
	Timer_Tick(null);
	CheckInt(StateOf(ws), 3, "keepalive timeout closes the connection");
	Check(g_EvN >= 2 && g_EvKind[1] == Ev_Err && g_EvCell[1][1] == view_as<int>(WsError_Timeout), "keepalive timeout reported");

	// Queue overflow while CONNECTING.
	ws = ConnectWs("ws://127.0.0.1:3000", "");
	HookWs(ws);
	EvClear();
	int sent = 0;
	for (int i = 0; i < 100; i++)
	{
		if (!SendWs(ws, SendType_Binary, g_Payload2, 60000))
		{
			break;
		}
		sent++;
	}
	CheckInt(sent, CONFIG_SEND_QUEUE_BYTES / 60008, "queue holds what fits");
	Check(g_EvN > 0 && g_EvKind[0] == Ev_Err && g_EvCell[0][1] == view_as<int>(WsError_QueueOverflow) && g_EvCell[0][2] == 60000, "overflow reported through the error callback");
	CheckInt(g_MockErrors, 0, "overflow is not a native error");

	// Owner unload: open connections close with 1001, no callbacks, slots end released.
	WebsocketHandle open = OpenWs("ws://127.0.0.1:3000");
	int openSlot = SlotOf(open);
	WireClear();
	EvClear();
	OnNotifyPluginUnloaded(g_Plugin);
	CheckInt(g_EvN, 0, "no callbacks into an unloaded plugin");
	off = WireFrame(0, g_Op, g_Payload2, g_Len);
	Check(off > 0 && g_Op == Opcode_Close && ((g_Payload2[0] << 8) | g_Payload2[1]) == 1001, "Close 1001 going away");
	Check(g_Ws[openSlot].used && g_Sess[openSlot].role == SessionRole_Orphan, "orphan finishes its close handshake");
	OnSocketDisconnected(g_Ws[openSlot].socket, openSlot);
	Check(!g_Ws[openSlot].used, "orphan released on TCP close");
	for (int i = 0; i < CONFIG_MAX_CONNECTIONS; i++)
	{
		if (g_Ws[i].used && g_Ws[i].owner == g_Plugin)
		{
			Check(false, "a slot of the unloaded plugin is still owned");
		}
	}

	// Every slot in use.
	int made = 0;
	g_MockErrors = 0;
	for (int i = 0; i < CONFIG_MAX_CONNECTIONS + 1; i++)
	{
		if (ConnectWs("ws://127.0.0.1:3000", "") != INVALID_WEBSOCKET_HANDLE)
		{
			made++;
		}
	}
	Check(made <= CONFIG_MAX_CONNECTIONS && g_MockErrors >= 1, "the connection limit is a native error");
	OnNotifyPluginUnloaded(g_Plugin);
	g_MockErrors = 0;
}

stock int g_ReenterTest;
stock WebsocketHandle g_ReenterWs;
stock bool g_ReenterResult;
stock bool g_ReenterDeferred;

stock void Drv_Reenter(int e)
{
	P_Clear();
	g_NP_Cell[1] = g_ReenterWs;
	if (g_ReenterTest == 1)
	{
		// In the receive callback: answer, then close.
		g_NP_Cell[2] = SendType_Text;
		P_Str(3, "echo");
		g_NP_Cell[4] = -1;
		Native_Send(g_Plugin, 4);
		P_Clear();
		g_NP_Cell[1] = g_ReenterWs;
		g_NP_Cell[2] = 1000;
		g_ReenterResult = Native_Close(g_Plugin, 3);
	}
	else if (g_ReenterTest == 2)
	{
		// In the disconnect callback: closing again does nothing, data still readable.
		g_NP_Cell[2] = 1000;
		g_ReenterResult = !Native_Close(g_Plugin, 3) && Native_GetData(g_Plugin, 1) == 77;
	}
	else if (g_ReenterTest == 3)
	{
		// In the disconnect callback of a connection that will reconnect: the handle is valid,
		// a send is queued, and Close cancels the reconnect.
		g_NP_Cell[2] = SendType_Text;
		P_Str(3, "in-callback");
		g_NP_Cell[4] = -1;
		bool queued = Native_Send(g_Plugin, 4);
		P_Clear();
		g_NP_Cell[1] = g_ReenterWs;
		g_NP_Cell[2] = 1000;
		g_ReenterResult = queued && g_EvCell[e][4] == 1 && Native_Close(g_Plugin, 3);
		// Close released the connection, but the disconnect forward is still running (SourceMod
		// would walk a freed forward): it is only marked, and closed when the callback returns.
		g_ReenterDeferred = g_FwdDepth == 1 && g_FwdDead[0] && g_FwdCalling[0] != null;
	}
	Check(e >= 0, "reentered");
}

stock void TestReentry()
{
	print("-- natives called from callbacks\n");
	g_MockErrors = 0;
	WebsocketHandle ws = OpenWs("ws://127.0.0.1:3000");
	int slot = SlotOf(ws);
	Handle sock = g_Ws[slot].socket;
	g_ReenterWs = ws;
	g_ReenterTest = 1;
	g_ReenterKind = Ev_Recv;
	int n = SrvText(0, "first");
	n = SrvText(n, "second");
	WireClear();
	EvClear();
	Feed(sock, g_Srv, n);
	Check(g_ReenterResult, "close from the receive callback starts");
	int off = WireFrame(0, g_Op, g_Payload2, g_Len);
	Check(off > 0 && g_Op == Opcode_Text && BytesAre(g_Payload2, g_Len, "echo"), "send from the receive callback");
	off = WireFrame(off, g_Op, g_Payload2, g_Len);
	Check(off > 0 && g_Op == Opcode_Close, "then the Close frame");
	int recv = 0;
	for (int i = 0; i < g_EvN; i++)
	{
		if (g_EvKind[i] == Ev_Recv)
		{
			recv++;
		}
	}
	CheckInt(recv, 2, "the second message of the same read is still delivered while CLOSING");
	CheckInt(StateOf(ws), 2, "CLOSING");
	g_ReenterTest = 2;
	g_ReenterKind = Ev_Disc;
	g_ReenterResult = false;
	OnSocketDisconnected(sock, slot);
	Check(g_ReenterResult, "Close returns false and GetData works in the disconnect callback");
	CheckInt(g_MockErrors, 0, "no native error from callbacks");
	Check(!g_Ws[slot].used, "released after the callback");
}

stock void SetReconnectWs(WebsocketHandle ws, bool on, int delay, int delayMax, int attempts, int jitter)
{
	P_Clear();
	g_NP_Cell[1] = ws;
	g_NP_Cell[2] = on;
	g_NP_Cell[3] = delay;
	g_NP_Cell[4] = delayMax;
	g_NP_Cell[5] = attempts;
	g_NP_Cell[6] = jitter;
	Native_SetReconnect(g_Plugin, 6);
}

stock bool StartsWith(const char[] s, const char[] prefix)
{
	for (int i = 0; prefix[i] != 0; i++)
	{
		if (s[i] != prefix[i])
		{
			return false;
		}
	}
	return true;
}

// The index of the first callback of this kind, or -1.
stock int FindEv(int kind)
{
	for (int i = 0; i < g_EvN; i++)
	{
		if (g_EvKind[i] == kind)
		{
			return i;
		}
	}
	return -1;
}

stock void CloseWs(WebsocketHandle ws)
{
	P_Clear();
	g_NP_Cell[1] = ws;
	g_NP_Cell[2] = 1000;
	Native_Close(g_Plugin, 3);
}

stock char g_Key1[25];

// Answers the handshake just sent on slot's socket with 101; the open callbacks are logged.
stock void AcceptWs(int slot, const char[] extra)
{
	Handle sock = g_Ws[slot].socket;
	int n = SrvAccept(extra);
	WireClear();
	Feed(sock, g_Srv, n);
}

// Drops TCP of an open connection with reconnect on; checks the "will reconnect" disconnect callback.
stock void DropWs(WebsocketHandle ws, const char[] what)
{
	int slot = SlotOf(ws);
	EvClear();
	OnSocketDisconnected(g_Ws[slot].socket, slot);
	int d = FindEv(Ev_Disc);
	Check(d >= 0 && g_EvCell[d][1] == 1006 && g_EvCell[d][3] == 0 && g_EvCell[d][4] == 1, what);
	Check(g_Ws[slot].used && g_Ws[slot].handle == view_as<int>(ws) && g_Ws[slot].socket == null, "handle kept, socket dropped");
}

/**
 * A message reaches a consumer as far as it has room: WEBSOCKET_RECEIVE_MAX with this include,
 * 8 KiB for one built with an older include (its default heap holds that). One byte more, or the
 * 70,000-byte message of the bug report to an old consumer, is dropped with
 * WsError_MessageTooLarge; the connection stays open and the next message arrives.
 */
stock void TestDelivery()
{
	print("-- delivery to consumers\n");
	for (int i = 0; i < sizeof(g_Big); i++)
	{
		g_Big[i] = i % 251;
	}
	for (int legacy = 0; legacy < 2; legacy++)
	{
		ConsumerWithEntry(legacy == 0);
		int room = legacy == 0 ? WEBSOCKET_RECEIVE_MAX : WS_LEGACY_RECEIVE_MAX;
		g_SockDown = false;
		WebsocketHandle ws = ConnectWs("ws://127.0.0.1:3000", "/");
		int slot = SlotOf(ws);
		Handle sock = g_Ws[slot].socket;
		WireClear();
		OnSocketConnected(sock, slot);
		int n = SrvAccept("");
		Feed(sock, g_Srv, n);
		CheckInt(StateOf(ws), 1, "open");
		int sizes[3];
		sizes[0] = room;
		sizes[1] = room + 1;
		sizes[2] = 70000;
		for (int k = 0; k < 3; k++)
		{
			n = SrvFrame(0, Opcode_Binary, true, g_Big, sizes[k]);
			EvClear();
			Feed(sock, g_Srv, n);
			if (sizes[k] <= room)
			{
				Check(g_EvN == 1 && g_EvKind[0] == Ev_Recv && g_EvCell[0][3] == sizes[k] && g_LastMsgLen == sizes[k] && g_LastMsg[0] == 0 && g_LastMsg[251] == 0 && g_LastMsg[250] == 250 && g_LastMsg[69999] == 69999 % 251, "a binary message within the consumer's room arrives whole");
			}
			else
			{
				Check(g_EvN == 1 && g_EvKind[0] == Ev_Err && g_EvCell[0][1] == WsError_MessageTooLarge && g_EvCell[0][2] == sizes[k] && StrHas(g_EvStr[0][0], "WEBSOCKET_RECEIVE_MAX"), "a larger one: WsError_MessageTooLarge with its size and the fix");
			}
			CheckInt(StateOf(ws), 1, "the connection stays open");
		}
		n = SrvText(0, "after");
		EvClear();
		Feed(sock, g_Srv, n);
		Check(g_EvN == 1 && g_EvKind[0] == Ev_Recv && BytesAre(g_EvStr[0][0], g_EvStrLen[0][0], "after"), "the next message arrives");
		OnSocketDisconnected(sock, slot);
	}
	ConsumerWithEntry(true);
}

/**
 * wss:// through a TLS tunnel (sm_websocket_tls_tunnels): the socket is plain TCP to the tunnel,
 * the request keeps the URL's Host; no TLS extension is needed. A malformed table connects nowhere.
 */
stock void TestTunnel()
{
	print("-- TLS tunnel\n");
	g_MockTls = false;
	g_MockErrors = 0;
	strcopy(g_MockTunnels, sizeof(g_MockTunnels), "chat.example.org:8080=127.0.0.1:8443 other.org=127.0.0.2:9000");
	int tlsBefore = g_SockTls;
	g_SockDown = false;
	WebsocketHandle ws = ConnectWs("wss://Chat.Example.org:8080/live", "");
	Check(ws != INVALID_WEBSOCKET_HANDLE && g_MockErrors == 0, "wss:// with a tunnel connects without a TLS extension");
	CheckInt(g_SockTls, tlsBefore, "a plain TCP socket");
	Check(BytesAre(g_SockHost, strlen_(g_SockHost), "127.0.0.1") && g_SockPort == 8443, "to the tunnel's address and port");
	int slot = SlotOf(ws);
	Handle sock = g_Ws[slot].socket;
	WireClear();
	OnSocketConnected(sock, slot);
	Check(WireFind("GET /live HTTP/1.1\r\nHost: chat.example.org:8080\r\n") == 0, "the request names the origin, not the tunnel");
	int n = SrvAccept("");
	n = SrvText(n, "through");
	EvClear();
	Feed(sock, g_Srv, n);
	Check(g_EvN == 1 && g_EvKind[0] == Ev_Recv && BytesAre(g_EvStr[0][0], g_EvStrLen[0][0], "through"), "messages flow");
	WireClear();
	SendWs(ws, SendType_Text, "out", -1);
	Check(g_WireLen == 9, "sends go to the plain socket (SocketSend)");
	OnSocketDisconnected(sock, slot);

	// An origin the table does not name needs the extension's TLS, as before.
	ConnectWs("wss://third.org/", "");
	CheckInt(g_MockErrors, 1, "no tunnel and no TLS: native error");
	// A malformed table: never a plain-text connection.
	g_MockErrors = 0;
	strcopy(g_MockTunnels, sizeof(g_MockTunnels), "chat.example.org:8080=127.0.0.1");
	int socketsBefore = g_SockCount;
	ws = ConnectWs("wss://chat.example.org:8080/", "");
	Check(ws == INVALID_WEBSOCKET_HANDLE && g_MockErrors == 1 && StrHas(g_MockError, "%s"), "a malformed table is a native error (the reason is g_ErrMsg)");
	Check(StrHas(g_ErrMsg, "sm_websocket_tls_tunnels is malformed"), "naming the console variable");
	CheckInt(g_SockCount, socketsBefore, "no socket is even created");
	g_MockLogErrors = 0;
	OnTunnelsChanged(g_CvTunnels, "", "a.org=127.0.0.1");
	Check(g_MockLogErrors == 1 && StrHas(g_MockLogError, "malformed"), "setting a malformed table is logged at once");
	OnTunnelsChanged(g_CvTunnels, "", "a.org=127.0.0.1:1");
	CheckInt(g_MockLogErrors, 1, "a good table is not");
	g_MockTunnels[0] = 0;
	g_MockErrors = 0;
}

stock void TestReconnect()
{
	print("-- reconnect\n");
	g_MockErrors = 0;
	WebsocketHandle ws = ConnectWs("ws://127.0.0.1:3000/live", "");
	int slot = SlotOf(ws);
	Check(!g_Sess[slot].rc.enabled, "reconnect is off by default");
	// Each wrong argument is a native error that names it, and changes nothing.
	SetReconnectWs(ws, true, -2, -1, 0, -1);
	Check(g_MockErrors == 1 && StartsWith(g_MockError, "delayMs "), "delayMs -2 refused, named");
	SetReconnectWs(ws, true, 100, 3600001, 0, -1);
	Check(g_MockErrors == 2 && StartsWith(g_MockError, "delayMaxMs "), "delayMaxMs 3600001 refused, named");
	SetReconnectWs(ws, true, 100, 1000, -2, -1);
	Check(g_MockErrors == 3 && StartsWith(g_MockError, "maxAttempts "), "maxAttempts -2 refused, named");
	SetReconnectWs(ws, true, 100, 1000, 0, 1001);
	Check(g_MockErrors == 4 && StartsWith(g_MockError, "jitterPermille "), "jitterPermille 1001 refused, named");
	Check(!g_Sess[slot].rc.enabled && g_Sess[slot].rc.backoff.baseMs == BACKOFF_DEFAULT_BASE_MS, "refused settings change nothing");
	g_MockErrors = 0;
	SetReconnectWs(ws, true, -1, -1, -1, -1);
	Check(g_Sess[slot].rc.enabled && g_Sess[slot].rc.backoff.baseMs == 1000 && g_Sess[slot].rc.backoff.maxMs == 5000 && g_Sess[slot].rc.backoff.jitterPermille == 500 && g_Sess[slot].rc.backoff.maxAttempts == 0, "-1 keeps the default delays, jitter and attempts (unlimited)");
	CheckInt(g_MockErrors, 0, "-1 for every setting is accepted");
	// No jitter: the delays are exactly 500, 1000, 2000, 2000, ...
	SetReconnectWs(ws, true, 500, 2000, 0, 0);
	CheckInt(g_MockErrors, 0, "reconnect settings accepted");
	HookWs(ws);
	P_Clear();
	g_NP_Cell[1] = ws;
	P_Str(2, "X-Token");
	P_Str(3, "t1");
	Native_SetHeader(g_Plugin, 3);
	P_Str(2, "chat");
	Native_SetProtocols(g_Plugin, 2);
	P_Str(2, "https://game.example");
	Native_SetOrigin(g_Plugin, 2);
	CheckInt(g_MockErrors, 0, "handshake settings accepted");
	WireClear();
	OnSocketConnected(g_Ws[slot].socket, slot);
	int at = WireFind("Sec-WebSocket-Key: ") + 19;
	for (int i = 0; i < 24; i++)
	{
		g_Key1[i] = g_Wire[at + i];
	}
	EvClear();
	AcceptWs(slot, "Sec-WebSocket-Protocol: chat\r\n");
	CheckInt(StateOf(ws), 1, "open");

	// The server drops TCP: the handle stays, the state is CLOSED until the delay has passed.
	DropWs(ws, "TCP drop: disconnect callback with 1006, willReconnect");
	CheckInt(g_EvN, 2, "ready state CLOSED, then the disconnect callback, nothing else");
	CheckInt(g_EvKind[0], Ev_State, "ready state callback");
	CheckInt(g_EvCell[0][1], 3, "ready state CLOSED while waiting");
	CheckInt(StateOf(ws), 3, "GetReadyState CLOSED while waiting");
	// Sends while waiting are queued, in order.
	Check(SendWs(ws, SendType_Text, "q1", -1), "text send while waiting is queued");
	char bin[3];
	bin[0] = 7; bin[1] = 0; bin[2] = 9;
	Check(SendWs(ws, SendType_Binary, bin, 3), "binary send while waiting is queued");
	CheckInt(g_MockErrors, 0, "sending while waiting to reconnect is no native error");
	int socks = g_SockCount;
	EvClear();
	g_MockTime += 0.4;
	Timer_Tick(null);
	CheckInt(g_SockCount, socks, "no reconnect before 500 ms");
	g_MockTime += 0.15;
	Timer_Tick(null);
	CheckInt(g_SockCount, socks + 1, "new socket after 500 ms");
	Check(g_Ws[slot].socket != null && BytesAre(g_SockHost, strlen_(g_SockHost), "127.0.0.1") && g_SockPort == 3000, "same host and port");
	CheckInt(StateOf(ws), 0, "CONNECTING again");
	Check(g_EvN == 1 && g_EvKind[0] == Ev_State && g_EvCell[0][1] == 0, "ready state callback: CONNECTING");
	WireClear();
	OnSocketConnected(g_Ws[slot].socket, slot);
	Check(WireFind("GET /live HTTP/1.1\r\nHost: 127.0.0.1:3000\r\n") == 0, "same request line");
	Check(WireFind("X-Token: t1\r\n") > 0 && WireFind("Sec-WebSocket-Protocol: chat\r\n") > 0 && WireFind("Origin: https://game.example\r\n") > 0, "same headers, subprotocols and origin");
	at = WireFind("Sec-WebSocket-Key: ") + 19;
	bool sameKey = true;
	for (int i = 0; i < 24; i++)
	{
		if (g_Wire[at + i] != g_Key1[i])
		{
			sameKey = false;
		}
	}
	Check(!sameKey, "a fresh handshake key");
	EvClear();
	AcceptWs(slot, "Sec-WebSocket-Protocol: chat\r\n");
	CheckInt(StateOf(ws), 1, "open again");
	Check(g_EvN == 2 && g_EvKind[0] == Ev_State && g_EvCell[0][1] == 1 && g_EvKind[1] == Ev_Open, "ready state OPEN and the open callback again");
	int off = WireFrame(0, g_Op, g_Payload2, g_Len);
	Check(off > 0 && g_Op == Opcode_Text && BytesAre(g_Payload2, g_Len, "q1"), "first queued message flushed first");
	off = WireFrame(off, g_Op, g_Payload2, g_Len);
	Check(off > 0 && g_Op == Opcode_Binary && g_Len == 3 && g_Payload2[0] == 7 && g_Payload2[1] == 0 && g_Payload2[2] == 9, "then the binary one");
	CheckInt(off, g_WireLen, "nothing else sent");
	CheckInt(g_Sess[slot].rc.backoff.attempts, 0, "backoff reset on open");

	// The server goes away (Close 1001): reconnect. The attempt fails (connect error), then the
	// handshake is refused (503): each reported through the error callback, delays doubling.
	char cp[9];
	cp[0] = 0x03; cp[1] = 0xE9; cp[2] = 'r'; cp[3] = 'e'; cp[4] = 's'; cp[5] = 't'; cp[6] = 'a'; cp[7] = 'r'; cp[8] = 't';
	int n = SrvFrame(0, Opcode_Close, true, cp, 9);
	Feed(g_Ws[slot].socket, g_Srv, n);
	EvClear();
	OnSocketDisconnected(g_Ws[slot].socket, slot);
	int d = FindEv(Ev_Disc);
	Check(d >= 0 && g_EvCell[d][1] == 1001 && BytesAre(g_EvStr[d][0], g_EvStrLen[d][0], "restart") && g_EvCell[d][3] == 1 && g_EvCell[d][4] == 1, "server Close 1001: clean disconnect callback, willReconnect");
	socks = g_SockCount;
	g_MockTime += 0.55;
	Timer_Tick(null);
	CheckInt(g_SockCount, socks + 1, "reconnect after 500 ms");
	EvClear();
	OnSocketError(g_Ws[slot].socket, CONNECT_ERROR, 111, slot);
	Check(CountEv(Ev_Err) == 1 && g_EvCell[FindEv(Ev_Err)][1] == view_as<int>(WsError_Socket) && g_EvCell[FindEv(Ev_Err)][2] == 111, "connect error reported");
	CheckInt(CountEv(Ev_Disc), 0, "a failed attempt calls no disconnect callback");
	Check(g_Ws[slot].used && g_Sess[slot].rc.pending, "next attempt scheduled");
	g_MockTime += 0.9;
	Timer_Tick(null);
	CheckInt(g_SockCount, socks + 1, "second delay is 1000 ms: not yet after 900");
	g_MockTime += 0.15;
	Timer_Tick(null);
	CheckInt(g_SockCount, socks + 2, "second attempt after 1000 ms");
	OnSocketConnected(g_Ws[slot].socket, slot);
	n = bytesPutAscii(g_Srv, 0, sizeof(g_Srv), "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n");
	EvClear();
	Feed(g_Ws[slot].socket, g_Srv, n);
	d = FindEv(Ev_Err);
	Check(d >= 0 && g_EvCell[d][1] == view_as<int>(WsError_HandshakeRejected) && g_EvCell[d][2] == 503, "handshake refused with 503 reported");
	Check(CountEv(Ev_Disc) == 0 && g_Sess[slot].rc.pending, "and retried");
	// Websocket_Close while waiting: no reconnect, the final disconnect callback, handle released.
	P_Clear();
	g_NP_Cell[1] = ws;
	g_NP_Cell[2] = 1000;
	EvClear();
	Check(Native_Close(g_Plugin, 3), "Close while waiting returns true");
	d = FindEv(Ev_Disc);
	Check(d >= 0 && g_EvCell[d][4] == 0, "final disconnect callback, willReconnect false");
	Check(!g_Ws[slot].used, "released");
	socks = g_SockCount;
	g_MockTime += 5.0;
	Timer_Tick(null);
	CheckInt(g_SockCount, socks, "no attempt after Close");
	CheckInt(g_MockErrors, 0, "no native errors");

	// The user closes an open connection: no reconnect.
	ws = OpenWs("ws://127.0.0.1:3000");
	slot = SlotOf(ws);
	SetReconnectWs(ws, true, 100, 100, 0, 0);
	CloseWs(ws);
	CheckInt(StateOf(ws), 2, "user close: CLOSING");
	cp[0] = 0x03; cp[1] = 0xE8;
	n = SrvFrame(0, Opcode_Close, true, cp, 2);
	Feed(g_Ws[slot].socket, g_Srv, n);
	EvClear();
	OnSocketDisconnected(g_Ws[slot].socket, slot);
	d = FindEv(Ev_Disc);
	Check(d >= 0 && g_EvCell[d][4] == 0 && !g_Ws[slot].used, "user close: final disconnect, released");
	socks = g_SockCount;
	g_MockTime += 1.0;
	Timer_Tick(null);
	CheckInt(g_SockCount, socks, "user close: no reconnect");
	// A user close that times out: no reconnect either.
	ws = OpenWs("ws://127.0.0.1:3000");
	slot = SlotOf(ws);
	SetReconnectWs(ws, true, 100, 100, 0, 0);
	CloseWs(ws);
	EvClear();
	g_MockTime += 5.5;
	Timer_Tick(null);
	d = FindEv(Ev_Disc);
	Check(d >= 0 && g_EvCell[d][4] == 0 && !g_Ws[slot].used, "user close timed out: final disconnect, released");

	// The server closes normally (1000): no reconnect.
	ws = OpenWs("ws://127.0.0.1:3000");
	slot = SlotOf(ws);
	SetReconnectWs(ws, true, 100, 100, 0, 0);
	n = SrvFrame(0, Opcode_Close, true, cp, 2);
	Feed(g_Ws[slot].socket, g_Srv, n);
	EvClear();
	OnSocketDisconnected(g_Ws[slot].socket, slot);
	d = FindEv(Ev_Disc);
	Check(d >= 0 && g_EvCell[d][1] == 1000 && g_EvCell[d][4] == 0 && !g_Ws[slot].used, "server Close 1000: final disconnect, released");

	// A keepalive timeout (socket error path) reconnects.
	ws = OpenWs("ws://127.0.0.1:3000");
	slot = SlotOf(ws);
	SetReconnectWs(ws, true, 100, 100, 0, 0);
	P_Clear();
	g_NP_Cell[1] = ws;
	g_NP_Cell[2] = 1000;
	Native_SetKeepalive(g_Plugin, 2);
	EvClear();
	g_MockTime += 1.05;
	Timer_Tick(null);
	g_MockTime += 1.05;
	Timer_Tick(null);
	d = FindEv(Ev_Disc);
	Check(FindEv(Ev_Err) >= 0 && g_EvCell[FindEv(Ev_Err)][1] == view_as<int>(WsError_Timeout), "keepalive timeout reported");
	Check(d >= 0 && g_EvCell[d][4] == 1 && g_Ws[slot].used && g_Sess[slot].rc.pending, "keepalive timeout: will reconnect");
	CloseWs(ws);
	Check(!g_Ws[slot].used, "closed while waiting");

	// maxAttempts: two failed attempts, then the final disconnect callback and the handle is released.
	ws = OpenWs("ws://127.0.0.1:3000");
	slot = SlotOf(ws);
	SetReconnectWs(ws, true, 100, 100, 2, 0);
	DropWs(ws, "drop before the attempts: willReconnect");
	socks = g_SockCount;
	EvClear();
	for (int k = 0; k < 2; k++)
	{
		g_MockTime += 0.15;
		Timer_Tick(null);
		CheckInt(g_SockCount, socks + k + 1, "an attempt per delay");
		OnSocketError(g_Ws[slot].socket, CONNECT_ERROR, 111, slot);
	}
	CheckInt(CountEv(Ev_Err), 2, "both failed attempts reported");
	CheckInt(CountEv(Ev_Disc), 1, "one disconnect callback at the end");
	Check(g_EvN > 0 && g_EvKind[g_EvN - 1] == Ev_Disc && g_EvCell[g_EvN - 1][4] == 0, "the final one, willReconnect false");
	Check(!g_Ws[slot].used, "released after maxAttempts");
	CheckInt(StateOf(ws), 3, "released handle reads CLOSED");
	g_MockTime += 1.0;
	Timer_Tick(null);
	CheckInt(g_SockCount, socks + 2, "no third attempt");

	// Queue overflow while waiting: the error callback reports it and Send returns false; what fit is sent in order.
	ws = OpenWs("ws://127.0.0.1:3000");
	slot = SlotOf(ws);
	SetReconnectWs(ws, true, 100, 100, 0, 0);
	DropWs(ws, "drop before overflow: willReconnect");
	EvClear();
	int sent = 0;
	for (int i = 0; i < 100; i++)
	{
		g_Payload2[0] = i;
		if (!SendWs(ws, SendType_Binary, g_Payload2, 60000))
		{
			break;
		}
		sent++;
	}
	CheckInt(sent, CONFIG_SEND_QUEUE_BYTES / 60008, "the queue holds what fits");
	Check(g_EvN == 1 && g_EvKind[0] == Ev_Err && g_EvCell[0][1] == view_as<int>(WsError_QueueOverflow) && g_EvCell[0][2] == 60000, "overflow reported through the error callback");
	CheckInt(g_MockErrors, 0, "overflow is not a native error");
	g_MockTime += 0.15;
	Timer_Tick(null);
	WireClear();
	OnSocketConnected(g_Ws[slot].socket, slot);
	AcceptWs(slot, "");
	CheckInt(StateOf(ws), 1, "reopened after the overflow");
	off = 0;
	int frames = 0;
	bool inOrder = true;
	for (;;)
	{
		int next = WireFrame(off, g_Op, g_Srv, g_Len);
		if (next < 0)
		{
			break;
		}
		if (g_Op != Opcode_Binary || g_Len != 60000 || g_Srv[0] != frames)
		{
			inOrder = false;
		}
		frames++;
		off = next;
	}
	Check(frames == sent && inOrder && off == g_WireLen, "every queued message sent, in order");

	// Reentry: in the "will reconnect" callback, a send is queued and Close finishes the connection.
	g_ReenterWs = ws;
	g_ReenterTest = 3;
	g_ReenterKind = Ev_Disc;
	g_ReenterResult = false;
	EvClear();
	OnSocketDisconnected(g_Ws[slot].socket, slot);
	Check(g_ReenterResult, "Send and Close work in the will-reconnect callback");
	Check(g_ReenterDeferred, "the running disconnect forward is not closed from inside its own call");
	Check(g_FwdDepth == 0 && g_FwdCalling[0] == null, "it is closed once its call returns");
	Check(g_EvN == 3 && g_EvKind[2] == Ev_Disc && g_EvCell[2][4] == 0, "Close there gives the final disconnect callback");
	Check(!g_Ws[slot].used, "released");

	// Owner unload while waiting: the slot is released, no callback, no attempt.
	ws = OpenWs("ws://127.0.0.1:3000");
	slot = SlotOf(ws);
	SetReconnectWs(ws, true, 100, 100, 0, 0);
	DropWs(ws, "drop before unload: willReconnect");
	EvClear();
	socks = g_SockCount;
	OnNotifyPluginUnloaded(g_Plugin);
	g_MockTime += 1.0;
	Timer_Tick(null);
	Check(!g_Ws[slot].used && g_EvN == 0 && g_SockCount == socks, "unload while waiting: released, silent, no attempt");
	CheckInt(g_MockErrors, 0, "no native errors in the reconnect checks");
}

/** permessage-deflate (RFC 7692, issue 15 item 5): offered on request, compressed messages both ways. */
stock Deflater g_DrvZ;
stock Inflater g_DrvInf;
stock char g_DrvPlain[4096];
stock char g_DrvComp[4096];

stock void TestCompression()
{
	print("-- permessage-deflate\n");
	g_MockErrors = 0;
	WebsocketHandle ws = ConnectWs("ws://127.0.0.1:3000", "");
	HookWs(ws);
	P_Clear();
	g_NP_Cell[1] = ws;
	g_NP_Cell[2] = true;
	Native_SetCompression(g_Plugin, 2);
	CheckInt(g_MockErrors, 0, "SetCompression before the request");
	int slot = SlotOf(ws);
	Handle sock = g_Ws[slot].socket;
	WireClear();
	OnSocketConnected(sock, slot);
	Check(WireFind("Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n") >= 0, "the request offers permessage-deflate");
	int n = SrvAccept("Sec-WebSocket-Extensions: permessage-deflate\r\n");
	EvClear();
	Feed(sock, g_Srv, n);
	Check(g_Conn[slot].state == ReadyState_Open && g_Conn[slot].hs.deflate, "open, with permessage-deflate");
	P_Clear();
	g_NP_Cell[1] = ws;
	g_NP_Cell[2] = false;
	Native_SetCompression(g_Plugin, 2);
	CheckInt(g_MockErrors, 1, "SetCompression after the request is a native error");
	g_MockErrors = 0;

	// Two compressed messages from the server (the second refers back into the first: context takeover).
	for (int i = 0; i < 300; i++)
	{
		g_DrvPlain[i] = 'a' + (i % 7);
	}
	g_DrvPlain[300] = 0;
	for (int m = 0; m < 2; m++)
	{
		int c = deflateMessage(g_DrvZ, g_DrvPlain, 0, 300, g_DrvComp, 0, sizeof(g_DrvComp), 15);
		Check(c > 0 && c < 120, "the server's message compresses");
		n = 0;
		g_Srv[n++] = 0xC1; // FIN, RSV1, text
		g_Srv[n++] = c;
		for (int i = 0; i < c; i++)
		{
			g_Srv[n++] = g_DrvComp[i];
		}
		EvClear();
		Feed(sock, g_Srv, n);
		bool same = g_LastMsgLen == 300;
		for (int i = 0; same && i < 300; i++)
		{
			same = g_LastMsg[i] == g_DrvPlain[i];
		}
		Check(g_EvN == 1 && g_EvKind[0] == Ev_Recv && same, "a compressed message is delivered inflated");
	}

	// Sending: a compressible message goes out with RSV1 and inflates back to what was sent.
	WireClear();
	Check(SendWs(ws, SendType_Text, g_DrvPlain, -1), "send");
	int len;
	int op;
	Check(WireFrame(0, op, g_DrvComp, len) > 0 && op == Opcode_Text && (g_Wire[0] & 0x40) != 0 && len < 300, "sent compressed (RSV1, fewer bytes)");
	inflateReset(g_DrvInf);
	inflateMessageStart(g_DrvInf, 4096);
	char out[400];
	int r = inflateRun(g_DrvInf, g_DrvComp, 0, len, out, 0, sizeof(out));
	bool same = r != InflateResult_Error && inflateFinish(g_DrvInf) && g_DrvInf.total == 300;
	for (int i = 0; same && i < 300; i++)
	{
		same = out[i] == g_DrvPlain[i];
	}
	Check(same, "and inflates back to the message");
	WireClear();
	Check(SendWs(ws, SendType_Binary, "xyz", 3), "send a short message");
	Check(WireFrame(0, op, g_DrvComp, len) > 0 && (g_Wire[0] & 0x40) == 0 && len == 3, "one that would not shrink goes out plain (RSV1 clear)");

	// Corrupt compressed data fails the connection with 1007.
	n = 0;
	g_Srv[n++] = 0xC2; // FIN, RSV1, binary
	g_Srv[n++] = 3;
	g_Srv[n++] = 0xFF;
	g_Srv[n++] = 0xFF;
	g_Srv[n++] = 0xFF;
	EvClear();
	WireClear();
	Feed(sock, g_Srv, n);
	int e = FindEv(Ev_Err);
	Check(e >= 0 && g_EvCell[e][1] == view_as<int>(WsError_Protocol) && g_EvCell[e][2] == 1007, "corrupt DEFLATE data: protocol error 1007");
	Check(WireFrame(0, op, g_DrvComp, len) > 0 && op == Opcode_Close && len >= 2 && ((g_DrvComp[0] << 8) | g_DrvComp[1]) == 1007, "Close 1007 on the wire");
	OnSocketDisconnected(sock, slot);
	CheckInt(g_MockErrors, 0, "no native error");
}

#if defined DRV_MEMORY
// drv_mem.sp: the memory check alone (16 MiB through the plugin: run with spshell -w).
public int main()
{
	g_Plugin = view_as<Handle>(1);
	AskPluginLoad2(view_as<Handle>(9), false, g_ErrMsg, sizeof(g_ErrMsg));
	OnPluginStart();
	ConsumerWithEntry(true);
	TestConcurrentLarge();
	printf("memory driver: %d passed, %d failed\n", g_Pass, g_Fail);
	return g_Fail;
}
#else
public int main()
{
	g_Plugin = view_as<Handle>(1);
	AskPluginLoad2(view_as<Handle>(9), false, g_ErrMsg, sizeof(g_ErrMsg));
	g_MockExtension = 1;
	OnPluginStart();
	CheckInt(g_MockNatives, 37, "natives registered");
	CheckInt(view_as<int>(Native_GetSocketExtension(g_Plugin, 0)), view_as<int>(WsSocketExtension_JoinedSenses), "JoinedSenses told apart by its methodmap natives");
	CheckInt(g_MockLogMessages, 1, "and one line logged about its pacing");
	g_MockExtension = 2;
	CheckInt(view_as<int>(DetectSocketExtension()), view_as<int>(WsSocketExtension_Oldmagic), "oldmagic told apart by its TLS options");
	g_MockExtension = 0;
	CheckInt(view_as<int>(DetectSocketExtension()), view_as<int>(WsSocketExtension_Unknown), "another build is unknown");
	CheckInt(g_MockTimers, 1, "one repeating timer");
	ConsumerWithEntry(true);
	TestHandshakeQueueAndMessages();
	TestErrors();
	TestReentry();
	TestReconnect();
	TestDelivery();
	TestTunnel();
	TestCompression();
	CheckInt(g_AlErrors, 0, "no ArrayList misuse in any test");
	CheckInt(HeldCells(), 0, "no ArrayList held after the tests");
	CheckInt(g_MockHeapExceptions, 0, "no call ever needed more heap than its receiver has");
	printf("ws driver: %d passed, %d failed\n", g_Pass, g_Fail);
	return g_Fail;
}
#endif
`;

const DRIVER_SRV_SP = String.raw`// Runs the server mode of the websocket plugin (Websocket_Open and its children) against the
// mock SourceMod and socket extension, the driver playing the ws clients: it calls the plugin's
// OnListenIncoming with a new socket, feeds client bytes through OnSocketReceive and reads the
// plugin's answers in g_Wire. The driver is also the consumer plugin.
#define WEBSOCKET_RECEIVE_MAX 100000
#include "websocket.sp"
#include "drv_common.inc"

stock WebsocketHandle g_L;
stock int g_NextSock = 9000;

stock void Drv_Reenter(int e)
{
	Check(e >= 0, "no re-entry in this driver");
}

stock char g_Req[4096];
stock char g_Frame[70000];
stock char g_Bin[70000];
stock char g_Data[70000];
stock char g_ReqKey[] = "dGhlIHNhbXBsZSBub25jZQ==";

stock WebsocketHandle OpenListener(const char[] host, int port)
{
	P_Clear();
	P_Str(1, host);
	g_NP_Cell[2] = port;
	g_NP_Func[3] = Drv_Incoming;
	g_NP_Func[4] = Drv_Err;
	g_NP_Func[5] = Drv_Close;
	return view_as<WebsocketHandle>(Native_Open(g_Plugin, 5));
}

/** A client connects: OnListenIncoming with a new socket; returns it. */
stock Handle Accept()
{
	Handle sock = view_as<Handle>(g_NextSock++);
	OnListenIncoming(g_ListenSock, sock, "10.0.0.5", 40000, 0);
	return sock;
}

stock int SlotOfSocket(Handle sock)
{
	for (int i = 0; i < CONFIG_MAX_CONNECTIONS; i++)
	{
		if (g_Ws[i].used && g_Ws[i].socket == sock)
		{
			return i;
		}
	}
	return -1;
}

/** The opening request with the given target and protocols ("" for none), into g_Req; returns its length. */
stock int Request(const char[] target, const char[] protocols, bool withKey = true)
{
	int o = bytesPutAscii(g_Req, 0, sizeof(g_Req), "GET ");
	o = bytesPutAscii(g_Req, o, sizeof(g_Req), target);
	o = bytesPutAscii(g_Req, o, sizeof(g_Req), " HTTP/1.1\r\nHost: example.org\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n");
	if (withKey)
	{
		o = bytesPutAscii(g_Req, o, sizeof(g_Req), "Sec-WebSocket-Key: ");
		o = bytesPutAscii(g_Req, o, sizeof(g_Req), g_ReqKey);
		o = bytesPutAscii(g_Req, o, sizeof(g_Req), "\r\n");
	}
	if (protocols[0] != 0)
	{
		o = bytesPutAscii(g_Req, o, sizeof(g_Req), "Sec-WebSocket-Protocol: ");
		o = bytesPutAscii(g_Req, o, sizeof(g_Req), protocols);
		o = bytesPutAscii(g_Req, o, sizeof(g_Req), "\r\n");
	}
	return bytesPutAscii(g_Req, o, sizeof(g_Req), "\r\n");
}

/** A client frame into g_Frame (masked unless unmasked is true, key 37 fa 21 3d); returns its length. */
stock int ClientFrame(bool fin, int opcode, const char[] payload, int len, bool unmasked = false)
{
	g_Frame[0] = (fin ? 0x80 : 0) | opcode;
	int o = 2;
	if (len < 126)
	{
		g_Frame[1] = len;
	}
	else
	{
		g_Frame[1] = 126;
		g_Frame[2] = (len >> 8) & 0xFF;
		g_Frame[3] = len & 0xFF;
		o = 4;
	}
	if (unmasked)
	{
		for (int i = 0; i < len; i++)
		{
			g_Frame[o + i] = payload[i];
		}
		return o + len;
	}
	g_Frame[1] |= 0x80;
	int key[4] = {0x37, 0xfa, 0x21, 0x3d};
	for (int i = 0; i < 4; i++)
	{
		g_Frame[o + i] = key[i];
	}
	o += 4;
	for (int i = 0; i < len; i++)
	{
		g_Frame[o + i] = payload[i] ^ key[i & 3];
	}
	return o + len;
}

/** A server frame in g_Wire at off: must be unmasked; payload into out. Returns the offset after it or -1. */
stock int ServerFrame(int off, int &opcode, char[] out, int &len)
{
	if (off + 2 > g_WireLen)
	{
		return -1;
	}
	opcode = g_Wire[off] & 15;
	Check((g_Wire[off + 1] & 0x80) == 0, "server frame is not masked");
	int n = g_Wire[off + 1] & 127;
	int o = off + 2;
	if (n == 126)
	{
		n = (g_Wire[o] << 8) | g_Wire[o + 1];
		o += 2;
	}
	for (int i = 0; i < n; i++)
	{
		out[i] = g_Wire[o + i];
	}
	out[n] = 0;
	len = n;
	return o + n;
}

/** Accepts a client and completes its handshake (hooked by the driver); returns its socket, child handle in child. */
stock Handle OpenChild(const char[] target, const char[] protocols, WebsocketHandle &child)
{
	Handle sock = Accept();
	int n = Request(target, protocols);
	WireClear();
	EvClear();
	Feed(sock, g_Req, n);
	int slot = SlotOfSocket(sock);
	child = slot >= 0 ? view_as<WebsocketHandle>(g_Ws[slot].handle) : INVALID_WEBSOCKET_HANDLE;
	return sock;
}

stock void TestListen()
{
	print("-- Websocket_Open\n");
	g_L = OpenListener("127.0.0.1", 8080);
	Check(g_L != INVALID_WEBSOCKET_HANDLE && g_ListenSock != null, "listens");
	CheckInt(g_ListenPort, 8080, "on the port given");
	CheckInt(view_as<int>(OpenListener("127.0.0.1", 8080)), view_as<int>(g_L), "the same host:port gives the same handle");
	int errors = g_MockErrors;
	OpenListener("127.0.0.1", 0);
	Check(g_MockErrors == errors + 1 && StrHas(g_MockError, "port"), "port 0: a native error naming the port");
	g_SockBindFails = true;
	OpenListener("127.0.0.1", 8081);
	g_SockBindFails = false;
	Check(g_MockErrors == errors + 2 && StrHas(g_MockError, "bind %s:%d"), "a failed bind: a native error naming host:port");
}

stock void TestChild()
{
	print("-- a child: request, incoming callback, 101, masked frames in, unmasked frames out\n");
	WebsocketHandle child;
	g_InChooseSet = true;
	strcopy(g_InChoose, sizeof(g_InChoose), "chat");
	Handle sock = OpenChild("/room?x=1", "chat, superchat", child);
	g_InChooseSet = false;
	CheckInt(CountEv(Ev_Incoming), 1, "the incoming callback ran once");
	Check(StrEqual(g_InProtocols, "chat, superchat"), "with the offered subprotocols");
	Check(StrEqual(g_InPath, "/room?x=1"), "and the request target");
	Check(StrEqual(g_InIp, "10.0.0.5"), "and the remote address");
	Check(WireFind("HTTP/1.1 101 Switching Protocols\r\n") == 0, "answered with 101");
	Check(WireFind("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n") > 0, "with the accept value of RFC 6455's example");
	Check(WireFind("Sec-WebSocket-Protocol: chat\r\n") > 0, "and the chosen subprotocol");
	CheckInt(StateOf(child), 1, "open");
	Check(CountEv(Ev_State) == 1 && g_EvCell[g_EvN - 1][1] == 1, "ready-state callback: State_Open");

	EvClear();
	int n = ClientFrame(true, 1, "hello", 5);
	Feed(sock, g_Frame, n);
	Check(g_EvN == 1 && g_EvKind[0] == Ev_Recv && BytesAre(g_EvStr[0][0], g_EvStrLen[0][0], "hello"), "a masked text frame arrives");

	print("-- fragmented, a ping between the fragments\n");
	EvClear();
	WireClear();
	n = ClientFrame(false, 1, "frag", 4);
	Feed(sock, g_Frame, n);
	n = ClientFrame(true, 9, "pi", 2);
	Feed(sock, g_Frame, n);
	n = ClientFrame(true, 0, "ment", 4);
	Feed(sock, g_Frame, n);
	Check(g_EvN == 1 && BytesAre(g_EvStr[0][0], g_EvStrLen[0][0], "fragment"), "the fragments arrive as one message");
	int op;
	int len;
	int next = ServerFrame(0, op, g_Data, len);
	Check(next > 0 && op == 10 && BytesAre(g_Data, len, "pi"), "the ping answered with an unmasked pong");

	print("-- a 70,000-byte binary message both ways\n");
	for (int i = 0; i < 70000; i++)
	{
		g_Bin[i] = (i * 7) & 0xFF;
	}
	EvClear();
	n = ClientFrame(true, 2, g_Bin, 65000);
	Feed(sock, g_Frame, n);
	Check(g_EvN == 1 && g_EvCell[0][3] == 65000 && g_LastMsg[64999] == (64999 * 7) & 0xFF, "arrives whole");
	WireClear();
	CheckInt(view_as<int>(SendWs(child, SendType_Binary, g_Bin, 65000)), 1, "Websocket_Send on a child");
	next = ServerFrame(0, op, g_Data, len);
	Check(op == 2 && len == 65000 && g_Data[64999] == (64999 * 7) & 0xFF, "sent unmasked");

	print("-- close from the client: echoed, then the server closes TCP\n");
	EvClear();
	WireClear();
	char code[4];
	code[0] = 0x0F;
	code[1] = 0xA0;
	n = ClientFrame(true, 8, code, 2);
	Feed(sock, g_Frame, n);
	next = ServerFrame(0, op, g_Data, len);
	Check(op == 8 && len == 2 && g_Data[0] == 0x0F && g_Data[1] == 0xA0, "the Close echoed with 4000");
	Check(SlotOfSocket(sock) < 0, "TCP closed and the child released");
	Check(CountEv(Ev_Disc) == 1, "the disconnect callback ran");
	for (int i = 0; i < g_EvN; i++)
	{
		if (g_EvKind[i] == Ev_Disc)
		{
			CheckInt(g_EvCell[i][1], 4000, "with the client's code");
		}
	}
	CheckInt(StateOf(child), 3, "a released child reads State_Closed");
}

stock void TestRefusals()
{
	print("-- refusals\n");
	WebsocketHandle child;
	g_InResult = Plugin_Handled;
	Handle sock = OpenChild("/", "", child);
	g_InResult = Plugin_Continue;
	Check(WireFind("HTTP/1.1 403 Forbidden\r\n") == 0 && SlotOfSocket(sock) < 0, "Plugin_Handled: 403 and closed");
	// The driver hooked it in its incoming callback before refusing: it hears that the child ended.
	CheckInt(CountEv(Ev_Disc), 1, "a refused child that was hooked: one disconnect callback");

	g_InHook = false;
	sock = OpenChild("/", "", child);
	g_InHook = true;
	Check(WireFind("HTTP/1.1 403 Forbidden\r\n") == 0 && SlotOfSocket(sock) < 0, "no plugin hooked the child: 403 and closed");

	sock = Accept();
	int n = Request("/", "", false);
	WireClear();
	EvClear();
	Feed(sock, g_Req, n);
	Check(WireFind("HTTP/1.1 400 Bad Request\r\n") == 0 && SlotOfSocket(sock) < 0, "no Sec-WebSocket-Key: 400 and closed");
	CheckInt(CountEv(Ev_Incoming), 0, "the incoming callback never saw it");

	print("-- a chosen subprotocol the client did not offer\n");
	int logged = g_MockLogErrors;
	g_InChooseSet = true;
	strcopy(g_InChoose, sizeof(g_InChoose), "graphql-ws");
	sock = OpenChild("/", "chat", child);
	g_InChooseSet = false;
	Check(WireFind("HTTP/1.1 101") == 0 && WireFind("Sec-WebSocket-Protocol") < 0, "answered 101 without a subprotocol");
	CheckInt(g_MockLogErrors, logged + 1, "and the choice logged");

	print("-- an unmasked client frame: 1002, then TCP closed\n");
	EvClear();
	WireClear();
	n = ClientFrame(true, 1, "hi", 2, true);
	Feed(sock, g_Frame, n);
	int op;
	int len;
	ServerFrame(0, op, g_Data, len);
	Check(op == 8 && len == 2 && g_Data[0] == 0x03 && g_Data[1] == 0xEA, "Close 1002 sent");
	Check(SlotOfSocket(sock) < 0, "and the child released");
	Check(CountEv(Ev_Err) == 1 && CountEv(Ev_Disc) == 1, "error and disconnect callbacks");
}

stock void TestUnhookAndClose()
{
	print("-- Websocket_UnhookChild: Close 1000, the client's reply ends it\n");
	WebsocketHandle child;
	Handle sock = OpenChild("/", "", child);
	EvClear();
	WireClear();
	P_Clear();
	g_NP_Cell[1] = child;
	Native_UnhookChild(g_Plugin, 1);
	int op;
	int len;
	ServerFrame(0, op, g_Data, len);
	Check(op == 8 && g_Data[0] == 0x03 && g_Data[1] == 0xE8, "Close 1000 sent");
	CheckInt(StateOf(child), 2, "closing");
	char code[4];
	code[0] = 0x03;
	code[1] = 0xE8;
	int n = ClientFrame(true, 8, code, 2);
	Feed(sock, g_Frame, n);
	Check(SlotOfSocket(sock) < 0, "released after the client's reply");
	CheckInt(CountEv(Ev_Disc), 0, "no callback reaches the plugin that unhooked");

	print("-- Websocket_Close on the listener: children close with 1001, the close callback runs\n");
	sock = OpenChild("/", "", child);
	EvClear();
	WireClear();
	P_Clear();
	g_NP_Cell[1] = g_L;
	Native_Close(g_Plugin, 3);
	ServerFrame(0, op, g_Data, len);
	Check(op == 8 && g_Data[0] == 0x03 && g_Data[1] == 0xE9, "the child gets Close 1001");
	CheckInt(CountEv(Ev_Close), 1, "the close callback ran");
	CheckInt(ListenerOfHandle(view_as<int>(g_L)), -1, "the listener is gone");
	Feed(sock, g_Frame, n);
	Check(SlotOfSocket(sock) < 0, "the child released after the reply");
}

stock void TestLimits()
{
	print("-- limits: children per listener, request timeout\n");
	g_L = OpenListener("0.0.0.0", 9000);
	Handle socks[WS_MAX_CHILDREN];
	for (int i = 0; i < WS_MAX_CHILDREN; i++)
	{
		socks[i] = Accept();
	}
	EvClear();
	WireClear();
	Handle extra = Accept();
	Check(WireFind("HTTP/1.1 503 Service Unavailable\r\n") == 0, "one more: 503");
	Check(SlotOfSocket(extra) < 0, "and no slot taken");
	Check(CountEv(Ev_Err) == 1 && g_EvCell[0][1] == view_as<int>(WsError_NoFreeSlot), "the listener's error callback: WsError_NoFreeSlot");
	g_MockTime += 11.0;
	Timer_Tick(null);
	int left = 0;
	for (int i = 0; i < WS_MAX_CHILDREN; i++)
	{
		if (SlotOfSocket(socks[i]) >= 0)
		{
			left++;
		}
	}
	CheckInt(left, 0, "children without a complete request are closed after 10 s");
	P_Clear();
	g_NP_Cell[1] = g_L;
	Native_Close(g_Plugin, 3);
}

public int main()
{
	g_Plugin = view_as<Handle>(1);
	AskPluginLoad2(view_as<Handle>(9), false, g_ErrMsg, sizeof(g_ErrMsg));
	OnPluginStart();
	ConsumerWithEntry(true);
	TestListen();
	TestChild();
	TestRefusals();
	TestUnhookAndClose();
	TestLimits();
	CheckInt(g_AlErrors, 0, "no ArrayList misuse");
	int held = 0;
	for (int i = 0; i < CONFIG_MAX_CONNECTIONS; i++)
	{
		held += MockListHeld(g_Spill[i]) + MockListHeld(g_Queue[i]);
	}
	CheckInt(held, 0, "no ArrayList held after the tests");
	printf("srv driver: %d passed, %d failed\n", g_Pass, g_Fail);
	return g_Fail;
}
`;

const DRIVER_SIO_SP = String.raw`// Runs the Socket.IO layer of the websocket plugin against the mock SourceMod.
// The driver is also the consumer plugin: it declares room for 100,000-byte messages.
#define WEBSOCKET_RECEIVE_MAX 100000
#include "websocket.sp"
#include "drv_common.inc"

char g_P[70000];
int g_Op;
int g_Len;

SocketIO ConnectIo(const char[] url, const char[] nsp, const char[] auth)
{
	P_Clear();
	P_Str(1, url);
	P_Str(2, nsp);
	P_Str(3, auth);
	g_NP_Func[4] = Drv_SioEvent;
	g_NP_Func[5] = Drv_SioErr;
	g_NP_Cell[6] = 5;
	P_Str(7, "/socket.io/");
	SocketIO io = view_as<SocketIO>(Native_SioConnect(g_Plugin, 7));
	P_Clear();
	g_NP_Cell[1] = io;
	g_NP_Func[2] = Drv_SioConnect;
	Native_SioHookConnect(g_Plugin, 2);
	g_NP_Func[2] = Drv_SioConnectError;
	Native_SioHookConnectError(g_Plugin, 2);
	g_NP_Func[2] = Drv_SioDisc;
	Native_SioHookDisconnect(g_Plugin, 2);
	return io;
}

bool Emit(SocketIO io, const char[] event, const char[] args, bool withAck, any data)
{
	P_Clear();
	g_NP_Cell[1] = io;
	P_Str(2, event);
	P_Str(3, args);
	g_NP_Func[4] = withAck ? Drv_SioAck : INVALID_FUNCTION;
	g_NP_Cell[5] = data;
	return Native_SioEmit(g_Plugin, 5);
}

int IoSlot(SocketIO io)
{
	return SlotOfHandle(view_as<int>(io));
}

/** The connection slot of the client's current transport (its manager's), or -1. */
int IoWs(SocketIO io)
{
	int mi = g_Sio[IoSlot(io)].mgr;
	return mi < 0 ? -1 : g_Mgr[mi].ws;
}

/** The socket of the client's current transport. */
Handle IoSock(SocketIO io)
{
	int ws = IoWs(io);
	if (ws < 0)
	{
		return null;
	}
	return g_Ws[ws].socket;
}

/** The client's manager has a reconnect scheduled. */
bool IoRetrying(SocketIO io)
{
	int mi = g_Sio[IoSlot(io)].mgr;
	return mi >= 0 && g_MgrS[mi].rc.pending;
}

/** Next text frame the plugin sent, from g_Wire[*off]; false when none. */
bool NextText(int &off, char[] out, int &len)
{
	int next = WireFrame(off, g_Op, out, len);
	if (next < 0)
	{
		return false;
	}
	off = next;
	return g_Op == Opcode_Text;
}

/** Runs the handshake of the current transport and sends the Engine.IO open packet. */
void EngineOpen(SocketIO io)
{
	Handle sock = IoSock(io);
	int slot = IoWs(io);
	WireClear();
	OnSocketConnected(sock, slot);
	Check(WireFind("GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\n") == 0, "Engine.IO request target");
	int n = SrvAccept("");
	n = SrvText(n, "0{\"sid\":\"abc\",\"upgrades\":[],\"pingInterval\":25000,\"pingTimeout\":20000,\"maxPayload\":1000000}");
	WireClear();
	Feed(sock, g_Srv, n);
}

void TestSession()
{
	print("-- Socket.IO session\n");
	g_MockErrors = 0;
	SocketIO io = ConnectIo("http://127.0.0.1:3000", "/", "{\"token\":\"abc\"}");
	Check(io != INVALID_SOCKETIO, "connect returns a handle");
	CheckInt(g_MockErrors, 0, "no native error");
	Check(IoSock(io) == null, "no transport before the first tick");
	EvClear();
	Check(Emit(io, "hello", "1", true, 9), "emit before connect is queued");
	Check(Emit(io, "second", "", false, 0), "second emit queued");
	Check(g_SioQueue[0] != null && MockListHeld(g_SioQueue[0]) == 8 * WS_BLOCK_CELLS, "queued emits live in an ArrayList (8 blocks allocated)");
	Timer_Tick(null);
	Check(IoSock(io) != null, "the first tick opens the transport");
	EngineOpen(io);
	int off = 0;
	Check(NextText(off, g_P, g_Len) && BytesAre(g_P, g_Len, "40{\"token\":\"abc\"}"), "CONNECT with auth after the open packet");
	CheckInt(off, g_WireLen, "only CONNECT sent");

	Handle sock = IoSock(io);
	int n = SrvText(0, "40{\"sid\":\"xyz\"}");
	WireClear();
	EvClear();
	Feed(sock, g_Srv, n);
	off = 0;
	Check(NextText(off, g_P, g_Len) && BytesAre(g_P, g_Len, "420[\"hello\",1]"), "queued emit with ack id 0 flushed first");
	Check(NextText(off, g_P, g_Len) && BytesAre(g_P, g_Len, "42[\"second\"]"), "second queued emit flushed in order");
	Check(g_SioQueue[0] == null && g_SioS[0].queueLen == 0, "the flushed Socket.IO queue is deleted");
	CheckInt(g_EvN, 1, "connect callback");
	CheckInt(g_EvKind[0], Ev_SioConnect, "connect callback kind");
	Check(BytesAre(g_EvStr[0][0], g_EvStrLen[0][0], "{\"sid\":\"xyz\"}"), "connect data");
	P_Clear();
	g_NP_Cell[1] = io;
	Check(Native_SioIsConnected(g_Plugin, 1), "IsConnected");

	// Ping → pong; an ack; events with and without ack ids; other namespaces ignored.
	n = SrvText(0, "2");
	n = SrvText(n, "430[{\"ok\":true}]");
	n = SrvText(n, "42[\"announce\",\"hi\",{\"a\":1}]");
	n = SrvText(n, "42/other,[\"nope\"]");
	n = SrvText(n, "4212[\"status\"]");
	WireClear();
	EvClear();
	Feed(sock, g_Srv, n);
	off = 0;
	Check(NextText(off, g_P, g_Len) && BytesAre(g_P, g_Len, "3"), "pong");
	CheckInt(g_EvN, 3, "ack + two events");
	Check(g_EvKind[0] == Ev_SioAck && BytesAre(g_EvStr[0][0], g_EvStrLen[0][0], "[{\"ok\":true}]") && g_EvCell[0][2] == 9, "ack callback with args and data");
	Check(g_EvKind[1] == Ev_SioEvent && BytesAre(g_EvStr[1][0], g_EvStrLen[1][0], "announce") && BytesAre(g_EvStr[1][1], g_EvStrLen[1][1], "[\"hi\",{\"a\":1}]") && g_EvCell[1][3] == -1, "event announce with args, no ack");
	Check(g_EvKind[2] == Ev_SioEvent && BytesAre(g_EvStr[2][0], g_EvStrLen[2][0], "status") && BytesAre(g_EvStr[2][1], g_EvStrLen[2][1], "[]") && g_EvCell[2][3] == 12, "event status with ack id 12");
	P_Clear();
	g_NP_Cell[1] = io;
	g_NP_Cell[2] = 12;
	P_Str(3, "\"ok\"");
	WireClear();
	Check(Native_SioAck(g_Plugin, 3), "ack sent");
	off = 0;
	Check(NextText(off, g_P, g_Len) && BytesAre(g_P, g_Len, "4312[\"ok\"]"), "ACK packet");

	// Bad emits are native errors.
	g_MockErrors = 0;
	Emit(io, "connect", "", false, 0);
	CheckInt(g_MockErrors, 1, "reserved event name");
	Emit(io, "x", "{bad", false, 0);
	CheckInt(g_MockErrors, 2, "arguments that are not JSON");
	g_MockErrors = 0;
	WireClear();
	Check(Emit(io, "round_end", "{\"round\":3}, \"ct\"", false, 0), "emit while connected");
	off = 0;
	Check(NextText(off, g_P, g_Len) && BytesAre(g_P, g_Len, "42[\"round_end\",{\"round\":3}, \"ct\"]"), "EVENT packet sent at once");

	// Heartbeat: no ping for pingInterval + pingTimeout → transport closed, reconnect scheduled.
	EvClear();
	WireClear();
	g_MockTime += 45.5;
	Timer_Tick(null);
	CheckInt(g_EvN, 1, "disconnect callback");
	Check(g_EvKind[0] == Ev_SioDisc && BytesAre(g_EvStr[0][0], g_EvStrLen[0][0], "ping timeout") && g_EvCell[0][2] == 1, "ping timeout, will reconnect");
	off = WireFrame(0, g_Op, g_P, g_Len);
	Check(off > 0 && g_Op == Opcode_Close, "old transport closed politely");
	Check(IoSock(io) == null, "no transport while waiting");
	P_Clear();
	g_NP_Cell[1] = io;
	Check(!Native_SioIsConnected(g_Plugin, 1), "not connected");
	Check(Emit(io, "while_down", "1", true, 4), "emit while reconnecting is queued");
	// The reconnect delay is backoff attempt 0: 1000 ms +- 50 %.
	g_MockTime += 0.4;
	Timer_Tick(null);
	Check(IoSock(io) == null, "no reconnect before 500 ms");
	g_MockTime += 1.2;
	Timer_Tick(null);
	Check(IoSock(io) != null, "reconnected within 1500 ms");
	EngineOpen(io);
	sock = IoSock(io);
	n = SrvText(0, "40{\"sid\":\"second\"}");
	WireClear();
	EvClear();
	Feed(sock, g_Srv, n);
	off = 0;
	Check(NextText(off, g_P, g_Len) && BytesAre(g_P, g_Len, "421[\"while_down\",1]"), "queued emit sent after reconnecting");
	Check(g_EvN == 1 && g_EvKind[0] == Ev_SioConnect, "connect callback again");

	// A bad packet: error callback, transport dropped with "parse error", reconnect.
	n = SrvText(0, "9nonsense");
	EvClear();
	Feed(sock, g_Srv, n);
	Check(g_EvN == 2 && g_EvKind[0] == Ev_SioErr && g_EvCell[0][1] == view_as<int>(WsError_PacketInvalid), "bad packet reported");
	Check(g_EvKind[1] == Ev_SioDisc && BytesAre(g_EvStr[1][0], g_EvStrLen[1][0], "parse error") && g_EvCell[1][2] == 1, "parse error, will reconnect");
	g_MockTime += 1.6;
	Timer_Tick(null);
	EngineOpen(io);
	sock = IoSock(io);

	// Server DISCONNECT: final, released.
	n = SrvText(0, "40{\"sid\":\"third\"}");
	n = SrvText(n, "41");
	EvClear();
	Feed(sock, g_Srv, n);
	Check(g_EvN == 2 && g_EvKind[1] == Ev_SioDisc && BytesAre(g_EvStr[1][0], g_EvStrLen[1][0], "io server disconnect") && g_EvCell[1][2] == 0, "io server disconnect is final");
	Check(!g_Sio[IoSlot(io)].used, "client released");
	g_MockErrors = 0;
	Emit(io, "x", "", false, 0);
	CheckInt(g_MockErrors, 1, "emit on a released client is a native error");
	g_MockErrors = 0;
}

void TestConnectErrorAndClose()
{
	print("-- CONNECT_ERROR, user close, reconnect limit\n");
	SocketIO io = ConnectIo("ws://127.0.0.1:3000", "/admin", "");
	Timer_Tick(null);
	EngineOpen(io);
	int off = 0;
	Check(NextText(off, g_P, g_Len) && BytesAre(g_P, g_Len, "40/admin,"), "CONNECT to /admin");
	Handle sock = IoSock(io);
	int n = SrvText(0, "44/admin,{\"message\":\"Not authorized\"}");
	EvClear();
	Feed(sock, g_Srv, n);
	Check(g_EvN == 2 && g_EvKind[0] == Ev_SioConnectError && BytesAre(g_EvStr[0][0], g_EvStrLen[0][0], "{\"message\":\"Not authorized\"}"), "connect error callback");
	Check(g_EvKind[1] == Ev_SioDisc && BytesAre(g_EvStr[1][0], g_EvStrLen[1][0], "connect error") && g_EvCell[1][2] == 0, "then final disconnect");
	Check(!g_Sio[IoSlot(io)].used, "released");

	io = ConnectIo("ws://127.0.0.1:3000", "/", "");
	Timer_Tick(null);
	EngineOpen(io);
	sock = IoSock(io);
	n = SrvText(0, "40{\"sid\":\"a\"}");
	Feed(sock, g_Srv, n);
	WireClear();
	EvClear();
	P_Clear();
	g_NP_Cell[1] = io;
	Native_SioClose(g_Plugin, 1);
	off = 0;
	Check(NextText(off, g_P, g_Len) && BytesAre(g_P, g_Len, "41"), "DISCONNECT sent on close");
	int next = WireFrame(off, g_Op, g_P, g_Len);
	Check(next > 0 && g_Op == Opcode_Close, "then the WebSocket Close");
	Check(g_EvN == 1 && g_EvKind[0] == Ev_SioDisc && BytesAre(g_EvStr[0][0], g_EvStrLen[0][0], "io client disconnect") && g_EvCell[0][2] == 0, "io client disconnect, final");
	Check(!g_Sio[IoSlot(io)].used, "released after close");
	g_MockErrors = 0;
	Native_SioClose(g_Plugin, 1);
	CheckInt(g_MockErrors, 1, "closing a released client is a native error");
	g_MockErrors = 0;

	// No Engine.IO open packet: the open timeout drops the transport and a reconnect follows.
	io = ConnectIo("ws://127.0.0.1:3000", "/", "");
	Timer_Tick(null);
	sock = IoSock(io);
	OnSocketConnected(sock, IoWs(io));
	n = SrvAccept("");
	Feed(sock, g_Srv, n);
	EvClear();
	g_MockTime += 19.0;
	Timer_Tick(null);
	CheckInt(g_EvN, 0, "nothing before the open timeout");
	g_MockTime += 1.5;
	Timer_Tick(null);
	Check(g_EvN == 1 && g_EvKind[0] == Ev_SioErr && g_EvCell[0][1] == view_as<int>(WsError_Timeout), "open timeout reported");
	Check(IoSock(io) == null && IoRetrying(io), "transport dropped, reconnect pending");
	P_Clear();
	g_NP_Cell[1] = io;
	Native_SioClose(g_Plugin, 1);
	Check(!g_Sio[IoSlot(io)].used, "closed while waiting to reconnect");

	// Reconnect limit: two attempts, then "reconnect failed".
	io = ConnectIo("ws://127.0.0.1:3000", "/", "");
	P_Clear();
	g_NP_Cell[1] = io;
	g_NP_Cell[2] = true;
	g_NP_Cell[3] = 100;
	g_NP_Cell[4] = 200;
	g_NP_Cell[5] = 2;
	g_NP_Cell[6] = 0;
	Native_SioSetReconnect(g_Plugin, 6);
	CheckInt(g_MockErrors, 0, "reconnect settings accepted");
	EvClear();
	for (int attempt = 0; attempt < 4; attempt++)
	{
		g_MockTime += 0.5;
		Timer_Tick(null);
		sock = IoSock(io);
		if (sock != null)
		{
			OnSocketError(sock, CONNECT_ERROR, 111, 0);
		}
	}
	int errors = 0;
	for (int i = 0; i < g_EvN; i++)
	{
		if (g_EvKind[i] == Ev_SioErr && g_EvCell[i][1] == view_as<int>(WsError_Socket) && g_EvCell[i][2] == 111)
		{
			errors++;
		}
	}
	CheckInt(errors, 3, "three connect errors (first try and two reconnects) with errno 111");
	Check(g_EvN > 0 && g_EvKind[g_EvN - 1] == Ev_SioDisc && BytesAre(g_EvStr[g_EvN - 1][0], g_EvStrLen[g_EvN - 1][0], "reconnect failed") && g_EvCell[g_EvN - 1][2] == 0, "reconnect failed is final");
	Check(!g_Sio[IoSlot(io)].used, "released after giving up");
	for (int i = 0; i < CONFIG_MAX_CONNECTIONS; i++)
	{
		Check(!g_Ws[i].used || g_Sess[i].role == SessionRole_Orphan, "no connection slot left attached");
	}
}

/** SocketIO_Emit with an ack callback and a timeout (the sixth argument of the newer include). */
bool EmitTimeout(SocketIO io, const char[] event, const char[] args, any data, int timeoutMs)
{
	P_Clear();
	g_NP_Cell[1] = io;
	P_Str(2, event);
	P_Str(3, args);
	g_NP_Func[4] = Drv_SioAck;
	g_NP_Cell[5] = data;
	g_NP_Cell[6] = timeoutMs;
	return Native_SioEmit(g_Plugin, 6);
}

/** Issue 15, items 1 and 3: connection state recovery (pid/offset in CONNECT) and ack timeouts. */
void TestRecoveryAndAckTimeouts()
{
	print("-- connection state recovery, ack timeouts\n");
	for (int legacy = 0; legacy < 2; legacy++)
	{
		// Both ways to the consumer: __Websocket_Deliver and the forwards of an older include.
		ConsumerWithEntry(legacy == 0);
		g_MockErrors = 0;
		SocketIO io = ConnectIo("ws://127.0.0.1:3000", "/", "{\"token\":\"t\"}");
		Timer_Tick(null);
		EngineOpen(io);
		int off = 0;
		Check(NextText(off, g_P, g_Len) && BytesAre(g_P, g_Len, "40{\"token\":\"t\"}"), "first CONNECT: the auth alone");
		Handle sock = IoSock(io);
		int n = SrvText(0, "40{\"sid\":\"s1\",\"pid\":\"p1\"}");
		EvClear();
		Feed(sock, g_Srv, n);
		Check(g_EvN == 1 && g_EvKind[0] == Ev_SioConnect && g_EvCell[0][2] == 0, "first connect: recovered is false");
		n = SrvText(0, "42[\"tick\",1,\"off-1\"]");
		n = SrvText(n, "42[\"tick\",2,\"off-2\"]");
		n = SrvText(n, "42[\"note\",{\"k\":\"not an offset\"}]");
		EvClear();
		Feed(sock, g_Srv, n);
		Check(g_EvN == 3 && BytesAre(g_EvStr[1][1], g_EvStrLen[1][1], "[2,\"off-2\"]"), "events arrive with the offset as their last argument (as socket.io-client)");

		// Ack timeouts: acks 0 (500 ms) and 1 (500 ms); 1 is answered, 0 times out, its late ACK is ignored.
		WireClear();
		Check(EmitTimeout(io, "slow", "1", 70, 500) && EmitTimeout(io, "fast", "2", 71, 500), "emits with timeouts sent");
		n = SrvText(0, "431[\"ok\"]");
		EvClear();
		Feed(sock, g_Srv, n);
		Check(g_EvN == 1 && g_EvKind[0] == Ev_SioAck && g_EvCell[0][2] == 71 && g_EvCell[0][3] == 0 && BytesAre(g_EvStr[0][0], g_EvStrLen[0][0], "[\"ok\"]"), "answered ack: args, data, failed = false");
		EvClear();
		g_MockTime += 0.3;
		Timer_Tick(null);
		CheckInt(g_EvN, 0, "nothing before the timeout");
		g_MockTime += 0.3;
		Timer_Tick(null);
		Check(g_EvN == 1 && g_EvKind[0] == Ev_SioAck && g_EvCell[0][2] == 70 && g_EvCell[0][3] == 1 && g_EvStrLen[0][0] == 0, "timed-out ack: empty args, data, failed = true");
		n = SrvText(0, "430[\"late\"]");
		EvClear();
		Feed(sock, g_Srv, n);
		CheckInt(g_EvN, 0, "a late ACK is ignored");
		Timer_Tick(null);
		CheckInt(g_EvN, 0, "and the ack is failed only once");

		// An ack with a timeout whose transport is lost fails at once, before the disconnect callback;
		// one without a timeout is forgotten.
		Check(EmitTimeout(io, "lost", "3", 72, 60000) && Emit(io, "forgotten", "4", true, 73), "two more acks pending");
		EvClear();
		OnSocketDisconnected(sock, IoWs(io));
		Check(g_EvN == 2 && g_EvKind[0] == Ev_SioAck && g_EvCell[0][2] == 72 && g_EvCell[0][3] == 1, "lost ack failed at once");
		Check(g_EvKind[1] == Ev_SioDisc && g_EvCell[1][2] == 1, "then the disconnect callback (will reconnect)");

		// Queued while reconnecting: an emit whose ack times out first is taken out of the queue (as
		// socket.io-client's timeout removes it from its send buffer); a plain one stays.
		Check(EmitTimeout(io, "queued_slow", "1", 75, 200) && Emit(io, "queued_ok", "2", false, 0), "two emits queued");
		EvClear();
		g_MockTime += 0.3;
		Timer_Tick(null);
		Check(g_EvN == 1 && g_EvKind[0] == Ev_SioAck && g_EvCell[0][2] == 75 && g_EvCell[0][3] == 1, "the queued emit's ack times out");

		// The reconnect asks for the session back: pid and the last offset before the auth members.
		g_MockTime += 1.6;
		Timer_Tick(null);
		EngineOpen(io);
		off = 0;
		Check(NextText(off, g_P, g_Len) && BytesAre(g_P, g_Len, "40{\"pid\":\"p1\",\"offset\":\"off-2\",\"token\":\"t\"}"), "CONNECT with pid, offset and the auth");
		sock = IoSock(io);
		// socket.io sends the missed events before its CONNECT reply: delivered first, as socket.io-client does.
		n = SrvText(0, "42[\"tick\",3,\"off-3\"]");
		n = SrvText(n, "40{\"sid\":\"s2\",\"pid\":\"p1\"}");
		EvClear();
		WireClear();
		Feed(sock, g_Srv, n);
		off = 0;
		Check(NextText(off, g_P, g_Len) && BytesAre(g_P, g_Len, "42[\"queued_ok\",2]") && !NextText(off, g_P, g_Len), "on CONNECT only the emit still queued goes out");
		Check(g_EvN == 2 && g_EvKind[0] == Ev_SioEvent && BytesAre(g_EvStr[0][1], g_EvStrLen[0][1], "[3,\"off-3\"]"), "the missed event replayed before the CONNECT reply");
		Check(g_EvKind[1] == Ev_SioConnect && g_EvCell[1][2] == 1, "recovered: the connect callback says so");

		// Bad timeouts are native errors; closing fails the acks that have a timeout, before the final disconnect.
		g_MockErrors = 0;
		EmitTimeout(io, "x", "", 0, -1);
		CheckInt(g_MockErrors, 1, "negative timeoutMs");
		EmitTimeout(io, "x", "", 0, SIO_MAX_ACK_TIMEOUT_MS + 1);
		CheckInt(g_MockErrors, 2, "timeoutMs above one day");
		P_Clear();
		g_NP_Cell[1] = io;
		P_Str(2, "x");
		P_Str(3, "");
		g_NP_Func[4] = INVALID_FUNCTION;
		g_NP_Cell[6] = 100;
		Native_SioEmit(g_Plugin, 6);
		CheckInt(g_MockErrors, 3, "timeoutMs without an ack callback");
		g_MockErrors = 0;
		Check(EmitTimeout(io, "pending", "5", 74, 60000), "one more pending ack");
		EvClear();
		P_Clear();
		g_NP_Cell[1] = io;
		Native_SioClose(g_Plugin, 1);
		Check(g_EvN == 2 && g_EvKind[0] == Ev_SioAck && g_EvCell[0][2] == 74 && g_EvCell[0][3] == 1, "close fails the pending ack");
		Check(g_EvKind[1] == Ev_SioDisc && g_EvCell[1][2] == 0, "then the final disconnect");
		Check(!g_Sio[IoSlot(io)].used, "released");
		CheckInt(g_MockErrors, 0, "no native error");
	}
	ConsumerWithEntry(true);
}

/** Issue 15, item 2: several namespaces of one origin share one Engine.IO connection (socket.io-client's multiplexing). */
void TestMultiplex()
{
	print("-- several namespaces over one connection\n");
	g_MockErrors = 0;
	SocketIO root = ConnectIo("ws://127.0.0.1:3000", "/", "");
	SocketIO admin = ConnectIo("ws://127.0.0.1:3000", "/admin", "{\"k\":1}");
	SocketIO other = ConnectIo("ws://127.0.0.1:3001", "/admin", "");
	Timer_Tick(null);
	Check(IoWs(root) >= 0 && IoWs(root) == IoWs(admin), "/ and /admin of one origin share one transport");
	Check(IoWs(other) >= 0 && IoWs(other) != IoWs(root), "another origin gets its own");
	SocketIO twin = ConnectIo("ws://127.0.0.1:3000", "/", "");
	Timer_Tick(null);
	Check(IoWs(twin) >= 0 && IoWs(twin) != IoWs(root), "the same namespace again gets a connection of its own (as socket.io-client)");
	P_Clear();
	g_NP_Cell[1] = twin;
	Native_SioClose(g_Plugin, 1);
	P_Clear();
	g_NP_Cell[1] = other;
	Native_SioClose(g_Plugin, 1);

	EngineOpen(root);
	int off = 0;
	Check(NextText(off, g_P, g_Len) && BytesAre(g_P, g_Len, "40"), "CONNECT for / after the one open packet");
	Check(NextText(off, g_P, g_Len) && BytesAre(g_P, g_Len, "40/admin,{\"k\":1}"), "and CONNECT for /admin with its auth");
	Handle sock = IoSock(root);
	int n = SrvText(0, "40{\"sid\":\"m\"}");
	n = SrvText(n, "40/admin,{\"sid\":\"a\"}");
	n = SrvText(n, "42/admin,[\"only_admin\"]");
	n = SrvText(n, "42[\"only_main\"]");
	EvClear();
	Feed(sock, g_Srv, n);
	Check(g_EvN == 4 && g_EvKind[0] == Ev_SioConnect && g_EvCell[0][0] == view_as<int>(root) && g_EvCell[1][0] == view_as<int>(admin), "each namespace's connect callback");
	Check(g_EvKind[2] == Ev_SioEvent && g_EvCell[2][0] == view_as<int>(admin) && BytesAre(g_EvStr[2][0], g_EvStrLen[2][0], "only_admin"), "an /admin event goes to the /admin client");
	Check(g_EvKind[3] == Ev_SioEvent && g_EvCell[3][0] == view_as<int>(root) && BytesAre(g_EvStr[3][0], g_EvStrLen[3][0], "only_main"), "a / event goes to the / client");
	WireClear();
	Check(Emit(admin, "a", "1", false, 0) && Emit(root, "m", "2", false, 0), "both emit");
	off = 0;
	Check(NextText(off, g_P, g_Len) && BytesAre(g_P, g_Len, "42/admin,[\"a\",1]") && NextText(off, g_P, g_Len) && BytesAre(g_P, g_Len, "42[\"m\",2]"), "on the one connection, each with its namespace");

	// The server disconnects /admin: it finishes, / stays on the open transport.
	n = SrvText(0, "41/admin,");
	EvClear();
	WireClear();
	Feed(sock, g_Srv, n);
	Check(g_EvN == 1 && g_EvKind[0] == Ev_SioDisc && g_EvCell[0][0] == view_as<int>(admin) && g_EvCell[0][2] == 0, "/admin: final disconnect");
	Check(!g_Sio[IoSlot(admin)].used && IoSock(root) == sock && g_WireLen == 0, "/ keeps the connection (nothing sent, nothing closed)");
	P_Clear();
	g_NP_Cell[1] = root;
	Check(Native_SioIsConnected(g_Plugin, 1), "/ still connected");

	// A new /admin client joins the open connection at once.
	admin = ConnectIo("ws://127.0.0.1:3000", "/admin", "");
	WireClear();
	Timer_Tick(null);
	off = 0;
	Check(IoSock(admin) == sock && NextText(off, g_P, g_Len) && BytesAre(g_P, g_Len, "40/admin,"), "a namespace joining an open connection sends its CONNECT at once");
	n = SrvText(0, "40/admin,{\"sid\":\"a2\"}");
	Feed(sock, g_Srv, n);

	// The transport drops: both are told (will reconnect), one reconnect rejoins both.
	EvClear();
	OnSocketDisconnected(sock, IoWs(root));
	Check(g_EvN == 2 && g_EvKind[0] == Ev_SioDisc && g_EvKind[1] == Ev_SioDisc && g_EvCell[0][2] == 1 && g_EvCell[1][2] == 1, "both namespaces: disconnect, will reconnect");
	g_MockTime += 1.6;
	Timer_Tick(null);
	Check(IoWs(root) >= 0 && IoWs(root) == IoWs(admin), "one new transport for both");
	EngineOpen(root);
	off = 0;
	Check(NextText(off, g_P, g_Len) && NextText(off, g_P, g_Len) && !NextText(off, g_P, g_Len), "two CONNECTs after the reconnect");

	// Closing / leaves /admin up; closing /admin, the last, closes the connection.
	sock = IoSock(root);
	WireClear();
	P_Clear();
	g_NP_Cell[1] = root;
	Native_SioClose(g_Plugin, 1);
	Check(!g_Sio[IoSlot(root)].used && IoSock(admin) == sock, "/ closed, the connection stays for /admin");
	WireClear();
	P_Clear();
	g_NP_Cell[1] = admin;
	Native_SioClose(g_Plugin, 1);
	off = WireFrame(0, g_Op, g_P, g_Len);
	Check(off > 0 && g_Op == Opcode_Close, "the last namespace closing closes the connection");
	for (int i = 0; i < CONFIG_MAX_CONNECTIONS; i++)
	{
		Check(!g_Mgr[i].used, "no manager left");
	}
	CheckInt(g_MockErrors, 0, "no native error");
}

int g_BinCount;
int g_BinErrors;
int g_BinLen[2];
bool g_BinOk[2];
char g_Att[20000];
int g_ReenterTest;
SocketIO g_ReenterIo;
bool g_ReenterResult;

void Drv_Reenter(int e)
{
	P_Clear();
	g_NP_Cell[1] = g_ReenterIo;
	if (g_ReenterTest == 1)
	{
		// In the event callback: emit an answer.
		P_Str(2, "reply");
		P_Str(3, "2");
		g_ReenterResult = Native_SioEmit(g_Plugin, 5);
	}
	else if (g_ReenterTest == 2)
	{
		// In the final disconnect callback: Close does nothing, data and state readable.
		Native_SioClose(g_Plugin, 1);
		g_ReenterResult = Native_SioGetData(g_Plugin, 1) == 5 && !Native_SioIsConnected(g_Plugin, 1);
	}
	else if (g_ReenterTest == 3)
	{
		// In the event callback: Close finishes the client; the event forward running now is
		// only marked (closing it inside its own call is a use after free in SourceMod).
		Native_SioClose(g_Plugin, 1);
		g_ReenterResult = g_FwdDepth == 1 && g_FwdDead[0] && g_FwdCalling[0] != null && !g_Sio[IoSlot(g_ReenterIo)].used;
	}
	else if (g_ReenterTest == 4)
	{
		Native_SioClose(g_Plugin, 1);
		g_ReenterResult = g_FwdDepth == 0 && g_Delivering && !g_Sio[IoSlot(g_ReenterIo)].used;
	}
	else if (g_ReenterTest == 5)
	{
		// In the event callback of a BINARY_EVENT: both attachments read, bad calls refused.
		g_BinCount = Native_SioAttachmentCount(g_Plugin, 1);
		g_MockErrors = 0;
		g_NP_Cell[2] = 0;
		g_NP_Cell[4] = 4;
		Native_SioReadAttachment(g_Plugin, 4);
		g_BinErrors = g_MockErrors;
		g_NP_Cell[4] = 5;
		g_BinLen[0] = Native_SioReadAttachment(g_Plugin, 4);
		g_BinOk[0] = MockArrayByte(0) == 0 && MockArrayByte(1) == 0xFF && MockArrayByte(2) == 1 && MockArrayByte(3) == 0 && MockArrayByte(4) == 0;
		g_NP_Cell[2] = 1;
		g_NP_Cell[4] = 70000;
		g_BinLen[1] = Native_SioReadAttachment(g_Plugin, 4);
		g_BinOk[1] = true;
		for (int i = 0; i < g_BinLen[1]; i++)
		{
			g_BinOk[1] = g_BinOk[1] && MockArrayByte(i) == ((i * 7) & 0xFF);
		}
		g_NP_Cell[2] = 2;
		Native_SioReadAttachment(g_Plugin, 4);
		g_NP_Cell[2] = -1;
		Native_SioReadAttachment(g_Plugin, 4);
		g_BinErrors += 10 * (g_MockErrors - g_BinErrors);
		g_MockErrors = 0;
	}
	else if (g_ReenterTest == 6)
	{
		// In the ack callback of a BINARY_ACK.
		g_BinCount = Native_SioAttachmentCount(g_Plugin, 1);
		g_NP_Cell[2] = 0;
		g_NP_Cell[4] = 16;
		g_BinLen[0] = Native_SioReadAttachment(g_Plugin, 4);
		g_BinOk[0] = MockArrayByte(0) == 'x' && MockArrayByte(1) == 'y' && MockArrayByte(2) == 'z';
	}
	Check(e >= 0, "reentered");
}


/** Byte i of what SetNativeArray last wrote (packed as a char array). */
int MockArrayByte(int i)
{
	return (g_MockArray[i >> 2] >>> ((i & 3) * 8)) & 0xFF;
}

/** SocketIO_AddAttachment(io, data, size) as the plugin calls it; returns its result. */
int AddAttachment(SocketIO io, const char[] data, int size)
{
	P_Clear();
	g_NP_Cell[1] = io;
	P_Bytes(2, data, size < 0 ? 0 : size);
	g_NP_Cell[3] = size;
	return Native_SioAddAttachment(g_Plugin, 3);
}

/** The next frame the plugin sent is a binary one holding data[0..len). */
bool NextBinary(int &off, const char[] data, int len)
{
	int next = WireFrame(off, g_Op, g_P, g_Len);
	if (next < 0 || g_Op != Opcode_Binary || g_Len != len)
	{
		return false;
	}
	off = next;
	for (int i = 0; i < len; i++)
	{
		if (g_P[i] != data[i])
		{
			return false;
		}
	}
	return true;
}

/**
 * BINARY_EVENT / BINARY_ACK: a received packet awaits its attachments (binary messages; pings
 * may come between), goes to its namespace with them readable in the callback, and is freed
 * after; emits and acks with attachments go out as a header text frame and binary frames, or are
 * queued as one; bad placeholders are native errors; a text packet among the attachments fails
 * the transport.
 */
void TestBinary()
{
	print("-- binary packets\n");
	g_MockErrors = 0;
	SocketIO root = ConnectIo("ws://127.0.0.1:3000", "/", "");
	SocketIO admin = ConnectIo("ws://127.0.0.1:3000", "/admin", "");
	Timer_Tick(null);
	EngineOpen(root);
	Handle sock = IoSock(root);
	int mi = g_Sio[IoSlot(admin)].mgr;
	int n = SrvText(0, "40");
	n = SrvText(n, "40/admin,");
	Feed(sock, g_Srv, n);

	// 452-/admin,3[...]: a ping, then two attachments (4 bytes with NUL and 0xFF; 20,000 bytes).
	char a0[8];
	a0[1] = 0xFF;
	a0[2] = 1;
	for (int i = 0; i < sizeof(g_Att); i++)
	{
		g_Att[i] = (i * 7) & 0xFF;
	}
	n = SrvText(0, "452-/admin,3[\"bin\",{\"_placeholder\":true,\"num\":0},{\"a\":1},{\"_placeholder\":true,\"num\":1}]");
	n = SrvText(n, "2");
	n = SrvFrame(n, Opcode_Binary, true, a0, 4);
	g_ReenterIo = admin;
	g_ReenterTest = 5;
	g_ReenterKind = Ev_SioEvent;
	EvClear();
	WireClear();
	Feed(sock, g_Srv, n);
	int off = 0;
	Check(NextText(off, g_P, g_Len) && BytesAre(g_P, g_Len, "3"), "a ping between the attachments is answered");
	Check(g_EvN == 0 && g_SioHeld[mi] != null && g_SioAttIn[mi] != null, "no callback before the last attachment; the packet and the first attachment are kept");
	n = SrvFrame(0, Opcode_Binary, true, g_Att, sizeof(g_Att));
	Feed(sock, g_Srv, n);
	Check(g_EvN == 1 && g_EvKind[0] == Ev_SioEvent && g_EvCell[0][0] == view_as<int>(admin) && g_EvCell[0][3] == 3, "the event goes to /admin with its ack id once both attachments came");
	Check(BytesAre(g_EvStr[0][0], g_EvStrLen[0][0], "bin") && BytesAre(g_EvStr[0][1], g_EvStrLen[0][1], "[{\"_placeholder\":true,\"num\":0},{\"a\":1},{\"_placeholder\":true,\"num\":1}]"), "with its name and the JSON holding the placeholders");
	CheckInt(g_BinCount, 2, "SocketIO_AttachmentCount in the callback");
	Check(g_BinLen[0] == 4 && g_BinOk[0], "attachment 0: 4 bytes, NUL and 0xFF included, a NUL after");
	Check(g_BinLen[1] == sizeof(g_Att) && g_BinOk[1], "attachment 1: 20,000 bytes as sent");
	CheckInt(g_BinErrors, 21, "a buffer one byte short, index 2 and index -1 are native errors");
	Check(g_SioHeld[mi] == null && g_SioAttIn[mi] == null && g_SioReadAtts == null && g_SioReading == 0, "everything freed after the callback");
	P_Clear();
	g_NP_Cell[1] = admin;
	g_MockErrors = 0;
	Native_SioAttachmentCount(g_Plugin, 1);
	CheckInt(g_MockErrors, 1, "SocketIO_AttachmentCount outside a callback is a native error");
	g_MockErrors = 0;

	// The plugin answers with a BINARY_ACK.
	Check(AddAttachment(admin, a0, 2) == 1, "an attachment staged");
	P_Clear();
	g_NP_Cell[1] = admin;
	g_NP_Cell[2] = 3;
	P_Str(3, "{\"_placeholder\":true,\"num\":0}");
	WireClear();
	Check(Native_SioAck(g_Plugin, 3), "binary ack sent");
	off = 0;
	Check(NextText(off, g_P, g_Len) && BytesAre(g_P, g_Len, "461-/admin,3[{\"_placeholder\":true,\"num\":0}]"), "BINARY_ACK header");
	Check(NextBinary(off, a0, 2) && off == g_WireLen, "then its attachment as a binary frame");

	// An emit with two attachments while connected, and its BINARY_ACK from the server.
	Check(AddAttachment(admin, a0, 4) == 1 && AddAttachment(admin, g_Att, 300) == 2, "two attachments staged");
	WireClear();
	Check(Emit(admin, "up", "{\"_placeholder\":true,\"num\":1},\"x\",{\"_placeholder\":true,\"num\":0}", true, 11), "binary emit sent");
	off = 0;
	Check(NextText(off, g_P, g_Len) && BytesAre(g_P, g_Len, "452-/admin,0[\"up\",{\"_placeholder\":true,\"num\":1},\"x\",{\"_placeholder\":true,\"num\":0}]"), "BINARY_EVENT header with the ack id");
	Check(NextBinary(off, a0, 4) && NextBinary(off, g_Att, 300) && off == g_WireLen, "then the attachments in the order staged");
	Check(g_SioStaged[IoSlot(admin)] == null, "the staged attachments are used up");
	n = SrvText(0, "461-/admin,0[{\"_placeholder\":true,\"num\":0}]");
	n = SrvFrame(n, Opcode_Binary, true, "xyz", 3);
	g_ReenterTest = 6;
	g_ReenterKind = Ev_SioAck;
	g_BinCount = 0;
	EvClear();
	Feed(sock, g_Srv, n);
	Check(g_EvN == 1 && g_EvKind[0] == Ev_SioAck && g_EvCell[0][2] == 11 && BytesAre(g_EvStr[0][0], g_EvStrLen[0][0], "[{\"_placeholder\":true,\"num\":0}]"), "the BINARY_ACK calls the emit's ack callback");
	Check(g_BinCount == 1 && g_BinLen[0] == 3 && g_BinOk[0], "its attachment readable there");

	// Bad uses: native errors, and what was staged is dropped.
	AddAttachment(admin, a0, 1);
	Emit(admin, "x", "1", false, 0);
	CheckInt(g_MockErrors, 1, "an attachment no placeholder refers to");
	Check(g_SioStaged[IoSlot(admin)] == null, "dropped with the failed emit");
	AddAttachment(admin, a0, 1);
	Emit(admin, "x", "{\"_placeholder\":true,\"num\":1}", false, 0);
	CheckInt(g_MockErrors, 2, "a placeholder num out of range");
	AddAttachment(admin, a0, -2);
	CheckInt(g_MockErrors, 3, "dataSize -2");
	for (int i = 0; i < 11; i++)
	{
		AddAttachment(admin, a0, 1);
	}
	CheckInt(g_MockErrors, 4, "an 11th attachment");
	WireClear();
	Check(Emit(admin, "plain", "{\"_placeholder\":true,\"num\":0,\"x\":[{\"_placeholder\":true,\"num\":1}]},{\"_placeholder\":true,\"num\":2},{\"_placeholder\":true,\"num\":3},{\"_placeholder\":true,\"num\":4},{\"_placeholder\":true,\"num\":5},{\"_placeholder\":true,\"num\":6},{\"_placeholder\":true,\"num\":7},{\"_placeholder\":true,\"num\":8},{\"_placeholder\":true,\"num\":9}", false, 0), "ten attachments, one nested");
	off = 0;
	Check(NextText(off, g_P, g_Len) && g_P[2] == '1' && g_P[3] == '0' && g_P[4] == '-', "a BINARY_EVENT with 10 attachments");
	for (int i = 0; i < 10; i++)
	{
		Check(NextBinary(off, a0, 1), "attachment frame");
	}
	g_MockErrors = 0;

	// A binary message when no packet awaits attachments: reported, nothing else.
	n = SrvFrame(0, Opcode_Binary, true, "q", 1);
	EvClear();
	Feed(sock, g_Srv, n);
	Check(g_EvN == 2 && g_EvKind[0] == Ev_SioErr && g_EvCell[0][1] == WsError_Unsupported && g_EvKind[1] == Ev_SioErr, "a stray binary message is reported to both namespaces");

	// A text packet before the last attachment: parse error, the transport is dropped, memory freed.
	n = SrvText(0, "451-/admin,[\"x\",{\"_placeholder\":true,\"num\":0}]");
	n = SrvText(n, "42/admin,[\"t\"]");
	EvClear();
	Feed(sock, g_Srv, n);
	Check(g_EvN == 4 && g_EvKind[0] == Ev_SioErr && g_EvCell[0][1] == WsError_PacketInvalid && g_EvCell[0][2] == SioError_PlaintextInBinary && StrHas(g_EvStr[0][0], "plaintext"), "interleaved text: PacketInvalid with the parser's reason");
	Check(g_EvKind[2] == Ev_SioDisc && BytesAre(g_EvStr[2][0], g_EvStrLen[2][0], "parse error") && g_EvCell[2][2] == 1, "parse error, will reconnect");
	Check(g_SioHeld[mi] == null && g_SioAttIn[mi] == null, "the packet kept is freed with its transport");

	// Emit with an attachment while reconnecting: queued as one, flushed in order.
	Check(AddAttachment(admin, a0, 4) == 1, "staged while down");
	Check(Emit(admin, "later", "{\"_placeholder\":true,\"num\":0}", false, 0), "binary emit queued");
	int s = IoSlot(admin);
	CheckInt(g_SioS[s].queueLen, (2 + 4 + 50) + (2 + 4 + 4), "the queue budget counts the header frame and the attachment frame");
	g_MockTime += 1.6;
	Timer_Tick(null);
	EngineOpen(root);
	sock = IoSock(root);
	n = SrvText(0, "40/admin,");
	WireClear();
	Feed(sock, g_Srv, n);
	off = 0;
	Check(NextText(off, g_P, g_Len) && BytesAre(g_P, g_Len, "451-/admin,[\"later\",{\"_placeholder\":true,\"num\":0}]"), "queued BINARY_EVENT header sent on CONNECT");
	Check(NextBinary(off, a0, 4), "then its attachment");
	CheckInt(g_MockErrors, 0, "no native error");
	P_Clear();
	g_NP_Cell[1] = root;
	Native_SioClose(g_Plugin, 1);
	P_Clear();
	g_NP_Cell[1] = admin;
	Native_SioClose(g_Plugin, 1);
}

void TestReentry()
{
	print("-- natives called from callbacks\n");
	g_MockErrors = 0;
	SocketIO io = ConnectIo("ws://127.0.0.1:3000", "/", "");
	Timer_Tick(null);
	EngineOpen(io);
	Handle sock = IoSock(io);
	int n = SrvText(0, "40{\"sid\":\"r\"}");
	Feed(sock, g_Srv, n);
	g_ReenterIo = io;
	g_ReenterTest = 1;
	g_ReenterKind = Ev_SioEvent;
	n = SrvText(0, "42[\"ask\"]");
	WireClear();
	Feed(sock, g_Srv, n);
	int off = 0;
	Check(g_ReenterResult && NextText(off, g_P, g_Len) && BytesAre(g_P, g_Len, "42[\"reply\",2]"), "emit from the event callback is sent at once");
	g_ReenterTest = 2;
	g_ReenterKind = Ev_SioDisc;
	g_ReenterResult = false;
	n = SrvText(0, "41");
	Feed(sock, g_Srv, n);
	Check(g_ReenterResult, "Close, GetData and IsConnected work in the final disconnect callback");
	CheckInt(g_MockErrors, 0, "no native error from callbacks");
	Check(!g_Sio[IoSlot(io)].used, "released after the callback");

	// A consumer built with an older include gets events through the forward.
	ConsumerWithEntry(false);
	io = ConnectIo("ws://127.0.0.1:3000", "/", "");
	Timer_Tick(null);
	EngineOpen(io);
	sock = IoSock(io);
	n = SrvText(0, "40{\"sid\":\"c\"}");
	Feed(sock, g_Srv, n);
	g_ReenterIo = io;
	g_ReenterTest = 3;
	g_ReenterKind = Ev_SioEvent;
	g_ReenterResult = false;
	EvClear();
	n = SrvText(0, "42[\"bye\"]");
	Feed(sock, g_Srv, n);
	Check(g_ReenterResult, "Close from the event callback releases the client, its running forward is kept");
	Check(g_FwdDepth == 0 && g_FwdCalling[0] == null, "the event forward is closed once its call returns");
	CheckInt(g_MockErrors, 0, "no native error from Close in the event callback");
	ConsumerWithEntry(true);

	// Through __Websocket_Deliver no forward runs: Close releases everything at once.
	io = ConnectIo("ws://127.0.0.1:3000", "/", "");
	Timer_Tick(null);
	EngineOpen(io);
	sock = IoSock(io);
	n = SrvText(0, "40{\"sid\":\"e\"}");
	Feed(sock, g_Srv, n);
	g_ReenterIo = io;
	g_ReenterTest = 4;
	g_ReenterKind = Ev_SioEvent;
	g_ReenterResult = false;
	EvClear();
	n = SrvText(0, "42[\"bye\"]");
	Feed(sock, g_Srv, n);
	Check(g_ReenterResult, "Close from an event callback reached through __Websocket_Deliver releases the client");
	Check(g_FwdDepth == 0 && !g_Delivering, "no forward or delivery left running");
	CheckInt(g_MockErrors, 0, "no native error from Close in the event callback");
}

/**
 * Data reaches a consumer as far as it has room (WEBSOCKET_RECEIVE_MAX with this include; 8 KiB
 * for one built with an older include, whose default heap holds that); beyond it the event is
 * dropped with WsError_MessageTooLarge and the client stays connected. A NUL in an event name is
 * refused, not cut. Emits larger than the server's maxPayload are refused locally.
 */
void TestDelivery()
{
	print("-- delivery to consumers\n");
	for (int legacy = 0; legacy < 2; legacy++)
	{
		ConsumerWithEntry(legacy == 0);
		int room = legacy == 0 ? WEBSOCKET_RECEIVE_MAX : WS_LEGACY_RECEIVE_MAX;
		SocketIO io = ConnectIo("ws://127.0.0.1:3000", "/", "");
		Timer_Tick(null);
		EngineOpen(io);
		Handle sock = IoSock(io);
		int n = SrvText(0, "40{\"sid\":\"d\"}");
		Feed(sock, g_Srv, n);

		n = SrvText(0, "42[\"nul\\u0000name\",1]");
		EvClear();
		Feed(sock, g_Srv, n);
		Check(g_EvN == 1 && g_EvKind[0] == Ev_SioErr && g_EvCell[0][1] == WsError_Unsupported && StrHas(g_EvStr[0][0], "NUL"), "an event name with a NUL is refused with an error, not cut");

		// 42["big","aaa…"] with a 60,000-character string: its argsJson is 60,004 bytes.
		for (int arg = 60000; arg <= room + 1; arg += room + 1 - 60000)
		{
			int len = 0;
			len = AppendText(len, "42[\"big\",\"");
			for (int i = 0; i < arg - 4; i++)
			{
				g_Big[len++] = 'a' + i % 26;
			}
			len = AppendText(len, "\"]");
			n = SrvFrame(0, Opcode_Text, true, g_Big, len);
			EvClear();
			Feed(sock, g_Srv, n);
			if (arg <= room)
			{
				Check(g_EvN == 1 && g_EvKind[0] == Ev_SioEvent && BytesAre(g_EvStr[0][0], g_EvStrLen[0][0], "big") && g_EvStrLen[0][1] == arg && g_EvStr[0][1][2] == 'a', "a 60,000-character event reaches a consumer with room for it");
			}
			else
			{
				Check(g_EvN == 1 && g_EvKind[0] == Ev_SioErr && g_EvCell[0][1] == WsError_MessageTooLarge && g_EvCell[0][2] == arg && StrHas(g_EvStr[0][0], "WEBSOCKET_RECEIVE_MAX"), "an event larger than the consumer's room: WsError_MessageTooLarge with its size and the fix");
			}
		}
		n = SrvText(0, "42[\"after\",1]");
		EvClear();
		Feed(sock, g_Srv, n);
		Check(g_EvN == 1 && g_EvKind[0] == Ev_SioEvent && BytesAre(g_EvStr[0][1], g_EvStrLen[0][1], "[1]"), "the next event still arrives");
		P_Clear();
		g_NP_Cell[1] = io;
		Native_SioClose(g_Plugin, 1);
	}
	ConsumerWithEntry(true);

	// maxPayload from the open packet bounds what may be sent.
	g_MockErrors = 0;
	SocketIO io = ConnectIo("ws://127.0.0.1:3000", "/", "");
	Timer_Tick(null);
	Handle sock = IoSock(io);
	OnSocketConnected(sock, IoWs(io));
	int n = SrvAccept("");
	n = SrvText(n, "0{\"sid\":\"m\",\"upgrades\":[],\"pingInterval\":25000,\"pingTimeout\":20000,\"maxPayload\":40}");
	n = SrvText(n, "40");
	Feed(sock, g_Srv, n);
	EvClear();
	WireClear();
	Check(!Emit(io, "x", "\"0123456789012345678901234567890\"", false, 0), "an emit over the server's maxPayload is refused");
	Check(g_EvN == 1 && g_EvKind[0] == Ev_SioErr && g_EvCell[0][1] == WsError_TooLargeForServer && g_EvCell[0][2] == 41, "with WsError_TooLargeForServer and the packet's size");
	CheckInt(g_WireLen, 0, "nothing sent");
	Check(Emit(io, "x", "\"012345678901234567890123456789\"", false, 0), "40 bytes are accepted");
	Check(g_WireLen > 40, "and sent on the same connection");
	CheckInt(g_MockErrors, 0, "no native error");
	P_Clear();
	g_NP_Cell[1] = io;
	Native_SioClose(g_Plugin, 1);
}

/** Appends text to g_Big at len; returns the new length. */
int AppendText(int len, const char[] text)
{
	for (int i = 0; text[i] != 0; i++)
	{
		g_Big[len++] = text[i];
	}
	return len;
}

public int main()
{
	g_Plugin = view_as<Handle>(1);
	AskPluginLoad2(view_as<Handle>(9), false, g_ErrMsg, sizeof(g_ErrMsg));
	OnPluginStart();
	ConsumerWithEntry(true);
	TestSession();
	TestConnectErrorAndClose();
	TestRecoveryAndAckTimeouts();
	TestMultiplex();
	TestReentry();
	TestDelivery();
	TestBinary();
	CheckInt(g_MockHeapExceptions, 0, "no call ever needed more heap than its receiver has");
	printf("sio driver: %d passed, %d failed\n", g_Pass, g_Fail);
	return g_Fail;
}
`;

/**
 * The part of websocket.inc compiled into consumers only (between `#if !defined _websocket_plugin`
 * and its `#endif`), which the drivers need because they include websocket.sp, whose
 * _websocket_plugin leaves it out. Its native call goes to the mock's stand-in.
 */
function consumerSection(): string {
  const m = /^#if !defined _websocket_plugin\n([\s\S]*?)^#endif$/m.exec(readFileSync(INCLUDE, "utf8"));
  if (m === null) {
    throw new Error("websocket.inc has no consumer section (#if !defined _websocket_plugin)");
  }
  return m[1].replaceAll("Websocket_ReadDelivery(", "Mock_ReadDelivery(");
}

/** Writes the mock includes and drivers under the work directory once; returns the mock include directory. */
function writeMock(): string {
  const dir = path.join(work, "mock");
  if (!existsSync(dir)) {
    mkdirSync(path.join(dir, "include"), { recursive: true });
    writeFileSync(path.join(dir, "include/sourcemod.inc"), MOCK_SOURCEMOD_INC);
    writeFileSync(path.join(dir, "include/socket.inc"), MOCK_SOCKET_INC);
    writeFileSync(path.join(dir, "drv_common.inc"), DRIVER_COMMON_INC);
    writeFileSync(path.join(dir, "drv_consumer.inc"), consumerSection());
    writeFileSync(path.join(dir, "drv_ws.sp"), DRIVER_WS_SP);
    writeFileSync(path.join(dir, "drv_sio.sp"), DRIVER_SIO_SP);
    writeFileSync(path.join(dir, "drv_mem.sp"), '#define DRV_MEMORY\n#include "drv_ws.sp"\n');
    writeFileSync(path.join(dir, "drv_srv.sp"), DRIVER_SRV_SP);
  }
  return dir;
}

function run(file: string, args: readonly string[]): Promise<Compiled> {
  return new Promise((resolve) => {
    execFile(file, [...args], { maxBuffer: 1 << 24, timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === "number" ? err.code : 1;
      resolve({ code, output: `${stdout}${stderr}` });
    });
  });
}

const SHELLS = findShells();
for (const v of SOURCEPAWN_VERSIONS) {
  const compiler = COMPILERS.find((c) => c.version === v);
  const spshell = SHELLS.find((x) => x.version === v)?.path;
  const shell = compiler?.shellInclude ?? null;
  const why =
    compiler === undefined
      ? `spcomp ${v} not found (${versionVariable("SPCOMP", v)}, SPCOMP, spcomp-${v} or spcomp on PATH)`
      : spshell === undefined
        ? `spshell ${v} not found (${versionVariable("SPSHELL", v)}, SPSHELL, spshell-${v} or spshell on PATH)`
        : shell === null
          ? `no spshell ${v} includes (shell.inc): set ${versionVariable("SPSHELL_INCLUDE", v)}`
          : null;
  if (why !== null || compiler === undefined || spshell === undefined || shell === null) {
    describe(`spshell-${v}`, () =>
      skipWithReason(import.meta.url, `spshell-${v}: the plugin glue against a mock SourceMod`, why ?? ""));
    continue;
  }
  const t: Toolchain = { name: `spcomp-${v}`, spcomp: compiler.path, include: shell };
  // The 1.12 VM has no x86-64 JIT; on 1.13 the JIT and the interpreter both run.
  const modes: string[][] = v === "1.13" ? [[], ["-i"]] : [[]];
  describe(`spshell-${v}: the plugin glue against a mock SourceMod`, () => {
    for (const [driver, label, watchdog] of [
      ["drv_ws", "ws driver", []],
      ["drv_sio", "sio driver", []],
      ["drv_srv", "srv driver", []],
      // 16 connections × 1 MiB through the plugin: about 10 s in an interpreter (past spshell's
      // 5 s watchdog), so it runs once, in 1.13's JIT; the spill paths also run in every VM in drv_ws.
      ["drv_mem", "memory driver", ["-w"]],
    ] as const) {
      if (driver === "drv_mem" && v !== "1.13") {
        continue;
      }
      it(`${driver}.sp: every check passes`, { timeout: 60_000 }, async () => {
        const mock = writeMock();
        const smx = path.join(work, `${driver}-${v}.smx`);
        const built = await new Promise<Compiled>((resolve) => {
          const args = [
            "-E",
            "-i",
            path.join(mock, "include"),
            "-i",
            shell,
            "-i",
            INCLUDE_DIR,
            "-i",
            SCRIPTING,
            "-o",
            smx,
            path.join(mock, `${driver}.sp`),
          ];
          execFile(t.spcomp, args, { cwd: mock, maxBuffer: 1 << 24 }, (err, stdout, stderr) => {
            resolve({
              code: err === null ? 0 : typeof err.code === "number" ? err.code : 1,
              output: `${stdout}${stderr}`,
            });
          });
        });
        expectClean(built);
        for (const mode of driver === "drv_mem" ? [[]] : modes) {
          const r = await run(spshell, [...mode, ...watchdog, smx]);
          expect(r.output, r.output).toMatch(new RegExp(`^${label}: [1-9]\\d* passed, 0 failed$`, "m"));
          expect(r.output).not.toContain("FAIL");
          expect(r.code, r.output).toBe(0);
          if (driver === "drv_mem") {
            expect(r.output).toMatch(
              /^peak ArrayList memory while \d+ connections each receive a 1 MiB message: \d+ cells/m,
            );
          }
        }
      });
    }
  });
}
