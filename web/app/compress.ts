// How the lab's files go on the wire: brotli at its best quality for what every first visit
// loads, quicker for big extras (datasets). The preview server (vite.config.ts) and the browser
// tests' plain server (tests/e2e/threads.spec.ts) serve the same bytes.
import { brotliCompressSync, constants } from "node:zlib";

export function compressForTheWire(bytes: Uint8Array): Buffer {
  return brotliCompressSync(bytes, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: bytes.length < 4e6 ? 11 : 5,
      [constants.BROTLI_PARAM_LGWIN]: 24,
    },
  });
}
