/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Fallback version for builds outside a git checkout (a DKMS source tree or
 * a tarball).  Kbuild passes -DSIPALG_VERSION from `git describe` otherwise.
 */
#ifndef _SIPALG_VERSION_H
#define _SIPALG_VERSION_H

#ifndef SIPALG_VERSION
#define SIPALG_VERSION "0.1.0"
#endif

#endif /* _SIPALG_VERSION_H */
