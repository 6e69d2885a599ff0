# tests/asan: `make test-asan` (issue 18), the tests run on programs built
# with the sanitizers (FZ_SAN, tests/fuzz/module.mk: -fsanitize=address,
# undefined, -fno-sanitize-recover=undefined; FZ_CFLAGS: -g -O1
# -fno-omit-frame-pointer and the project's flags) by $(CC), into
# build/asan/ (AS_OUT), which holds the same programs at the same places
# relative to it as the tree does: flushbench, flushbench-worker, the
# helper programs (workloads/redis-like/kv-server, ...), kv-bench, and the
# test programs under tests/ (the unit tests, fb-mkdb, wldrive, redis'
# unit). The normal objects and programs are not touched. Differences from
# the normal build: flushbench-worker and wldrive are not static (the
# sanitizer runtimes are shared objects); build/tests/redis/fuzz-resp is
# the normal build's (sanitized already).
# tests/asan/check.bash is what tests/run.sh runs under FLB_SANITIZED=1
# (not a test of its own: no .sh); lsan.supp the leak suppressions.
AS_OUT   := $(BUILD)/asan
# $(FZ_SAN) and $(FZ_CFLAGS): tests/fuzz/module.mk (read after this file)
AS_CC     = $(CC) $(FZ_SAN) $(FZ_CFLAGS)
AS_OBJS   = $(patsubst %.c,$(AS_OUT)/%.o,$(1))
AS_UNIT  := $(patsubst tests/unit/%.c,$(AS_OUT)/tests/%,$(sort $(wildcard tests/unit/test_*.c)))
AS_PROGS := $(AS_OUT)/flushbench $(AS_OUT)/$(WORKER) \
	    $(addprefix $(AS_OUT)/,$(HELPER_PROGS)) $(AS_OUT)/$(RL)/kv-bench \
	    $(AS_UNIT) $(AS_OUT)/tests/fb-mkdb $(AS_OUT)/tests/wldrive \
	    $(AS_OUT)/tests/redis/unit

.PHONY: asan-progs
asan-progs: $(AS_PROGS)

$(AS_OUT)/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  ASANCC $@"
	@$(AS_CC) -MMD -MP -c -o $@ $<

# FLB_SRCS and WLDRIVE_SRCS are defined after this file is read
.SECONDEXPANSION:
$(AS_OUT)/libflushbench.a: $$(call AS_OBJS,$$(FLB_SRCS))
	@rm -f $@
	@$(AR) rcs $@ $^

$(AS_OUT)/flushbench: $(AS_OUT)/cli/main.o $(AS_OUT)/libflushbench.a
	@echo "  ASANLD $@"
	@$(AS_CC) -o $@ $^ $(FLB_LIBS)

$(AS_OUT)/$(WORKER): $(call AS_OBJS,$(WORKER_SRCS))
	@echo "  ASANLD $@"
	@$(AS_CC) -o $@ $^ $(WORKER_LIBS) -lpthread -lm

define AS_HELPER_RULE
$(AS_OUT)/$(1): $(call AS_OBJS,$(HELPER_SRCS_$(1)))
	@echo "  ASANLD $$@"
	@$$(AS_CC) -o $$@ $$^
endef
$(foreach h,$(HELPER_PROGS),$(eval $(call AS_HELPER_RULE,$(h))))

$(AS_OUT)/$(RL)/kv-bench: $(call AS_OBJS,$(RL_BENCH_SRCS) $(RL_CLIENT_SRCS) $(RL_COMMON_SRCS))
	@echo "  ASANLD $@"
	@$(AS_CC) -o $@ $^ $(RL_HIREDIS) $(shell pkg-config --libs jansson 2>/dev/null) -lpthread -lm

$(AS_UNIT): $(AS_OUT)/tests/%: tests/unit/%.c $(AS_OUT)/libflushbench.a
	@mkdir -p $(dir $@)
	@echo "  ASANLD $@"
	@$(AS_CC) -o $@ $< $(AS_OUT)/libflushbench.a $(FLB_LIBS) $(shell pkg-config --libs cmocka 2>/dev/null)

$(AS_OUT)/tests/fb-mkdb: tests/analysis/mkdb.c $(AS_OUT)/libflushbench.a
	@mkdir -p $(dir $@)
	@echo "  ASANLD $@"
	@$(AS_CC) -o $@ $< $(AS_OUT)/libflushbench.a $(FLB_LIBS)

$(AS_OUT)/tests/wldrive: $$(call AS_OBJS,$$(WLDRIVE_SRCS))
	@mkdir -p $(dir $@)
	@echo "  ASANLD $@"
	@$(AS_CC) -o $@ $^ -lpthread -lm

$(AS_OUT)/tests/redis/unit: tests/redis/unit.c $(AS_OUT)/$(RL)/kvdb.o $(AS_OUT)/libflushbench.a
	@mkdir -p $(dir $@)
	@echo "  ASANLD $@"
	@$(AS_CC) -I$(RL) -o $@ $< $(AS_OUT)/$(RL)/kvdb.o $(AS_OUT)/libflushbench.a \
		$(FLB_LIBS) $(shell pkg-config --libs cmocka 2>/dev/null)

-include $(shell find $(AS_OUT) -name '*.d' -type f 2>/dev/null)
