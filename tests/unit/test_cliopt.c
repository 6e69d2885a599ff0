// SPDX-License-Identifier: GPL-2.0
/* Unit tests: the command-line option tables (lib/cliopt.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "cliopt.h"
#include "options.h"

struct common {
	const char *db;
	bool brief;
};

struct args {
	uint64_t iterations;
	const char *config;
	bool quiet, dry;
	const char *mode;
	int touched;
	const char *secret;
	struct common c;
};

static const struct flb_option iter_opt = {
	.name = "iterations", .type = FLB_OPT_U64, .min = 1, .max = 100,
};
static const char *const modes[] = { "fast", "slow", NULL };

/* a callback without a value: counts its calls */
static int touch(const struct flb_cliopt *o, const char *value, void *dst,
		 char *why, size_t len)
{
	(void)o;
	if (value) {
		snprintf(why, len, "got a value");
		return -1;
	}
	(*(int *)dst)++;
	return 0;
}

static const struct flb_cliopt common_opts[] = {
	FLB_CLI_STRING(0, "db", struct common, db, "PATH", "the results store"),
	FLB_CLI_FLAG('b', "brief", struct common, brief, "a short table"),
	FLB_CLI_END
};

static const struct flb_cliopt opts[] = {
	FLB_CLI_STRING('c', "config", struct args, config, "FILE",
		       "the suite\nsecond line"),
	FLB_CLI_TYPED('i', "iterations", struct args, iterations, "N",
		      &iter_opt, "how many"),
	FLB_CLI_FLAG('q', "quiet", struct args, quiet, "no progress"),
	FLB_CLI_FLAG('n', "dry-run", struct args, dry, "run nothing"),
	FLB_CLI_CHOICE(0, "mode", struct args, mode, "MODE", modes, "fast or slow"),
	FLB_CLI_CALLBACK(0, "touch", struct args, touched, NULL, touch, NULL,
			 "count"),
	FLB_CLI_STRING(0, "secret", struct args, secret, "X", "internal",
		       .hidden = true),
	FLB_CLI_INCLUDE(struct args, c, common_opts),
	FLB_CLI_END
};

static const struct flb_cli cli = {
	.cmd = "t", .usage = "[OPTIONS] A [B]\n--other-form", .about = "About.",
	.footer = "Exit: 0 or 2.", .opts = opts,
};

/* What one parse printed, and its answer. */
struct result {
	int rc;
	const char *pos[3];
	char out[4096], err[4096];
};

static void slurp(FILE *f, char *buf, size_t len)
{
	size_t n;

	rewind(f);
	n = fread(buf, 1, len - 1, f);
	buf[n] = '\0';
	fclose(f);
}

/* Parse words (NULL-terminated, after "t") into a, at most 2 positionals. */
static struct result *parsev(struct args *a, const char *const *words)
{
	static struct result r;
	char *argv[32] = { "t" };
	int argc = 1, o1 = dup(1), o2 = dup(2);
	FILE *out = tmpfile(), *err = tmpfile();

	assert_non_null(out);
	assert_non_null(err);
	while (argc < 31 && (argv[argc] = (char *)words[argc - 1]))
		argc++;
	memset(&r, 0, sizeof(r));
	memset(a, 0, sizeof(*a));
	fflush(stdout);
	fflush(stderr);
	dup2(fileno(out), 1);
	dup2(fileno(err), 2);
	r.rc = flb_cli_parse(&cli, argc, argv, a, r.pos, 2);
	fflush(stdout);
	fflush(stderr);
	dup2(o1, 1);
	dup2(o2, 2);
	close(o1);
	close(o2);
	slurp(out, r.out, sizeof(r.out));
	slurp(err, r.err, sizeof(r.err));
	return &r;
}

#define parse(a, ...) parsev(a, (const char *const[]){ __VA_ARGS__ })

/* The parse failed with msg and the hint on stderr, nothing on stdout. */
static void assert_usage_error(const struct result *r, const char *msg)
{
	char want[512];

	snprintf(want, sizeof(want), "flushbench t: %s\nsee flushbench t --help\n", msg);
	assert_int_equal(r->rc, FLB_CLI_ERROR);
	assert_string_equal(r->err, want);
	assert_string_equal(r->out, "");
	assert_int_equal(flb_cli_exit(r->rc), FLB_EXIT_USAGE);
}

