// SPDX-License-Identifier: GPL-2.0
/*
 * Option values: text <-> typed fields of a params struct, with one error
 * shape ("name: 'x' is not a size", "name: 3 is out of range [4K, 1T]"),
 * and the did-you-mean used for unknown keys and values. No YAML here, so
 * small programs (the guests' workload driver) share it with the loader.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "options.h"

int flb_opt_parse_u64(const char *s, uint64_t *v)
{
	char *end;

	if (!*s || *s == '-' || isspace((unsigned char)*s))
		return -1;
	errno = 0;
	/* decimal or 0x: a leading 0 is not octal ("010" is 10, "09" is 9) */
	*v = strtoull(s, &end, s[0] == '0' && (s[1] == 'x' || s[1] == 'X') ? 16 : 10);
	return (errno || *end) ? -1 : 0;
}

static int parse_scaled(const char *s, const char *const *units,
			const double *mult, double *out)
{
	char *end;
	double d;

	if (!*s || *s == '-' || isspace((unsigned char)*s))
		return -1;
	errno = 0;
	d = strtod(s, &end);
	if (errno || end == s || !isfinite(d) || d < 0)
		return -1;
	if (!*end) {
		*out = d;
		return 0;
	}
	for (int i = 0; units[i]; i++) {
		if (!strcasecmp(end, units[i])) {
			*out = d * mult[i];
			return 0;
		}
	}
	return -1;
}

/*
 * DIGITS, then one of units or none: the exact product, so that no
 * integer is rounded through a double ("9007199254740993" stays that).
 * 1 and *v; 0 when it is of that form but above 2^63 (as parse_scaled's
 * callers refuse); -1 when it is not (a fraction, an exponent, 0x...:
 * parse_scaled's).
 */
static int parse_int_scaled(const char *s, const char *const *units,
			    const double *mult, uint64_t *v)
{
	const char *p = s;
	bool over = false;
	uint64_t x = 0;

	if (!isdigit((unsigned char)*p))
		return -1;
	for (; isdigit((unsigned char)*p); p++)
		if (__builtin_mul_overflow(x, 10, &x) ||
		    __builtin_add_overflow(x, (uint64_t)(*p - '0'), &x))
			over = true;
	for (int i = -1; i < 0 || units[i]; i++) {
		uint64_t m = i < 0 ? 1 : (uint64_t)mult[i];

		if (i < 0 ? *p != '\0' : strcasecmp(p, units[i]) != 0)
			continue;
		if (over || __builtin_mul_overflow(x, m, v) || *v > (1ull << 63))
			return 0;
		return 1;
	}
	return -1;
}

static const char *const size_units[] = {
	"k", "kb", "kib", "m", "mb", "mib", "g", "gb", "gib", "t", "tb", "tib",
	"b", NULL
};
static const double size_mult[] = {
	0x1p10, 0x1p10, 0x1p10, 0x1p20, 0x1p20, 0x1p20, 0x1p30, 0x1p30, 0x1p30,
	0x1p40, 0x1p40, 0x1p40, 1
};
static const char *const ns_units[] = {
	"ns", "us", "ms", "s", "m", "min", "h", NULL
};
static const double ns_mult[] = { 1, 1e3, 1e6, 1e9, 60e9, 60e9, 3600e9 };

const char *flb_opt_type_noun(enum flb_opt_type t)
{
	switch (t) {
	case FLB_OPT_U64: return "a whole number";
	case FLB_OPT_SIZE: return "a size (4096, 4K, 64M, 1G)";
	case FLB_OPT_NS: return "a duration (500ns, 20us, 10ms, 0.5s, 10m)";
	case FLB_OPT_BOOL: return "true or false";
	case FLB_OPT_ENUM: return "one of the listed names";
	case FLB_OPT_STR: return "a string";
	}
	return "a value";
}

static void fmt_u64_scaled(uint64_t v, const char *const *units,
			   const uint64_t *mult, int n, char *buf, size_t len)
{
	for (int i = n - 1; i >= 0; i--) {
		if (v && v % mult[i] == 0) {
			snprintf(buf, len, "%" PRIu64 "%s", v / mult[i], units[i]);
			return;
		}
	}
	snprintf(buf, len, "%" PRIu64, v);
}

const char *flb_size_str(char *buf, size_t len, uint64_t bytes)
{
	static const char *const su[] = { "K", "M", "G", "T" };
	static const uint64_t sm[] = { 1ull << 10, 1ull << 20, 1ull << 30,
				       1ull << 40 };

	fmt_u64_scaled(bytes, su, sm, 4, buf, len);
	return buf;
}

void flb_opt_format(const struct flb_option *o, const void *base, char *buf,
		   size_t len)
{
	const char *p = (const char *)base + o->offset;
	static const char *const nu[] = { "us", "ms", "s" };
	static const uint64_t nm[] = { 1000, 1000000, 1000000000 };
	uint64_t v;

	switch (o->type) {
	case FLB_OPT_U64:
		memcpy(&v, p, sizeof(v));
		snprintf(buf, len, "%" PRIu64, v);
		break;
	case FLB_OPT_SIZE:
		memcpy(&v, p, sizeof(v));
		flb_size_str(buf, len, v);
		break;
	case FLB_OPT_NS:
		memcpy(&v, p, sizeof(v));
		fmt_u64_scaled(v, nu, nm, 3, buf, len);
		if (!strpbrk(buf, "smu"))
			snprintf(buf, len, "%" PRIu64 "ns", v);
		break;
	case FLB_OPT_BOOL:
		snprintf(buf, len, "%s", *(const bool *)p ? "true" : "false");
		break;
	case FLB_OPT_ENUM:
		snprintf(buf, len, "%s", o->choices[*(const int *)p]);
		break;
	case FLB_OPT_STR:
		snprintf(buf, len, "%s", p);
		break;
	}
}

