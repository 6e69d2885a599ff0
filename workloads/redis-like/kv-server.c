// SPDX-License-Identifier: GPL-2.0
/*
 * kv-server: a small Redis-compatible (RESP2) in-memory key-value server,
 * the server half of flushbench's redis_like workload.
 *
 * What it exercises in the kernel, as a real Redis does:
 *  - a single-threaded epoll loop: syscall-heavy, one CPU;
 *  - values malloc'd and freed one by one; values at or above the mmap
 *    threshold (--mmap-threshold, fixed so glibc does not raise it) are
 *    mmap'd and munmap'd, and the cron calls malloc_trim() once enough has
 *    been freed, which gives free heap pages back with madvise(DONTNEED):
 *    the unmap/zap/TLB-flush traffic jemalloc's purging makes in Redis;
 *  - BGSAVE forks a child that walks the dataset and writes a snapshot
 *    while the parent keeps serving: fork copies the page tables and write
 *    protects them, then every parent write takes a copy-on-write fault.
 *
 * Limits as Redis: a query buffer cap, a bulk length cap, an output buffer
 * cap; a client over one is closed and the server goes on.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <getopt.h>
#include <malloc.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kvdb.h"
#include "resp.h"

#define KV_VERSION "7.0.0-kv"	/* what INFO says to clients that look */
#define READ_CHUNK 16384
#define CRON_MS 100

enum { EP_LISTENER, EP_CLIENT };

struct listener {
	int kind;		/* EP_LISTENER: first, as in struct client */
	int fd;
	bool unix_sock;
};

struct client {
	int kind;		/* EP_CLIENT */
	int fd;
	struct kv_buf q;	/* query buffer */
	struct resp_req req;
	struct kv_buf out;	/* replies; out.data[sent..len) not yet written */
	size_t sent;
	bool pending;		/* on the pending-write list */
	bool epollout;		/* EPOLLOUT registered */
	bool close_after_reply;	/* protocol error or QUIT: flush, then close */
	bool dead;		/* close at the end of this loop turn */
	char name[64];		/* peer address, for logs */
	struct client *next_dead;
	struct client *prev, *next;	/* S.clients: every client not freed */
};

static struct {
	/* options */
	const char *bind_addr;
	int port;		/* -1: no TCP */
	const char *unix_path;
	const char *snapshot;
	size_t max_query, max_output;
	struct resp_limits lim;
	unsigned int max_clients;
	size_t mmap_threshold, trim_bytes;
	bool verbose;

	int ep;
	struct listener lst[2];
	unsigned int nlst;
	struct kv_db db;
	int64_t now_ms;
	struct client **pending;
	size_t npending, pending_cap;
	struct client *dead;
	struct client *clients;	/* closed and freed at exit */
	unsigned int nclients;

	pid_t child;		/* BGSAVE child, 0: none */
	uint64_t child_start_us, last_fork_us;
	bool last_bgsave_ok;
	int64_t last_save_s;
	uint64_t dirty;		/* changes since the last snapshot */
	uint64_t dirty_at_fork;
	uint64_t trimmed_at;	/* db.freed_bytes at the last malloc_trim */
	/* INFO stats */
	uint64_t commands, connections, hits, misses, forks, rejected;
	uint64_t closed_query, closed_output, protocol_errors, trims;
	time_t started;
} S = {
	.bind_addr = "127.0.0.1",
	.port = 6379,
	.snapshot = "dump.kvs",
	.max_query = 1ull << 30,	/* Redis client-query-buffer-limit */
	.max_output = 256ull << 20,
	.lim = {
		.max_bulk = 512ull << 20,	/* Redis proto-max-bulk-len */
		.max_args = 1024 * 1024,
		.max_inline = 64 * 1024,	/* Redis PROTO_INLINE_MAX_SIZE */
	},
	.max_clients = 10000,
	.mmap_threshold = 128 * 1024,
	.trim_bytes = 4ull << 20,
	.last_bgsave_ok = true,
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static uint64_t mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static int64_t unix_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- clients ---- */

static void client_close(struct client *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void client_close(struct client *c, const char *fmt, ...)
{
	va_list ap;

	if (c->dead)
		return;
	if (fmt) {
		fprintf(stderr, "kv-server: closing client %s: ", c->name);
		va_start(ap, fmt);
		vfprintf(stderr, fmt, ap);
		va_end(ap);
		fputc('\n', stderr);
	}
	c->dead = true;
	c->next_dead = S.dead;
	S.dead = c;
}

static void free_dead(void)
{
	while (S.dead) {
		struct client *c = S.dead;

		S.dead = c->next_dead;
		if (c->prev)
			c->prev->next = c->next;
		else
			S.clients = c->next;
		if (c->next)
			c->next->prev = c->prev;
		epoll_ctl(S.ep, EPOLL_CTL_DEL, c->fd, NULL);
		close(c->fd);
		kv_buf_free(&c->q);
		kv_buf_free(&c->out);
		resp_req_free(&c->req);
		free(c);
		S.nclients--;
	}
}

static void want_write(struct client *c)
{
	if (c->pending)
		return;
	if (S.npending == S.pending_cap) {
		S.pending_cap = S.pending_cap ? S.pending_cap * 2 : 64;
		S.pending = kv_xrealloc(S.pending, S.pending_cap * sizeof(*S.pending));
	}
	S.pending[S.npending++] = c;
	c->pending = true;
}

static void set_epollout(struct client *c, bool on)
{
	struct epoll_event ev = {
		/* closing after the reply: no more input wanted */
		.events = (c->close_after_reply ? 0 : EPOLLIN) | (on ? EPOLLOUT : 0),
		.data.ptr = c,
	};

	if (c->epollout == on && !c->close_after_reply)
		return;
	if (epoll_ctl(S.ep, EPOLL_CTL_MOD, c->fd, &ev))
		client_close(c, "epoll_ctl: %s", strerror(errno));
	c->epollout = on;
}

/* Write what is pending; close when asked to after the reply. */
static void client_write(struct client *c)
{
	while (c->sent < c->out.len) {
		ssize_t n = write(c->fd, c->out.data + c->sent, c->out.len - c->sent);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN) {
				/* keep the unsent tail at the front */
				if (c->sent > c->out.len / 2) {
					kv_buf_consume(&c->out, c->sent);
					c->sent = 0;
				}
				set_epollout(c, true);
				return;
			}
			client_close(c, S.verbose ? "write: %s" : NULL, strerror(errno));
			return;
		}
		c->sent += (size_t)n;
	}
	c->out.len = c->sent = 0;
	kv_buf_shrink(&c->out);
	set_epollout(c, false);
	if (c->close_after_reply)
		client_close(c, NULL);
}

