# flushbench: benchmarks and a regression gate for TLB-invalidation and
# cache-maintenance paths.  `make` builds ./flushbench; `make run` installs
# what is missing, builds and runs configs/default.yaml; `make test` runs the
# test suite (unit, integration, guests); `make test-asan` the unit,
# integration, analysis and redis tests on sanitized builds (build/asan/).
#
# Layout rules (so that adding a unit touches no shared file):
#  - every .c under lib/, bench/, guest/, analysis/ and workloads/*/ is
#    linked into ./flushbench, except cli/main.c (the entry point) and the
#    sources a module.mk lists in STANDALONE_SRCS (programs of their own);
#  - docs/HACKING.md says what each folder may include (tests/integration/
#    layers.sh checks it);
#  - a directory may carry a module.mk adding targets, PROGS, TEST_PROGS;
#    workloads/*/module.mk are read first: they declare HELPER_PROGS (the
#    programs a workload starts, its struct's .helpers), each with its
#    sources in HELPER_SRCS_<program>, which are built here and, by
#    guest/module.mk, for arm64 guests;
#  - tests/unit/test_*.c are cmocka programs linked against libflushbench.a.

CC      ?= cc
CFLAGS  ?= -O2 -g
BUILD   := build
PKGS    := yaml-0.1 sqlite3 hwloc jansson gsl nettle

PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
# libpfm4-dev ships no pkg-config file on Debian 12: plain -lpfm.
FLB_CFLAGS  := -std=gnu11 -D_GNU_SOURCE -Wall -Wextra -I. -Ilib -Ibench -Ikmod \
              $(PKG_CFLAGS) -DFB_GIT_REV='"$(shell git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)$(shell git diff --quiet HEAD 2>/dev/null || echo -dirty)"'
FLB_LIBS    := $(PKG_LIBS) -lpfm -lpthread -lm

STANDALONE_SRCS :=
PROGS           :=
TEST_PROGS      :=
HELPER_PROGS    :=
WORKER_LIBS     :=

all: check-deps ./flushbench programs

-include $(sort $(wildcard workloads/*/module.mk)) \
	 $(filter-out workloads/%,$(sort $(wildcard */module.mk */*/module.mk)))

# Every helper program, linked from its HELPER_SRCS_<program>.
define HELPER_RULE
$(if $(HELPER_SRCS_$(1)),,$(error $(1): in HELPER_PROGS without HELPER_SRCS_$(1)))
$(1): $(patsubst %.c,$(BUILD)/%.o,$(HELPER_SRCS_$(1)))
	$$(CC) $$(CFLAGS) -o $$@ $$^
endef
$(foreach h,$(HELPER_PROGS),$(eval $(call HELPER_RULE,$(h))))
PROGS += $(HELPER_PROGS)

FLB_MAIN := cli/main.c
FLB_SRCS := $(filter-out $(FLB_MAIN) $(STANDALONE_SRCS), \
             $(sort $(wildcard lib/*.c bench/*.c guest/*.c analysis/*.c workloads/*/*.c)))
FLB_OBJS := $(FLB_SRCS:%.c=$(BUILD)/%.o)
FLB_LIB  := $(BUILD)/libflushbench.a
UNIT_SRCS := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)

.PHONY: example all check-deps programs print-helpers run test test-asan test-lava test-progs seed-004 clean distclean
check-deps:
	@scripts/deps.sh --check build

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(FLB_CFLAGS) -MMD -MP -c -o $@ $<

$(FLB_LIB): $(FLB_OBJS)
	@rm -f $@
	$(AR) rcs $@ $^

./flushbench: $(BUILD)/cli/main.o $(FLB_LIB)
	$(CC) $(CFLAGS) -o $@ $^ $(FLB_LIBS)

programs: $(PROGS)

# The helper programs the workloads' module.mk files declare, one a line
# (tests/integration/helpers.sh checks them against `flushbench list --helpers`).
print-helpers:
	@printf '%s\n' $(HELPER_PROGS)