int flb_opt_parse(const struct flb_option *o, const char *text, void *base,
		 char *why, size_t len)
{
	char *p = (char *)base + o->offset;
	uint64_t v = 0;
	double d;
	int i;

	switch (o->type) {
	case FLB_OPT_U64:
		if (flb_opt_parse_u64(text, &v))
			goto bad_type;
		goto range;
	case FLB_OPT_SIZE:
		i = parse_int_scaled(text, size_units, size_mult, &v);
		if (i == 1)
			goto range;
		if (i == 0 || parse_scaled(text, size_units, size_mult, &d) ||
		    d != floor(d) || d > 0x1p63)
			goto bad_type;
		v = (uint64_t)d;
		goto range;
	case FLB_OPT_NS:
		i = parse_int_scaled(text, ns_units, ns_mult, &v);
		if (i == 1)
			goto range;
		if (i == 0 || parse_scaled(text, ns_units, ns_mult, &d) || d > 0x1p63)
			goto bad_type;
		/* llround() has no 2^63 to give */
		v = d < 0x1p63 ? (uint64_t)llround(d) : 1ull << 63;
		goto range;
	case FLB_OPT_BOOL: {
		static const char *const t[] = { "true", "yes", "on", "1" };
		static const char *const f[] = { "false", "no", "off", "0" };

		for (i = 0; i < 4; i++) {
			if (!strcasecmp(text, t[i]) || !strcasecmp(text, f[i])) {
				*(bool *)p = !strcasecmp(text, t[i]);
				return 0;
			}
		}
		goto bad_type;
	}
	case FLB_OPT_ENUM: {
		size_t n = 0;
		const char *near;

		for (i = 0; o->choices[i]; i++) {
			if (!strcmp(text, o->choices[i])) {
				*(int *)p = i;
				return 0;
			}
			n++;
		}
		near = flb_did_you_mean(text, o->choices, n);
		if (near) {
			snprintf(why, len, "%s: unknown value '%s' (did you mean '%s'?)",
				 o->name, text, near);
		} else {
			int w = snprintf(why, len, "%s: unknown value '%s'; one of:",
					 o->name, text);
			for (i = 0; o->choices[i] && w > 0 && (size_t)w < len; i++)
				w += snprintf(why + w, len - w, " %s", o->choices[i]);
		}
		return -1;
	}
	case FLB_OPT_STR:
		if (strlen(text) >= FLB_STR_MAX) {
			snprintf(why, len, "%s: longer than %d characters",
				 o->name, FLB_STR_MAX - 1);
			return -1;
		}
		strcpy(p, text);
		goto check;
	}
bad_type:
	snprintf(why, len, "%s: '%s' is not %s", o->name, text,
		 flb_opt_type_noun(o->type));
	return -1;
range:
	if (v < o->min || v > o->max) {
		char lo[32], hi[32], tmp[sizeof(uint64_t)];
		struct flb_option q = *o;

		/* format the bounds in the option's own units */
		q.offset = 0;
		memcpy(tmp, &o->min, sizeof(tmp));
		flb_opt_format(&q, tmp, lo, sizeof(lo));
		memcpy(tmp, &o->max, sizeof(tmp));
		flb_opt_format(&q, tmp, hi, sizeof(hi));
		snprintf(why, len, "%s: %s is out of range [%s, %s]", o->name,
			 text, lo, hi);
		return -1;
	}
	memcpy(p, &v, sizeof(v));
check:
	if (o->check && o->check(p, why, len))
		return -1;
	return 0;
}

/* ------------------------------------------------------------------ */
/* did you mean */

size_t flb_edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), prev[64], cur[64];

	if (la >= 63 || lb >= 63)
		return (size_t)-1;
	for (size_t j = 0; j <= lb; j++)
		prev[j] = j;
	for (size_t i = 1; i <= la; i++) {
		cur[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t c = prev[j - 1] + (tolower((unsigned char)a[i - 1]) !=
						   tolower((unsigned char)b[j - 1]));

			if (prev[j] + 1 < c)
				c = prev[j] + 1;
			if (cur[j - 1] + 1 < c)
				c = cur[j - 1] + 1;
			cur[j] = c;
		}
		memcpy(prev, cur, sizeof(size_t) * (lb + 1));
	}
	return prev[lb];
}

const char *flb_did_you_mean(const char *s, const char *const *names, size_t n)
{
	const char *best = NULL;
	size_t bestd = (size_t)-1, limit = strlen(s) / 3 + 1;

	if (limit < 2)
		limit = 2;
	for (size_t i = 0; i < n; i++) {
		size_t d = flb_edit_distance(s, names[i]);

		if (d < bestd) {
			bestd = d;
			best = names[i];
		}
	}
	return bestd <= limit ? best : NULL;
}

