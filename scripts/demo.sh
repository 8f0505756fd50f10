#!/usr/bin/env bash
# Quick start 1: install the dependencies, build vioreq (Release) into
# build/ and run the demo, build/vioreq-sim: a simulated User VM with 4
# vCPUs, a UART, a PCI device and the default client, a couple of seconds
# of checked traffic through libvioreq. Arguments go to vioreq-sim (try
# --help). The single-threaded walk-through build/vioreq-demo stays as a
# ctest (demo.cycles).
set -euo pipefail
cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.."

./scripts/install-deps.sh

echo "demo: configuring build/ (Release)"
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release --log-level=WARNING
echo "demo: building"
cmake --build build -j "$(nproc)"

if [[ ! -x build/vioreq-sim ]]; then
	echo "demo: build/vioreq-sim was not built (see the build output above)" >&2
	exit 1
fi

echo "demo: running build/vioreq-sim $*"
exec build/vioreq-sim "$@"
