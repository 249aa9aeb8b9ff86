#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Every Debian package make check / make demo need, installed only when
# missing (tests/vm/deps.sh does the work).  Userspace layers need clang with
# its sanitizer/libFuzzer runtime and valgrind; the host DKMS check needs dkms.
exec "$(dirname "$0")/vm/deps.sh" clang libclang-rt-14-dev valgrind dkms \
	debhelper dh-dkms dpkg-dev "$@"
