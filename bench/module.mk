# bench/: flushbench-worker, the process each job's measured code runs in
# (bench/worker.c; docs/HACKING.md, "Layout"). It links the workloads and
# the runner's hwloc-free helpers they use, and no library of the runner's
# (SQLite, hwloc, libyaml, GSL, jansson, libpfm4): tests/integration/
# worker.sh checks it with nm and readelf. A workload that needs a library
# adds it to WORKER_LIBS in its module.mk (redis-like: hiredis).
# Static, like the bare loop of scripts/bench-overhead.sh: no ld.so, no
# shared objects, so a fork job copies about 14 VMAs instead of 34 (README,
# harness overhead). glibc warns that getaddrinfo() in a static program
# needs its NSS modules at run time: only a redis_like `server: HOST:PORT`
# with a host name resolves through it (an address does not).
WORKER := flushbench-worker
WORKER_SRCS := bench/worker.c bench/wproto.c bench/affinity.c bench/job.c \
	bench/tasks.c bench/region.c bench/registry.c lib/options.c lib/util.c \
	$(filter-out $(STANDALONE_SRCS),$(sort $(wildcard workloads/*/*.c)))
STANDALONE_SRCS += bench/worker.c
PROGS += $(WORKER)

$(WORKER): $(patsubst %.c,$(BUILD)/%.o,$(WORKER_SRCS)) bench/module.mk
	$(CC) $(CFLAGS) -static -o $@ $(filter %.o,$^) $(WORKER_LIBS) -lpthread -lm
