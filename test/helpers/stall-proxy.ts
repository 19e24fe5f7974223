/**
 * A local TCP proxy in front of a database server that can go silent: after
 * `stall()` it keeps every connection open but forwards nothing, in either
 * direction — a server (or network) that stops answering mid-statement,
 * which no TCP keepalive notices because the proxy itself still answers.
 * `stall(n)` silences only the n-th connection opened through it (from 0):
 * one session's route broken while the server answers others.
 */
import { connect, createServer, type Socket } from "node:net";

export interface StallProxy {
  /** `url` with its host and port replaced by the proxy's. */
  readonly url: string;
  stall(connection?: number): void;
  /** Closes every connection (the server sees its clients go) and the proxy. */
  close(): Promise<void>;
}

export async function startStallProxy(url: string): Promise<StallProxy> {
  const parsed = new URL(url);
  const targetHost = parsed.hostname;
  const targetPort = Number(parsed.port || (parsed.protocol.startsWith("postgres") ? 5432 : 3306));
  const sockets = new Set<Socket>();
  const stalled = new Set<number>();
  let all = false;
  let opened = 0;
  const server = createServer((client) => {
    const index = opened++;
    const silent = () => all || stalled.has(index);
    const upstream = connect(targetPort, targetHost);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on("error", () => undefined);
      socket.on("close", () => sockets.delete(socket));
    }
    client.on("data", (chunk) => {
      if (!silent()) upstream.write(chunk);
    });
    upstream.on("data", (chunk) => {
      if (!silent()) client.write(chunk);
    });
    // A silent network carries no FIN either: once stalled, one side closing leaves the other open.
    client.on("close", () => {
      if (!silent()) upstream.destroy();
    });
    upstream.on("close", () => {
      if (!silent()) client.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("the proxy has no port");
  const proxied = new URL(url);
  proxied.hostname = "127.0.0.1";
  proxied.port = String(address.port);
  return {
    url: proxied.toString(),
    stall(connection?: number) {
      if (connection === undefined) all = true;
      else stalled.add(connection);
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
