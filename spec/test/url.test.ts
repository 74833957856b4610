import { describe, expect, it } from "vitest";
import { ParsedUrl, UrlError, urlErrorText, urlParse, urlParseWithPath } from "../core/url.js";

function parse(url: string, path?: string): { err: number; u: ParsedUrl } {
  const u = new ParsedUrl();
  const b = Buffer.from(url, "latin1");
  const p = Buffer.from(path ?? "", "latin1");
  const err = path === undefined ? urlParse(u, b, 0, b.length) : urlParseWithPath(u, b, 0, b.length, p, 0, p.length);
  return { err, u };
}

function view(u: ParsedUrl) {
  return {
    secure: u.secure,
    host: Buffer.from(u.host.subarray(0, u.hostLen)).toString("latin1"),
    ipv6: u.ipv6,
    port: u.port,
    explicitPort: u.explicitPort,
    resource: Buffer.from(u.resource.subarray(0, u.resourceLen)).toString("latin1"),
  };
}

describe("urlParse", () => {
  it.each([
    [
      "ws://example.org",
      { secure: false, host: "example.org", ipv6: false, port: 80, explicitPort: false, resource: "/" },
    ],
    [
      "wss://chat.example.org:8080",
      { secure: true, host: "chat.example.org", ipv6: false, port: 8080, explicitPort: true, resource: "/" },
    ],
    [
      "WSS://Example.ORG/a/b?x=1&y=2",
      { secure: true, host: "example.org", ipv6: false, port: 443, explicitPort: false, resource: "/a/b?x=1&y=2" },
    ],
    [
      "ws://127.0.0.1:3000/socket.io/?EIO=4",
      { secure: false, host: "127.0.0.1", ipv6: false, port: 3000, explicitPort: true, resource: "/socket.io/?EIO=4" },
    ],
    ["ws://[::1]:9000/x", { secure: false, host: "::1", ipv6: true, port: 9000, explicitPort: true, resource: "/x" }],
    [
      "wss://[2001:db8::7]",
      { secure: true, host: "2001:db8::7", ipv6: true, port: 443, explicitPort: false, resource: "/" },
    ],
    ["ws://h?q", { secure: false, host: "h", ipv6: false, port: 80, explicitPort: false, resource: "/?q" }],
    [
      "http://backend:3000",
      { secure: false, host: "backend", ipv6: false, port: 3000, explicitPort: true, resource: "/" },
    ],
    ["https://backend", { secure: true, host: "backend", ipv6: false, port: 443, explicitPort: false, resource: "/" }],
    ["ws://h:65535/", { secure: false, host: "h", ipv6: false, port: 65535, explicitPort: true, resource: "/" }],
    ["ws://h:80", { secure: false, host: "h", ipv6: false, port: 80, explicitPort: true, resource: "/" }],
  ])("parses %s", (url, expected) => {
    const { err, u } = parse(url);
    expect(err).toBe(UrlError.None);
    expect(view(u)).toEqual(expected);
  });

  it.each([
    ["example.org", UrlError.NoScheme],
    ["", UrlError.NoScheme],
    ["://x", UrlError.NoScheme],
    ["ws:/x", UrlError.NoScheme],
    ["ftp://x", UrlError.UnknownScheme],
    ["wsx://x", UrlError.UnknownScheme],
    ["ws://", UrlError.EmptyHost],
    ["ws://:80/", UrlError.EmptyHost],
    ["ws:///path", UrlError.EmptyHost],
    ["ws://[]/", UrlError.EmptyHost],
    ["ws://h:0", UrlError.BadPort],
    ["ws://h:65536", UrlError.BadPort],
    ["ws://h:123456", UrlError.BadPort],
    ["ws://h:", UrlError.BadPort],
    ["ws://h:8a", UrlError.BadPort],
    ["ws://user@h/", UrlError.BadHost],
    ["ws://h h/", UrlError.BadHost],
    ["ws://[::1/", UrlError.BadHost],
    ["ws://[::g]/", UrlError.BadHost],
    ["ws://[::1]x/", UrlError.BadHost],
    ["ws://h/a b", UrlError.BadPath],
    ["ws://h/\u00e9", UrlError.BadPath],
    ["ws://h/#frag", UrlError.Fragment],
    ["ws://h#frag", UrlError.Fragment],
    ["ws://" + "a".repeat(256), UrlError.TooLong],
    ["ws://h/" + "a".repeat(2048), UrlError.TooLong],
  ])("refuses %s", (url, code) => {
    expect(parse(url).err).toBe(code);
  });

  it("clears the record on refusal of the path", () => {
    expect(parse("ws://h/ok").u.resourceLen).toBe(3);
    expect(parse("ws://h/a b").u.resourceLen).toBe(0);
  });
});

describe("urlParseWithPath (the seed API's separate path)", () => {
  it("keeps the URL's path when the path argument is empty", () => {
    expect(view(parse("wss://chat.example.org:8080/x?y", "").u).resource).toBe("/x?y");
  });
  it("replaces the URL's path and query", () => {
    expect(view(parse("wss://chat.example.org:8080/x?y", "/socket.io").u).resource).toBe("/socket.io");
    expect(view(parse("ws://h", "socket.io/?EIO=4&transport=websocket").u).resource).toBe(
      "/socket.io/?EIO=4&transport=websocket",
    );
    expect(view(parse("ws://h", "?a=1").u).resource).toBe("/?a=1");
  });
  it("reports URL errors before path errors", () => {
    expect(parse("nope", "/x").err).toBe(UrlError.NoScheme);
    expect(parse("ws://h", "/a#b").err).toBe(UrlError.Fragment);
  });
});

describe("urlErrorText", () => {
  const text = (err: number, cap = 200): string => {
    const out = new Uint8Array(200);
    const n = urlErrorText(err, out, 0, cap);
    return n < 0 ? `-1` : Buffer.from(out.subarray(0, n)).toString("latin1");
  };

  it("names every UrlError as the plugin reports it, and an unknown code by number", () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8].map((e) => text(e))).toEqual([
      "no scheme (expected ws://, wss://, http:// or https://)",
      "unknown scheme (expected ws://, wss://, http:// or https://)",
      "empty host",
      "bad port",
      "too long",
      "bad host",
      "bad path (spaces, control or non-ASCII characters)",
      "fragment (#) not allowed",
    ]);
    expect(text(42)).toBe("error 42");
  });

  it("returns -1 when the text does not fit", () => {
    expect(text(UrlError.EmptyHost, 9)).toBe("-1");
    expect(text(UrlError.EmptyHost, 10)).toBe("empty host");
    expect(text(42, 7)).toBe("-1");
  });
});
