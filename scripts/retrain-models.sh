#!/usr/bin/env bash
# Retrains every shipped model from its recipe (models/<name>/recipe.json) into a scratch
# directory and checks that the test accuracy is within 0.5 points of the accuracy recorded in
# the shipped manifest (a language model: its test perplexity within 1%). Slow (about half an hour on 2 cores); not part of `npm test`.
#   usage: scripts/retrain-models.sh [model name ...]     (default: every models/*/recipe.json)
#   env:   QUANTLAB=path/to/quantlab (default build/native/quantlab, built by scripts/build.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
quantlab=${QUANTLAB:-build/native/quantlab}
[ -x "$quantlab" ] || { echo "no $quantlab: run scripts/build.sh first" >&2; exit 1; }

if [ $# -gt 0 ]; then names=("$@"); else
  names=()
  for recipe in models/*/recipe.json; do names+=("$(basename "$(dirname "$recipe")")"); done
fi

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
accuracy() { node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1])).metrics.test_accuracy)' "$1"; }
metric() { node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1])).metrics[process.argv[2]])' "$1" "$2"; }
is_lm() { node -e 'process.exit(JSON.parse(require("fs").readFileSync(process.argv[1])).format === "quantlab-lm" ? 0 : 1)' "$1"; }

failed=()
for name in "${names[@]}"; do
  echo "==== $name"
  if is_lm "models/$name/recipe.json"; then
    # A language model: test perplexity within 1% of the manifest's.
    "$quantlab" train-lm "models/$name/recipe.json" --out "$scratch/$name"
    shipped=$(metric "models/$name/manifest.json" test_perplexity)
    retrained=$(metric "$scratch/$name/manifest.json" test_perplexity)
    if node -e 'process.exit(Math.abs(process.argv[2] / process.argv[1] - 1) <= 0.01 ? 0 : 1)' \
      "$shipped" "$retrained"; then verdict=ok; else verdict=FAILED; failed+=("$name"); fi
    echo "$name: test perplexity shipped $shipped, retrained $retrained: $verdict"
    continue
  fi
  "$quantlab" train "models/$name/recipe.json" --out "$scratch/$name"
  shipped=$(accuracy "models/$name/manifest.json")
  retrained=$(accuracy "$scratch/$name/manifest.json")
  if node -e 'process.exit(Math.abs(process.argv[1] - process.argv[2]) * 100 <= 0.5 ? 0 : 1)' \
    "$shipped" "$retrained"; then verdict=ok; else verdict=FAILED; failed+=("$name"); fi
  echo "$name: shipped $shipped, retrained $retrained: $verdict"
done

if [ ${#failed[@]} -gt 0 ]; then
  echo "differs from its manifest: ${failed[*]}"
  exit 1
fi
echo "all retrained models agree with their manifests"
