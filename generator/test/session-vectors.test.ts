/**
 * The session timelines (issue 11, item 4): deterministic tables, the lines
 * the oracle records for them, and checks of those lines against what the
 * session modules document (the replay in the SourcePawn VM is part of
 * vectors.test.ts, which compares the whole of out/vectors/expected.txt).
 */

import { describe, expect, it } from "vitest";
import { buildSessionSet } from "../vectors/session-cases.js";

const set = buildSessionSet();

/** The lines of one timeline, without the name and step (`@<t> ...`). */
function linesOf(name: string): string[] {
  return set.lines.filter((l) => l.startsWith(`session/${name}#`)).map((l) => l.slice(l.indexOf("\t") + 1));
}

/** The one line of a timeline containing `what`. */
function lineWith(name: string, what: string): string {
  const found = linesOf(name).filter((l) => l.includes(what));
  expect(found, `${name}: ${what}`).toHaveLength(1);
  return found[0];
}

describe("session timelines", () => {
  it("are deterministic, named uniquely, numbered step by step and small", () => {
    const again = buildSessionSet();
    expect(Buffer.from(again.data).equals(Buffer.from(set.data))).toBe(true);
    expect(Array.from(again.params)).toEqual(Array.from(set.params));
    expect(again.lines).toEqual(set.lines);
    expect(new Set(set.timelines.map((t) => t.name)).size).toBe(set.timelines.length);
    expect(set.timelines.length).toBeGreaterThanOrEqual(20);
    expect(set.data.length).toBeLessThan(1 << 14);
    expect(set.params.length).toBeLessThan(1 << 13);
    for (const t of set.timelines) {
      const steps = set.lines
        .filter((l) => l.startsWith(`${t.name}#`))
        .map((l) => l.slice(t.name.length + 1, l.indexOf("\t")));
      expect(steps.length, t.name).toBeGreaterThan(3);
      expect(steps, t.name).toEqual(steps.map((_, i) => String(i).padStart(2, "0")));
    }
    for (const l of set.lines) {
      expect(l, l).toMatch(/^session\/(ws|sio)\/[a-z0-9-]+#\d\d+\t@-?\d+ [\x20-\x7e]+$/);
      expect(l.length, l).toBeLessThan(2000);
    }
  });

  it("WebSocket: queued frames flushed on open, the user's close, the close timeout", () => {
    expect(lineWith("ws/connect-open-close", "feed 136")).toMatch(/out1@129 a16 flush149 out2@136:1:hello/);
    // A Ping is answered with a masked Pong of the same payload.
    expect(lineWith("ws/connect-open-close", "out3@4")).toContain(">8:8a8237fa213d");
    expect(lineWith("ws/connect-open-close", "user-close")).toMatch(/a9 >11:8885/);
    expect(lineWith("ws/connect-open-close", "tcp-closed")).toMatch(/closed4 /);
    expect(lineWith("ws/user-close-timeout", "@6999 ")).toMatch(/tick=0 .* ct7000/);
    expect(lineWith("ws/user-close-timeout", "@7000 ")).toMatch(/tick=3 a192 drop closed4/);
  });

  it("WebSocket: keepalive pings, then silence fails the connection", () => {
    const ka = linesOf("ws/keepalive");
    // Opening restarts the keepalive clock (wsSessionFed): the first Ping comes an interval after the open.
    expect(ka.filter((l) => l.includes("tick=5 >6:8980")).length).toBe(2);
    expect(lineWith("ws/keepalive", "@3000 ")).toMatch(/tick=0/);
    expect(lineWith("ws/keepalive", "tick=4")).toMatch(/err11 detail\d+ a224 drop closed4/);
  });

  it("WebSocket: a drop reconnects after the backoff delay; maxAttempts and close codes finish", () => {
    const retry = lineWith("ws/drop-reconnect", "@2000 ");
    const at = Number(/ rc(\d+)/.exec(retry)?.[1]);
    // The attempt had opened: Retry and NotifyRetry (the disconnect callback with willReconnect).
    expect(retry).toMatch(/tcp-closed a128 closed3 /);
    // A successful open resets the backoff: the drop after the second open waits the first delay again.
    expect(lineWith("ws/drop-reconnect", "flush12")).toMatch(/ n0 /);
    expect(lineWith("ws/drop-reconnect", `@${at - 1} `)).toMatch(/tick=0/);
    expect(lineWith("ws/drop-reconnect", `@${at} `)).toMatch(/tick=1 attempt conn1/);
    expect(linesOf("ws/max-attempts").filter((l) => l.includes("closed1")).length).toBe(2);
    expect(linesOf("ws/max-attempts").at(-2)).toMatch(/socket-error a224 drop closed4 /);
    for (const [code, closed] of [
      [1000, 4],
      [1008, 4],
      [1001, 3],
      [1012, 3],
    ]) {
      const name = set.timelines.find((t) => t.name.startsWith(`session/ws/server-close-${code}-`))?.name ?? "";
      expect(lineWith(name.slice("session/".length), "tcp-closed"), name).toContain(` closed${closed} `);
    }
  });

  it("WebSocket: an orphan closes with its code and reports to no one", () => {
    expect(lineWith("ws/orphan-open", "orphan")).toMatch(/=1 role2 a9 >8:888237fa213d3413 .* ct6100/);
    expect(lineWith("ws/orphan-open", "@6100 ")).toMatch(/tick=3 a192 drop closed4/);
    expect(lineWith("ws/orphan-waiting", "orphan")).toMatch(/=2 role2 \| .* rc-1/);
  });

  it("WebSocket: a Socket.IO transport never reconnects by itself; a silent child times out", () => {
    expect(lineWith("ws/transport-role", "@5000 ")).toMatch(/tick=0 /);
    expect(lineWith("ws/transport-role", "tcp-closed")).toMatch(/closed4 .* rc-1/);
    expect(lineWith("ws/child-request-timeout", "@10999 ")).toMatch(/tick=0 /);
    expect(lineWith("ws/child-request-timeout", "@11000 ")).toMatch(/tick=2 a192 drop closed4/);
  });

  it("WebSocket: the send queue's budget and sends after close", () => {
    const q = linesOf("ws/queue-overflow");
    expect(q[1]).toMatch(/send 200014 =1 /);
    expect(q[2]).toMatch(/send 62008 =1 /);
    expect(q[3]).toMatch(/send 208 =2 err10 detail208/);
    expect(q[6]).toMatch(/send 7 =3 /);
    expect(lineWith("ws/reconnect-wait-close", "user-close")).toMatch(/=2 \| .* rc-1/);
  });

  it("Socket.IO: the life of a session, from the open packet to the server's DISCONNECT", () => {
    expect(lineWith("sio/life", "@60 msg 0{")).toContain('out=1 >40/chat,{"token":"abc"}');
    expect(lineWith("sio/life", '40/chat,{"sid":"s1"}')).toMatch(/out=5 flush connect=\{"sid":"s1"\} \| eo1 cn1 q0/);
    expect(lineWith("sio/life", '["news"')).toContain('event=news args={"a":1} id-1');
    expect(lineWith("sio/life", "ack-reply")).toContain('=0 >443/chat,7["yes"]');
    expect(lineWith("sio/life", "@250 emit")).toContain('0=0:entry0>442/chat,0["q",1]');
    expect(lineWith("sio/life", '0["ok"]')).toContain('out=9 entry0 args="ok"');
    expect(lineWith("sio/life", "@25060 ")).toContain("out=1 >3");
    expect(lineWith("sio/life", "tick=1")).toMatch(/drop closed1 reason=ping timeout .* ack0\/0/);
    expect(lineWith("sio/life", "@95100 ")).toMatch(/emit 2=1:entry0 .* ack1\/0/);
    expect(lineWith("sio/life", '{"sid":"s2"}')).toMatch(/out=5 .* ack0\/1/);
    expect(lineWith("sio/life", '2["late"]')).toContain("out=9 entry0");
    expect(lineWith("sio/life", "41/chat,")).toMatch(/out=7 reason=io server disconnect .* rc-1 .* fin1/);
    expect(linesOf("sio/life").at(-1)).toMatch(/tick=0 .* rc-1/);
  });

  it("Socket.IO: a server restart keeps the queued emits (within the budget) and flushes them on CONNECT", () => {
    const blobs = lineWith("sio/server-restart-queue", "@310 ");
    expect(blobs).toMatch(/^@310 emit( -1=1)+( -1=2:err10\/2020)+ \|/);
    expect(lineWith("sio/server-restart-queue", '{"sid":"s2"}')).toMatch(/out=5 flush .* q0 .* ack0\/1/);
    expect(lineWith("sio/server-restart-queue", "43/chat,0[]")).toContain("out=9 entry0");
  });

  it("Socket.IO: CONNECT_ERROR, the open timeout, the ack table, maxPayload and dropped input", () => {
    expect(lineWith("sio/connect-error", "44/chat")).toMatch(/out=6 .* finish=1 reason=connect error/);
    expect(lineWith("sio/open-timeout", "tick=2")).toMatch(/err11 detail20001 drop closed0 reason=transport error/);
    const full = lineWith("sio/ack-table-full", "@200 emit");
    expect(full.match(/=0:entry/g)?.length).toBe(64);
    expect(full).toContain(" -2:full");
    expect(lineWith("sio/max-payload", "@200 ")).toContain("=3:err16/53");
    expect(lineWith("sio/max-payload", "@210 ")).toMatch(/=0>4/);
    expect(lineWith("sio/max-payload", "@240 ")).toContain("ack-reply 48 =3 err16 detail48");
    expect(lineWith("sio/max-payload", "@270 ")).toContain("ack-reply 9 =4");
    expect(lineWith("sio/dropped", "@120 ")).toContain("out=2 err13 detail2 drop1");
    expect(lineWith("sio/dropped", "@130 ")).toContain("out=2 err13 detail5 drop2");
    expect(lineWith("sio/dropped", "@150 ")).toContain("out=2 err13 detail2 drop4");
    expect(lineWith("sio/dropped", "@160 ")).toContain("drop3");
    expect(lineWith("sio/dropped", "@170 ")).toContain("out=0");
  });
});
