/**
 * match_events.sp: an example consumer of the websocket library (websocket.smx).
 *
 * It joins a Socket.IO backend and reports the match flow as events with a JSON
 * body: round_start, round_end and player_death (plus server_online once the
 * namespace is joined). It also reacts to events from the backend:
 *   - "announce"       ["text"]              prints the text to every player;
 *   - "status"         (with an ack)         answers {"map":…,"players":…,"round":…}.
 *
 * Try it against the dev backend of the spgen repository:
 *   node dist/scripts/dev-server.js --port 3000
 * then type `emit announce "hello from the backend"` in its console.
 *
 * ConVars (written to cfg/sourcemod/match_events.cfg):
 *   sm_match_events_url    Socket.IO server origin (http://, https://, ws://, wss://).
 *   sm_match_events_nsp    Namespace to join ("/" by default).
 *   sm_match_events_token  Sent as the CONNECT auth payload {"token":"…"} when not empty.
 */

#pragma semicolon 1
#pragma newdecls required
// Events whose arguments are longer than this many bytes are dropped and reported to OnError
// (WsError_MessageTooLarge); the include sizes the buffer and this plugin's heap from it.
#define WEBSOCKET_RECEIVE_MAX 65536

#include <sourcemod>
#include <websocket>

public Plugin myinfo =
{
	name = "Match events over Socket.IO",
	author = "spgen",
	description = "Sends round and kill events to a Socket.IO backend (example for the websocket library)",
	version = "1.0.0",
	url = ""
};

ConVar g_CvarUrl;
ConVar g_CvarNsp;
ConVar g_CvarToken;
SocketIO g_Io = INVALID_SOCKETIO;
int g_Round;

public void OnPluginStart()
{
	g_CvarUrl = CreateConVar("sm_match_events_url", "http://127.0.0.1:3000", "Socket.IO server origin (http://, https://, ws:// or wss://)");
	g_CvarNsp = CreateConVar("sm_match_events_nsp", "/", "Socket.IO namespace to join");
	g_CvarToken = CreateConVar("sm_match_events_token", "", "Auth token sent with CONNECT (empty: none)", FCVAR_PROTECTED);
	AutoExecConfig(true, "match_events");

	HookEventEx("round_start", Event_RoundStart, EventHookMode_PostNoCopy);
	HookEventEx("round_end", Event_RoundEnd);
	HookEventEx("player_death", Event_PlayerDeath);
	RegAdminCmd("sm_match_events_reconnect", Command_Reconnect, ADMFLAG_RCON, "Reconnects to the Socket.IO backend");
}

public void OnConfigsExecuted()
{
	if (g_Io == INVALID_SOCKETIO)
	{
		Connect();
	}
}

public void OnLibraryRemoved(const char[] name)
{
	if (StrEqual(name, "websocket"))
	{
		g_Io = INVALID_SOCKETIO;
	}
}

/** Opens the Socket.IO client with the current ConVar values. */
void Connect()
{
	char url[256];
	char nsp[64];
	char token[128];
	char auth[512];
	g_CvarUrl.GetString(url, sizeof(url));
	g_CvarNsp.GetString(nsp, sizeof(nsp));
	g_CvarToken.GetString(token, sizeof(token));
	auth[0] = '\0';
	if (token[0] != '\0')
	{
		char escaped[256];
		JsonEscape(token, escaped, sizeof(escaped));
		FormatEx(auth, sizeof(auth), "{\"token\":\"%s\"}", escaped);
	}
	g_Io = SocketIO_Connect(url, nsp, auth, OnIoEvent, OnIoError);
	SocketIO_HookConnect(g_Io, OnIoConnect);
	SocketIO_HookConnectError(g_Io, OnIoConnectError);
	SocketIO_HookDisconnect(g_Io, OnIoDisconnect);
}

public Action Command_Reconnect(int client, int args)
{
	if (g_Io != INVALID_SOCKETIO)
	{
		SocketIO_Close(g_Io); // the final disconnect callback clears g_Io
	}
	Connect();
	ReplyToCommand(client, "[match_events] reconnecting");
	return Plugin_Handled;
}

public void OnIoConnect(SocketIO io, const char[] dataJson)
{
	char map[PLATFORM_MAX_PATH];
	char escaped[PLATFORM_MAX_PATH * 2];
	char body[512];
	GetCurrentMap(map, sizeof(map));
	JsonEscape(map, escaped, sizeof(escaped));
	FormatEx(body, sizeof(body), "{\"map\":\"%s\",\"maxPlayers\":%d}", escaped, MaxClients);
	SocketIO_Emit(io, "server_online", body, OnOnlineAck);
	LogMessage("joined the backend (%s)", dataJson);
}

public void OnOnlineAck(SocketIO io, const char[] argsJson, any data)
{
	LogMessage("backend acknowledged server_online: %s", argsJson);
}

public void OnIoConnectError(SocketIO io, const char[] dataJson)
{
	LogError("the backend refused the connection: %s", dataJson);
}

public void OnIoDisconnect(SocketIO io, const char[] reason, bool willReconnect)
{
	LogMessage("disconnected from the backend (%s)%s", reason, willReconnect ? ", reconnecting" : "");
	if (!willReconnect && io == g_Io)
	{
		g_Io = INVALID_SOCKETIO;
	}
}

