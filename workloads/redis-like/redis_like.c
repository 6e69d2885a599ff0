// SPDX-License-Identifier: GPL-2.0
/*
 * redis_like: memtier-style SET/GET load against a Redis-compatible server,
 * the seed's "memtier-benchmark, Redis, 100 clients, 1:5 and 5:1".
 *
 * Task 0's CPU runs the server (our kv-server, started here and pinned, or
 * an existing server given as host:port); tasks 1.. run the client threads.
 * What the kernel sees: a busy epoll server taking loopback traffic, value
 * malloc/free churn that maps and unmaps memory, and, with bgsave_interval,
 * a fork every interval whose child snapshots the dataset while the parent
 * keeps writing: page-table copy, write-protect and copy-on-write faults,
 * the paths a local-only TLB invalidation changes.
 *
 * One sample = `ops` requests; stored: the client's ops/s and the latency
 * percentiles p50/p99/p99.9 in microseconds.
 */
#include <errno.h>
#include <fcntl.h>
#include <hiredis/hiredis.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kvbench.h"
#include "workload.h"

struct redis_like_params {
	uint64_t clients;
	char ratio[FLB_STR_MAX];		/* "SET:GET" */
	uint64_t data_size;
	uint64_t key_space;
	int key_pattern;		/* enum kvb_pattern */
	uint64_t pipeline;
	uint64_t threads;		/* client threads */
	uint64_t bgsave_interval;	/* ns between BGSAVEs, 0: none */
	bool prefill;
	char server[FLB_STR_MAX];	/* "builtin" or HOST:PORT */
};

struct rl_state {
	struct flb_job *job;
	const struct redis_like_params *p;
	struct kvb *kvb;
	struct kvb_load load;
	redisContext *ctl;		/* for BGSAVE */
	pid_t server;			/* ours, or 0 */
	char dir[64];			/* holds our server's snapshot */
	char host[FLB_STR_MAX];
	int port;
	uint64_t last_bgsave_ns;
	uint64_t bgsaves, bgsave_busy;
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int check_ratio(const void *value, char *why, size_t len)
{
	unsigned int s, g;

	if (!kvb_parse_ratio(value, &s, &g))
		return 0;
	snprintf(why, len, "'%s' is not SET:GET (e.g. 1:5)", (const char *)value);
	return -1;
}

/* "builtin" or HOST:PORT: host into host, port into *port (0: builtin). */
static int parse_server(const char *s, char *host, size_t hlen, int *port)
{
	const char *colon = strrchr(s, ':');
	char *end;
	long p;

	if (!strcmp(s, "builtin")) {
		*port = 0;
		return 0;
	}
	if (!colon || colon == s || (size_t)(colon - s) >= hlen)
		return -1;
	p = strtol(colon + 1, &end, 10);
	if (*end || end == colon + 1 || p < 1 || p > 65535)
		return -1;
	snprintf(host, hlen, "%.*s", (int)(colon - s), s);
	*port = (int)p;
	return 0;
}

static int check_server(const void *value, char *why, size_t len)
{
	char host[FLB_STR_MAX];
	int port;

	if (!parse_server(value, host, sizeof(host), &port))
		return 0;
	snprintf(why, len, "'%s' is neither 'builtin' nor HOST:PORT",
		 (const char *)value);
	return -1;
}

#define OPT(n, t, f, lo, hi, d, h, ...) { .name = n, .type = t, \
	.offset = FLB_OFF(struct redis_like_params, f), .min = lo, .max = hi, \
	.def = d, .help = h, __VA_ARGS__ }