static void flush_pending(void)
{
	for (size_t i = 0; i < S.npending; i++) {
		struct client *c = S.pending[i];

		c->pending = false;
		if (!c->dead)
			client_write(c);
	}
	S.npending = 0;
}

/* ---- commands ---- */

struct cmd {
	const char *name;
	int arity;		/* > 0: exactly, < 0: at least -arity */
	void (*fn)(struct client *c, int argc, const char **argv,
		   const size_t *lens);
	bool write;		/* counts as a change for INFO */
};

#define ARG_IS(i, lit) (lens[i] == sizeof(lit) - 1 && \
			!strncasecmp(argv[i], lit, sizeof(lit) - 1))

static void cmd_ping(struct client *c, int argc, const char **argv,
		     const size_t *lens)
{
	if (argc > 2)
		resp_add_error(&c->out, "ERR wrong number of arguments for 'ping' command");
	else if (argc == 2)
		resp_add_bulk(&c->out, argv[1], lens[1]);
	else
		resp_add_status(&c->out, "PONG");
}

static void cmd_echo(struct client *c, int argc, const char **argv,
		     const size_t *lens)
{
	(void)argc;
	resp_add_bulk(&c->out, argv[1], lens[1]);
}

static void cmd_get(struct client *c, int argc, const char **argv,
		    const size_t *lens)
{
	struct kv_entry *e = kv_db_find(&S.db, argv[1], lens[1], S.now_ms);

	(void)argc;
	if (!e) {
		S.misses++;
		resp_add_nil(&c->out);
		return;
	}
	S.hits++;
	resp_add_bulk(&c->out, e->val, e->vlen);
}

static void cmd_strlen(struct client *c, int argc, const char **argv,
		       const size_t *lens)
{
	struct kv_entry *e = kv_db_find(&S.db, argv[1], lens[1], S.now_ms);

	(void)argc;
	resp_add_int(&c->out, e ? (long long)e->vlen : 0);
}

static void cmd_set(struct client *c, int argc, const char **argv,
		    const size_t *lens)
{
	int64_t expire = 0;
	int flags = 0;

	for (int i = 3; i < argc; i++) {
		bool ex = ARG_IS(i, "EX"), px = ARG_IS(i, "PX");

		if (ex || px) {
			long long v;

			if (expire || (flags & KV_SET_KEEPTTL) || i + 1 == argc) {
				resp_add_error(&c->out, "ERR syntax error");
				return;
			}
			i++;
			if (!kv_str2ll(argv[i], lens[i], &v) || v <= 0 ||
			    v > (ex ? INT64_MAX / 1000 : INT64_MAX) - S.now_ms / (ex ? 1000 : 1)) {
				resp_add_error(&c->out, "ERR invalid expire time in 'set' command");
				return;
			}
			expire = S.now_ms + (ex ? v * 1000 : v);
		} else if (ARG_IS(i, "NX") && !(flags & KV_SET_XX)) {
			flags |= KV_SET_NX;
		} else if (ARG_IS(i, "XX") && !(flags & KV_SET_NX)) {
			flags |= KV_SET_XX;
		} else if (ARG_IS(i, "KEEPTTL") && !expire) {
			flags |= KV_SET_KEEPTTL;
		} else {
			resp_add_error(&c->out, "ERR syntax error");
			return;
		}
	}
	if (lens[1] > UINT32_MAX || lens[2] > UINT32_MAX) {
		resp_add_error(&c->out, "ERR string exceeds maximum allowed size");
		return;
	}
	if (kv_db_set(&S.db, argv[1], lens[1], argv[2], lens[2], expire, flags,
		      S.now_ms)) {
		S.dirty++;
		resp_add_status(&c->out, "OK");
	} else {
		resp_add_nil(&c->out);
	}
}

