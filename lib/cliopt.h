/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Command-line options as data: one table per command, as perf's
 * parse-options and fio's option table. The table generates --help,
 * accepts --opt value, --opt=value, -c value, -cvalue, clustered short
 * flags (-qn) and -- (the end of options), and answers an unknown option
 * with the nearest name. Every command behaves the same way.
 *
 * An entry says where its value goes as an offset into a base struct the
 * command passes (so tables are static const data): a flag (bool), a
 * string (const char *, the argument as given), or a callback that checks
 * and stores it. An include entry composes another table whose base sits
 * at its offset in this one: the comparison options shared by the
 * analysis commands are one table, included by each.
 */
#ifndef FLB_CLIOPT_H
#define FLB_CLIOPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "result.h"

enum flb_cliopt_kind {
	FLB_CLIOPT_END = 0,	/* ends a table */
	FLB_CLIOPT_FLAG,	/* bool at offset, set true; takes no value */
	FLB_CLIOPT_STRING,	/* const char * at offset: the value as given */
	FLB_CLIOPT_CALLBACK,	/* ->parse(value, base + offset) */
	FLB_CLIOPT_INCLUDE,	/* ->arg's entries, their base at base + offset */
};

struct flb_cliopt;
/*
 * Check value and store it at dst: 0, or -1 with why (what is wrong with
 * the value, e.g. "'x' is not a whole number"; the caller names the
 * option). value is NULL for a callback without a metavar (no value).
 */
typedef int (*flb_cliopt_fn)(const struct flb_cliopt *o, const char *value,
			     void *dst, char *why, size_t len);

struct flb_cliopt {
	enum flb_cliopt_kind kind;
	char shortopt;		/* 'c' for -c; 0: none */
	const char *name;	/* "config" for --config; NULL: short only */
	const char *metavar;	/* the value in --help ("FILE"); NULL: no value */
	const char *help;	/* '\n' starts a continuation line */
	size_t offset;		/* where the value goes, in the base */
	flb_cliopt_fn parse;	/* FLB_CLIOPT_CALLBACK */
	const void *arg;	/* for ->parse; FLB_CLIOPT_INCLUDE: the table */
	bool hidden;		/* internal: accepted, not in --help */
};

/*
 * Entries; a trailing argument may add designators (.hidden = true).
 * T is the base struct, F the field (a path: o.min_effect).
 */
#define FLB_CLI_FLAG(s, n, T, F, h, ...)					\
	{ .kind = FLB_CLIOPT_FLAG, .shortopt = s, .name = n, .help = h,	\
	  .offset = offsetof(T, F), __VA_ARGS__ }
#define FLB_CLI_STRING(s, n, T, F, mv, h, ...)				\
	{ .kind = FLB_CLIOPT_STRING, .shortopt = s, .name = n,		\
	  .metavar = mv, .help = h, .offset = offsetof(T, F), __VA_ARGS__ }
#define FLB_CLI_CALLBACK(s, n, T, F, mv, fn, a, h, ...)			\
	{ .kind = FLB_CLIOPT_CALLBACK, .shortopt = s, .name = n,		\
	  .metavar = mv, .help = h, .offset = offsetof(T, F), .parse = fn,	\
	  .arg = a, __VA_ARGS__ }
/* a typed value (lib/options.h): o's field of the struct at F */
#define FLB_CLI_TYPED(s, n, T, F, mv, opt, h, ...)				\
	FLB_CLI_CALLBACK(s, n, T, F, mv, flb_cli_typed, opt, h, __VA_ARGS__)
/* one of choices (NULL-terminated), stored as the const char * */
#define FLB_CLI_CHOICE(s, n, T, F, mv, choices, h, ...)			\
	FLB_CLI_CALLBACK(s, n, T, F, mv, flb_cli_choice, choices, h, __VA_ARGS__)
#define FLB_CLI_INCLUDE(T, F, table)						\
	{ .kind = FLB_CLIOPT_INCLUDE, .offset = offsetof(T, F), .arg = table }
#define FLB_CLI_INCLUDE_HERE(table)						\
	{ .kind = FLB_CLIOPT_INCLUDE, .offset = 0, .arg = table }
#define FLB_CLI_END { .kind = FLB_CLIOPT_END }

/* A command: its name, what --help says around the table, the table. */
struct flb_cli {
	const char *cmd;	/* "run": messages start "flushbench run: " */
	const char *usage;	/* after "usage: flushbench CMD "; '\n' adds a form */
	const char *about;	/* lines after the usage line (may be NULL) */
	const char *footer;	/* lines after the options ("Exit: ..."), or NULL */
	const struct flb_cliopt *opts;
};

#define FLB_CLI_HELP	(-1)	/* --help was printed on stdout */
#define FLB_CLI_ERROR	(-2)	/* a message and the hint are on stderr */

/*
 * Parse argv[1..argc-1] (argv[0] is the command's name; argv is not
 * changed) into base (NULL when the table is empty). Positional arguments go to pos[] in their order;
 * more than maxpos is an error. Returns their number, FLB_CLI_HELP or
 * FLB_CLI_ERROR.
 */
int flb_cli_parse(const struct flb_cli *cli, int argc, char **argv,
		  void *base, const char **pos, int maxpos);
/* The exit status of a negative flb_cli_parse() answer. */
static inline int flb_cli_exit(int rc)
{
	return rc == FLB_CLI_HELP ? FLB_EXIT_OK : FLB_EXIT_USAGE;
}
/* The usage line, about, the options aligned, footer. */
void flb_cli_help(const struct flb_cli *cli, FILE *f);
/*
 * A usage error found by the command (argument count, a required or
 * conflicting option): "flushbench CMD: message" and the --help hint on
 * stderr. Returns FLB_EXIT_USAGE.
 */
int flb_cli_usage_error(const struct flb_cli *cli, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/*
 * Whether a table (with what it includes) is well formed: kinds, metavars
 * where values are taken, no name or letter twice, none taking --help or
 * -h. 0, or -1 with why. flb_cli_parse checks it first.
 */
int flb_cli_check(const struct flb_cliopt *t, char *why, size_t len);

/* Stock callbacks. ->arg: a struct flb_option (lib/options.h), parsed into dst. */
int flb_cli_typed(const struct flb_cliopt *o, const char *value, void *dst,
		  char *why, size_t len);
/* ->arg: NULL-terminated const char *const[]; the matching one into dst. */
int flb_cli_choice(const struct flb_cliopt *o, const char *value, void *dst,
		   char *why, size_t len);

#endif