static const struct flb_option redis_like_options[] = {
	OPT("clients", FLB_OPT_U64, clients, 1, 10000, "100",
	    "client connections in all (the seed: memtier with 100)"),
	OPT("ratio", FLB_OPT_STR, ratio, 0, 0, "1:5",
	    "SET:GET ratio (the seed: 1:5 and 5:1)", .check = check_ratio),
	OPT("data_size", FLB_OPT_SIZE, data_size, 1, 64ull << 20, "32",
	    "bytes per SET value (memtier's default 32)"),
	OPT("key_space", FLB_OPT_U64, key_space, 1, 1ull << 32, "100000",
	    "keys key:0 .. key:N-1"),
	OPT("key_pattern", FLB_OPT_ENUM, key_pattern, 0, 0, "random",
	    "which keys requests pick", .choices = kvb_pattern_names),
	OPT("pipeline", FLB_OPT_U64, pipeline, 1, 1000, "1",
	    "requests in flight per connection"),
	OPT("threads", FLB_OPT_U64, threads, 1, 64, "1",
	    "client threads, each on its own task (the server is task 0)"),
	OPT("bgsave_interval", FLB_OPT_NS, bgsave_interval, 0, 3600000000000ull, "0",
	    "send BGSAVE this often during samples (fork + COW); 0: never"),
	OPT("prefill", FLB_OPT_BOOL, prefill, 0, 0, "true",
	    "SET every key once in setup, so that GETs hit"),
	OPT("server", FLB_OPT_STR, server, 0, 0, "builtin",
	    "'builtin' (kv-server next to flushbench) or HOST:PORT of a running server",
	    .check = check_server),
	FLB_OPTION_END
};
#undef OPT

static unsigned int redis_like_ntasks(const void *params)
{
	const struct redis_like_params *p = params;

	return 1 + (unsigned int)p->threads;
}

/* The programs redis_like starts: its server (see flb_helper_path()). */
static const char *const redis_like_helpers[] = {
	"workloads/redis-like/kv-server", NULL
};

static void stop_server(struct rl_state *s)
{
	int status;

	if (s->server <= 0)
		return;
	kill(s->server, SIGTERM);
	for (int i = 0; i < 300; i++) {		/* 3 s, then no more asking */
		if (waitpid(s->server, &status, WNOHANG) == s->server)
			goto out;
		usleep(10000);
	}
	kill(s->server, SIGKILL);
	waitpid(s->server, &status, 0);
out:
	s->server = 0;
}

/* Fork and exec kv-server on task 0's CPU; read its "port N" line. */
static int start_server(struct rl_state *s)
{
	char bin[PATH_MAX], snap[128], line[64] = "";
	struct pollfd pfd;
	size_t got = 0;
	int fds[2];
	pid_t pid;

	if (flb_helper_path(redis_like_helpers[0], bin, sizeof(bin))) {
		flb_job_reason(s->job, "redis_like: no kv-server at %s (run make, or set server: HOST:PORT)",
			      bin);
		return FLB_SKIP;
	}
	snprintf(s->dir, sizeof(s->dir), "/tmp/flushbench-kv.XXXXXX");
	if (!mkdtemp(s->dir)) {
		flb_job_reason(s->job, "redis_like: mkdtemp %s: %s", s->dir, strerror(errno));
		s->dir[0] = '\0';
		return FLB_FAIL;
	}
	snprintf(snap, sizeof(snap), "%s/dump.kvs", s->dir);
	if (pipe2(fds, O_CLOEXEC)) {
		flb_job_reason(s->job, "redis_like: pipe: %s", strerror(errno));
		return FLB_FAIL;
	}
	pid = fork();
	if (pid < 0) {
		flb_job_reason(s->job, "redis_like: fork: %s", strerror(errno));
		close(fds[0]);
		close(fds[1]);
		return FLB_FAIL;
	}
	if (pid == 0) {
		int ret;

		prctl(PR_SET_PDEATHSIG, SIGTERM);
		ret = flb_job_pin(s->job, 0);
		if (ret) {
			fprintf(stderr, "redis_like: pin kv-server to CPU %d: %s\n",
				flb_job_cpu(s->job, 0), strerror(-ret));
			_exit(126);
		}
		if (dup2(fds[1], STDOUT_FILENO) < 0)
			_exit(126);
		execl(bin, "kv-server", "--port", "0", "--snapshot", snap, (char *)NULL);
		fprintf(stderr, "redis_like: exec %s: %s\n", bin, strerror(errno));
		_exit(127);
	}
	close(fds[1]);
	s->server = pid;
	pfd.fd = fds[0];
	pfd.events = POLLIN;
	while (got < sizeof(line) - 1 && !strchr(line, '\n')) {
		ssize_t n;

		if (poll(&pfd, 1, 5000) <= 0)
			break;
		n = read(fds[0], line + got, sizeof(line) - 1 - got);
		if (n <= 0)
			break;
		got += (size_t)n;
		line[got] = '\0';
	}
	close(fds[0]);
	if (sscanf(line, "port %d", &s->port) != 1) {
		flb_job_reason(s->job, "redis_like: %s did not say 'port N' within 5 s (see its stderr)",
			      bin);
		stop_server(s);
		return FLB_FAIL;
	}
	snprintf(s->host, sizeof(s->host), "127.0.0.1");
	return FLB_OK;
}