static void test_values(void **state)
{
	struct args a;
	struct result *r;

	(void)state;
	/* --opt value, --opt=value, -c value, -cvalue */
	r = parse(&a, "--config", "x.yaml", "--iterations=7", "--db", "d.db", NULL);
	assert_int_equal(r->rc, 0);
	assert_string_equal(a.config, "x.yaml");
	assert_int_equal(a.iterations, 7);
	assert_string_equal(a.c.db, "d.db");
	assert_string_equal(r->err, "");
	r = parse(&a, "-c", "y.yaml", "-i42", "--db=e.db", NULL);
	assert_int_equal(r->rc, 0);
	assert_string_equal(a.config, "y.yaml");
	assert_int_equal(a.iterations, 42);
	assert_string_equal(a.c.db, "e.db");
	/* a value may hold '=' and start with '-'; the last one given wins */
	r = parse(&a, "--config=a=b", "-c", "-z", "--mode", "fast", "--mode=slow", NULL);
	assert_int_equal(r->rc, 0);
	assert_string_equal(a.config, "-z");
	assert_string_equal(a.mode, "slow");
	/* an empty value is a value */
	r = parse(&a, "--config=", NULL);
	assert_int_equal(r->rc, 0);
	assert_string_equal(a.config, "");
}

static void test_flags(void **state)
{
	struct args a;
	struct result *r;

	(void)state;
	r = parse(&a, "--quiet", "-b", NULL);
	assert_int_equal(r->rc, 0);
	assert_true(a.quiet);
	assert_true(a.c.brief);
	assert_false(a.dry);
	/* clustered short flags, the last may take the rest as its value */
	r = parse(&a, "-qn", NULL);
	assert_int_equal(r->rc, 0);
	assert_true(a.quiet && a.dry);
	r = parse(&a, "-qci.yaml", NULL);
	assert_int_equal(r->rc, 0);
	assert_true(a.quiet);
	assert_string_equal(a.config, "i.yaml");
	r = parse(&a, "-qc", "j.yaml", NULL);
	assert_int_equal(r->rc, 0);
	assert_string_equal(a.config, "j.yaml");
	/* a callback without a value gets none */
	r = parse(&a, "--touch", "--touch", NULL);
	assert_int_equal(r->rc, 0);
	assert_int_equal(a.touched, 2);
	/* hidden: accepted all the same */
	r = parse(&a, "--secret", "s", NULL);
	assert_int_equal(r->rc, 0);
	assert_string_equal(a.secret, "s");
}

static void test_positionals(void **state)
{
	struct args a;
	struct result *r;

	(void)state;
	/* between options, in order; "-" is an argument */
	r = parse(&a, "A", "-q", "-", NULL);
	assert_int_equal(r->rc, 2);
	assert_string_equal(r->pos[0], "A");
	assert_string_equal(r->pos[1], "-");
	assert_true(a.quiet);
	/* after --, options are arguments */
	r = parse(&a, "--", "--quiet", "-x", NULL);
	assert_int_equal(r->rc, 2);
	assert_string_equal(r->pos[0], "--quiet");
	assert_string_equal(r->pos[1], "-x");
	assert_false(a.quiet);
	r = parse(&a, "-q", "--", NULL);
	assert_int_equal(r->rc, 0);
}