static void cmd_del(struct client *c, int argc, const char **argv,
		    const size_t *lens)
{
	long long n = 0;

	for (int i = 1; i < argc; i++)
		n += kv_db_del(&S.db, argv[i], lens[i], S.now_ms);
	S.dirty += (uint64_t)n;
	resp_add_int(&c->out, n);
}

static void cmd_exists(struct client *c, int argc, const char **argv,
		       const size_t *lens)
{
	long long n = 0;

	for (int i = 1; i < argc; i++)
		n += kv_db_find(&S.db, argv[i], lens[i], S.now_ms) != NULL;
	resp_add_int(&c->out, n);
}

static void cmd_incr(struct client *c, int argc, const char **argv,
		     const size_t *lens)
{
	struct kv_entry *e = kv_db_find(&S.db, argv[1], lens[1], S.now_ms);
	long long v = 0;
	char num[24];
	size_t n;

	(void)argc;
	if (e && !kv_str2ll(e->val, e->vlen, &v)) {
		resp_add_error(&c->out, "ERR value is not an integer or out of range");
		return;
	}
	if (v == INT64_MAX) {
		resp_add_error(&c->out, "ERR increment or decrement would overflow");
		return;
	}
	n = kv_ll2str(num, ++v);
	if (e)
		kv_db_set_value(&S.db, e, num, n);	/* keeps the TTL, as Redis */
	else
		kv_db_set(&S.db, argv[1], lens[1], num, n, 0, 0, S.now_ms);
	S.dirty++;
	resp_add_int(&c->out, v);
}

static void cmd_mset(struct client *c, int argc, const char **argv,
		     const size_t *lens)
{
	if (argc % 2 == 0) {
		resp_add_error(&c->out, "ERR wrong number of arguments for 'mset' command");
		return;
	}
	for (int i = 1; i < argc; i += 2) {
		if (lens[i] > UINT32_MAX || lens[i + 1] > UINT32_MAX) {
			resp_add_error(&c->out, "ERR string exceeds maximum allowed size");
			return;
		}
	}
	for (int i = 1; i < argc; i += 2)
		kv_db_set(&S.db, argv[i], lens[i], argv[i + 1], lens[i + 1], 0, 0,
			  S.now_ms);
	S.dirty += (uint64_t)argc / 2;
	resp_add_status(&c->out, "OK");
}

static void cmd_mget(struct client *c, int argc, const char **argv,
		     const size_t *lens)
{
	resp_add_array(&c->out, argc - 1);
	for (int i = 1; i < argc; i++) {
		struct kv_entry *e;

		/* over the output cap: the client is closed after this command,
		 * do not build the rest of a reply it will never get */
		if (c->out.len - c->sent > S.max_output)
			return;
		e = kv_db_find(&S.db, argv[i], lens[i], S.now_ms);

		if (e) {
			S.hits++;
			resp_add_bulk(&c->out, e->val, e->vlen);
		} else {
			S.misses++;
			resp_add_nil(&c->out);
		}
	}
}

static void cmd_dbsize(struct client *c, int argc, const char **argv,
		       const size_t *lens)
{
	(void)argc, (void)argv, (void)lens;
	resp_add_int(&c->out, (long long)kv_db_size(&S.db));
}

static void cmd_flushall(struct client *c, int argc, const char **argv,
			 const size_t *lens)
{
	if (argc > 2 || (argc == 2 && !ARG_IS(1, "SYNC") && !ARG_IS(1, "ASYNC"))) {
		resp_add_error(&c->out, "ERR syntax error");
		return;
	}
	S.dirty += kv_db_size(&S.db);
	kv_db_flush(&S.db);
	resp_add_status(&c->out, "OK");
}

static void cmd_select(struct client *c, int argc, const char **argv,
		       const size_t *lens)
{
	(void)argc;
	if (ARG_IS(1, "0"))
		resp_add_status(&c->out, "OK");
	else
		resp_add_error(&c->out, "ERR DB index is out of range");
}

static void cmd_quit(struct client *c, int argc, const char **argv,
		     const size_t *lens)
{
	(void)argc, (void)argv, (void)lens;
	resp_add_status(&c->out, "OK");
	c->close_after_reply = true;
}

static void cmd_command(struct client *c, int argc, const char **argv,
			const size_t *lens)
{
	(void)argc, (void)argv, (void)lens;
	resp_add_array(&c->out, 0);	/* enough for redis-cli's start-up */
}