/* The CPU a process last ran on (/proc/PID/stat field 39), or -1. */
static int last_cpu(pid_t pid)
{
	char path[64], buf[1024], *p;
	int cpu = -1, field = 2;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	p = fgets(buf, sizeof(buf), f) ? strrchr(buf, ')') : NULL;
	fclose(f);
	/* after "pid (comm)": fields 3.. separated by single spaces */
	for (; p && *p; p++)
		if (*p == ' ' && ++field == 39) {
			cpu = atoi(p + 1);
			break;
		}
	return cpu;
}

static int pin_client(void *arg, unsigned int thread)
{
	struct rl_state *s = arg;

	return flb_job_pin(s->job, 1 + thread);
}

static void redis_like_teardown(struct flb_job *job, void *state)
{
	struct rl_state *s = state;
	char snap[128];

	(void)job;
	if (!s)
		return;
	kvb_close(s->kvb);
	if (s->ctl)
		redisFree(s->ctl);
	stop_server(s);
	if (s->dir[0]) {
		snprintf(snap, sizeof(snap), "%s/dump.kvs", s->dir);
		unlink(snap);
		rmdir(s->dir);
	}
	free(s);
}

static int setup_state(struct flb_job *job, const struct redis_like_params *p,
		       struct rl_state *s)
{
	struct timeval tv = { .tv_sec = 5 };
	struct kvb_config cfg = {
		.clients = (unsigned int)p->clients,
		.threads = (unsigned int)p->threads,
		.pipeline = (unsigned int)p->pipeline,
		.key_min = 0,
		.key_max = p->key_space - 1,
		.key_prefix = "key:",
		.data_size = p->data_size,
		.seed = 1,
		.timeout_s = 10,
		.thread_init = pin_client,
	};
	struct kvb_stats st;
	char why[256];
	int rc;

	if (p->clients < p->threads) {
		flb_job_reason(job, "redis_like: clients (%llu) fewer than threads (%llu)",
			      (unsigned long long)p->clients,
			      (unsigned long long)p->threads);
		return FLB_FAIL;
	}
	if (kvb_parse_ratio(p->ratio, &s->load.set_ratio, &s->load.get_ratio) ||
	    parse_server(p->server, s->host, sizeof(s->host), &s->port)) {
		flb_job_reason(job, "redis_like: bad ratio '%s' or server '%s'",
			      p->ratio, p->server);
		return FLB_FAIL;
	}
	s->load.pattern = (enum kvb_pattern)p->key_pattern;
	if (s->port == 0) {
		rc = start_server(s);
		if (rc != FLB_OK)
			return rc;
	}
	snprintf(cfg.host, sizeof(cfg.host), "%s", s->host);
	cfg.port = s->port;
	cfg.thread_arg = s;
	s->ctl = redisConnectWithTimeout(s->host, s->port, tv);
	if (!s->ctl || s->ctl->err) {
		flb_job_reason(job, "redis_like: connect %s:%d: %s", s->host, s->port,
			      s->ctl ? s->ctl->errstr : "out of memory");
		return s->server ? FLB_FAIL : FLB_SKIP;
	}
	redisSetTimeout(s->ctl, tv);
	s->kvb = kvb_open(&cfg, why, sizeof(why));
	if (!s->kvb) {
		flb_job_reason(job, "redis_like: client: %s", why);
		return FLB_FAIL;
	}
	if (p->prefill) {
		struct kvb_load fill = {
			.requests = p->key_space, .set_ratio = 1, .get_ratio = 0,
			.pattern = KVB_SEQUENTIAL,
		};

		if (kvb_run(s->kvb, &fill, &st, why, sizeof(why)) || st.errors) {
			flb_job_reason(job, "redis_like: prefill of %llu keys: %s",
				      (unsigned long long)p->key_space,
				      st.first_error[0] ? st.first_error : why);
			return FLB_FAIL;
		}
	}
	s->last_bgsave_ns = now_ns();
	return FLB_OK;
}

