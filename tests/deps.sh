#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Every Debian package make check / make demo need, installed only when
# missing (tests/vm/deps.sh does the work).  Userspace layers need clang with
# its sanitizer/libFuzzer runtime and valgrind; the host DKMS check needs dkms;
# make style needs sparse and the kernel's checkpatch.pl (cached from
# linux-source-6.1 by tests/checkpatch-fetch.sh).
here=$(dirname "$0")
"$here/vm/deps.sh" clang libclang-rt-14-dev valgrind dkms \
	debhelper dh-dkms dpkg-dev sparse "$@" || exit 1
"$here/checkpatch-fetch.sh" >/dev/null
