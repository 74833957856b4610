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
    // The namespace joins the manager on the first tick, which makes the manager and starts its transport.
    expect(linesOf("sio/life")[1]).toMatch(/^@0 tick mgr join0 tick=3 transport \| mgr1 /);
    expect(lineWith("sio/life", "@60 msg 0{")).toContain('out=5 ns0:>40/chat,{"token":"abc"}');
    expect(lineWith("sio/life", '40/chat,{"sid":"s1"}')).toMatch(
      /out=6 ns0:out=5 flush connect=\{"sid":"s1"\} recovered0 \| .* cn1 q0/,
    );
    expect(lineWith("sio/life", '["news"')).toContain('ns0:out=8 event=news args={"a":1} id-1');
    expect(lineWith("sio/life", "ack-reply")).toContain('=0 >443/chat,7["yes"]');
    expect(lineWith("sio/life", "@250 emit")).toContain('0=0:entry0>442/chat,0["q",1]');
    expect(lineWith("sio/life", '0["ok"]')).toContain('ns0:out=9 entry0 args="ok"');
    expect(lineWith("sio/life", "@25060 ")).toContain("out=1 >3");
    expect(lineWith("sio/life", "tick=1")).toMatch(/drop closed1 reason=ping timeout ns0:closed1 \| .* ack0\/0\/0/);
    expect(lineWith("sio/life", "@95100 ")).toMatch(/emit0 2=1:entry0 .* ack1\/0\/0/);
    expect(lineWith("sio/life", '{"sid":"s2"}')).toMatch(/out=5 .* ack0\/1\/0/);
    expect(lineWith("sio/life", '2["late"]')).toContain("ns0:out=9 entry0");
    // The last namespace leaving finishes the manager and drops its transport.
    expect(lineWith("sio/life", "41/chat,")).toMatch(
      /ns0:out=7 reason=io server disconnect release0 mgr-finish=1 drop \| mgr0 .* rc-1 .* fin1/,
    );
    expect(lineWith("sio/life", "ws-closed")).toMatch(/closed0 \|/);
    expect(linesOf("sio/life").at(-1)).toMatch(/tick idle .* rc-1/);
  });

  it("Socket.IO: a server restart keeps the queued emits (within the budget) and flushes them on CONNECT", () => {
    const blobs = lineWith("sio/server-restart-queue", "@310 ");
    expect(blobs).toMatch(/^@310 emit0( -1=1)+( -1=2:err10\/2020)+ \|/);
    expect(lineWith("sio/server-restart-queue", '{"sid":"s2"}')).toMatch(/out=5 flush .* q0 ack0\/1\/0/);
    expect(lineWith("sio/server-restart-queue", "43/chat,0[]")).toContain("ns0:out=9 entry0");
  });

  it("Socket.IO: CONNECT_ERROR, the open timeout, the ack table, maxPayload and dropped input", () => {
    expect(lineWith("sio/connect-error", "44/chat")).toMatch(
      /out=6 .* finish=1 reason=connect error release0 mgr-finish=1 drop/,
    );
    expect(lineWith("sio/open-timeout", "tick=2")).toMatch(
      /err11 detail20001 drop closed1 reason=transport error ns0:closed0 \|/,
    );
    const full = lineWith("sio/ack-table-full", "@200 emit");
    expect(full.match(/=0:entry/g)?.length).toBe(64);
    expect(full).toContain(" -2:full");
    expect(lineWith("sio/max-payload", "@200 ")).toContain("=3:err16/53");
    expect(lineWith("sio/max-payload", "@210 ")).toMatch(/=0>4/);
    expect(lineWith("sio/max-payload", "@240 ")).toContain("ack-reply0 48 =3 err16 detail48");
    expect(lineWith("sio/max-payload", "@270 ")).toContain("ack-reply0 9 =4");
    expect(lineWith("sio/dropped", "@120 ")).toContain("out=2 err13 detail2 drop1");
    // BINARY_EVENT / BINARY_ACK: the manager waits for the attachment (SioEio.BinaryPacket), then Complete.
    expect(lineWith("sio/dropped", "@130 ")).toContain(" out=7 ");
    expect(lineWith("sio/dropped", "@135 ")).toContain(" out=9 ");
    expect(lineWith("sio/dropped", "@140 ")).toContain(" out=7 ");
    expect(lineWith("sio/dropped", "@145 ")).toContain(" out=9 ");
    expect(lineWith("sio/dropped", "@150 ")).toContain("ns0:out=2 err13 detail2 drop4");
    expect(lineWith("sio/dropped", "@160 ")).toContain("drop3");
    expect(lineWith("sio/dropped", "@170 ")).toContain("out=6 ns- |");
  });
  it("Socket.IO: two namespaces share one manager: one open packet, routed packets, one reconnect for both", () => {
    const mux = "sio/mux-two-namespaces";
    expect(lineWith(mux, "@0 tick")).toMatch(/^@0 tick mgr join0 join1 tick=3 transport \|/);
    // One open packet: both CONNECT, in namespace order, each with its own auth.
    expect(lineWith(mux, "@60 msg 0{")).toContain('out=5 ns0:>40/chat,{"token":"abc"} ns1:>40/admin,{"k":1} |');
    expect(lineWith(mux, '["news"')).toContain("ns0:out=8 event=news");
    expect(lineWith(mux, '["kick"')).toContain("ns1:out=8 event=kick");
    // Ack ids are per namespace: both emits carry id 0, each ACK reaches its own namespace.
    expect(lineWith(mux, "@130 ")).toContain('emit0 0=0:entry0>442/chat,0["hi",1]');
    expect(lineWith(mux, "@140 ")).toContain('emit1 0=0:entry0>442/admin,0["op",2]');
    expect(lineWith(mux, '43/admin,0["a"]')).toContain('ns1:out=9 entry0 args="a"');
    expect(lineWith(mux, '43/chat,0["c"]')).toContain('ns0:out=9 entry0 args="c"');
    expect(lineWith(mux, "/lobby")).toContain("out=6 ns- |");
    // A transport drop disconnects both (NotifyRetry each); one reconnect rejoins both and flushes each queue.
    expect(lineWith(mux, "@200 ")).toMatch(/closed1 reason=transport close ns0:closed1 ns1:closed1 \|/);
    expect(linesOf(mux).filter((l) => l.includes("tick=3 transport"))).toHaveLength(2);
    const rejoin = linesOf(mux).filter((l) => l.includes("ns0:>40/chat,") && l.includes("ns1:>40/admin,"));
    expect(rejoin).toHaveLength(2);
    expect(lineWith(mux, '{"sid":"a2"}')).toMatch(/ns1:out=5 flush .* ns1:2 cn1 q0 ack0\/1\/0/);
    expect(lineWith(mux, '43/admin,1["b"]')).toContain("ns1:out=9 entry0");
    // The server's DISCONNECT of one leaves the other connected, the manager and its transport.
    expect(lineWith(mux, "41/admin,")).toMatch(
      /ns1:out=7 reason=io server disconnect release1 \| mgr1 eo1 .* ns0:2 cn1/,
    );
    expect(lineWith(mux, '["still"')).toContain("ns0:out=8 event=still");
    expect(lineWith(mux, '["gone"]')).toContain("ns- |");
    // The last namespace leaving finishes the manager.
    expect(lineWith(mux, "close0")).toMatch(
      /close0=3 >41\/chat, reason=io client disconnect release0 mgr-finish=1 drop \| mgr0/,
    );
    expect(linesOf(mux).at(-1)).toMatch(/tick idle/);
  });

  it("Socket.IO: joining an open manager, one namespace ending among others, the manager's policy", () => {
    const late = "sio/mux-late-join";
    expect(lineWith(late, "@510 ")).toMatch(/^@510 tick join1 >40\/admin,\{"k":2\} join2 >40\/secret, tick=0 \|/);
    expect(lineWith(late, "44/secret")).toMatch(/ns2:out=6 .* reason=connect error release2 \| mgr1 eo1/);
    expect(lineWith(late, "close0")).toMatch(/close0=3 >41 reason=io client disconnect release0 \| mgr1 eo1/);
    expect(lineWith(late, '["root"]')).toContain("ns- |");
    expect(lineWith(late, "tick=1")).toMatch(/closed1 reason=ping timeout ns1:closed1 \|/);
    expect(lineWith(late, "close1")).toMatch(/close1=2 .* release1 mgr-finish=1 drop \| mgr0 eo0 rc-1/);
    expect(lineWith("sio/mux-give-up", "ws-closed")).toMatch(
      /closed2 reason=transport close ns0:closed2 release0 ns1:closed2 release1 \| mgr0/,
    );
    expect(lineWith("sio/mux-reconnect-failed", "@606 ")).toMatch(
      /closed2 reason=reconnect failed ns0:closed2 release0 ns1:closed2 release1 \|/,
    );
  });

  it("Socket.IO: connection state recovery: pid and offset in the CONNECT, replayed events, recovered", () => {
    const rec = "sio/recovery";
    expect(lineWith(rec, '{"sid":"s1","pid":"p1"}')).toMatch(/recovered0 \| .* pid="p1" off= rec0$/);
    expect(lineWith(rec, '"o2"]')).toMatch(/off="o2"/);
    // A last argument that is not a string keeps the offset.
    expect(lineWith(rec, '["y",3]')).toMatch(/off="o2"/);
    expect(lineWith(rec, '"offset":"o2"')).toContain('ns0:>40/chat,{"pid":"p1","offset":"o2","token":"abc"}');
    // The events replayed before the CONNECT reply are delivered, then the reply says recovered.
    expect(lineWith(rec, '["missed"')).toMatch(/ns0:out=8 event=missed .* cn0 .* off="o3"/);
    expect(lineWith(rec, '{"sid":"s2","pid":"p1"}')).toMatch(/flush .* recovered1 \| .* rec1$/);
    // A new pid: not recovered, the offset forgotten; a CONNECT without a pid drops recovery.
    expect(lineWith(rec, '{"sid":"s3","pid":"p2"}')).toMatch(/recovered0 \| .* pid="p2" off= rec0$/);
    expect(lineWith(rec, '"pid":"p2","token"')).toContain('>40/chat,{"pid":"p2","token":"abc"}');
    expect(lineWith(rec, '{"sid":"s4"}')).toMatch(/recovered0 \| .* fin0$/);
    const two = "sio/recovery-two-namespaces";
    expect(lineWith(two, "ns2:>")).toContain(
      'out=5 ns0:>40{"pid":"P","offset":"p1"} ns1:>40/chat,{"pid":"Q","offset":"q1"} ns2:>40/late,{"n":1}',
    );
    expect(lineWith(two, '{"sid":"s2","pid":"P"}')).toContain(
      'ns0:out=5 flush connect={"sid":"s2","pid":"P"} recovered1',
    );
    expect(lineWith(two, '{"sid":"c2","pid":"Q2"}')).toContain("recovered0");
  });

  it("Socket.IO: ack timeouts fail once, late ACKs are ignored, transport loss and close fail the rest", () => {
    const to = "sio/ack-timeout";
    expect(lineWith(to, "@1199 ")).toMatch(/tick=0 \|/);
    expect(lineWith(to, "@1200 ")).toMatch(/tick=0 ns0:ackfail0 \| .* ack0\/2\/0/);
    expect(lineWith(to, '0["late"]')).toContain("ns0:out=0 |");
    expect(lineWith(to, '1["b"]')).toContain("ns0:out=9 entry1");
    // On transport loss the sent acks with a timeout fail (entries 0 and 2), the one without is forgotten.
    expect(lineWith(to, "ws-closed")).toMatch(/ns0:closed1 ns0:ackfail0 ns0:ackfail2 \| .* ack0\/0\/0/);
    // A queued emit's timeout runs too.
    expect(lineWith(to, "@2160 ")).toMatch(/ns0:ackfail1 \| .* ack1\/0\/0/);
    // The user's close fails every ack that has a timeout.
    expect(lineWith(to, "close0")).toMatch(/ns0:ackfail0 ns0:ackfail1 release0 mgr-finish=1 drop/);
  });
});
