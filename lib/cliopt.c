// SPDX-License-Identifier: GPL-2.0
/*
 * The one command-line parser (see cliopt.h): every command's options are
 * a table, and this file alone turns argv into values, --help into text
 * and mistakes into "flushbench CMD: ..." with the --help hint. Hand
 * written rather than over getopt_long: getopt keeps global state,
 * accepts abbreviations (so adding an option can change what an old
 * command line means) and knows nothing of composed tables or of the
 * nearest name.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "cliopt.h"
#include "options.h"

#define MAX_DEPTH	4	/* of included tables */
#define MAX_NAMES	128	/* long names of a command, for did-you-mean */
#define HELP_COL	24	/* where help text starts, unless all are shorter */

/* An entry found in a (composed) table, and the base its value goes into. */
struct found {
	const struct flb_cliopt *o;
	void *base;
};

static bool takes_value(const struct flb_cliopt *o)
{
	return o->metavar != NULL;
}

/*
 * Walk t and what it includes, calling fn on every option entry with its
 * base; stops at the first non-zero answer of fn and returns it.
 */
static int walk(const struct flb_cliopt *t, void *base, int depth,
		int (*fn)(const struct flb_cliopt *o, void *base, void *ctx),
		void *ctx)
{
	int rc;

	for (; t && t->kind != FLB_CLIOPT_END; t++) {
		if (t->kind == FLB_CLIOPT_INCLUDE) {
			if (depth >= MAX_DEPTH)
				return -1;
			rc = walk(t->arg, base ? (char *)base + t->offset : NULL,
				  depth + 1, fn, ctx);
		} else {
			rc = fn(t, base ? (char *)base + t->offset : NULL, ctx);
		}
		if (rc)
			return rc;
	}
	return 0;
}

/* --- finding an option --- */

struct lookup {
	const char *name;	/* long: the name (not NUL-terminated at len) */
	size_t len;
	char shortopt;		/* or short */
	struct found f;
};

static int match(const struct flb_cliopt *o, void *base, void *ctx)
{
	struct lookup *l = ctx;

	if (l->name ? o->name && strlen(o->name) == l->len &&
		      !strncmp(o->name, l->name, l->len)
		    : o->shortopt == l->shortopt) {
		l->f.o = o;
		l->f.base = base;
		return 1;
	}
	return 0;
}

struct names {
	const char *v[MAX_NAMES];
	size_t n;
};

static int add_name(const struct flb_cliopt *o, void *base, void *ctx)
{
	struct names *nm = ctx;

	(void)base;
	if (o->name && !o->hidden && nm->n < MAX_NAMES)
		nm->v[nm->n++] = o->name;
	return 0;
}

/* The nearest long name of the table (or "help") to s, or NULL. */
static const char *nearest(const struct flb_cli *cli, const char *s)
{
	struct names nm = { .v = { "help" }, .n = 1 };

	walk(cli->opts, NULL, 0, add_name, &nm);
	return flb_did_you_mean(s, nm.v, nm.n);
}

/* --- messages --- */

static void vusage_error(const struct flb_cli *cli, const char *fmt,
			 va_list ap)
{
	fprintf(stderr, "flushbench %s: ", cli->cmd);
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\nsee flushbench %s --help\n", cli->cmd);
}

int flb_cli_usage_error(const struct flb_cli *cli, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vusage_error(cli, fmt, ap);
	va_end(ap);
	return FLB_EXIT_USAGE;
}

/* The same, for the parser: returns FLB_CLI_ERROR. */
static __attribute__((format(printf, 2, 3)))
int parse_error(const struct flb_cli *cli, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vusage_error(cli, fmt, ap);
	va_end(ap);
	return FLB_CLI_ERROR;
}

/* "--config", or "-o" for a short-only option. */
static const char *display(const struct flb_cliopt *o, char *buf, size_t len)
{
	if (o->name)
		snprintf(buf, len, "--%s", o->name);
	else
		snprintf(buf, len, "-%c", o->shortopt);
	return buf;
}

