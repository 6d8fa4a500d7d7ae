#!/usr/bin/env bash
# Serves the built lab (web/app/dist, made by scripts/build.sh) on this machine only and prints
# where to open it. Port 5173, or the next free one.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -f web/app/dist/index.html ]; then
  echo "quantlab demo: web/app/dist is missing; run npm run build first." >&2
  exit 1
fi

port_is_free() {
  node -e 'const s = require("node:net").createServer();
    s.once("error", () => process.exit(1));
    s.listen(Number(process.argv[1]), "127.0.0.1", () => s.close(() => process.exit(0)));' "$1"
}
port=5173
until port_is_free "$port"; do
  port=$((port + 1))
  if [ "$port" -gt 5273 ]; then
    echo "quantlab demo: no free port between 5173 and 5273." >&2
    exit 1
  fi
done

url="http://127.0.0.1:${port}/"
echo
echo "  QuantLab is running at:  ${url}"
echo "  Compare: ${url}   Try it: ${url}try.html   Layers: ${url}layers.html   Kernels: ${url}bench.html"
echo "  Stop it with Ctrl+C."
echo
exec node_modules/.bin/vite preview --config web/app/vite.config.ts --host 127.0.0.1 --port "$port" --strictPort --logLevel warn