/* Command lines the parse refuses, and what it says. */
static const struct {
	const char *argv[5];
	const char *msg;
} refused[] = {
	{ { "--iteratons", "5" },
	  "unknown option '--iteratons' (did you mean '--iterations'?)" },
	{ { "--iteratons=5" },
	  "unknown option '--iteratons' (did you mean '--iterations'?)" },
	/* included and "help" are names too; hidden ones are not offered */
	{ { "--bref" }, "unknown option '--bref' (did you mean '--brief'?)" },
	{ { "--hlep" }, "unknown option '--hlep' (did you mean '--help'?)" },
	{ { "--secrte", "x" }, "unknown option '--secrte'" },
	{ { "--no-such-thing" }, "unknown option '--no-such-thing'" },
	/* a long name with one dash (not a known short letter) */
	{ { "-mode", "x" }, "unknown option '-mode' (did you mean '--mode'?)" },
	{ { "-x" }, "unknown option '-x'" },
	{ { "-qx" }, "unknown option '-x'" },
	/* missing values, values given to flags */
	{ { "--config" }, "option '--config' needs a value (FILE)" },
	{ { "-q", "-c" }, "option '-c' needs a value (FILE)" },
	{ { "--quiet=yes" }, "option '--quiet' takes no value" },
	{ { "--touch=1" }, "option '--touch' takes no value" },
	{ { "--help=1" }, "option '--help' takes no value" },
	/* values the callbacks refuse; the first error stops the parse */
	{ { "--iterations", "0" }, "--iterations: 0 is out of range [1, 100]" },
	{ { "-i", "x" }, "--iterations: 'x' is not a whole number" },
	{ { "--mode=fats" }, "--mode: unknown value 'fats' (did you mean 'fast'?)" },
	{ { "--mode", "quick" }, "--mode: unknown value 'quick'; one of: fast slow" },
	{ { "--iterations", "0", "--bogus" },
	  "--iterations: 0 is out of range [1, 100]" },
	/* more arguments than the command takes */
	{ { "A", "B", "C" }, "unexpected argument 'C'" },
};

static void test_refused(void **state)
{
	struct args a;

	(void)state;
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
		assert_usage_error(parsev(&a, refused[i].argv), refused[i].msg);
}

static const char help[] =
"usage: flushbench t [OPTIONS] A [B]\n"
"       flushbench t --other-form\n"
"About.\n"
"\n"
"options:\n"
"  -c, --config FILE   the suite\n"
"                      second line\n"
"  -i, --iterations N  how many\n"
"  -q, --quiet         no progress\n"
"  -n, --dry-run       run nothing\n"
"      --mode MODE     fast or slow\n"
"      --touch         count\n"
"      --db PATH       the results store\n"
"  -b, --brief         a short table\n"
"  -h, --help          this help\n"
"Exit: 0 or 2.\n";

static void test_help(void **state)
{
	struct args a;
	struct result *r;

	(void)state;
	r = parse(&a, "--help", NULL);
	assert_int_equal(r->rc, FLB_CLI_HELP);
	assert_int_equal(flb_cli_exit(r->rc), FLB_EXIT_OK);
	assert_string_equal(r->out, help);
	assert_string_equal(r->err, "");
	/* -h anywhere, also in a cluster; after a bad option it is too late */
	r = parse(&a, "A", "-qh", NULL);
	assert_int_equal(r->rc, FLB_CLI_HELP);
	assert_string_equal(r->out, help);
	r = parse(&a, "--bogus", "-h", NULL);
	assert_int_equal(r->rc, FLB_CLI_ERROR);
	assert_string_equal(r->out, "");
	/* after --, it is an argument */
	r = parse(&a, "--", "-h", NULL);
	assert_int_equal(r->rc, 1);
}

/* An option too wide for the column has its help on the next line. */
static void test_help_wide(void **state)
{
	static const struct flb_cliopt t[] = {
		FLB_CLI_FLAG('q', "quiet", struct args, quiet, "short"),
		FLB_CLI_STRING(0, "a-rather-long-option", struct args, config,
			       "AND-A-LONG-METAVAR", "its help\nits second line"),
		FLB_CLI_END
	};
	const struct flb_cli c = { .cmd = "w", .usage = "", .opts = t };
	FILE *f = tmpfile();
	char buf[1024];

	(void)state;
	flb_cli_help(&c, f);
	slurp(f, buf, sizeof(buf));
	assert_string_equal(buf,
		"usage: flushbench w\n"
		"\n"
		"options:\n"
		"  -q, --quiet  short\n"
		"      --a-rather-long-option AND-A-LONG-METAVAR\n"
		"               its help\n"
		"               its second line\n"
		"  -h, --help   this help\n");
}