static int save_now(char *why, size_t len)
{
	int ret = kv_db_save(&S.db, S.snapshot, why, len);

	if (!ret) {
		S.dirty = 0;
		S.last_save_s = time(NULL);
	}
	return ret;
}

static void cmd_save(struct client *c, int argc, const char **argv,
		     const size_t *lens)
{
	char why[256];

	(void)argc, (void)argv, (void)lens;
	if (S.child) {
		resp_add_error(&c->out, "ERR Background save already in progress");
		return;
	}
	if (save_now(why, sizeof(why))) {
		fprintf(stderr, "kv-server: SAVE: %s\n", why);
		resp_add_error(&c->out, "ERR %s", why);
		return;
	}
	resp_add_status(&c->out, "OK");
}

static void child_after_fork(void)
{
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	for (unsigned int i = 0; i < S.nlst; i++)
		close(S.lst[i].fd);
	close(S.ep);
}

static void cmd_bgsave(struct client *c, int argc, const char **argv,
		       const size_t *lens)
{
	uint64_t t0;
	pid_t pid;

	(void)argv, (void)lens;
	if (argc > 2) {
		resp_add_error(&c->out, "ERR syntax error");
		return;
	}
	if (S.child) {
		resp_add_error(&c->out, "ERR Background save already in progress");
		return;
	}
	t0 = mono_us();
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "kv-server: BGSAVE: fork: %s\n", strerror(errno));
		resp_add_error(&c->out, "ERR fork: %s", strerror(errno));
		return;
	}
	if (pid == 0) {
		char why[256];

		child_after_fork();
		if (kv_db_save(&S.db, S.snapshot, why, sizeof(why))) {
			fprintf(stderr, "kv-server: BGSAVE child: %s\n", why);
			_exit(1);
		}
		_exit(0);
	}
	S.last_fork_us = mono_us() - t0;
	S.child = pid;
	S.child_start_us = t0;
	S.forks++;
	S.dirty_at_fork = S.dirty;
	S.db.can_resize = false;	/* as Redis: fewer COW copies */
	resp_add_status(&c->out, "Background saving started");
}

static void reap_child(bool wait)
{
	int status;
	pid_t p;

	if (!S.child)
		return;
	p = waitpid(S.child, &status, wait ? 0 : WNOHANG);
	if (p == 0 || (p < 0 && errno == EINTR))
		return;
	S.last_bgsave_ok = p > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0;
	if (S.last_bgsave_ok) {
		S.dirty -= S.dirty_at_fork < S.dirty ? S.dirty_at_fork : S.dirty;
		S.last_save_s = time(NULL);
	} else if (p > 0 && WIFSIGNALED(status)) {
		fprintf(stderr, "kv-server: BGSAVE child killed by signal %d\n",
			WTERMSIG(status));
	}
	S.child = 0;
	S.db.can_resize = true;
}

static size_t rss_bytes(void)
{
	unsigned long size = 0, rss = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	if (f) {
		if (fscanf(f, "%lu %lu", &size, &rss) != 2)
			rss = 0;
		fclose(f);
	}
	return rss * (size_t)sysconf(_SC_PAGESIZE);
}

static void cmd_info(struct client *c, int argc, const char **argv,
		     const size_t *lens)
{
	struct mallinfo2 mi = mallinfo2();
	char *s = NULL;
	size_t n = 0;
	FILE *f;

	(void)argc, (void)argv, (void)lens;	/* all sections, always */
	f = open_memstream(&s, &n);
	if (!f) {
		resp_add_error(&c->out, "ERR open_memstream: %s", strerror(errno));
		return;
	}
	fprintf(f, "# Server\r\nredis_version:%s\r\nredis_mode:standalone\r\n"
		"process_id:%d\r\ntcp_port:%d\r\nuptime_in_seconds:%lld\r\n\r\n",
		KV_VERSION, (int)getpid(), S.port < 0 ? 0 : S.port,
		(long long)(time(NULL) - S.started));
	fprintf(f, "# Clients\r\nconnected_clients:%u\r\n\r\n", S.nclients);
	fprintf(f, "# Memory\r\nused_memory:%zu\r\nused_memory_rss:%zu\r\n"
		"mmap_threshold:%zu\r\nmalloc_trims:%llu\r\n\r\n",
		mi.uordblks + mi.hblkhd, rss_bytes(), S.mmap_threshold,
		(unsigned long long)S.trims);
	fprintf(f, "# Persistence\r\nrdb_changes_since_last_save:%llu\r\n"
		"rdb_bgsave_in_progress:%d\r\nrdb_last_save_time:%lld\r\n"
		"rdb_last_bgsave_status:%s\r\n\r\n",
		(unsigned long long)S.dirty, S.child != 0,
		(long long)S.last_save_s, S.last_bgsave_ok ? "ok" : "err");
	fprintf(f, "# Stats\r\ntotal_connections_received:%llu\r\n"
		"total_commands_processed:%llu\r\nrejected_connections:%llu\r\n"
		"expired_keys:%llu\r\nkeyspace_hits:%llu\r\nkeyspace_misses:%llu\r\n"
		"total_forks:%llu\r\nlatest_fork_usec:%llu\r\n"
		"client_query_buffer_limit_disconnections:%llu\r\n"
		"client_output_buffer_limit_disconnections:%llu\r\n"
		"total_error_replies_protocol:%llu\r\n\r\n",
		(unsigned long long)S.connections, (unsigned long long)S.commands,
		(unsigned long long)S.rejected, (unsigned long long)S.db.expired,
		(unsigned long long)S.hits, (unsigned long long)S.misses,
		(unsigned long long)S.forks, (unsigned long long)S.last_fork_us,
		(unsigned long long)S.closed_query,
		(unsigned long long)S.closed_output,
		(unsigned long long)S.protocol_errors);
	fprintf(f, "# Keyspace\r\n");
	if (kv_db_size(&S.db))
		fprintf(f, "db0:keys=%zu,expires=%zu,avg_ttl=0\r\n",
			kv_db_size(&S.db), S.db.nexpires);
	if (fclose(f)) {
		free(s);
		resp_add_error(&c->out, "ERR INFO: out of memory");
		return;
	}
	resp_add_bulk(&c->out, s, n);
	free(s);
}

