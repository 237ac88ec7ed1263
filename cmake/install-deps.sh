#!/usr/bin/env bash
# Installs the Debian packages pilotstats needs to build, test and benchmark.
# Idempotent: does nothing when everything is already there. Runs apt-get update once,
# only when something is missing. Used by both README commands and by CI.
set -euo pipefail

packages=(
  cmake g++ make pkg-config         # toolchain
  clang                             # a second compiler for the headers (tests/packaging)
  libeigen3-dev libboost-math-dev   # the library's two dependencies
  catch2 libbenchmark-dev           # tests and benchmarks
  libcli11-dev nlohmann-json3-dev   # the programs in examples/
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
echo "pilotstats: installing ${missing[*]}" >&2
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
