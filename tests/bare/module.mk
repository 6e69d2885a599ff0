# tests/bare: wldrive, the workloads' own code with no harness (static,
# no SQLite/hwloc/libyaml/perf): the kmod guests' stand-in for `flushbench
# run` (tests/kmod/guest.sh builds it for each guest arch from
# WLDRIVE_SRCS) and the bare loop of scripts/bench-overhead.sh. The host
# build links the same objects as ./flushbench; redis_like (hiredis) stays
# out, so wldrive says it is not linked in.
WLDRIVE      := $(BUILD)/tests/wldrive
WLDRIVE_SRCS := tests/bare/wldrive.c bench/job.c bench/tasks.c bench/region.c \
		lib/options.c $(filter-out workloads/redis-like/%,$(wildcard workloads/*/*.c))
TEST_PROGS   += $(WLDRIVE)

.PHONY: wldrive print-wldrive-srcs
wldrive: $(WLDRIVE)
print-wldrive-srcs:
	@printf '%s\n' $(WLDRIVE_SRCS)

$(WLDRIVE): $(patsubst %.c,$(BUILD)/%.o,$(WLDRIVE_SRCS))
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -static -o $@ $^ -lpthread -lm