/* CONFIG GET: the parameters clients look at when they connect. */
static void cmd_config(struct client *c, int argc, const char **argv,
		       const size_t *lens)
{
	char port[16], maxq[24], maxb[24];
	const char *const params[][2] = {
		{ "save", "" }, { "appendonly", "no" }, { "databases", "1" },
		{ "maxmemory", "0" }, { "maxclients", NULL }, { "port", port },
		{ "bind", S.bind_addr }, { "client-query-buffer-limit", maxq },
		{ "proto-max-bulk-len", maxb }, { "dbfilename", S.snapshot },
		{ "timeout", "0" }, { "maxmemory-policy", "noeviction" },
	};
	char maxc[16], pat[128];
	long long n = 0;

	snprintf(port, sizeof(port), "%d", S.port);
	snprintf(maxq, sizeof(maxq), "%zu", S.max_query);
	snprintf(maxb, sizeof(maxb), "%zu", S.lim.max_bulk);
	snprintf(maxc, sizeof(maxc), "%u", S.max_clients);
	if (ARG_IS(1, "RESETSTAT") && argc == 2) {
		S.commands = S.hits = S.misses = S.rejected = 0;
		resp_add_status(&c->out, "OK");
		return;
	}
	if (!ARG_IS(1, "GET") || argc < 3) {
		resp_add_error(&c->out, "ERR CONFIG: only GET and RESETSTAT are supported");
		return;
	}
	for (int i = 2; i < argc; i++)
		for (size_t p = 0; p < sizeof(params) / sizeof(params[0]); p++) {
			snprintf(pat, sizeof(pat), "%.*s", (int)lens[i], argv[i]);
			n += !fnmatch(pat, params[p][0], FNM_CASEFOLD);
		}
	resp_add_array(&c->out, 2 * n);
	for (int i = 2; i < argc; i++)
		for (size_t p = 0; p < sizeof(params) / sizeof(params[0]); p++) {
			const char *v = params[p][1] ? params[p][1] : maxc;

			snprintf(pat, sizeof(pat), "%.*s", (int)lens[i], argv[i]);
			if (fnmatch(pat, params[p][0], FNM_CASEFOLD))
				continue;
			resp_add_bulk(&c->out, params[p][0], strlen(params[p][0]));
			resp_add_bulk(&c->out, v, strlen(v));
		}
}

static const struct cmd commands[] = {
	{ "get", 2, cmd_get, false },
	{ "set", -3, cmd_set, true },
	{ "ping", -1, cmd_ping, false },
	{ "incr", 2, cmd_incr, true },
	{ "mget", -2, cmd_mget, false },
	{ "mset", -3, cmd_mset, true },
	{ "del", -2, cmd_del, true },
	{ "exists", -2, cmd_exists, false },
	{ "echo", 2, cmd_echo, false },
	{ "strlen", 2, cmd_strlen, false },
	{ "dbsize", 1, cmd_dbsize, false },
	{ "flushall", -1, cmd_flushall, true },
	{ "info", -1, cmd_info, false },
	{ "save", 1, cmd_save, false },
	{ "bgsave", -1, cmd_bgsave, false },
	{ "config", -2, cmd_config, false },
	{ "select", 2, cmd_select, false },
	{ "command", -1, cmd_command, false },
	{ "quit", -1, cmd_quit, false },
};

