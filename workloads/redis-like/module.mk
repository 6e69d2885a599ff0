# workloads/redis-like: kv-server and kv-bench are programs of their own
# (a user can run them on two machines); the redis_like workload links the
# client engine into ./flushbench. Sources only kv-server uses are listed
# in STANDALONE_SRCS so they stay out of ./flushbench.
RL := workloads/redis-like
RL_HIREDIS := $(shell pkg-config --libs hiredis 2>/dev/null || echo -lhiredis)

RL_SERVER_SRCS := $(RL)/kv-server.c $(RL)/kvdb.c
RL_BENCH_SRCS  := $(RL)/kv-bench.c
RL_COMMON_SRCS := $(RL)/resp.c $(RL)/hist.c
RL_CLIENT_SRCS := $(RL)/kvbench.c

STANDALONE_SRCS += $(RL_SERVER_SRCS) $(RL_BENCH_SRCS) $(RL)/fuzz_resp.c
PROGS += $(RL)/kv-bench
# ./flushbench links the client engine (redis_like.c -> kvbench.c -> hiredis)
FLB_LIBS += $(RL_HIREDIS)
# and so does flushbench-worker (bench/module.mk), which runs the workload
WORKER_LIBS += $(RL_HIREDIS)

# The redis_like workload starts kv-server (redis_like.c's .helpers): the
# top Makefile builds it, guest/module.mk for arm64 guests too.
HELPER_PROGS += $(RL)/kv-server
HELPER_SRCS_$(RL)/kv-server := $(RL_SERVER_SRCS) $(RL_COMMON_SRCS)

$(RL)/kv-bench: $(patsubst %.c,$(BUILD)/%.o,$(RL_BENCH_SRCS) $(RL_CLIENT_SRCS) $(RL_COMMON_SRCS))
	$(CC) $(CFLAGS) -o $@ $^ $(RL_HIREDIS) $(shell pkg-config --libs jansson 2>/dev/null) -lpthread -lm

# Tests (tests/redis/*.sh run them): cmocka unit program, RESP fuzz target.
RL_UNIT := $(BUILD)/tests/redis/unit
RL_FUZZ := $(BUILD)/tests/redis/fuzz-resp
TEST_PROGS += $(RL_UNIT) $(RL_FUZZ)

# $(FLB_LIB) is defined after module.mk files are read: name the archive.
$(RL_UNIT): tests/redis/unit.c $(BUILD)/$(RL)/kvdb.o $(BUILD)/libflushbench.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(FLB_CFLAGS) -I$(RL) -o $@ $< $(BUILD)/$(RL)/kvdb.o \
		$(BUILD)/libflushbench.a $(FLB_LIBS) $(shell pkg-config --libs cmocka 2>/dev/null)

# libFuzzer when clang has it, else the randomized stand-in (same flags).
$(RL_FUZZ): tests/redis/fuzz_resp.c $(RL)/resp.c $(RL)/resp.h
	@mkdir -p $(dir $@)
	@if command -v clang >/dev/null 2>&1 && \
	    clang -g -O1 -fsanitize=fuzzer,address,undefined -I$(RL) -o $@ \
		tests/redis/fuzz_resp.c $(RL)/resp.c 2>$@.log; then \
		echo "  FUZZ   $@ (clang libFuzzer)"; \
	else \
		echo "  FUZZ   $@ (no clang libFuzzer, see $@.log: randomized stand-in)"; \
		$(CC) -g -O1 -fsanitize=address,undefined -DKV_FUZZ_STANDALONE -I$(RL) \
			-o $@ tests/redis/fuzz_resp.c $(RL)/resp.c; \
	fi
