#!/usr/bin/env node
// The `tidemark` command. It runs the bundled CLI (tidemark-main.cjs) with
// V8's code cache: Node 20 has no built-in compile cache, and compiling the
// bundle is a good part of every start. The cache lives in the temp folder,
// in a directory only this user owns; V8 rejects data that does not match
// the source, and any problem falls back to a plain require().
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const main = path.join(__dirname, "tidemark-main.cjs");

/**
 * The cache file for this bundle. V8 checks cached data against the source's
 * length only, so the key is the build id the bundler wrote into the first
 * line (a hash of the bundle), not the file's size and mtime alone.
 */
function cacheFile(source) {
  if (process.env.TIDEMARK_NO_CACHE === "1") return undefined;
  const stat = fs.statSync(main);
  const build = /\/\/ tidemark-build ([0-9a-f]{64})/.exec(source.slice(0, 300));
  const user = typeof process.getuid === "function" ? process.getuid() : undefined;
  const dir = path.join(require("node:os").tmpdir(), `tidemark-v8-${user ?? "user"}`);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const owner = fs.statSync(dir);
  if (user !== undefined && (owner.uid !== user || (owner.mode & 0o022) !== 0)) return undefined;
  const key = `${process.version}-${process.arch}-${build === null ? `${stat.size}-${Math.trunc(stat.mtimeMs)}` : build[1]}-${main}`;
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) hash = Math.imul(hash ^ key.charCodeAt(i), 0x01000193) >>> 0;
  return path.join(dir, `${hash.toString(16)}.cache`);
}

function runCached() {
  const vm = require("node:vm");
  const Module = require("node:module");
  // ASCII, without a hashbang (scripts/bundle.mjs): Latin-1 reads it as it is, without decoding UTF-8.
  const source = fs.readFileSync(main, "latin1");
  const file = cacheFile(source);
  if (file === undefined) return false;
  let cachedData;
  try {
    cachedData = fs.readFileSync(file);
  } catch {
    // first run: no cache yet
  }
  const script = new vm.Script(Module.wrap(source), { filename: main, cachedData });
  if (cachedData === undefined || script.cachedDataRejected) {
    // Written at exit, so that the functions this run compiled are in it too.
    process.once("exit", () => {
      try {
        const temp = `${file}.${process.pid}`;
        fs.writeFileSync(temp, script.createCachedData());
        fs.renameSync(temp, file);
      } catch {
        // A cache that cannot be written only costs speed.
      }
    });
  }
  const bundle = { exports: {}, filename: main, id: main };
  script.runInThisContext()(bundle.exports, Module.createRequire(main), bundle, main, __dirname);
  return true;
}

// Code run by vm.Script cannot use import() (src/util/load-module.ts); it borrows this module's.
globalThis[Symbol.for("tidemark.import")] = (specifier) => import(specifier);

let ran = false;
try {
  ran = runCached();
} catch {
  ran = false;
}
if (!ran) require(main);
