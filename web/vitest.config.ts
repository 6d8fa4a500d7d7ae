// Vitest for the TypeScript library: Node environment, against the real .wasm that
// scripts/build.sh writes to web/lib/wasm/.
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  root: fileURLToPath(new URL("..", import.meta.url)),
  test: {
    include: ["tests/web/**/*.test.ts"],
    environment: "node",
  },
});
