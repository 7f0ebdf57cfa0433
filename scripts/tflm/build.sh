#!/bin/bash
# Builds TFLite Micro's library (reference kernels only) and tflm_runner.cc against it, outside the repository.
#
#   scripts/tflm/build.sh SOURCES BUILD_DIR
#
# SOURCES holds git directories (bare or not) of tensorflow/tflite-micro, google/flatbuffers, google/gemmlowp,
# google/ruy and mborgerding/kissfft, as SOURCES/<owner>+<name>/repo (the layout the session's fetch tool
# leaves). The third-party snapshots are the commits TFLM's own Makefile downloads (third_party_downloads.inc),
# with its patches applied, so that the Makefile finds them in place and downloads nothing.
# Steps already done (a tree extracted, the library built) are kept: a second run only relinks the runner.
set -euo pipefail

SOURCES=${1:?usage: build.sh SOURCES BUILD_DIR}
BUILD=${2:?usage: build.sh SOURCES BUILD_DIR}
HERE=$(cd "$(dirname "$0")" && pwd)
TFLM_GIT=$SOURCES/tensorflow+tflite-micro/repo
TFLM_COMMIT=${TFLM_COMMIT:-$(git --git-dir="$TFLM_GIT" rev-parse HEAD)}
TREE=$BUILD/tflite-micro
DL=$TREE/tensorflow/lite/micro/tools/make/downloads

mkdir -p "$BUILD"
if [ ! -f "$TREE/.extracted-$TFLM_COMMIT" ]; then
  rm -rf "$TREE"
  mkdir -p "$TREE"
  git --git-dir="$TFLM_GIT" archive "$TFLM_COMMIT" | tar -x -C "$TREE"
  touch "$TREE/.extracted-$TFLM_COMMIT"
fi

# a pinned snapshot: the ref the Makefile names, read from third_party_downloads.inc
pinned() { grep -E "^$1_URL" "$TREE/tensorflow/lite/micro/tools/make/third_party_downloads.inc" | head -1 | sed -E "$2"; }
snapshot() { # name git-dir ref [patch]
  [ -d "$DL/$1" ] && return
  mkdir -p "$DL/$1"
  git --git-dir="$2" archive "$3" | tar -x -C "$DL/$1"
  if [ -n "${4:-}" ]; then (cd "$DL/$1" && patch -p1 -s < "$4"); fi
}
mkdir -p "$DL"
snapshot gemmlowp "$SOURCES/google+gemmlowp/repo" "$(pinned GEMMLOWP 's#.*/archive/([0-9a-f]+)\.zip.*#\1#')"
snapshot ruy "$SOURCES/google+ruy/repo" "$(pinned RUY 's#.*/archive/([0-9a-f]+)\.zip.*#\1#')"
snapshot flatbuffers "$SOURCES/google+flatbuffers/repo" "$(pinned FLATBUFFERS 's#.*/tags/(v[0-9.]+)\.zip.*#\1#')" \
  "$TREE/tensorflow/lite/micro/tools/make/flatbuffers.patch"
snapshot kissfft "$SOURCES/mborgerding+kissfft/repo" "$(pinned KISSFFT 's#.*/tags/(v[0-9.]+)\.zip.*#\1#')" "$TREE/third_party/kissfft/kissfft.patch"
mkdir -p "$DL/pigweed" # used by TFLM's own tests only; an existing directory stops its git clone

# The Makefile runs generate_cc_arrays.py (which imports PIL) while it reads the example and test makefiles;
# the library needs none of them, so they are left out and PIL is a stub.
mkdir -p "$BUILD/pystub/PIL"
echo "from . import Image" > "$BUILD/pystub/PIL/__init__.py"
echo "# stub: the microlite library converts no images" > "$BUILD/pystub/PIL/Image.py"
start=$(date +%s)
(cd "$TREE" && PYTHONPATH="$BUILD/pystub" make -s -f tensorflow/lite/micro/tools/make/Makefile -j"${JOBS:-2}" \
  BUILD_TYPE=release_with_logs MICRO_LITE_EXAMPLE_TESTS= MICRO_LITE_INTEGRATION_TESTS= MICRO_LITE_GEN_MUTABLE_OP_RESOLVER_TEST= \
  MICRO_LITE_LAYER_BY_LAYER_OUTPUT= OLD_MICRO_LITE_BENCHMARKS= MICRO_LITE_BENCHMARKS= microlite)
echo "libtensorflow-microlite.a: $(( $(date +%s) - start )) s"
LIB=$(ls "$TREE"/gen/linux_*_release_with_logs_gcc/lib/libtensorflow-microlite.a)

g++ -std=c++17 -O2 -DTF_LITE_STATIC_MEMORY -DTF_LITE_DISABLE_X86_NEON -DNDEBUG "-DTFLM_COMMIT=\"$TFLM_COMMIT\"" \
  -I"$TREE" -I"$DL/flatbuffers/include" -I"$DL/gemmlowp" -I"$DL/ruy" \
  "$HERE/tflm_runner.cc" "$LIB" -o "$BUILD/tflm_runner"
echo "$TFLM_COMMIT" > "$BUILD/tflm-commit.txt"
echo "built $BUILD/tflm_runner (TFLM $TFLM_COMMIT)"
