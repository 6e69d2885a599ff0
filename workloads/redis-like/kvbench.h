/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The load engine of kv-bench and of the redis_like workload: a memtier-
 * like client. Worker threads own their connections (non-blocking, one
 * epoll each), keep up to `pipeline` requests in flight per connection,
 * parse replies with hiredis' redisReader and time each request from send
 * to reply into a log-linear histogram.
 *
 * Threads live across runs, so that a workload sample measures requests,
 * not thread creation and connecting.
 */
#ifndef KV_BENCH_H
#define KV_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hist.h"

enum kvb_pattern { KVB_RANDOM, KVB_SEQUENTIAL, KVB_GAUSSIAN };
extern const char *const kvb_pattern_names[];	/* NULL-terminated */

struct kvb_config {
	char host[256];		/* IPv4 address or name */
	int port;
	char unix_path[108];	/* instead of host:port when set */
	unsigned int clients;	/* connections, spread over threads */
	unsigned int threads;
	unsigned int pipeline;	/* requests in flight per connection */
	uint64_t key_min, key_max;	/* keys are prefix + number, inclusive */
	char key_prefix[32];
	size_t data_size;	/* SET value bytes */
	uint64_t seed;
	double timeout_s;	/* no reply for this long: the run fails */
	/* called first in each worker thread (pinning); nonzero: fail */
	int (*thread_init)(void *arg, unsigned int thread);
	void *thread_arg;
};

/* One run: what to send and for how long. */
struct kvb_load {
	uint64_t requests;	/* total over all connections; 0: use seconds */
	double seconds;
	unsigned int set_ratio, get_ratio;
	enum kvb_pattern pattern;
	bool verify;		/* GET values must be what SET writes for the key */
};

struct kvb_stats {
	uint64_t ops, sets, gets, hits, misses;
	uint64_t errors;	/* error replies, unexpected replies */
	uint64_t verify_failures;
	double seconds;
	struct kv_hist lat_ns;	/* send to reply, per request */
	char first_error[160];
};

struct kvb;

/* Connect and start the threads. NULL with why filled on failure. */
struct kvb *kvb_open(const struct kvb_config *cfg, char *why, size_t len);
/* Run one load to the end. 0, or -1 with why (stats still filled). */
int kvb_run(struct kvb *b, const struct kvb_load *load, struct kvb_stats *st,
	    char *why, size_t len);
/* As kvb_run, in two halves, so the caller can act while it runs. */
void kvb_start(struct kvb *b, const struct kvb_load *load);
/* Wait up to ms for the run: true when it is over. */
bool kvb_wait(struct kvb *b, unsigned int ms);
int kvb_finish(struct kvb *b, struct kvb_stats *st, char *why, size_t len);
void kvb_close(struct kvb *b);

/* The value SET writes for key k (data_size bytes into out). */
void kvb_value(const struct kvb *b, uint64_t k, char *out);
/* "S:G" into ratios; -1 if malformed or both zero. */
int kvb_parse_ratio(const char *s, unsigned int *set, unsigned int *get);

#endif
