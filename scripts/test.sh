#!/usr/bin/env bash
# The test command: installs what is missing, builds (release preset) and runs every test.
#   scripts/test.sh            all tests
#   scripts/test.sh -L unit    only the tests with a label (unit, validation, package, ...)
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
cmake --preset release
cmake --build --preset release
ctest --preset release "$@"
