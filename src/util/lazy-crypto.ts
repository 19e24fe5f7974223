/**
 * node:crypto, loaded on first use. Importing it costs ~10 ms at start-up,
 * and most commands (`current`, `heads`) never hash anything.
 */
import { createRequire } from "node:module";
import type { Hash } from "node:crypto";

type Crypto = typeof import("node:crypto");
let loaded: Crypto | undefined;

function crypto(): Crypto {
  loaded ??= createRequire(import.meta.url)("node:crypto") as Crypto;
  return loaded;
}

export function createHash(algorithm: string): Hash {
  return crypto().createHash(algorithm);
}

export function randomBytes(size: number): Buffer {
  return crypto().randomBytes(size);
}
