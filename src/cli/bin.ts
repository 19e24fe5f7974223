#!/usr/bin/env node
import { main } from "./main.js";
import { flushOut, writeErr } from "./write.js";

main(process.argv.slice(2)).then(
  (code) => {
    flushOut();
    process.exitCode = code;
  },
  (error: unknown) => {
    writeErr(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