/* An unknown option: arg as given, up to any '='. */
static int unknown(const struct flb_cli *cli, const char *arg)
{
	size_t n = strcspn(arg, "=");
	char name[64];
	const char *near;

	/* "--iteratons" and also "-iterations": look for the long name */
	snprintf(name, sizeof(name), "%.*s", (int)(n - strspn(arg, "-")),
		 arg + strspn(arg, "-"));
	near = n > 2 || arg[1] == '-' ? nearest(cli, name) : NULL;
	if (near)
		return parse_error(cli, "unknown option '%.*s' (did you mean '--%s'?)",
				   (int)n, arg, near);
	return parse_error(cli, "unknown option '%.*s'", (int)n, arg);
}

/* --- storing a value --- */

static int apply(const struct flb_cli *cli, const struct found *f,
		 const char *value)
{
	const struct flb_cliopt *o = f->o;
	char why[512], dn[64];

	switch (o->kind) {
	case FLB_CLIOPT_FLAG:
		*(bool *)f->base = true;
		return 0;
	case FLB_CLIOPT_STRING:
		*(const char **)f->base = value;
		return 0;
	case FLB_CLIOPT_CALLBACK:
		why[0] = '\0';
		if (!o->parse(o, value, f->base, why, sizeof(why)))
			return 0;
		return parse_error(cli, "%s: %s", display(o, dn, sizeof(dn)),
				   why[0] ? why : "bad value");
	default:
		break;
	}
	return FLB_CLI_ERROR;
}

/* --- parsing --- */

/* --name, --name=value, --name value: argv index past what was used, or an error. */
static int long_opt(const struct flb_cli *cli, int argc, char **argv, int i,
		    void *base)
{
	const char *arg = argv[i] + 2, *eq = strchr(arg, '=');
	struct lookup l = { .name = arg, .len = eq ? (size_t)(eq - arg) : strlen(arg) };
	const char *value = NULL;
	char dn[64];
	int rc;

	if (l.len == 4 && !strncmp(arg, "help", 4)) {
		if (eq)
			return parse_error(cli, "option '--help' takes no value");
		flb_cli_help(cli, stdout);
		return FLB_CLI_HELP;
	}
	if (walk(cli->opts, base, 0, match, &l) != 1)
		return unknown(cli, argv[i]);
	display(l.f.o, dn, sizeof(dn));
	if (!takes_value(l.f.o)) {
		if (eq)
			return parse_error(cli, "option '%s' takes no value", dn);
	} else if (eq) {
		value = eq + 1;
	} else if (i + 1 < argc) {
		value = argv[++i];
	} else {
		return parse_error(cli, "option '%s' needs a value (%s)", dn,
				   l.f.o->metavar);
	}
	rc = apply(cli, &l.f, value);
	return rc ? rc : i + 1;
}

/* -c value, -cvalue, -qn: argv index past what was used, or an error. */
static int short_opts(const struct flb_cli *cli, int argc, char **argv, int i,
		      void *base)
{
	for (const char *p = argv[i] + 1; *p; p++) {
		struct lookup l = { .shortopt = *p };
		const char *value = NULL;
		char dn[64];
		int rc;

		if (*p == 'h') {
			flb_cli_help(cli, stdout);
			return FLB_CLI_HELP;
		}
		if (walk(cli->opts, base, 0, match, &l) != 1) {
			char one[3] = { '-', *p, '\0' };

			/* "-db" is more likely --db than -d b */
			return unknown(cli, p == argv[i] + 1 ? argv[i] : one);
		}
		if (takes_value(l.f.o)) {
			if (p[1]) {
				value = p + 1;
			} else if (i + 1 < argc) {
				value = argv[++i];
			} else {
				snprintf(dn, sizeof(dn), "-%c", *p);
				return parse_error(cli, "option '%s' needs a value (%s)",
						   dn, l.f.o->metavar);
			}
		}
		rc = apply(cli, &l.f, value);
		if (rc)
			return rc;
		if (value)
			break;
	}
	return i + 1;
}