static void dispatch(struct client *c, const char *q, const struct resp_req *r)
{
	const char *argv[16];
	size_t lens[16];
	const char **av = argv;
	size_t *ln = lens;
	int argc = (int)r->argc;

	if (r->argc > 16) {
		av = kv_xrealloc(NULL, r->argc * sizeof(*av));
		ln = kv_xrealloc(NULL, r->argc * sizeof(*ln));
	}
	for (size_t i = 0; i < r->argc; i++) {
		av[i] = q + r->argv[i].off;
		ln[i] = r->argv[i].len;
	}
	S.commands++;
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		const struct cmd *cmd = &commands[i];

		if (strlen(cmd->name) != ln[0] || strncasecmp(cmd->name, av[0], ln[0]))
			continue;
		if ((cmd->arity > 0 && argc != cmd->arity) ||
		    (cmd->arity < 0 && argc < -cmd->arity))
			resp_add_error(&c->out, "ERR wrong number of arguments for '%s' command",
				       cmd->name);
		else
			cmd->fn(c, argc, av, ln);
		goto out;
	}
	resp_add_error(&c->out, "ERR unknown command '%.*s', with args beginning with: ",
		       (int)(ln[0] > 64 ? 64 : ln[0]), av[0]);
out:
	if (av != argv) {
		free(av);
		free(ln);
	}
}

/* Run every complete command in the query buffer. */
static void process_input(struct client *c)
{
	while (!c->close_after_reply && !c->dead) {
		int rc = resp_parse(&c->req, c->q.data, c->q.len, &S.lim);

		if (rc == RESP_MORE)
			break;
		if (rc == RESP_ERR) {
			S.protocol_errors++;
			resp_add_error(&c->out, "ERR %s", c->req.err);
			c->close_after_reply = true;
			if (S.verbose)
				fprintf(stderr, "kv-server: client %s: %s\n", c->name,
					c->req.err);
			break;
		}
		dispatch(c, c->q.data, &c->req);
		resp_req_next(&c->req);
		if (c->out.len - c->sent > S.max_output) {
			S.closed_output++;
			client_close(c, "output buffer of %zu bytes over the %zu limit",
				     c->out.len - c->sent, S.max_output);
			return;
		}
	}
	if (c->req.start) {
		kv_buf_consume(&c->q, c->req.start);
		resp_req_shift(&c->req, c->req.start);
	}
	kv_buf_shrink(&c->q);
	if (c->out.len > c->sent)
		want_write(c);
}

static void client_read(struct client *c)
{
	size_t want = READ_CHUNK;
	ssize_t n;

	if (c->close_after_reply)
		return;		/* no more input: the reply goes, then we close */
	/* a large argument in flight: read it in bigger pieces */
	if (c->req.bulklen > 0 && (size_t)c->req.bulklen + 2 > c->q.len - c->req.pos) {
		size_t left = (size_t)c->req.bulklen + 2 - (c->q.len - c->req.pos);

		want = left > (1u << 20) ? (1u << 20) : left > want ? left : want;
	}
	kv_buf_reserve(&c->q, want);
	n = read(c->fd, c->q.data + c->q.len, want);
	if (n < 0) {
		if (errno != EAGAIN && errno != EINTR)
			client_close(c, S.verbose ? "read: %s" : NULL, strerror(errno));
		return;
	}
	if (n == 0) {
		client_close(c, NULL);
		return;
	}
	c->q.len += (size_t)n;
	if (c->q.len > S.max_query) {
		S.closed_query++;
		client_close(c, "query buffer of %zu bytes over the %zu limit",
			     c->q.len, S.max_query);
		return;
	}
	process_input(c);
}

static void client_new(int fd, bool unix_sock, const struct sockaddr_storage *sa)
{
	struct epoll_event ev = { .events = EPOLLIN };
	struct client *c;
	int one = 1;

	S.connections++;
	if (S.nclients >= S.max_clients) {
		static const char msg[] = "-ERR max number of clients reached\r\n";

		ssize_t w;

		S.rejected++;
		w = write(fd, msg, sizeof(msg) - 1);	/* closing anyway */
		(void)w;
		close(fd);
		return;
	}
	c = kv_xrealloc(NULL, sizeof(*c));
	memset(c, 0, sizeof(*c));
	c->kind = EP_CLIENT;
	c->fd = fd;
	resp_req_init(&c->req);
	if (unix_sock) {
		snprintf(c->name, sizeof(c->name), "unix:%d", fd);
	} else {
		const struct sockaddr_in *in = (const void *)sa;
		char a[INET_ADDRSTRLEN] = "?";

		inet_ntop(AF_INET, &in->sin_addr, a, sizeof(a));
		snprintf(c->name, sizeof(c->name), "%s:%u", a, ntohs(in->sin_port));
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	}
	ev.data.ptr = c;
	if (epoll_ctl(S.ep, EPOLL_CTL_ADD, fd, &ev)) {
		fprintf(stderr, "kv-server: epoll_ctl add client %s: %s\n", c->name,
			strerror(errno));
		close(fd);
		free(c);
		return;
	}
	S.nclients++;
	c->next = S.clients;
	if (c->next)
		c->next->prev = c;
	S.clients = c;
}

static void accept_all(struct listener *l)
{
	for (;;) {
		struct sockaddr_storage sa;
		socklen_t len = sizeof(sa);
		int fd = accept4(l->fd, (struct sockaddr *)&sa, &len,
				 SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd < 0) {
			if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED)
				fprintf(stderr, "kv-server: accept: %s\n", strerror(errno));
			return;
		}
		client_new(fd, l->unix_sock, &sa);
	}
}

