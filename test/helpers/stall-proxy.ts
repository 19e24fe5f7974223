/**
 * A local TCP proxy in front of a database server that can go silent: after
 * `stall()` it keeps every connection open but forwards nothing, in either
 * direction — a server (or network) that stops answering mid-statement,
 * which no TCP keepalive notices because the proxy itself still answers.
 */
import { connect, createServer, type Socket } from "node:net";

export interface StallProxy {
  /** `url` with its host and port replaced by the proxy's. */
  readonly url: string;
  stall(): void;
  /** Closes every connection (the server sees its clients go) and the proxy. */
  close(): Promise<void>;
}

export async function startStallProxy(url: string): Promise<StallProxy> {
  const parsed = new URL(url);
  const targetHost = parsed.hostname;
  const targetPort = Number(parsed.port || (parsed.protocol.startsWith("postgres") ? 5432 : 3306));
  const sockets = new Set<Socket>();
  let stalled = false;
  const server = createServer((client) => {
    const upstream = connect(targetPort, targetHost);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on("error", () => undefined);
      socket.on("close", () => sockets.delete(socket));
    }
    client.on("data", (chunk) => {
      if (!stalled) upstream.write(chunk);
    });
    upstream.on("data", (chunk) => {
      if (!stalled) client.write(chunk);
    });
    // A silent network carries no FIN either: once stalled, one side closing leaves the other open.
    client.on("close", () => {
      if (!stalled) upstream.destroy();
    });
    upstream.on("close", () => {
      if (!stalled) client.destroy();
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
    stall() {
      stalled = true;
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
