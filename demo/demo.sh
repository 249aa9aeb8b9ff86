#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make demo: install what is missing, build the modules for Debian's 6.1
# kernel, boot it in qemu and place a call through the router (demo/guest.sh).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/tests/deps.sh"
read -r _name kver kdir _ < <("$top/tests/vm/kernels.sh" 6.1)
echo "demo: building sipalg for $kver"
# shellcheck source=vm/build-modules.sh
. "$top/tests/vm/build-modules.sh"
sipalg_build_modules "$kver" "$kdir" "$top/.cache/build/$kver" \
	"$top/.cache/build/$kver.log" || {
	tail -n 20 "$top/.cache/build/$kver.log"; exit 1; }
echo "demo: booting $kver in qemu (about 20 s under emulation)"
exec "$top/tests/vm/run" --kernel 6.1 --ko-dir "$top/.cache/build/$kver" \
	"$top/demo/guest.sh"
