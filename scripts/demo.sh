#!/usr/bin/env bash
# Quick start 1: install the dependencies, build vioreq (Release) into
# build/ and run the demo, build/vioreq-demo. Arguments go to the demo.
set -euo pipefail
cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.."

./scripts/install-deps.sh

echo "demo: configuring build/ (Release)"
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release --log-level=WARNING
echo "demo: building"
cmake --build build -j "$(nproc)"

if [[ ! -x build/vioreq-demo ]]; then
	echo "demo: build/vioreq-demo was not built (see the build output above)" >&2
	exit 1
fi

echo "demo: running build/vioreq-demo"
exec build/vioreq-demo "$@"
