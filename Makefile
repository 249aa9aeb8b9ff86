# SPDX-License-Identifier: GPL-2.0
#
# sipalg: out-of-tree SIP ALG for Linux netfilter.
#
#   make                  build both modules against KDIR
#   make KDIR=/path       ... against another kernel's build tree
#   make BUILD_DIR=dir    ... in a copy of the sources under dir (so builds
#                         for several kernels can coexist)
#   make install          modules_install + depmod for KDIR's kernel
#   make dkms-install     register, build and install with DKMS
#   make check            every test layer; ends with "N passed, N failed"
#   make style            checkpatch + sparse on the module sources, no warnings
#   make check-debug      netns suite + attacks on a KASAN/lockdep kernel (long)
#   make demo             a LAN -> router -> WAN scenario in a VM
#   make unit | fuzz | bench    userspace layers on their own
#   make bench-vm         per-packet cost against the in-tree helper, in a VM
#   make deps             install the Debian packages the tests need

TOP := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))

ifeq ($(origin KDIR), undefined)
  KDIR := /lib/modules/$(shell uname -r)/build
  ifeq ($(wildcard $(KDIR)/Makefile),)
    # A build machine whose own kernel has no modules: take the newest
    # installed kernel build tree, and say so.
    KDIR_GUESS := $(lastword $(sort $(wildcard /lib/modules/*/build/Makefile)))
    ifneq ($(KDIR_GUESS),)
      KDIR := $(patsubst %/Makefile,%,$(KDIR_GUESS))
      $(info sipalg: no build tree for the running kernel; using $(KDIR))
    endif
  endif
endif
# The release string modules are installed under (Debian's headers report
# their upstream version from "make kernelrelease", not the package's).
KVER := $(shell sed -n 's/^\#define UTS_RELEASE "\(.*\)"/\1/p' \
	$(KDIR)/include/generated/utsrelease.h 2>/dev/null)

# The files that make up a module build: exactly what DKMS ships too.
# Every top-level .c is module source (the parsers and planner are built into
# the userspace tests from the same files); Kbuild says which module has it.
MODULE_SOURCES := Kbuild parsers.mk \
	$(sort $(filter-out %.mod.c,$(notdir $(wildcard $(TOP)/*.c)))) \
	$(sort $(patsubst $(TOP)/%,%,$(wildcard $(TOP)/include/*.h))) \
	scripts/compat-probe.sh

VERSION := $(shell git -C $(TOP) describe --dirty --always --tags 2>/dev/null || \
	sed -n 's/^\#define SIPALG_VERSION "\(.*\)"/\1/p' $(TOP)/include/version.h)

.PHONY: all modules install clean dkms-install dkms-source check check-debug demo \
	unit fuzz bench bench-vm deps style

all: modules

ifeq ($(BUILD_DIR),)
modules:
	@test -f $(KDIR)/Makefile || { echo "sipalg: no kernel build tree at '$(KDIR)'; install linux-headers or pass KDIR=" >&2; exit 1; }
	$(MAKE) -C $(KDIR) M=$(TOP) modules
else
modules:
	@test -f $(KDIR)/Makefile || { echo "sipalg: no kernel build tree at '$(KDIR)'" >&2; exit 1; }
	@mkdir -p $(BUILD_DIR)
	@cd $(TOP) && cp --parents -u $(MODULE_SOURCES) $(abspath $(BUILD_DIR))/
	@# git describe still works there: BUILD_DIR is normally inside the tree.
	$(MAKE) -C $(KDIR) M=$(abspath $(BUILD_DIR)) modules
endif

install: modules
	$(MAKE) -C $(KDIR) M=$(TOP) modules_install
	depmod -a $(KVER)

clean:
	$(MAKE) -C $(KDIR) M=$(TOP) clean 2>/dev/null || true
	rm -f include/generated_compat.h
	-$(MAKE) -s -C tests/unit clean 2>/dev/null
	-$(MAKE) -s -C tests/fuzz clean 2>/dev/null
	-$(MAKE) -s -C bench clean 2>/dev/null
	-$(MAKE) -s -C bench/vm clean 2>/dev/null

# DKMS wants the sources under /usr/src/<name>-<version> with a dkms.conf
# whose version matches; the version header is frozen into the copy because
# there is no git checkout there.
DKMS_VERSION := $(subst -,.,$(patsubst v%,%,$(VERSION)))
DKMS_SRC ?= $(DESTDIR)/usr/src/sipalg-$(DKMS_VERSION)

dkms-source:
	rm -rf $(DKMS_SRC)
	mkdir -p $(DKMS_SRC)
	cd $(TOP) && cp --parents $(MODULE_SOURCES) $(DKMS_SRC)/
	sed 's/@VERSION@/$(DKMS_VERSION)/' $(TOP)/dkms.conf > $(DKMS_SRC)/dkms.conf
	sed -i 's/^#define SIPALG_VERSION ".*"/#define SIPALG_VERSION "$(DKMS_VERSION)"/' \
		$(DKMS_SRC)/include/version.h

dkms-install: dkms-source
	dkms add -m sipalg -v $(DKMS_VERSION)
	dkms build -m sipalg -v $(DKMS_VERSION) -k $(KVER)
	dkms install -m sipalg -v $(DKMS_VERSION) -k $(KVER)

deps:
	@$(TOP)/tests/deps.sh

unit:
	$(MAKE) -C $(TOP)/tests/unit check

fuzz:
	$(MAKE) -C $(TOP)/tests/fuzz run FUZZ_SECONDS=$(or $(FUZZ_SECONDS),30)

bench:
	$(MAKE) -C $(TOP)/bench run

# In-VM comparison with the in-tree helper (about 8 minutes; not in check).
bench-vm:
	$(TOP)/bench/vm/bench-vm.sh $(BENCH_VM_ARGS)

check:
	@$(TOP)/tests/check.sh

# Also a layer of make check.
style:
	@$(TOP)/tests/style.sh

# The netns suite and attack traffic on a KASAN/UBSAN/lockdep/kmemleak
# build of Debian's 6.1 (first run: about an hour to build the kernel).
check-debug:
	@$(TOP)/tests/debug/check-debug.sh

demo:
	@$(TOP)/demo/demo.sh