$(BUILD)/tests/%: tests/unit/%.c $(FLB_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(FLB_CFLAGS) -o $@ $< $(FLB_LIB) $(FLB_LIBS) $(shell pkg-config --libs cmocka 2>/dev/null)

test-progs: $(UNIT_BINS) $(TEST_PROGS)

run:
	@scripts/deps.sh build run
	@$(MAKE) --no-print-directory all
	./flushbench run -c configs/default.yaml --db results.db

test:
	@scripts/deps.sh build run test kernel
	@$(MAKE) --no-print-directory all test-progs
	@tests/run.sh

# issue 18: the unit, integration, analysis and redis tests on programs
# built with -fsanitize=address,undefined into build/asan/ (tests/asan/
# module.mk; the normal build is made too, layers.sh reads its objects):
# FB_BIN and FB_TESTS point tests/run.sh at them, FLB_SANITIZED=1 makes any
# ASan, LSan or UBSan report (every child process's too) a failure. Not the
# guests' tests (vm, kmod, kernel, lava: their own guest builds) nor
# tests/fuzz (sanitized already).
test-asan:
	@scripts/deps.sh build run test
	@$(MAKE) --no-print-directory all asan-progs $(RL_FUZZ)
	@FLB_SANITIZED=1 FB_BIN=$(CURDIR)/$(AS_OUT) FB_TESTS=$(CURDIR)/$(AS_OUT)/tests \
		tests/run.sh build/tests/test_ tests/integration/ tests/analysis/ tests/redis/

# issue 17: a LAVA job end to end, locally: installs lava-dispatcher (deps/
# lava.pkgs, ~150 packages), builds the arm64 and x86_64 images with
# flushbench vm --build-only, runs each job with lava-run (TCG) and checks
# its test cases against the store it printed (tests/lava/run.sh; not part
# of make test)
test-lava:
	@scripts/deps.sh build run test kernel lava
	@$(MAKE) --no-print-directory all test-progs
	@FLB_TEST_LAVA=1 tests/run.sh lava/run.sh

# issue 14: the posted arm64 patch (patches/arm64-tlbflush-local/) against
# the same tree unpatched, every variant x preempt= in arm64 guest duets;
# builds both kernels (cached), ends with the seed-style tables (docs/seed-004.md);
# guest duets on hosts of 4 CPUs or more, interleaved rounds on smaller ones
seed-004:
	@scripts/deps.sh build run test kernel
	@$(MAKE) --no-print-directory all
	@if [ "$$(nproc)" -ge 4 ]; then set -x; \
		./flushbench matrix -m configs/matrix/seed-004.yaml --db results.db; \
	else echo "seed-004: $$(nproc) host CPUs: a duet of two 2-vCPU guests wants 4, so interleaved rounds of one guest at a time (docs/seed-004.md)"; set -x; \
		./flushbench matrix -m configs/matrix/seed-004.yaml --design interleaved --repeat 4 --db results.db; fi

# issue 16: the README's worked example, docs/examples/pti/report.md: Debian's
# amd64 kernel with and without pti=on x preempt=none/full in guests
# (configs/matrix/pti.yaml, run into build/examples/pti.db when that store
# lacks a cell; FRESH=1 runs it again), then flushbench report --matrix
example:
	@scripts/deps.sh build run test kernel
	@$(MAKE) --no-print-directory all
	@scripts/example.sh

clean:
	rm -rf $(BUILD) ./flushbench $(PROGS)

# Only the compiler's dependency files: build/ also holds unpacked kernels
# and initramfs trees whose *.d directories and files are not ours. wldrive's
# and the helpers' own objects too (wldrive.o includes bench/workloads.def).
-include $(wildcard $(FLB_OBJS:.o=.d) $(BUILD)/cli/main.d \
	 $(patsubst %.c,$(BUILD)/%.d,$(WLDRIVE_SRCS) \
		    $(foreach h,$(HELPER_PROGS),$(HELPER_SRCS_$(h)))))
