// SPDX-License-Identifier: GPL-2.0
/*
 * kv-bench: a memtier-like load generator for any RESP server (our
 * kv-server, Redis, ...). Sends SET and GET at a SET:GET ratio from many
 * connections over a few threads, and reports ops/s, hits, misses and
 * the latency percentiles, as text or JSON.
 */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kvbench.h"

static void usage(FILE *f)
{
	fprintf(f,
"usage: kv-bench [OPTIONS]\n"
"memtier-like load for a RESP server: SET and GET of prefix+N keys.\n"
"  --host HOST          server address (default 127.0.0.1)\n"
"  --port N             server port (default 6379)\n"
"  --unix PATH          unix socket instead of host:port\n"
"  --clients N          connections in all (default 50)\n"
"  --threads N          client threads sharing them (default 1)\n"
"  --ratio S:G          SETs to GETs (default 1:10, as memtier)\n"
"  --pipeline N         requests in flight per connection (default 1)\n"
"  --key-space N        keys key-min..key-min+N-1 (default 100000)\n"
"  --key-min N          first key number (default 0)\n"
"  --key-prefix S       (default \"key:\")\n"
"  --key-pattern P      random | sequential | gaussian (default random)\n"
"  --data-size N        SET value bytes (default 32)\n"
"  --test-time S        run for S seconds (default 10) ...\n"
"  --requests N         ... or send N requests in all\n"
"  --verify             GET values must be those SET writes (by key)\n"
"  --seed N             random seed (default 1)\n"
"  --timeout S          fail after S seconds without a reply (default 10)\n"
"  --json               one JSON object on stdout\n"
"  --help\n"
"Exit: 0 ok, 1 errors or verify failures, 2 bad usage or no connection.\n");
}

static int num(const char *opt, const char *s, unsigned long long min,
	       unsigned long long max, unsigned long long *out)
{
	char *end;

	errno = 0;
	*out = strtoull(s, &end, 10);
	if (errno || end == s || *end || *s == '-' || *out < min || *out > max) {
		fprintf(stderr, "kv-bench: %s %s: want an integer in %llu..%llu\n",
			opt, s, min, max);
		return -1;
	}
	return 0;
}

static void print_json(const struct kvb_config *c, const struct kvb_load *l,
		       const struct kvb_stats *st, int rc, const char *why)
{
	const struct kv_hist *h = &st->lat_ns;
	char ratio[32];
	json_t *o;

	snprintf(ratio, sizeof(ratio), "%u:%u", l->set_ratio, l->get_ratio);
	o = json_pack("{s:{s:s,s:i,s:s,s:i,s:i,s:i,s:s,s:I,s:s,s:I,s:I,s:f}}",
		"config", "host", c->host, "port", c->port, "unix", c->unix_path,
		"clients", c->clients, "threads", c->threads, "pipeline", c->pipeline,
		"key_pattern", kvb_pattern_names[l->pattern],
		"key_space", (json_int_t)(c->key_max - c->key_min + 1),
		"ratio", ratio, "data_size", (json_int_t)c->data_size,
		"requests", (json_int_t)l->requests, "test_time", l->seconds);
	json_object_set_new(o, "ok", json_boolean(!rc && !st->errors));
	if (rc)
		json_object_set_new(o, "error", json_string(why));
	else if (st->first_error[0])
		json_object_set_new(o, "error", json_string(st->first_error));
	json_object_set_new(o, "ops", json_integer((json_int_t)st->ops));
	json_object_set_new(o, "seconds", json_real(st->seconds));
	json_object_set_new(o, "ops_per_sec",
			    json_real(st->seconds > 0 ? (double)st->ops / st->seconds : 0));
	json_object_set_new(o, "sets", json_integer((json_int_t)st->sets));
	json_object_set_new(o, "gets", json_integer((json_int_t)st->gets));
	json_object_set_new(o, "hits", json_integer((json_int_t)st->hits));
	json_object_set_new(o, "misses", json_integer((json_int_t)st->misses));
	json_object_set_new(o, "errors", json_integer((json_int_t)st->errors));
	json_object_set_new(o, "verify_failures",
			    json_integer((json_int_t)st->verify_failures));
	json_object_set_new(o, "latency_us", json_pack("{s:f,s:f,s:f,s:f,s:f,s:f}",
		"p50", kv_hist_quantile(h, 0.50) / 1e3,
		"p99", kv_hist_quantile(h, 0.99) / 1e3,
		"p99.9", kv_hist_quantile(h, 0.999) / 1e3,
		"mean", kv_hist_mean(h) / 1e3,
		"min", h->count ? h->min / 1e3 : 0.0, "max", h->max / 1e3));
	json_dumpf(o, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(8));
	putchar('\n');
	json_decref(o);
}

