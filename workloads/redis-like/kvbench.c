// SPDX-License-Identifier: GPL-2.0
/*
 * The load engine of kv-bench and redis_like (see kvbench.h). Replies are
 * parsed by hiredis' redisReader, so our server is checked by a parser we
 * did not write. Values are a function of the key (kvb_value), so a later
 * run with verify on can check what an earlier one wrote.
 */
#include <errno.h>
#include <fcntl.h>
#include <hiredis/hiredis.h>
#include <math.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "kvbench.h"
#include "resp.h"

const char *const kvb_pattern_names[] = { "random", "sequential", "gaussian", NULL };

enum { OP_SET, OP_GET };

struct inflight {
	uint64_t t_ns;
	uint64_t key;
	int op;
};

struct conn {
	int fd;
	redisReader *rd;
	struct kv_buf out;
	size_t sent;
	bool epollout;
	bool dead;
	struct inflight *ring;	/* pipeline slots */
	unsigned int head, count;
	uint64_t cycle;		/* position in the SET:GET cycle */
};

struct worker {
	struct kvb *b;
	unsigned int idx;
	pthread_t th;
	bool started;
	int ep;
	struct conn *conns;
	unsigned int nconns;
	uint64_t rng;
	uint64_t grng;		/* xorshift state of the gaussian keys */
	char *scratch;		/* expected value, for verify */
	/* this run */
	uint64_t quota, issued, inflight;
	uint64_t end_ns;
	struct kvb_stats st;
	int rc;
	char why[160];
};