/* ---- set-up ---- */

static int listen_tcp(struct listener *l, int *port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(*port) };
	socklen_t len = sizeof(sa);
	int one = 1;

	if (inet_pton(AF_INET, S.bind_addr, &sa.sin_addr) != 1) {
		fprintf(stderr, "kv-server: --bind %s: not an IPv4 address\n", S.bind_addr);
		return -1;
	}
	l->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (l->fd < 0) {
		fprintf(stderr, "kv-server: socket: %s\n", strerror(errno));
		return -1;
	}
	setsockopt(l->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(l->fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    listen(l->fd, 511) ||
	    getsockname(l->fd, (struct sockaddr *)&sa, &len)) {
		fprintf(stderr, "kv-server: listen on %s:%d: %s\n", S.bind_addr,
			*port, strerror(errno));
		close(l->fd);
		return -1;
	}
	*port = ntohs(sa.sin_port);
	return 0;
}

static int listen_unix(struct listener *l, const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	if (strlen(path) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "kv-server: --unix %s: path longer than %zu bytes\n",
			path, sizeof(sa.sun_path) - 1);
		return -1;
	}
	strcpy(sa.sun_path, path);
	l->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (l->fd < 0) {
		fprintf(stderr, "kv-server: socket: %s\n", strerror(errno));
		return -1;
	}
	unlink(path);
	if (bind(l->fd, (struct sockaddr *)&sa, sizeof(sa)) || listen(l->fd, 511)) {
		fprintf(stderr, "kv-server: listen on %s: %s\n", path, strerror(errno));
		close(l->fd);
		return -1;
	}
	l->unix_sock = true;
	return 0;
}

static void cron(void)
{
	reap_child(false);
	kv_db_cron(&S.db, 1000);
	kv_db_expire_cycle(&S.db, S.now_ms, 256);
	/* give freed heap back: madvise(DONTNEED) of free pages, heap trim */
	if (S.trim_bytes && S.db.freed_bytes - S.trimmed_at >= S.trim_bytes) {
		malloc_trim(0);
		S.trimmed_at = S.db.freed_bytes;
		S.trims++;
	}
}

static int parse_size(const char *opt, const char *s, size_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s)
		goto bad;
	switch (*end) {
	case 'k': case 'K': v <<= 10; end++; break;
	case 'm': case 'M': v <<= 20; end++; break;
	case 'g': case 'G': v <<= 30; end++; break;
	}
	if (*end)
		goto bad;
	*out = (size_t)v;
	return 0;
bad:
	fprintf(stderr, "kv-server: %s %s: not a size (N, NK, NM or NG)\n", opt, s);
	return -1;
}

static void usage(FILE *f)
{
	fprintf(f,
"usage: kv-server [OPTIONS]\n"
"A Redis-compatible (RESP2) in-memory key-value server: single-threaded epoll,\n"
"PING ECHO SET(EX PX NX XX KEEPTTL) GET STRLEN DEL EXISTS INCR MSET MGET DBSIZE\n"
"FLUSHALL INFO SAVE BGSAVE CONFIG-GET SELECT-0 QUIT.\n"
"  --port N            TCP port on --bind (default 6379); 0 picks a free one\n"
"                      and prints 'port N' as the first line on stdout\n"
"  --bind ADDR         IPv4 address to listen on (default 127.0.0.1)\n"
"  --unix PATH         listen on a unix socket (only, unless --port is given)\n"
"  --snapshot PATH     SAVE/BGSAVE file (default dump.kvs)\n"
"  --max-clients N     connections beyond are refused (default 10000)\n"
"  --max-query SIZE    query buffer cap per client (default 1G, as Redis)\n"
"  --max-bulk SIZE     largest argument (default 512M, as Redis)\n"
"  --max-output SIZE   output buffer cap per client (default 256M)\n"
"  --mmap-threshold SIZE  values this large are mmap'd (default 128K)\n"
"  --trim-bytes SIZE   malloc_trim after this much was freed (default 4M, 0: never)\n"
"  --verbose           log protocol errors and I/O errors per client\n"
"  --help\n"
"Clients over a limit are closed; the server goes on.\n");
}

