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
PROGS += $(RL)/kv-server $(RL)/kv-bench
# ./flushbench links the client engine (redis_like.c -> kvbench.c -> hiredis)
FB_LIBS += $(RL_HIREDIS)

$(RL)/kv-server: $(patsubst %.c,$(BUILD)/%.o,$(RL_SERVER_SRCS) $(RL_COMMON_SRCS))
	$(CC) $(CFLAGS) -o $@ $^

$(RL)/kv-bench: $(patsubst %.c,$(BUILD)/%.o,$(RL_BENCH_SRCS) $(RL_CLIENT_SRCS) $(RL_COMMON_SRCS))
	$(CC) $(CFLAGS) -o $@ $^ $(RL_HIREDIS) $(shell pkg-config --libs jansson gsl 2>/dev/null) -lpthread -lm
