/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Options as data: a table of (name, type, offset, range, default, help)
 * and the one parser of their values, for the config loader, the matrix
 * loader, `flushbench list` and small drivers.
 */
#ifndef FLB_OPTIONS_H
#define FLB_OPTIONS_H

#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>

#define FLB_STR_MAX 128

enum flb_opt_type {
	FLB_OPT_U64,	/* uint64_t: 12, 0x10 */
	FLB_OPT_SIZE,	/* uint64_t bytes: 4096, 4K, 64M, 1G (binary units) */
	FLB_OPT_NS,	/* uint64_t nanoseconds: 500ns, 20us, 10ms, 0.5s */
	FLB_OPT_BOOL,	/* bool: true/false, yes/no, on/off */
	FLB_OPT_ENUM,	/* int: index into choices[] */
	FLB_OPT_STR,	/* char[FLB_STR_MAX] */
};

struct flb_option {
	const char *name;
	enum flb_opt_type type;
	size_t offset;			/* into the params struct */
	uint64_t min, max;		/* inclusive bounds for U64/SIZE/NS */
	const char *def;		/* default, written as in a config */
	const char *const *choices;	/* FLB_OPT_ENUM: NULL-terminated */
	const char *help;
	/* optional extra check of a value; 0 if fine, else -1 and why */
	int (*check)(const void *value, char *why, size_t len);
};

#define FLB_OPTION_END { .name = NULL }
#define FLB_OFF(type, field) offsetof(type, field)

/* Parse text into o's field of base (range and ->check applied); 0, or -1 and why. */
int flb_opt_parse(const struct flb_option *o, const char *text, void *base,
		 char *why, size_t len);
/* o's field of base as a config would write it ("64M", "20us", "true"). */
void flb_opt_format(const struct flb_option *o, const void *base, char *buf,
		   size_t len);
/*
 * A size as a config writes it, in the largest binary unit that divides
 * it ("64K", "2G"; "4100" in bytes): the one size format of the tree, for
 * messages too, so that they read like what the user wrote. Returns buf.
 */
const char *flb_size_str(char *buf, size_t len, uint64_t bytes);
/* A plain non-negative integer (decimal or 0x); 0 or -1. */
int flb_opt_parse_u64(const char *s, uint64_t *v);
/* "a size (4096, 4K, 64M, 1G)", ...: what a value of type t must be. */
const char *flb_opt_type_noun(enum flb_opt_type t);
/* Levenshtein distance ignoring case; (size_t)-1 when a or b has 63+ characters. */
size_t flb_edit_distance(const char *a, const char *b);
/* The closest of names[] to s, or NULL if nothing is close. */
const char *flb_did_you_mean(const char *s, const char *const *names, size_t n);

#endif
