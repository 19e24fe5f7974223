/** Reading a script's text: the one place scripts are read from disk. */
import { closeSync, openSync, readSync } from "node:fs";
import { ScriptError, messageOf } from "../errors.js";

/**
 * One buffer reused for every file: scanning thousands of scripts is bound by
 * system calls, and open/read/close into a shared buffer is the cheapest way.
 */
let buffer = Buffer.allocUnsafe(64 * 1024);

export function readScriptText(file: string): string {
  let fd: number;
  try {
    fd = openSync(file, "r");
  } catch (error) {
    throw new ScriptError(file, undefined, `cannot read the script: ${messageOf(error)}`, { cause: error });
  }
  try {
    let length = 0;
    for (;;) {
      if (length === buffer.length) {
        const bigger = Buffer.allocUnsafe(buffer.length * 2);
        buffer.copy(bigger, 0, 0, length);
        buffer = bigger;
      }
      const room = buffer.length - length;
      const read = readSync(fd, buffer, length, room, null);
      length += read;
      // A short read of a regular file is its end: saves a second system call per script.
      if (read < room) break;
    }
    return buffer.toString("utf8", 0, length);
  } catch (error) {
    throw new ScriptError(file, undefined, `cannot read the script: ${messageOf(error)}`, { cause: error });
  } finally {
    closeSync(fd);
  }
}
