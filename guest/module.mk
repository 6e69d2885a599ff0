# Cross builds of ./flushbench and ./flushbench-worker for guests (see
# docs/vm.md).
#
#   make ARCH=arm64                 also builds build/arm64/flushbench
#   make CROSS_COMPILE=aarch64-linux-gnu-   (same)
#   make arm64                      only the aarch64 binaries (flushbench,
#                                   flushbench-worker and the programs
#                                   workloads start)
#
# Linked dynamically against Debian's arm64 libraries unpacked into
# build/arm64/sysroot by scripts/arm64-sysroot.sh (hwloc has no complete
# static link); scripts/mkinitramfs.sh --bin --libdir collects the shared
# libraries and ld-linux-aarch64.so.1 for the initramfs. x86_64 guests
# reuse ./flushbench and the host's libraries.

ARM64_CROSS   ?= aarch64-linux-gnu-
ARM64_OUT     := $(BUILD)/arm64
ARM64_SYSROOT := $(ARM64_OUT)/sysroot
ARM64_BIN     := $(ARM64_OUT)/flushbench
ARM64_LIBDIR  := $(ARM64_SYSROOT)/usr/lib/aarch64-linux-gnu
ARM64_PC       = PKG_CONFIG_LIBDIR=$(ARM64_LIBDIR)/pkgconfig:$(ARM64_SYSROOT)/usr/share/pkgconfig \
                 PKG_CONFIG_SYSROOT_DIR=$(abspath $(ARM64_SYSROOT)) pkg-config
# Same link set as the host build (PKGS, plus what other modules add).
# (the multiarch include directory holds hwloc's autogen/config.h)
ARM64_CFLAGS   = $(filter-out $(PKG_CFLAGS),$(FLB_CFLAGS)) $(shell $(ARM64_PC) --cflags $(PKGS)) \
                 -isystem $(abspath $(ARM64_SYSROOT))/usr/include/aarch64-linux-gnu
ARM64_LIBS     = $(shell $(ARM64_PC) --libs $(PKGS)) \
                 $(filter-out $(PKG_LIBS),$(FLB_LIBS)) \
                 -Wl,-rpath-link,$(abspath $(ARM64_LIBDIR))
ARM64_OBJS     = $(patsubst %.c,$(ARM64_OUT)/%.o,$(FLB_SRCS))

# and the worker each job runs in (bench/module.mk): beside flushbench
ARM64_WORKER  := $(ARM64_OUT)/$(WORKER)

ifneq ($(filter arm64 aarch64,$(ARCH))$(findstring aarch64,$(CROSS_COMPILE)),)
ifneq ($(CROSS_COMPILE),)
ARM64_CROSS := $(CROSS_COMPILE)
endif
PROGS += $(ARM64_BIN) $(ARM64_WORKER)
endif

.PHONY: arm64 arm64-sysroot
arm64: $(ARM64_BIN) $(ARM64_WORKER)

$(ARM64_SYSROOT)/.pkgs: scripts/arm64-sysroot.sh
	@scripts/arm64-sysroot.sh $(ARM64_SYSROOT) >/dev/null

$(ARM64_OUT)/%.o: %.c $(ARM64_SYSROOT)/.pkgs
	@mkdir -p $(dir $@)
	$(ARM64_CROSS)gcc $(CFLAGS) $(ARM64_CFLAGS) -MMD -MP -c -o $@ $<

# As for the host: the objects go through an archive, main.o links it.
.SECONDEXPANSION:
$(ARM64_OUT)/libflushbench.a: $$(ARM64_OBJS)
	@rm -f $@
	$(ARM64_CROSS)ar rcs $@ $^

$(ARM64_BIN): $(ARM64_OUT)/cli/main.o $(ARM64_OUT)/libflushbench.a
	$(ARM64_CROSS)gcc $(CFLAGS) -o $@ $^ $(ARM64_LIBS)

# Its own libraries only (WORKER_LIBS), static, as on the host.
$(ARM64_WORKER): $(patsubst %.c,$(ARM64_OUT)/%.o,$(WORKER_SRCS))
	$(ARM64_CROSS)gcc $(CFLAGS) -static -o $@ $^ -L$(abspath $(ARM64_LIBDIR)) \
		$(WORKER_LIBS) -lpthread -lm -Wl,-rpath-link,$(abspath $(ARM64_LIBDIR))

# Programs the workloads start go into guests too: every HELPER_PROGS
# entry (declared with its HELPER_SRCS_<program> by workloads/*/module.mk,
# which the top Makefile reads before this file), below build/arm64/.
define ARM64_HELPER_RULE
$(ARM64_OUT)/$(1): $(patsubst %.c,$(ARM64_OUT)/%.o,$(HELPER_SRCS_$(1)))
	$$(ARM64_CROSS)gcc $$(CFLAGS) -o $$@ $$^
endef
$(foreach h,$(HELPER_PROGS),$(eval $(call ARM64_HELPER_RULE,$(h))))
arm64: $(addprefix $(ARM64_OUT)/,$(HELPER_PROGS))

# The compiler's dependency files of the arm64 objects (not the sysroot's).
-include $(shell find $(ARM64_OUT) -name '*.d' -type f -not -path '*/sysroot/*' 2>/dev/null)
