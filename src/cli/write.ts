/**
 * Writes to stdout/stderr through the file descriptors. Creating
 * `process.stdout` loads Node's stream machinery (~7 ms of every start);
 * a synchronous write also keeps output whole when the process exits.
 */
import { writeSync } from "node:fs";

function writeAll(fd: number, text: string): void {
  let buffer = Buffer.from(text, "utf8");
  while (buffer.length > 0) {
    try {
      const written = writeSync(fd, buffer);
      buffer = buffer.subarray(written);
    } catch (error) {
      // A non-blocking pipe that is full: wait for the reader, then go on.
      if ((error as NodeJS.ErrnoException).code !== "EAGAIN") throw error;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
    }
  }
}

export function writeOut(text: string): void {
  writeAll(1, text);
}

export function writeErr(text: string): void {
  writeAll(2, text);
}