static int redis_like_setup(struct flb_job *job, const void *params, void **state)
{
	struct rl_state *s = calloc(1, sizeof(*s));
	int rc;

	*state = NULL;
	if (!s) {
		flb_job_reason(job, "redis_like: out of memory");
		return FLB_FAIL;
	}
	s->job = job;
	s->p = params;
	rc = setup_state(job, params, s);
	if (rc != FLB_OK) {
		redis_like_teardown(job, s);	/* stops a started server */
		return rc;
	}
	*state = s;
	return FLB_OK;
}

static void maybe_bgsave(struct rl_state *s)
{
	redisReply *r;

	if (!s->p->bgsave_interval ||
	    now_ns() - s->last_bgsave_ns < s->p->bgsave_interval)
		return;
	s->last_bgsave_ns = now_ns();
	r = redisCommand(s->ctl, "BGSAVE");
	if (!r)
		return;		/* counted by the missing bgsaves */
	if (r->type == REDIS_REPLY_ERROR)
		s->bgsave_busy++;	/* "already in progress": fine */
	else
		s->bgsaves++;
	freeReplyObject(r);
}

static int redis_like_run(struct flb_job *job, void *state, uint64_t ops,
			  uint64_t *done)
{
	struct rl_state *s = state;
	struct kvb_stats st;
	const struct kv_hist *h = &st.lat_ns;
	struct kvb_load load = s->load;
	uint64_t bgsaves = s->bgsaves;
	char why[256];
	int rc;

	load.requests = ops;
	*done = 0;
	if (!ops)
		return FLB_OK;
	kvb_start(s->kvb, &load);
	/* also at the start: a sample shorter than the 20 ms wait saw none */
	do
		maybe_bgsave(s);
	while (!kvb_wait(s->kvb, 20));
	rc = kvb_finish(s->kvb, &st, why, sizeof(why));
	*done = st.ops;
	if (s->server)	/* where the server ran: its child binds, cannot record */
		flb_job_note_cpu(job, 0, last_cpu(s->server));
	if (rc) {
		flb_job_reason(job, "redis_like: %s", why);
		return FLB_FAIL;
	}
	if (st.errors) {
		flb_job_reason(job, "redis_like: %llu error replies, first: %s",
			      (unsigned long long)st.errors, st.first_error);
		return FLB_FAIL;
	}
	flb_job_metric(job, "client_ops_per_sec",
		      st.seconds > 0 ? (double)st.ops / st.seconds : 0, "ops/s",
		      FLB_HIGHER_IS_BETTER);
	flb_job_metric(job, "latency_p50", kv_hist_quantile(h, 0.50) / 1e3, "us",
		      FLB_LOWER_IS_BETTER);
	flb_job_metric(job, "latency_p99", kv_hist_quantile(h, 0.99) / 1e3, "us",
		      FLB_LOWER_IS_BETTER);
	flb_job_metric(job, "latency_p99.9", kv_hist_quantile(h, 0.999) / 1e3, "us",
		      FLB_LOWER_IS_BETTER);
	if (s->p->bgsave_interval)	/* forks in this sample: context, not a score */
		flb_job_metric(job, "bgsaves", (double)(s->bgsaves - bgsaves), "",
			      FLB_LOWER_IS_BETTER);
	if (st.gets)
		flb_job_metric(job, "get_hit_ratio", (double)st.hits / (double)st.gets,
			      "", FLB_HIGHER_IS_BETTER);
	return FLB_OK;
}

const struct flb_workload flb_wl_redis_like = {
	.version = FLB_WORKLOAD_VERSION,
	.name = "redis_like",
	.summary = "memtier-style SET/GET against a pinned Redis-like server, optional BGSAVE forks",
	.params_size = sizeof(struct redis_like_params),
	.options = redis_like_options,
	.primary = "ops_per_sec",	/* the seed reports memtier's Ops/sec */
	.helpers = redis_like_helpers,
	.ntasks = redis_like_ntasks,
	.setup = redis_like_setup,
	.run = redis_like_run,
	.teardown = redis_like_teardown,
};