struct kvb {
	struct kvb_config cfg;
	struct worker *w;
	pthread_mutex_t lock;
	pthread_cond_t cv_start, cv_done;
	uint64_t gen;		/* bumped to start a run */
	unsigned int running;	/* workers still busy */
	bool quit;
	struct kvb_load load;
	uint64_t start_ns, deadline_ns;
	uint64_t seq;		/* sequential pattern: next key, shared */
	char *pattern;		/* "abc...zabc..." data_size + 27 bytes */
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

int kvb_parse_ratio(const char *s, unsigned int *set, unsigned int *get)
{
	unsigned int a, b;
	int n = 0;

	if (sscanf(s, "%u:%u%n", &a, &b, &n) != 2 || s[n] || (!a && !b) ||
	    a > 1000000 || b > 1000000)
		return -1;
	*set = a;
	*get = b;
	return 0;
}

/* Value of key k: "<k>:" then letters from the key onwards, data_size long. */
static void make_value(const struct kvb *b, uint64_t k, char *out)
{
	size_t n = b->cfg.data_size, h;
	char hdr[24];

	h = kv_ll2str(hdr, (long long)k);
	hdr[h++] = ':';
	if (h > n)
		h = n;
	memcpy(out, hdr, h);
	memcpy(out + h, b->pattern + k % 26 + h % 26, n - h);
}

static size_t key_name(const struct kvb *b, uint64_t k, char *out)
{
	size_t p = strlen(b->cfg.key_prefix);

	memcpy(out, b->cfg.key_prefix, p);
	return p + kv_ll2str(out + p, (long long)k);
}

static uint64_t xorshift(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545f4914f6cdd1dull;
}

/*
 * A normal deviate with standard deviation sd: Marsaglia's polar method on
 * xorshift (not GSL's generator, so flushbench-worker, which links this
 * engine for the redis_like workload, links no GSL; bench/module.mk).
 */
static double gaussian(uint64_t *s, double sd)
{
	double u, v, r;

	do {
		u = (double)(xorshift(s) >> 11) * 0x1p-52 - 1;
		v = (double)(xorshift(s) >> 11) * 0x1p-52 - 1;
		r = u * u + v * v;
	} while (r >= 1 || r == 0);
	return sd * u * sqrt(-2 * log(r) / r);
}

static uint64_t next_key(struct worker *w)
{
	const struct kvb_config *c = &w->b->cfg;
	uint64_t range = c->key_max - c->key_min + 1;

	switch (w->b->load.pattern) {
	case KVB_SEQUENTIAL:
		return c->key_min + __atomic_fetch_add(&w->b->seq, 1, __ATOMIC_RELAXED) % range;
	case KVB_GAUSSIAN: {
		double mean = ((double)c->key_min + (double)c->key_max) / 2;
		double sd = (double)range / 6;

		for (int i = 0; i < 100; i++) {
			double v = mean + gaussian(&w->grng, sd);

			if (v >= (double)c->key_min && v < (double)c->key_max + 1)
				return (uint64_t)v;
		}
		return (uint64_t)mean;
	}
	case KVB_RANDOM:
	default:
		return c->key_min + xorshift(&w->rng) % range;
	}
}

static void worker_error(struct worker *w, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void worker_error(struct worker *w, const char *fmt, ...)
{
	va_list ap;

	if (w->rc)
		return;
	w->rc = -1;
	va_start(ap, fmt);
	vsnprintf(w->why, sizeof(w->why), fmt, ap);
	va_end(ap);
}

static void note_error(struct worker *w, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void note_error(struct worker *w, const char *fmt, ...)
{
	va_list ap;

	w->st.errors++;
	if (w->st.first_error[0])
		return;
	va_start(ap, fmt);
	vsnprintf(w->st.first_error, sizeof(w->st.first_error), fmt, ap);
	va_end(ap);
}

static void conn_kill(struct worker *w, struct conn *c)
{
	if (c->dead)
		return;
	c->dead = true;
	w->inflight -= c->count;
	c->count = 0;
	epoll_ctl(w->ep, EPOLL_CTL_DEL, c->fd, NULL);
}

static int conn_open(struct worker *w, struct conn *c, char *why, size_t len)
{
	const struct kvb_config *cfg = &w->b->cfg;
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = c };
	int one = 1;

	c->fd = -1;
	if (cfg->unix_path[0]) {
		struct sockaddr_un sa = { .sun_family = AF_UNIX };

		snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", cfg->unix_path);
		c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (c->fd < 0 || connect(c->fd, (struct sockaddr *)&sa, sizeof(sa))) {
			snprintf(why, len, "connect %s: %s", cfg->unix_path, strerror(errno));
			return -1;
		}
	} else {
		struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM };
		struct addrinfo *ai, *a;
		char port[16];
		int rc;

		snprintf(port, sizeof(port), "%d", cfg->port);
		rc = getaddrinfo(cfg->host, port, &hints, &ai);
		if (rc) {
			snprintf(why, len, "resolve %.64s: %s", cfg->host, gai_strerror(rc));
			return -1;
		}
		errno = ECONNREFUSED;
		for (a = ai; a; a = a->ai_next) {
			c->fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, 0);
			if (c->fd >= 0 && !connect(c->fd, a->ai_addr, a->ai_addrlen))
				break;
			if (c->fd >= 0)
				close(c->fd);
			c->fd = -1;
		}
		freeaddrinfo(ai);
		if (c->fd < 0) {
			snprintf(why, len, "connect %.64s:%d: %s", cfg->host, cfg->port,
				 strerror(errno));
			return -1;
		}
		setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	}
	fcntl(c->fd, F_SETFL, fcntl(c->fd, F_GETFL) | O_NONBLOCK);
	c->rd = redisReaderCreate();
	c->ring = calloc(cfg->pipeline, sizeof(*c->ring));
	if (!c->rd || !c->ring) {
		snprintf(why, len, "out of memory for a connection");
		return -1;
	}
	if (epoll_ctl(w->ep, EPOLL_CTL_ADD, c->fd, &ev)) {
		snprintf(why, len, "epoll_ctl: %s", strerror(errno));
		return -1;
	}
	return 0;
}

static void conn_free(struct conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	if (c->rd)
		redisReaderFree(c->rd);
	free(c->ring);
	kv_buf_free(&c->out);
}

static void add_arg(struct kv_buf *o, const char *s, size_t n)
{
	resp_add_bulk_hdr(o, n);
	kv_buf_add(o, s, n);
	kv_buf_add(o, "\r\n", 2);
}