static void test_usage_error(void **state)
{
	int o2 = dup(2);
	FILE *err = tmpfile();
	char buf[256];

	(void)state;
	fflush(stderr);
	dup2(fileno(err), 2);
	assert_int_equal(flb_cli_usage_error(&cli, "expected %s", "A and B"),
			 FLB_EXIT_USAGE);
	fflush(stderr);
	dup2(o2, 2);
	close(o2);
	slurp(err, buf, sizeof(buf));
	assert_string_equal(buf, "flushbench t: expected A and B\nsee flushbench t --help\n");
}

#define BAD_TABLE(want, ...) do {						\
	const struct flb_cliopt t[] = { __VA_ARGS__, FLB_CLI_END };		\
	char why[256] = "";							\
										\
	assert_int_equal(flb_cli_check(t, why, sizeof(why)), -1);		\
	assert_string_equal(why, want);						\
} while (0)

static const struct flb_cliopt again[] = {
	FLB_CLI_FLAG(0, "quiet", struct args, quiet, "twice"),
	FLB_CLI_END
};
static const struct flb_cliopt loop[] = {
	FLB_CLI_INCLUDE_HERE(loop),
	FLB_CLI_END
};

static void test_check(void **state)
{
	char why[256];

	(void)state;
	assert_int_equal(flb_cli_check(opts, why, sizeof(why)), 0);
	BAD_TABLE("--quiet: given twice", FLB_CLI_INCLUDE_HERE(opts),
		  FLB_CLI_INCLUDE_HERE(again));
	BAD_TABLE("-q: given twice",
		  FLB_CLI_FLAG('q', "quiet", struct args, quiet, ""),
		  FLB_CLI_FLAG('q', "dry-run", struct args, dry, ""));
	BAD_TABLE("--quiet: a flag takes no value (metavar X)",
		  FLB_CLI_FLAG(0, "quiet", struct args, quiet, "", .metavar = "X"));
	BAD_TABLE("--config: a string option needs a metavar",
		  FLB_CLI_STRING(0, "config", struct args, config, NULL, ""));
	BAD_TABLE("--mode: no callback",
		  FLB_CLI_CALLBACK(0, "mode", struct args, mode, "M", NULL, NULL, ""));
	BAD_TABLE("'--help': not a usable long name",
		  FLB_CLI_FLAG(0, "help", struct args, quiet, ""));
	BAD_TABLE("'---x': not a usable long name",
		  FLB_CLI_FLAG(0, "-x", struct args, quiet, ""));
	BAD_TABLE("'--a=b': not a usable long name",
		  FLB_CLI_FLAG(0, "a=b", struct args, quiet, ""));
	BAD_TABLE("'-h': not a usable short name",
		  FLB_CLI_FLAG('h', "hosts", struct args, quiet, ""));
	BAD_TABLE("an entry without a name",
		  FLB_CLI_FLAG(0, NULL, struct args, quiet, ""));
	BAD_TABLE("tables included more than 4 deep", FLB_CLI_INCLUDE_HERE(loop));
}

/* A bad table is refused before anything is parsed. */
static void test_bad_table_refused(void **state)
{
	static const struct flb_cliopt t[] = {
		FLB_CLI_FLAG('q', "quiet", struct args, quiet, ""),
		FLB_CLI_FLAG('q', "dry-run", struct args, dry, ""),
		FLB_CLI_END
	};
	const struct flb_cli c = { .cmd = "t", .opts = t };
	char *argv[] = { "t", "--quiet", NULL };
	struct args a = { 0 };
	int o2 = dup(2);
	FILE *err = tmpfile();
	char buf[256];

	(void)state;
	fflush(stderr);
	dup2(fileno(err), 2);
	assert_int_equal(flb_cli_parse(&c, 2, argv, &a, NULL, 0), FLB_CLI_ERROR);
	fflush(stderr);
	dup2(o2, 2);
	close(o2);
	slurp(err, buf, sizeof(buf));
	assert_false(a.quiet);
	assert_string_equal(buf, "flushbench t: bad option table: -q: given twice\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_flags),
		cmocka_unit_test(test_positionals),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_help),
		cmocka_unit_test(test_help_wide),
		cmocka_unit_test(test_usage_error),
		cmocka_unit_test(test_check),
		cmocka_unit_test(test_bad_table_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
