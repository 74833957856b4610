// Consumer plugin of scripts/bench-extensions.ts: counts what arrives and measures game frames.
// Commands (typed on srcds's stdin by the script):
//   bench_ws <url> <count>      connect a raw WebSocket, report when <count> messages arrived
//   bench_io <url> <count>      connect Socket.IO, report when <count> "burst" events arrived
//   bench_raw <port> <bytes>    baseline: the socket extension alone, report when <bytes> arrived
//   bench_stop                  report what arrived so far (a measurement cut at its time limit)
//   bench_idle <seconds>        the longest game frame while nothing arrives (the frame baseline)
// Lines: "BENCH <what> <key>=<value> ..." (times from GetEngineTime, wall-clock seconds).
#pragma semicolon 1
#pragma newdecls required
#define WEBSOCKET_RECEIVE_MAX 4096
#include <sourcemod>
#include <socket>
#include <websocket>

int g_Want;
int g_Got;
/** When the measurement started (the command): figures count from here, connection set-up included. */
float g_Start;
/** The connection of the current measurement; callbacks of earlier ones are ignored. */
Handle g_Raw;
WebsocketHandle g_Ws = INVALID_WEBSOCKET_HANDLE;
SocketIO g_Io = INVALID_SOCKETIO;
float g_LastFrame;
float g_MaxFrame;
bool g_Measuring;
char g_What[16];

public void OnPluginStart()
{
	RegServerCmd("bench_ws", Cmd_Ws);
	RegServerCmd("bench_io", Cmd_Io);
	RegServerCmd("bench_raw", Cmd_Raw);
	RegServerCmd("bench_stop", Cmd_Stop);
	RegServerCmd("bench_idle", Cmd_Idle);
}

/** Baseline of the frame figure: the longest game frame while nothing is received, over <seconds>. */
public Action Cmd_Idle(int args)
{
	char seconds[16];
	GetCmdArg(1, seconds, sizeof(seconds));
	Start("idle", 1);
	CreateTimer(StringToFloat(seconds), Timer_IdleDone);
	return Plugin_Handled;
}

public Action Timer_IdleDone(Handle timer)
{
	Count(1);
	return Plugin_Stop;
}

/** Ends a measurement that did not finish: what arrived so far, and since when. */
public Action Cmd_Stop(int args)
{
	if (g_Measuring)
	{
		g_Measuring = false;
		PrintToServer("BENCH %s stopped got=%d seconds=%.4f maxframe_ms=%.2f", g_What, g_Got, GetEngineTime() - g_Start, g_MaxFrame * 1000.0);
	}
	return Plugin_Handled;
}

public void OnGameFrame()
{
	float now = GetEngineTime();
	if (g_Measuring && g_LastFrame > 0.0 && now - g_LastFrame > g_MaxFrame)
	{
		g_MaxFrame = now - g_LastFrame;
	}
	g_LastFrame = now;
}

void Start(const char[] what, int want)
{
	// Close what an earlier measurement left open, so that its data cannot count here.
	if (g_Raw != null)
	{
		delete g_Raw;
	}
	if (g_Ws != INVALID_WEBSOCKET_HANDLE)
	{
		Websocket_Close(g_Ws);
		g_Ws = INVALID_WEBSOCKET_HANDLE;
	}
	if (g_Io != INVALID_SOCKETIO)
	{
		SocketIO_Close(g_Io);
		g_Io = INVALID_SOCKETIO;
	}
	g_Start = GetEngineTime();
	strcopy(g_What, sizeof(g_What), what);
	g_Want = want;
	g_Got = 0;
	g_MaxFrame = 0.0;
	g_Measuring = true;
}

/** One unit arrived (a message, an event, or bytes for the baseline). */
void Count(int n)
{
	if (g_Got == 0)
	{
		PrintToServer("BENCH %s first", g_What);
	}
	g_Got += n;
	if (g_Got >= g_Want && g_Measuring)
	{
		g_Measuring = false;
		PrintToServer("BENCH %s done got=%d seconds=%.4f maxframe_ms=%.2f", g_What, g_Got, GetEngineTime() - g_Start, g_MaxFrame * 1000.0);
	}
}

public Action Cmd_Ws(int args)
{
	char url[256], want[16];
	GetCmdArg(1, url, sizeof(url));
	GetCmdArg(2, want, sizeof(want));
	Start("ws", StringToInt(want));
	g_Ws = Websocket_Connect(url, "", OnWsReceive, OnWsDisconnect, OnWsError);
	return Plugin_Handled;
}

public void OnWsReceive(WebsocketHandle ws, WebsocketSendType type, const char[] data, const int size)
{
	if (ws == g_Ws)
	{
		Count(1);
	}
}

public void OnWsDisconnect(WebsocketHandle ws, int code, const char[] reason, bool clean)
{
	if (ws != g_Ws)
	{
		return;
	}
	g_Ws = INVALID_WEBSOCKET_HANDLE;
	PrintToServer("BENCH %s closed code=%d got=%d", g_What, code, g_Got);
}

public void OnWsError(WebsocketHandle ws, WebsocketError error, int detail, const char[] message)
{
	PrintToServer("BENCH %s error=%d detail=%d %s", g_What, error, detail, message);
}

public Action Cmd_Io(int args)
{
	char url[256], want[16];
	GetCmdArg(1, url, sizeof(url));
	GetCmdArg(2, want, sizeof(want));
	Start("io", StringToInt(want));
	g_Io = SocketIO_Connect(url, "/", "", OnIoEvent, OnIoError);
	SocketIO_HookConnect(g_Io, OnIoConnect);
	SocketIO_HookDisconnect(g_Io, OnIoDisconnect);
	return Plugin_Handled;
}

public void OnIoConnect(SocketIO io, const char[] data)
{
	PrintToServer("BENCH io connected");
	SocketIO_Emit(io, "ready");
}

public void OnIoEvent(SocketIO io, const char[] event, const char[] args, int ackId)
{
	if (io == g_Io && StrEqual(event, "burst"))
	{
		Count(1);
	}
}

public void OnIoDisconnect(SocketIO io, const char[] reason, bool willReconnect)
{
	if (io != g_Io)
	{
		return;
	}
	if (!willReconnect)
	{
		g_Io = INVALID_SOCKETIO;
	}
	PrintToServer("BENCH io disconnected reason=%s got=%d", reason, g_Got);
}

public void OnIoError(SocketIO io, WebsocketError error, int detail, const char[] message)
{
	PrintToServer("BENCH io error=%d detail=%d %s", error, detail, message);
}

public Action Cmd_Raw(int args)
{
	char port[16], want[16];
	GetCmdArg(1, port, sizeof(port));
	GetCmdArg(2, want, sizeof(want));
	Start("raw", StringToInt(want));
	g_Raw = SocketCreate(SOCKET_TCP, OnRawError);
	SocketConnect(g_Raw, OnRawConnected, OnRawReceive, OnRawDisconnected, "127.0.0.1", StringToInt(port));
	return Plugin_Handled;
}

public void OnRawConnected(Handle socket, any arg)
{
	PrintToServer("BENCH raw connected");
}

public void OnRawReceive(Handle socket, const char[] data, const int size, any arg)
{
	if (socket == g_Raw)
	{
		Count(size);
	}
}

public void OnRawDisconnected(Handle socket, any arg)
{
	if (socket == g_Raw)
	{
		delete g_Raw;
	}
}

public void OnRawError(Handle socket, const int errorType, const int errorNum, any arg)
{
	PrintToServer("BENCH raw error=%d errno=%d", errorType, errorNum);
	if (socket == g_Raw)
	{
		delete g_Raw;
	}
}