static int parse_args(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "port", required_argument, NULL, 'p' },
		{ "bind", required_argument, NULL, 'b' },
		{ "unix", required_argument, NULL, 'u' },
		{ "snapshot", required_argument, NULL, 's' },
		{ "max-clients", required_argument, NULL, 'c' },
		{ "max-query", required_argument, NULL, 'q' },
		{ "max-bulk", required_argument, NULL, 'B' },
		{ "max-output", required_argument, NULL, 'o' },
		{ "mmap-threshold", required_argument, NULL, 'm' },
		{ "trim-bytes", required_argument, NULL, 't' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	bool port_given = false;
	size_t v;
	int o;

	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 'p': {
			char *end;
			long p = strtol(optarg, &end, 10);

			if (*end || end == optarg || p < 0 || p > 65535) {
				fprintf(stderr, "kv-server: --port %s: not a port (0-65535)\n",
					optarg);
				return -1;
			}
			S.port = (int)p;
			port_given = true;
			break;
		}
		case 'b': S.bind_addr = optarg; break;
		case 'u': S.unix_path = optarg; break;
		case 's': S.snapshot = optarg; break;
		case 'c':
			if (parse_size("--max-clients", optarg, &v) || !v || v > 1000000) {
				fprintf(stderr, "kv-server: --max-clients wants 1..1000000\n");
				return -1;
			}
			S.max_clients = (unsigned int)v;
			break;
		case 'q':
			if (parse_size("--max-query", optarg, &S.max_query))
				return -1;
			break;
		case 'B':
			if (parse_size("--max-bulk", optarg, &S.lim.max_bulk))
				return -1;
			break;
		case 'o':
			if (parse_size("--max-output", optarg, &S.max_output))
				return -1;
			break;
		case 'm':
			if (parse_size("--mmap-threshold", optarg, &S.mmap_threshold))
				return -1;
			break;
		case 't':
			if (parse_size("--trim-bytes", optarg, &S.trim_bytes))
				return -1;
			break;
		case 'v': S.verbose = true; break;
		case 'h': usage(stdout); exit(0);
		default: usage(stderr); return -1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "kv-server: unexpected argument '%s'\n", argv[optind]);
		return -1;
	}
	if (S.unix_path && !port_given)
		S.port = -1;
	if (!S.max_query || !S.lim.max_bulk || !S.max_output) {
		fprintf(stderr, "kv-server: --max-query, --max-bulk and --max-output must be > 0\n");
		return -1;
	}
	return 0;
}

static int setup(void)
{
	struct epoll_event ev = { .events = EPOLLIN };
	bool port0 = S.port == 0;

	/*
	 * Fixed thresholds turn off glibc's dynamic ones, which would
	 * otherwise stop mmap'ing large values after the first free.
	 */
	if (S.mmap_threshold)
		mallopt(M_MMAP_THRESHOLD, (int)S.mmap_threshold);
	mallopt(M_TRIM_THRESHOLD, 1 << 20);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	S.ep = epoll_create1(EPOLL_CLOEXEC);
	if (S.ep < 0) {
		fprintf(stderr, "kv-server: epoll_create1: %s\n", strerror(errno));
		return -1;
	}
	if (S.port >= 0) {
		if (listen_tcp(&S.lst[S.nlst], &S.port))
			return -1;
		S.lst[S.nlst++].kind = EP_LISTENER;
	}
	if (S.unix_path) {
		if (listen_unix(&S.lst[S.nlst], S.unix_path))
			return -1;
		S.lst[S.nlst++].kind = EP_LISTENER;
	}
	for (unsigned int i = 0; i < S.nlst; i++) {
		ev.data.ptr = &S.lst[i];
		if (epoll_ctl(S.ep, EPOLL_CTL_ADD, S.lst[i].fd, &ev)) {
			fprintf(stderr, "kv-server: epoll_ctl listener: %s\n", strerror(errno));
			return -1;
		}
	}
	if (port0) {
		printf("port %d\n", S.port);
		fflush(stdout);
	}
	S.started = time(NULL);
	kv_db_init(&S.db, ((uint64_t)getpid() << 32) ^ mono_us() ^
		   (uint64_t)(uintptr_t)&S);
	return 0;
}

int main(int argc, char **argv)
{
	struct epoll_event evs[256];
	uint64_t next_cron;

	if (parse_args(argc, argv) || setup())
		return 1;
	next_cron = mono_us() + CRON_MS * 1000;
	while (!stop) {
		uint64_t now = mono_us();
		int timeout = now >= next_cron ? 0 : (int)((next_cron - now) / 1000) + 1;
		int n = epoll_wait(S.ep, evs, 256, timeout);

		if (n < 0 && errno != EINTR) {
			fprintf(stderr, "kv-server: epoll_wait: %s\n", strerror(errno));
			break;
		}
		S.now_ms = unix_ms();
		for (int i = 0; i < n; i++) {
			int kind = *(int *)evs[i].data.ptr;

			if (kind == EP_LISTENER) {
				accept_all(evs[i].data.ptr);
				continue;
			}
			struct client *c = evs[i].data.ptr;

			if (c->dead)
				continue;
			if (evs[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR))
				client_read(c);
			if (!c->dead && (evs[i].events & EPOLLOUT))
				want_write(c);
		}
		flush_pending();
		free_dead();
		if (mono_us() >= next_cron) {
			cron();
			next_cron = mono_us() + CRON_MS * 1000;
		}
	}
	/* the clients still connected: closed, and freed */
	for (struct client *c = S.clients; c; c = c->next)
		client_close(c, NULL);
	free_dead();
	if (S.child) {
		kill(S.child, SIGKILL);
		reap_child(true);
	}
	if (S.unix_path)
		unlink(S.unix_path);
	return 0;
}
