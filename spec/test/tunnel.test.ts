/**
 * The TLS tunnel table (spec/core/tunnel.ts): which wss:// origins go to which
 * plain-TCP tunnel, and which tables are refused.
 */
import { describe, expect, it } from "vitest";
import { TunnelResult, tunnelFind, tunnelTableError } from "../core/tunnel.js";
import { ParsedUrl, urlParse } from "../core/url.js";

function parsed(url: string): ParsedUrl {
  const u = new ParsedUrl();
  const b = Buffer.from(url, "latin1");
  expect(urlParse(u, b, 0, b.length)).toBe(0);
  return u;
}

/** [result, "host:port" of the tunnel] for `url` in `table`. */
function find(table: string, url: string): [number, string] {
  const t = Buffer.from(table, "latin1");
  const target = new ParsedUrl();
  const r = tunnelFind(t, 0, t.length, parsed(url), new ParsedUrl(), target);
  const host = Buffer.from(target.host.subarray(0, target.hostLen)).toString("latin1");
  return [r, r === TunnelResult.Found ? `${target.ipv6 ? `[${host}]` : host}:${target.port}` : ""];
}

function tableError(table: string): number {
  const t = Buffer.from(table, "latin1");
  return tunnelTableError(t, 0, t.length, new ParsedUrl(), new ParsedUrl());
}

describe("TLS tunnel table", () => {
  const table = "chat.example.org:8080=127.0.0.1:8443, api.example.org=127.0.0.1:8444;[::1]:9443=[::1]:9444";

  it("maps an origin (host and port) to its tunnel", () => {
    expect(find(table, "wss://chat.example.org:8080/socket.io")).toEqual([TunnelResult.Found, "127.0.0.1:8443"]);
    expect(find(table, "wss://CHAT.Example.org:8080/")).toEqual([TunnelResult.Found, "127.0.0.1:8443"]);
    expect(find(table, "https://api.example.org/x")).toEqual([TunnelResult.Found, "127.0.0.1:8444"]);
    expect(find(table, "wss://api.example.org:443")).toEqual([TunnelResult.Found, "127.0.0.1:8444"]);
    expect(find(table, "wss://[::1]:9443")).toEqual([TunnelResult.Found, "[::1]:9444"]);
  });

  it("finds nothing for another port or host", () => {
    expect(find(table, "wss://chat.example.org/")).toEqual([TunnelResult.None, ""]);
    expect(find(table, "wss://api.example.org:8443/")).toEqual([TunnelResult.None, ""]);
    expect(find(table, "wss://example.org:8080/")).toEqual([TunnelResult.None, ""]);
    expect(find("", "wss://example.org/")).toEqual([TunnelResult.None, ""]);
    expect(find("  ,; ", "wss://example.org/")).toEqual([TunnelResult.None, ""]);
  });

  it("refuses the whole table when any entry is malformed, and says where", () => {
    for (const [bad, at] of [
      ["a.org=127.0.0.1", 0], // the tunnel needs a port
      ["a.org:443=127.0.0.1:8443 b.org", 25],
      ["=127.0.0.1:1", 0],
      ["a.org:443=", 0],
      ["a.org:99999=127.0.0.1:1", 0],
      ["a.org:443=127.0.0.1:1 x=y=z:1", 22],
      ["a.org/path=127.0.0.1:1", 0],
    ] as const) {
      expect([bad, tableError(bad)]).toEqual([bad, at]);
      expect(find(bad, "wss://a.org:443/")[0]).toBe(TunnelResult.Malformed);
    }
    expect(tableError(table)).toBe(-1);
  });
});
