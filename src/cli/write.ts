/**
 * Writes to stdout/stderr through the file descriptors. Creating
 * `process.stdout` loads Node's stream machinery (~7 ms of every start).
 * Standard output is buffered and written in large chunks (`history` on
 * 20,000 revisions would otherwise make 20,000 system calls); standard
 * error is written at once, after what stdout holds, so order is kept on a
 * terminal that shows both.
 */
import { writeSync } from "node:fs";

const FLUSH_AT = 64 * 1024;
let pending: string[] = [];
let pendingLength = 0;

function writeAll(fd: number, text: string): void {
  let buffer = Buffer.from(text, "utf8");
  while (buffer.length > 0) {
    try {
      const written = writeSync(fd, buffer);
      buffer = buffer.subarray(written);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      // The reader is gone (`tidemark history | head`): nothing more can be shown, as with any Unix tool.
      if (code === "EPIPE") return;
      // A non-blocking pipe that is full: wait for the reader, then go on.
      if (code !== "EAGAIN") throw error;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
    }
  }
}

export function flushOut(): void {
  if (pendingLength === 0) return;
  const text = pending.join("");
  pending = [];
  pendingLength = 0;
  writeAll(1, text);
}

export function writeOut(text: string): void {
  pending.push(text);
  pendingLength += text.length;
  if (pendingLength >= FLUSH_AT) flushOut();
}

export function writeErr(text: string): void {
  flushOut();
  writeAll(2, text);
}

process.once("exit", flushOut);