/* Queue requests on c until its pipeline is full or the run has enough. */
static void conn_fill(struct worker *w, struct conn *c, uint64_t now)
{
	const struct kvb *b = w->b;
	unsigned int cyc = b->load.set_ratio + b->load.get_ratio;
	char key[64];

	if (c->dead)
		return;
	if (b->deadline_ns && now >= b->deadline_ns)
		return;
	while (c->count < b->cfg.pipeline && w->issued < w->quota) {
		struct inflight *f = &c->ring[(c->head + c->count) % b->cfg.pipeline];
		uint64_t k = next_key(w);
		size_t kl = key_name(b, k, key);

		f->op = c->cycle++ % cyc < b->load.set_ratio ? OP_SET : OP_GET;
		f->key = k;
		f->t_ns = now;
		if (f->op == OP_SET) {
			size_t n = b->cfg.data_size;

			kv_buf_add(&c->out, "*3\r\n$3\r\nSET\r\n", 13);
			add_arg(&c->out, key, kl);
			resp_add_bulk_hdr(&c->out, n);
			kv_buf_reserve(&c->out, n + 2);
			make_value(b, k, c->out.data + c->out.len);
			c->out.len += n;
			kv_buf_add(&c->out, "\r\n", 2);
		} else {
			kv_buf_add(&c->out, "*2\r\n$3\r\nGET\r\n", 13);
			add_arg(&c->out, key, kl);
		}
		c->count++;
		w->issued++;
		w->inflight++;
	}
}

static void conn_epollout(struct worker *w, struct conn *c, bool on)
{
	struct epoll_event ev = { .events = EPOLLIN | (on ? EPOLLOUT : 0), .data.ptr = c };

	if (c->epollout == on)
		return;
	epoll_ctl(w->ep, EPOLL_CTL_MOD, c->fd, &ev);
	c->epollout = on;
}

static void conn_write(struct worker *w, struct conn *c)
{
	while (!c->dead && c->sent < c->out.len) {
		/* no SIGPIPE: inside ./flushbench a dead server is an error, not death */
		ssize_t n = send(c->fd, c->out.data + c->sent, c->out.len - c->sent,
				 MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN) {
			conn_epollout(w, c, true);
			return;
		}
		if (n < 0) {
			note_error(w, "write: %s", strerror(errno));
			conn_kill(w, c);
			return;
		}
		c->sent += (size_t)n;
	}
	c->out.len = c->sent = 0;
	conn_epollout(w, c, false);
}

static void handle_reply(struct worker *w, struct conn *c, redisReply *r,
			 uint64_t now)
{
	const struct kvb *b = w->b;
	struct inflight *f;

	if (!c->count) {
		note_error(w, "reply with no request outstanding (type %d)", r->type);
		conn_kill(w, c);
		return;
	}
	f = &c->ring[c->head];
	c->head = (c->head + 1) % b->cfg.pipeline;
	c->count--;
	w->inflight--;
	w->st.ops++;
	kv_hist_add(&w->st.lat_ns, now - f->t_ns);
	if (r->type == REDIS_REPLY_ERROR) {
		note_error(w, "%s: %.*s", f->op == OP_SET ? "SET" : "GET",
			   (int)(r->len > 100 ? 100 : r->len), r->str);
		return;
	}
	if (f->op == OP_SET) {
		w->st.sets++;
		if (r->type != REDIS_REPLY_STATUS || strcmp(r->str, "OK"))
			note_error(w, "SET: reply type %d, not +OK", r->type);
		return;
	}
	w->st.gets++;
	if (r->type == REDIS_REPLY_NIL) {
		w->st.misses++;
		return;
	}
	if (r->type != REDIS_REPLY_STRING) {
		note_error(w, "GET: reply type %d, not a bulk string", r->type);
		return;
	}
	w->st.hits++;
	if (b->load.verify) {
		make_value(b, f->key, w->scratch);
		if ((size_t)r->len != b->cfg.data_size ||
		    memcmp(r->str, w->scratch, b->cfg.data_size)) {
			w->st.verify_failures++;
			note_error(w, "GET %s%llu: %zu bytes, not the %zu written",
				   b->cfg.key_prefix, (unsigned long long)f->key,
				   (size_t)r->len, b->cfg.data_size);
		}
	}
}