static void print_text(const struct kvb_load *l, const struct kvb_stats *st)
{
	const struct kv_hist *h = &st->lat_ns;

	printf("%llu ops in %.3f s: %.0f ops/s (%llu SET, %llu GET: %llu hits, %llu misses, %llu errors)\n",
	       (unsigned long long)st->ops, st->seconds,
	       st->seconds > 0 ? (double)st->ops / st->seconds : 0,
	       (unsigned long long)st->sets, (unsigned long long)st->gets,
	       (unsigned long long)st->hits, (unsigned long long)st->misses,
	       (unsigned long long)st->errors);
	printf("latency us: p50 %.1f  p99 %.1f  p99.9 %.1f  mean %.1f  max %.1f\n",
	       kv_hist_quantile(h, 0.50) / 1e3, kv_hist_quantile(h, 0.99) / 1e3,
	       kv_hist_quantile(h, 0.999) / 1e3, kv_hist_mean(h) / 1e3, h->max / 1e3);
	if (l->verify)
		printf("verify: %llu bad values\n", (unsigned long long)st->verify_failures);
	if (st->first_error[0])
		printf("first error: %s\n", st->first_error);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "host", required_argument, NULL, 'H' },
		{ "port", required_argument, NULL, 'p' },
		{ "unix", required_argument, NULL, 'u' },
		{ "clients", required_argument, NULL, 'c' },
		{ "threads", required_argument, NULL, 't' },
		{ "ratio", required_argument, NULL, 'r' },
		{ "pipeline", required_argument, NULL, 'P' },
		{ "key-space", required_argument, NULL, 'k' },
		{ "key-min", required_argument, NULL, 'm' },
		{ "key-prefix", required_argument, NULL, 'x' },
		{ "key-pattern", required_argument, NULL, 'K' },
		{ "data-size", required_argument, NULL, 'd' },
		{ "test-time", required_argument, NULL, 'T' },
		{ "requests", required_argument, NULL, 'n' },
		{ "verify", no_argument, NULL, 'V' },
		{ "seed", required_argument, NULL, 's' },
		{ "timeout", required_argument, NULL, 'o' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct kvb_config cfg = {
		.host = "127.0.0.1", .port = 6379, .clients = 50, .threads = 1,
		.pipeline = 1, .key_min = 0, .key_prefix = "key:", .data_size = 32,
		.seed = 1, .timeout_s = 10,
	};
	struct kvb_load load = { .seconds = 10, .set_ratio = 1, .get_ratio = 10 };
	unsigned long long v, space = 100000;
	struct kvb_stats st;
	bool json = false;
	char why[256] = "";
	struct kvb *b;
	int o, rc;

	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 'H': snprintf(cfg.host, sizeof(cfg.host), "%s", optarg); break;
		case 'u': snprintf(cfg.unix_path, sizeof(cfg.unix_path), "%s", optarg); break;
		case 'p':
			if (num("--port", optarg, 1, 65535, &v))
				return 2;
			cfg.port = (int)v;
			break;
		case 'c':
			if (num("--clients", optarg, 1, 100000, &v))
				return 2;
			cfg.clients = (unsigned int)v;
			break;
		case 't':
			if (num("--threads", optarg, 1, 1024, &v))
				return 2;
			cfg.threads = (unsigned int)v;
			break;
		case 'P':
			if (num("--pipeline", optarg, 1, 100000, &v))
				return 2;
			cfg.pipeline = (unsigned int)v;
			break;
		case 'r':
			if (kvb_parse_ratio(optarg, &load.set_ratio, &load.get_ratio)) {
				fprintf(stderr, "kv-bench: --ratio %s: want SET:GET, e.g. 1:5\n", optarg);
				return 2;
			}
			break;
		case 'k':
			if (num("--key-space", optarg, 1, 1ull << 48, &space))
				return 2;
			break;
		case 'm':
			if (num("--key-min", optarg, 0, 1ull << 48, &v))
				return 2;
			cfg.key_min = v;
			break;
		case 'x':
			if (strlen(optarg) >= sizeof(cfg.key_prefix)) {
				fprintf(stderr, "kv-bench: --key-prefix: at most %zu bytes\n",
					sizeof(cfg.key_prefix) - 1);
				return 2;
			}
			strcpy(cfg.key_prefix, optarg);
			break;
		case 'K': {
			int i;

			for (i = 0; kvb_pattern_names[i]; i++)
				if (!strcmp(optarg, kvb_pattern_names[i]))
					break;
			if (!kvb_pattern_names[i]) {
				fprintf(stderr, "kv-bench: --key-pattern %s: want random, sequential or gaussian\n",
					optarg);
				return 2;
			}
			load.pattern = (enum kvb_pattern)i;
			break;
		}
		case 'd':
			if (num("--data-size", optarg, 1, 512u << 20, &v))
				return 2;
			cfg.data_size = v;
			break;
		case 'T':
			if (num("--test-time", optarg, 1, 86400, &v))
				return 2;
			load.seconds = (double)v;
			load.requests = 0;
			break;
		case 'n':
			if (num("--requests", optarg, 1, 1ull << 48, &v))
				return 2;
			load.requests = v;
			break;
		case 'V': load.verify = true; break;
		case 's':
			if (num("--seed", optarg, 0, ~0ull, &v))
				return 2;
			cfg.seed = v;
			break;
		case 'o':
			if (num("--timeout", optarg, 1, 3600, &v))
				return 2;
			cfg.timeout_s = (double)v;
			break;
		case 'j': json = true; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "kv-bench: unexpected argument '%s'\n", argv[optind]);
		return 2;
	}
	cfg.key_max = cfg.key_min + space - 1;
	b = kvb_open(&cfg, why, sizeof(why));
	if (!b) {
		fprintf(stderr, "kv-bench: %s\n", why);
		return 2;
	}
	rc = kvb_run(b, &load, &st, why, sizeof(why));
	kvb_close(b);
	if (rc)
		fprintf(stderr, "kv-bench: %s\n", why);
	if (json)
		print_json(&cfg, &load, &st, rc, why);
	else
		print_text(&load, &st);
	return rc || st.errors ? 1 : 0;
}
