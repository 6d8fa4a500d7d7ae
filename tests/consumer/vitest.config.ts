// The npm package as its users get it: `npm pack` once (pack.setup.ts), then fresh projects
// under a temporary folder install the tarball and use it from Node, TypeScript and a Vite app
// in Chromium. Slow (a pack, three installs, a Vite build): run by scripts/test.sh on its own.
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  root: fileURLToPath(new URL("../..", import.meta.url)),
  test: {
    include: ["tests/consumer/**/*.test.ts"],
    environment: "node",
    globalSetup: ["tests/consumer/pack.setup.ts"],
    fileParallelism: false,
    testTimeout: 180_000,
    hookTimeout: 300_000,
  },
});
