// Content types of the built app's files, for the preview server (vite.config.ts) and for the
// browser tests' plain server (tests/e2e/threads.spec.ts).
export const CONTENT_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript",
  ".mjs": "text/javascript",
  ".css": "text/css",
  ".json": "application/json",
  ".svg": "image/svg+xml",
  ".wasm": "application/wasm",
  ".safetensors": "application/octet-stream",
  ".planes": "application/octet-stream",
};