public void OnIoError(SocketIO io, WebsocketError error, int detail, const char[] message)
{
	LogError("socket.io error %d (detail %d): %s", error, detail, message);
}

public void OnIoEvent(SocketIO io, const char[] event, const char[] argsJson, int ackId)
{
	if (StrEqual(event, "announce"))
	{
		// argsJson is a JSON array text such as ["hello"]; a JSON library (sm-json,
		// ripext) would parse it. Here the first string is taken out by hand.
		char text[256];
		if (FirstJsonString(argsJson, text, sizeof(text)))
		{
			PrintToChatAll("[backend] %s", text);
		}
	}
	else if (StrEqual(event, "status"))
	{
		char map[PLATFORM_MAX_PATH];
		char escaped[PLATFORM_MAX_PATH * 2];
		char body[512];
		GetCurrentMap(map, sizeof(map));
		JsonEscape(map, escaped, sizeof(escaped));
		FormatEx(body, sizeof(body), "{\"map\":\"%s\",\"players\":%d,\"round\":%d}", escaped, GetClientCount(true), g_Round);
		if (ackId >= 0)
		{
			SocketIO_Ack(io, ackId, body);
		}
		else
		{
			SocketIO_Emit(io, "status", body);
		}
	}
	else if (ackId >= 0)
	{
		SocketIO_Ack(io, ackId, "{\"error\":\"unknown event\"}");
	}
}

public void Event_RoundStart(Event event, const char[] name, bool dontBroadcast)
{
	g_Round++;
	char body[64];
	FormatEx(body, sizeof(body), "{\"round\":%d}", g_Round);
	Emit("round_start", body);
}

public void Event_RoundEnd(Event event, const char[] name, bool dontBroadcast)
{
	char message[128];
	char escaped[256];
	char body[512];
	event.GetString("message", message, sizeof(message));
	JsonEscape(message, escaped, sizeof(escaped));
	FormatEx(body, sizeof(body), "{\"round\":%d,\"winner\":%d,\"reason\":%d,\"message\":\"%s\"}", g_Round, event.GetInt("winner"), event.GetInt("reason"), escaped);
	Emit("round_end", body);
}

public void Event_PlayerDeath(Event event, const char[] name, bool dontBroadcast)
{
	int victim = GetClientOfUserId(event.GetInt("userid"));
	int attacker = GetClientOfUserId(event.GetInt("attacker"));
	char weapon[64];
	char victimJson[160];
	char attackerJson[160];
	char escaped[128];
	char body[640];
	event.GetString("weapon", weapon, sizeof(weapon));
	JsonEscape(weapon, escaped, sizeof(escaped));
	PlayerJson(victim, victimJson, sizeof(victimJson));
	PlayerJson(attacker, attackerJson, sizeof(attackerJson));
	FormatEx(body, sizeof(body), "{\"round\":%d,\"victim\":%s,\"attacker\":%s,\"weapon\":\"%s\",\"headshot\":%s}", g_Round, victimJson, attackerJson, escaped, event.GetBool("headshot") ? "true" : "false");
	Emit("player_death", body);
}

/** Emits when a client exists; emits made while (re)connecting are queued by the library. */
void Emit(const char[] event, const char[] body)
{
	if (g_Io != INVALID_SOCKETIO)
	{
		SocketIO_Emit(g_Io, event, body);
	}
}

/** Writes {"name":…,"steamid":…,"team":…} for a client, or null for the world / a disconnected client. */
void PlayerJson(int client, char[] buffer, int maxlen)
{
	if (client <= 0 || !IsClientInGame(client))
	{
		strcopy(buffer, maxlen, "null");
		return;
	}
	char name[MAX_NAME_LENGTH];
	char escaped[MAX_NAME_LENGTH * 2];
	char steamId[32];
	GetClientName(client, name, sizeof(name));
	JsonEscape(name, escaped, sizeof(escaped));
	if (!GetClientAuthId(client, AuthId_Steam2, steamId, sizeof(steamId)))
	{
		strcopy(steamId, sizeof(steamId), "");
	}
	FormatEx(buffer, maxlen, "{\"name\":\"%s\",\"steamid\":\"%s\",\"team\":%d}", escaped, steamId, GetClientTeam(client));
}

/** Escapes text for a JSON string (quotes, backslashes, control characters). */
void JsonEscape(const char[] text, char[] buffer, int maxlen)
{
	int o = 0;
	for (int i = 0; text[i] != '\0' && o < maxlen - 7; i++)
	{
		int c = text[i];
		if (c == '"' || c == '\\')
		{
			buffer[o++] = '\\';
			buffer[o++] = c;
		}
		else if (c < 0x20)
		{
			o += FormatEx(buffer[o], maxlen - o, "\\u%04x", c);
		}
		else
		{
			buffer[o++] = c;
		}
	}
	buffer[o] = '\0';
}

/** Copies the first JSON string of an arguments array such as ["hi",1] (simple escapes only). */
bool FirstJsonString(const char[] json, char[] buffer, int maxlen)
{
	int i = FindCharInString(json, '"');
	if (i < 0)
	{
		return false;
	}
	int o = 0;
	for (i++; json[i] != '\0' && json[i] != '"' && o < maxlen - 1; i++)
	{
		if (json[i] == '\\' && json[i + 1] != '\0')
		{
			i++;
		}
		buffer[o++] = json[i];
	}
	buffer[o] = '\0';
	return true;
}