static void conn_read(struct worker *w, struct conn *c)
{
	char buf[65536];
	ssize_t n = read(c->fd, buf, sizeof(buf));
	uint64_t now = now_ns();
	void *reply;

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		note_error(w, "connection closed by the server%s%s",
			   n < 0 ? ": " : "", n < 0 ? strerror(errno) : "");
		conn_kill(w, c);
		return;
	}
	if (redisReaderFeed(c->rd, buf, (size_t)n) != REDIS_OK)
		goto err_proto;
	for (;;) {
		if (redisReaderGetReply(c->rd, &reply) != REDIS_OK)
			goto err_proto;
		if (!reply)
			break;
		handle_reply(w, c, reply, now);
		freeReplyObject(reply);
		if (c->dead)
			return;
	}
	conn_fill(w, c, now);
	conn_write(w, c);
	return;
err_proto:
	note_error(w, "reply parser: %s", c->rd->errstr);
	conn_kill(w, c);
}

static void worker_run(struct worker *w)
{
	struct kvb *b = w->b;
	struct epoll_event evs[64];
	uint64_t t_last = now_ns();
	uint64_t timeout_ns = (uint64_t)(b->cfg.timeout_s * 1e9);
	uint64_t per = b->load.requests / b->cfg.threads;

	memset(&w->st, 0, sizeof(w->st));
	kv_hist_init(&w->st.lat_ns);
	w->rc = 0;
	w->why[0] = '\0';
	w->issued = w->inflight = 0;
	if (b->load.requests)
		w->quota = per + (w->idx < b->load.requests % b->cfg.threads);
	else
		w->quota = UINT64_MAX;
	for (unsigned int i = 0; i < w->nconns; i++) {
		conn_fill(w, &w->conns[i], t_last);
		conn_write(w, &w->conns[i]);
	}
	for (;;) {
		uint64_t now = now_ns(), ops0 = w->st.ops;
		bool more = w->issued < w->quota &&
			    (!b->deadline_ns || now < b->deadline_ns);
		bool alive = false;
		int n;

		for (unsigned int i = 0; i < w->nconns && !alive; i++)
			alive = !w->conns[i].dead;
		if (!alive || (!w->inflight && !more))
			break;
		n = epoll_wait(w->ep, evs, 64, 100);
		for (int i = 0; i < n; i++) {
			struct conn *c = evs[i].data.ptr;

			if (evs[i].events & EPOLLOUT)
				conn_write(w, c);
			if (!c->dead && (evs[i].events & (EPOLLIN | EPOLLERR | EPOLLHUP)))
				conn_read(w, c);
		}
		now = now_ns();
		if (w->st.ops != ops0) {
			t_last = now;
		} else if (timeout_ns && now - t_last > timeout_ns && w->inflight) {
			worker_error(w, "no reply from the server for %.1f s",
				     b->cfg.timeout_s);
			for (unsigned int i = 0; i < w->nconns; i++)
				conn_kill(w, &w->conns[i]);
			break;
		}
	}
	if (!w->rc && w->st.errors && w->nconns) {
		bool alive = false;

		for (unsigned int i = 0; i < w->nconns; i++)
			alive |= !w->conns[i].dead;
		if (!alive)
			worker_error(w, "every connection failed: %s", w->st.first_error);
	}
	w->end_ns = now_ns();
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct kvb *b = w->b;
	uint64_t seen = 0;
	char why[160] = "";

	if (b->cfg.thread_init && b->cfg.thread_init(b->cfg.thread_arg, w->idx))
		snprintf(why, sizeof(why), "thread %u: could not be placed", w->idx);
	for (unsigned int i = 0; !why[0] && i < w->nconns; i++) {
		char e[128];

		if (conn_open(w, &w->conns[i], e, sizeof(e)))
			snprintf(why, sizeof(why), "thread %u: %s", w->idx, e);
	}
	pthread_mutex_lock(&b->lock);
	if (why[0])
		worker_error(w, "%s", why);
	if (!--b->running)
		pthread_cond_broadcast(&b->cv_done);
	for (;;) {
		while (b->gen == seen && !b->quit)
			pthread_cond_wait(&b->cv_start, &b->lock);
		if (b->quit)
			break;
		seen = b->gen;
		pthread_mutex_unlock(&b->lock);
		worker_run(w);
		pthread_mutex_lock(&b->lock);
		if (!--b->running)
			pthread_cond_broadcast(&b->cv_done);
	}
	pthread_mutex_unlock(&b->lock);
	return NULL;
}