int flb_cli_parse(const struct flb_cli *cli, int argc, char **argv,
		  void *base, const char **pos, int maxpos)
{
	bool options = true;
	char why[256];
	int npos = 0, i = 1;

	if (flb_cli_check(cli->opts, why, sizeof(why))) {
		fprintf(stderr, "flushbench %s: bad option table: %s\n", cli->cmd,
			why);
		return FLB_CLI_ERROR;
	}
	while (i < argc) {
		const char *a = argv[i];

		if (options && !strcmp(a, "--")) {
			options = false;
			i++;
		} else if (options && a[0] == '-' && a[1]) {
			i = a[1] == '-' ? long_opt(cli, argc, argv, i, base) :
					  short_opts(cli, argc, argv, i, base);
			if (i < 0)
				return i;
		} else if (npos < maxpos) {
			pos[npos++] = argv[i++];
		} else {
			return parse_error(cli, "unexpected argument '%s'", a);
		}
	}
	return npos;
}

/* --- checking a table --- */

struct checker {
	const struct flb_cliopt *seen[MAX_NAMES];
	size_t n;
	char *why;
	size_t len;
};

static __attribute__((format(printf, 2, 3)))
int bad_table(struct checker *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->why, c->len, fmt, ap);
	va_end(ap);
	return -1;
}

static int check_one(const struct flb_cliopt *o, void *base, void *ctx)
{
	struct checker *c = ctx;
	char dn[64];

	(void)base;
	if (!o->name && !o->shortopt)
		return bad_table(c, "an entry without a name");
	display(o, dn, sizeof(dn));
	if (o->name && (!o->name[0] || o->name[0] == '-' ||
			strpbrk(o->name, "= ") || !strcmp(o->name, "help")))
		return bad_table(c, "'%s': not a usable long name", dn);
	if (o->shortopt && (!isalnum((unsigned char)o->shortopt) ||
			    o->shortopt == 'h'))
		return bad_table(c, "'-%c': not a usable short name", o->shortopt);
	if (o->kind == FLB_CLIOPT_FLAG && o->metavar)
		return bad_table(c, "%s: a flag takes no value (metavar %s)", dn,
				 o->metavar);
	if (o->kind == FLB_CLIOPT_STRING && !o->metavar)
		return bad_table(c, "%s: a string option needs a metavar", dn);
	if (o->kind == FLB_CLIOPT_CALLBACK && !o->parse)
		return bad_table(c, "%s: no callback", dn);
	if (o->kind != FLB_CLIOPT_FLAG && o->kind != FLB_CLIOPT_STRING &&
	    o->kind != FLB_CLIOPT_CALLBACK)
		return bad_table(c, "%s: unknown kind %d", dn, (int)o->kind);
	for (size_t i = 0; i < c->n; i++) {
		const struct flb_cliopt *p = c->seen[i];

		if (o->name && p->name && !strcmp(o->name, p->name))
			return bad_table(c, "--%s: given twice", o->name);
		if (o->shortopt && o->shortopt == p->shortopt)
			return bad_table(c, "-%c: given twice", o->shortopt);
	}
	if (c->n == MAX_NAMES)
		return bad_table(c, "more than %d options", MAX_NAMES);
	c->seen[c->n++] = o;
	return 0;
}

int flb_cli_check(const struct flb_cliopt *t, char *why, size_t len)
{
	struct checker c = { .why = why, .len = len };

	snprintf(why, len, "tables included more than %d deep", MAX_DEPTH);
	return walk(t, NULL, 0, check_one, &c) ? -1 : 0;
}

/* --- help --- */

struct helper {
	FILE *f;
	int col;	/* where help text starts */
};

