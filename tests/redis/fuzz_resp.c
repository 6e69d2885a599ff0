// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz target for kv-server's RESP request parser (workloads/redis-like/
 * resp.c). Each input is parsed twice, all at once and in chunks whose
 * sizes come from the input, consuming the buffer as the server does; the
 * two must yield the same commands and both end in error or both not.
 * Any argument outside the buffer, any difference, any sanitizer report:
 * abort.
 *
 * Built with clang -fsanitize=fuzzer (libFuzzer) when available; else with
 * -DKV_FUZZ_STANDALONE as a randomized mutation loop that takes the same
 * -max_total_time=N argument and seed directories.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "resp.h"

static const struct resp_limits lim = {
	.max_bulk = 4096, .max_args = 64, .max_inline = 256,
};

struct outcome {
	struct kv_buf cmds;	/* each command: argc, then len+bytes per arg */
	int last;
};

static void record(struct outcome *o, const struct resp_req *r, const char *buf,
		   size_t len)
{
	if (!r->argc || r->pos > len)
		abort();
	kv_buf_add(&o->cmds, &r->argc, sizeof(r->argc));
	for (size_t i = 0; i < r->argc; i++) {
		const struct resp_arg *a = &r->argv[i];

		if (a->off > len || a->len > len - a->off || a->len > lim.max_bulk)
			abort();
		kv_buf_add(&o->cmds, &a->len, sizeof(a->len));
		kv_buf_add(&o->cmds, buf + a->off, a->len);
	}
}

/* chunks: sizes cycle through ctl[] (1..ctl_len), or everything at once */
static void run(const uint8_t *data, size_t size, const uint8_t *ctl,
		size_t nctl, struct outcome *o)
{
	struct kv_buf q = { 0 };
	struct resp_req r;
	size_t fed = 0, k = 0;

	resp_req_init(&r);
	o->last = RESP_MORE;
	while (fed < size && o->last != RESP_ERR) {
		size_t n = nctl ? (size_t)ctl[k++ % nctl] % 64 + 1 : size;

		if (n > size - fed)
			n = size - fed;
		kv_buf_add(&q, data + fed, n);
		fed += n;
		while ((o->last = resp_parse(&r, q.data, q.len, &lim)) == RESP_DONE) {
			record(o, &r, q.data, q.len);
			resp_req_next(&r);
		}
		if (r.start > q.len || r.pos > q.len || r.start > r.pos)
			abort();
		/* the parser never holds much more than the limits allow */
		if (o->last == RESP_MORE && q.len - r.start >
		    (lim.max_bulk + 2 + lim.max_inline + 2) * (size_t)lim.max_args + lim.max_inline)
			abort();
		kv_buf_consume(&q, r.start);
		resp_req_shift(&r, r.start);
	}
	resp_req_free(&r);
	kv_buf_free(&q);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct outcome whole = { 0 }, parts = { 0 };
	size_t nctl = size < 8 ? size : 8;

	run(data, size, NULL, 0, &whole);
	run(data, size, data, nctl, &parts);
	/*
	 * Errors may be found at different points (a header without its
	 * CR is "too big" only once enough bytes are in), but both runs must
	 * agree on every command before it and on whether one happened.
	 */
	if ((whole.last == RESP_ERR) != (parts.last == RESP_ERR) ||
	    whole.cmds.len != parts.cmds.len ||
	    (whole.cmds.len && memcmp(whole.cmds.data, parts.cmds.data, whole.cmds.len))) {
		fprintf(stderr, "fuzz_resp: whole/chunked disagree: last %d/%d, %zu/%zu bytes of commands\n",
			whole.last, parts.last, whole.cmds.len, parts.cmds.len);
		abort();
	}
	kv_buf_free(&whole.cmds);
	kv_buf_free(&parts.cmds);
	return 0;
}

#ifdef KV_FUZZ_STANDALONE
/* A randomized stand-in for libFuzzer: mutate seeds and random fragments. */
static uint64_t rng = 88172645463325252ull;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static const char *const frags[] = {
	"*", "$", "\r\n", "\r", "\n", "0", "1", "-1", "3", "64", "4096", "4097",
	"4611686018427387904", "99999999999999999999", "*1\r\n$4\r\nPING\r\n",
	"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n", "GET a\r\n", " ", "\0",
};

int main(int argc, char **argv)
{
	static struct kv_buf seeds[64];
	unsigned int nseeds = 0;
	double secs = 30;
	uint64_t runs = 0;
	time_t end;

	for (int i = 1; i < argc; i++) {
		DIR *d;
		struct dirent *de;

		if (!strncmp(argv[i], "-max_total_time=", 16)) {
			secs = atof(argv[i] + 16);
			continue;
		}
		if (argv[i][0] == '-' || !(d = opendir(argv[i])))
			continue;
		while ((de = readdir(d)) && nseeds < 64) {
			char p[4096], buf[4096];
			FILE *f;
			size_t n;

			if (de->d_name[0] == '.')
				continue;
			snprintf(p, sizeof(p), "%s/%s", argv[i], de->d_name);
			f = fopen(p, "rb");
			if (!f)
				continue;
			n = fread(buf, 1, sizeof(buf), f);
			fclose(f);
			kv_buf_add(&seeds[nseeds++], buf, n);
		}
		closedir(d);
	}
	fprintf(stderr, "fuzz_resp: standalone randomized run for %.0f s, %u seeds\n",
		secs, nseeds);
	end = time(NULL) + (time_t)secs;
	while (time(NULL) < end) {
		for (int batch = 0; batch < 1000; batch++, runs++) {
			struct kv_buf in = { 0 };
			unsigned int pieces = 1 + rnd() % 16;

			if (nseeds && rnd() % 2)
				kv_buf_add(&in, seeds[rnd() % nseeds].data,
					   seeds[rnd() % nseeds].len);
			for (unsigned int p = 0; p < pieces; p++) {
				uint64_t r = rnd();

				if (r % 3 == 0) {
					uint8_t b = (uint8_t)(r >> 8);

					kv_buf_add(&in, &b, 1);
				} else {
					const char *f = frags[r % (sizeof(frags) / sizeof(frags[0]))];

					kv_buf_add(&in, f, *f ? strlen(f) : 1);
				}
			}
			/* flip a few bytes */
			for (unsigned int m = rnd() % 4; m && in.len; m--)
				in.data[rnd() % in.len] = (char)rnd();
			LLVMFuzzerTestOneInput((const uint8_t *)in.data, in.len);
			kv_buf_free(&in);
		}
	}
	fprintf(stderr, "fuzz_resp: %llu inputs, no failure\n", (unsigned long long)runs);
	return 0;
}
#endif
