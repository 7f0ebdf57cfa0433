#!/bin/bash
# Rebuilds TFLite Micro and the runner if needed (build.sh), then rewrites test/fixtures/tflm/ (ops-model.ts,
# make-fixtures.ts).
#   scripts/tflm/regenerate.sh SOURCES BUILD_DIR [--count N] [--keep K]
set -euo pipefail
SOURCES=${1:?usage: regenerate.sh SOURCES BUILD_DIR [--count N] [--keep K]}
BUILD=${2:?usage: regenerate.sh SOURCES BUILD_DIR [--count N] [--keep K]}
shift 2
HERE=$(cd "$(dirname "$0")" && pwd)
"$HERE/build.sh" "$SOURCES" "$BUILD"
cd "$HERE/../.."
npx tsx scripts/tflm/ops-model.ts
npx tsx scripts/tflm/make-fixtures.ts "$BUILD/tflm_runner" "$@"
du -sh test/fixtures/tflm