static void wait_idle(struct kvb *b)
{
	pthread_mutex_lock(&b->lock);
	while (b->running)
		pthread_cond_wait(&b->cv_done, &b->lock);
	pthread_mutex_unlock(&b->lock);
}

void kvb_close(struct kvb *b)
{
	if (!b)
		return;
	wait_idle(b);
	pthread_mutex_lock(&b->lock);
	b->quit = true;
	pthread_cond_broadcast(&b->cv_start);
	pthread_mutex_unlock(&b->lock);
	for (unsigned int i = 0; b->w && i < b->cfg.threads; i++) {
		struct worker *w = &b->w[i];

		if (w->started)
			pthread_join(w->th, NULL);
		for (unsigned int j = 0; w->conns && j < w->nconns; j++)
			conn_free(&w->conns[j]);
		free(w->conns);
		if (w->ep >= 0)
			close(w->ep);
		free(w->scratch);
	}
	free(b->w);
	free(b->pattern);
	pthread_mutex_destroy(&b->lock);
	pthread_cond_destroy(&b->cv_start);
	pthread_cond_destroy(&b->cv_done);
	free(b);
}

static int check_config(const struct kvb_config *c, char *why, size_t len)
{
	if (!c->threads || c->clients < c->threads)
		snprintf(why, len, "clients (%u) must be at least threads (%u), threads >= 1",
			 c->clients, c->threads);
	else if (!c->pipeline || c->pipeline > 100000)
		snprintf(why, len, "pipeline %u: want 1..100000", c->pipeline);
	else if (c->key_max < c->key_min)
		snprintf(why, len, "key range %llu..%llu is empty",
			 (unsigned long long)c->key_min, (unsigned long long)c->key_max);
	else if (c->data_size > (512u << 20))
		snprintf(why, len, "data size %zu over 512 MiB", c->data_size);
	else if (strnlen(c->key_prefix, sizeof(c->key_prefix)) >= sizeof(c->key_prefix))
		snprintf(why, len, "key prefix too long");
	else
		return 0;
	return -1;
}

struct kvb *kvb_open(const struct kvb_config *cfg, char *why, size_t len)
{
	struct kvb *b;
	unsigned int t;