/* "  -c, --config FILE" into buf: its length. */
static int left(const struct flb_cliopt *o, char *buf, size_t len)
{
	char s[8] = "    ";

	if (o->shortopt)
		snprintf(s, sizeof(s), "-%c%s", o->shortopt, o->name ? ", " : "");
	return snprintf(buf, len, "  %s%s%s%s%s", s, o->name ? "--" : "",
			o->name ? o->name : "", o->metavar ? " " : "",
			o->metavar ? o->metavar : "");
}

static int widest(const struct flb_cliopt *o, void *base, void *ctx)
{
	struct helper *h = ctx;
	char buf[128];
	int w = left(o, buf, sizeof(buf)) + 2;

	(void)base;
	if (!o->hidden && w > h->col && w <= HELP_COL + 8)
		h->col = w;
	return 0;
}

static void help_line(struct helper *h, const char *l, const char *help)
{
	int w = fprintf(h->f, "%s", l);

	/* too wide: the help starts on the next line */
	if (w + 1 > h->col) {
		fputc('\n', h->f);
		w = 0;
	}
	for (const char *p = help; ; ) {
		size_t n = strcspn(p, "\n");

		fprintf(h->f, "%*s%.*s\n", h->col - w, "", (int)n, p);
		if (!p[n])
			break;
		p += n + 1;
		w = 0;
	}
}

static int print_one(const struct flb_cliopt *o, void *base, void *ctx)
{
	char buf[128];

	(void)base;
	if (o->hidden)
		return 0;
	left(o, buf, sizeof(buf));
	help_line(ctx, buf, o->help ? o->help : "");
	return 0;
}

void flb_cli_help(const struct flb_cli *cli, FILE *f)
{
	static const char help_left[] = "  -h, --help";
	struct helper h = { .f = f, .col = sizeof(help_left) + 1 };
	const char *u = cli->usage ? cli->usage : "[OPTIONS]";

	/* one line per form, the first after "usage:" */
	for (const char *lead = "usage:"; ; lead = "      ") {
		size_t n = strcspn(u, "\n");

		fprintf(f, "%s flushbench %s%s%.*s\n", lead, cli->cmd,
			n ? " " : "", (int)n, u);
		if (!u[n])
			break;
		u += n + 1;
	}
	if (cli->about)
		fprintf(f, "%s%s", cli->about,
			cli->about[strlen(cli->about) - 1] == '\n' ? "" : "\n");
	fprintf(f, "\noptions:\n");
	walk(cli->opts, NULL, 0, widest, &h);
	walk(cli->opts, NULL, 0, print_one, &h);
	help_line(&h, help_left, "this help");
	if (cli->footer)
		fprintf(f, "%s%s", cli->footer,
			cli->footer[strlen(cli->footer) - 1] == '\n' ? "" : "\n");
}

/* --- stock callbacks --- */

int flb_cli_typed(const struct flb_cliopt *o, const char *value, void *dst,
		  char *why, size_t len)
{
	const struct flb_option *t = o->arg;
	size_t n = strlen(t->name);

	if (!flb_opt_parse(t, value, dst, why, len))
		return 0;
	/* "repeat: 0 is out of range": the caller names the option */
	if (!strncmp(why, t->name, n) && why[n] == ':' && why[n + 1] == ' ')
		memmove(why, why + n + 2, strlen(why + n + 2) + 1);
	return -1;
}

int flb_cli_choice(const struct flb_cliopt *o, const char *value, void *dst,
		   char *why, size_t len)
{
	const char *const *c = o->arg;
	const char *near;
	size_t n, w;

	for (n = 0; c[n]; n++) {
		if (!strcmp(value, c[n])) {
			*(const char **)dst = c[n];
			return 0;
		}
	}
	near = flb_did_you_mean(value, c, n);
	if (near) {
		snprintf(why, len, "unknown value '%s' (did you mean '%s'?)",
			 value, near);
		return -1;
	}
	w = (size_t)snprintf(why, len, "unknown value '%s'; one of:", value);
	for (size_t i = 0; c[i] && w < len; i++)
		w += (size_t)snprintf(why + w, len - w, " %s", c[i]);
	return -1;
}
