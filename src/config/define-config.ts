import type { TidemarkConfig } from "./types.js";

/** Identity: exists so that `tidemark.config.ts` gets the config type checked and completed. */
export function defineConfig(config: TidemarkConfig): TidemarkConfig {
  return config;
}