	if (check_config(cfg, why, len))
		return NULL;
	b = calloc(1, sizeof(*b));
	if (!b)
		goto err_oom;
	b->cfg = *cfg;
	pthread_mutex_init(&b->lock, NULL);
	pthread_cond_init(&b->cv_start, NULL);
	pthread_cond_init(&b->cv_done, NULL);
	b->pattern = malloc(cfg->data_size + 64);
	b->w = calloc(cfg->threads, sizeof(*b->w));
	if (!b->pattern || !b->w)
		goto err_free;
	for (t = 0; t < cfg->threads; t++)
		b->w[t].ep = -1;
	for (size_t i = 0; i < cfg->data_size + 64; i++)
		b->pattern[i] = (char)('a' + i % 26);
	for (t = 0; t < cfg->threads; t++) {
		struct worker *w = &b->w[t];

		w->b = b;
		w->idx = t;
		w->ep = epoll_create1(EPOLL_CLOEXEC);
		w->nconns = cfg->clients / cfg->threads + (t < cfg->clients % cfg->threads);
		w->conns = calloc(w->nconns, sizeof(*w->conns));
		for (unsigned int i = 0; w->conns && i < w->nconns; i++)
			w->conns[i].fd = -1;
		w->scratch = malloc(cfg->data_size + 1);
		if (w->ep < 0 || !w->conns || !w->scratch)
			goto err_free;
		w->rng = (cfg->seed + t + 1) * 0x9e3779b97f4a7c15ull;
		w->grng = (cfg->seed + t + 1) * 0xd1b54a32d192ed03ull;
	}
	b->running = cfg->threads;
	for (t = 0; t < cfg->threads; t++) {
		if (pthread_create(&b->w[t].th, NULL, worker_main, &b->w[t])) {
			/* the ones not started will never check in */
			pthread_mutex_lock(&b->lock);
			b->running -= cfg->threads - t;
			pthread_mutex_unlock(&b->lock);
			snprintf(why, len, "pthread_create: %s", strerror(errno));
			kvb_close(b);
			return NULL;
		}
		b->w[t].started = true;
	}
	wait_idle(b);
	for (t = 0; t < cfg->threads; t++) {
		if (b->w[t].rc) {
			snprintf(why, len, "%s", b->w[t].why);
			kvb_close(b);
			return NULL;
		}
	}
	return b;

err_free:
	kvb_close(b);
err_oom:
	snprintf(why, len, "out of memory setting up %u threads", cfg->threads);
	return NULL;
}

void kvb_start(struct kvb *b, const struct kvb_load *load)
{
	pthread_mutex_lock(&b->lock);
	b->load = *load;
	if (!b->load.set_ratio && !b->load.get_ratio)
		b->load.get_ratio = 1;
	b->start_ns = now_ns();
	b->deadline_ns = load->requests ? 0 : b->start_ns + (uint64_t)(load->seconds * 1e9);
	b->seq = 0;
	b->running = b->cfg.threads;
	b->gen++;
	pthread_cond_broadcast(&b->cv_start);
	pthread_mutex_unlock(&b->lock);
}

bool kvb_wait(struct kvb *b, unsigned int ms)
{
	struct timespec ts;
	bool done;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (long)(ms % 1000) * 1000000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	pthread_mutex_lock(&b->lock);
	while (b->running &&
	       pthread_cond_timedwait(&b->cv_done, &b->lock, &ts) != ETIMEDOUT)
		;
	done = !b->running;
	pthread_mutex_unlock(&b->lock);
	return done;
}

int kvb_finish(struct kvb *b, struct kvb_stats *st, char *why, size_t len)
{
	uint64_t end = b->start_ns;
	int rc = 0;

	wait_idle(b);
	memset(st, 0, sizeof(*st));
	kv_hist_init(&st->lat_ns);
	for (unsigned int t = 0; t < b->cfg.threads; t++) {
		struct worker *w = &b->w[t];

		st->ops += w->st.ops;
		st->sets += w->st.sets;
		st->gets += w->st.gets;
		st->hits += w->st.hits;
		st->misses += w->st.misses;
		st->errors += w->st.errors;
		st->verify_failures += w->st.verify_failures;
		kv_hist_merge(&st->lat_ns, &w->st.lat_ns);
		if (!st->first_error[0] && w->st.first_error[0])
			snprintf(st->first_error, sizeof(st->first_error), "%s",
				 w->st.first_error);
		if (w->end_ns > end)
			end = w->end_ns;
		if (w->rc && !rc) {
			rc = -1;
			snprintf(why, len, "thread %u: %s", t, w->why);
		}
	}
	st->seconds = (double)(end - b->start_ns) / 1e9;
	return rc;
}

int kvb_run(struct kvb *b, const struct kvb_load *load, struct kvb_stats *st,
	    char *why, size_t len)
{
	kvb_start(b, load);
	return kvb_finish(b, st, why, len);
}

void kvb_value(const struct kvb *b, uint64_t k, char *out)
{
	make_value(b, k, out);
}
