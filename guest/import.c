// SPDX-License-Identifier: GPL-2.0
/*
 * flushbench import [--db PATH] [--label L] SOURCE...: merge results from
 * other machines into one store. A SOURCE is
 *   - a flushbench store (any host's results.db),
 *   - a LAVA job log (lava-run's output.yaml, or `lavacli jobs logs --raw`)
 *     whose target lines carry the store framed as guest/vm.h says, and
 *     the "FB-LAVA: job=ID device=NAME ..." line of lava/flushbench.yaml,
 *   - or a plain console log with that frame.
 *
 * Every source is checked before anything is written (a store: its schema
 * version and PRAGMA integrity_check; a log: the frame's size and
 * SHA-256, then the store in it). The sources are then gathered in a
 * scratch store and merged into the target in one transaction
 * (flb_store_import), so the target gets all of them or, on any error,
 * nothing. Runs are known by their uuid: one already in the target is not
 * copied again, so importing twice is a no-op. A run keeps its host and
 * environment (board, kernel, ...); a log's lab job id and device become
 * lab.* keys, and every imported run gets import.source, where it came
 * from.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <yaml.h>

#include "cliopt.h"
#include "env.h"
#include "result.h"
#include "store.h"
#include "util.h"
#include "vm.h"
#include "import.h"

#define WHO "flushbench import"
/* the most sources one import takes */
#define IMPORT_MAX 256

struct import_args {
	const char *db;
	const char *label;
};

static const struct flb_cliopt import_opts[] = {
	FLB_CLI_STRING(0, "db", struct import_args, db, "PATH",
		       "the store to merge into (default results.db)"),
	FLB_CLI_STRING('l', "label", struct import_args, label, "L",
		       "label of the imported runs (default: each keeps its own)"),
	FLB_CLI_END
};

static const struct flb_cli import_cli = {
	.cmd = "import", .usage = "[OPTIONS] SOURCE...",
	.about = "Merge result stores from other hosts into one. A SOURCE is a flushbench\n"
		 "store, a LAVA job log (output.yaml of lava-run, or `lavacli jobs logs\n"
		 "--raw ID`) or a console log holding a store framed by `flushbench vm`'s\n"
		 "guest or lava/flushbench.yaml. Every source is checked first; then all\n"
		 "are merged in one transaction, or none. A run already in the store (its\n"
		 "uuid) is not copied again. Runs keep their host and environment; a LAVA\n"
		 "log adds lab.job_id and the device it names.",
	.footer = "Exit: 0 merged (or nothing new), 1 the target could not be written,\n"
		  "2 bad input (a source that is not a store or log, corrupt, a newer\n"
		  "schema, a frame whose size or SHA-256 is wrong); the target is then\n"
		  "unchanged.",
	.opts = import_opts,
};

static void __attribute__((format(printf, 1, 2))) say(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, WHO ": ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* One source, checked: the store to merge and what to add to its runs. */
struct source {
	const char *arg;	/* as given */
	struct flb_import_bytes b;	/* its kind, lab.* keys (b.extra) */
	char path[FLB_VM_PATH];	/* the store: arg, or a temporary file */
	bool temp;
	size_t nruns;
};

static int env_add(struct flb_import_bytes *b, const char *key, const char *val)
{
	size_t i = b->extra.n;

	if (i >= FLB_IMPORT_KEYS)
		return -1;
	snprintf(b->keys[i], sizeof(b->keys[i]), "%s", key);
	snprintf(b->vals[i], sizeof(b->vals[i]), "%s", val);
	b->kv[i].key = b->keys[i];
	b->kv[i].value = b->vals[i];
	b->extra.kv = b->kv;
	b->extra.n = i + 1;
	return 0;
}

/* Growable text: the console lines of a log. */
struct text {
	char *p;
	size_t len, cap;
};

static int text_add(struct text *t, const char *s, size_t n)
{
	if (t->len + n + 2 > t->cap) {
		size_t cap = (t->cap ? 2 * t->cap : 65536) + n;
		char *p = realloc(t->p, cap);

		if (!p)
			return -1;
		t->p = p;
		t->cap = cap;
	}
	memcpy(t->p + t->len, s, n);
	t->len += n;
	t->p[t->len++] = '\n';
	t->p[t->len] = '\0';
	return 0;
}

/*
 * The target lines of a LAVA job log: a YAML sequence of mappings
 * {dt, lvl, msg}; lvl "target" is what the device printed, one line per
 * entry. Other entries (results, debug, ...) may have a mapping as msg.
 * 0, or -1 with why.
 */
static int lava_target_lines(const char *buf, size_t len, struct text *out,
			     char *why, size_t whylen)
{
	yaml_parser_t p;
	yaml_event_t ev;
	int depth = 0, ret = -1, done = 0;
	bool in_entry = false, want_val = false, target = false;
	char key[16] = "";
	char *msg = NULL;

	if (!yaml_parser_initialize(&p)) {
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	yaml_parser_set_input_string(&p, (const unsigned char *)buf, len);
	while (!done) {
		if (!yaml_parser_parse(&p, &ev)) {
			snprintf(why, whylen, "not YAML at line %zu, column %zu: %s",
				 p.problem_mark.line + 1, p.problem_mark.column + 1,
				 p.problem ? p.problem : "parse error");
			goto out;
		}
		switch (ev.type) {
		case YAML_STREAM_END_EVENT:
			done = 1;
			break;
		case YAML_SEQUENCE_START_EVENT:
		case YAML_MAPPING_START_EVENT:
			depth++;
			if (depth == 2 && ev.type == YAML_MAPPING_START_EVENT) {
				in_entry = true;
				want_val = false;
				target = false;
				free(msg);
				msg = NULL;
			} else if (depth == 3 && want_val) {
				want_val = false;	/* a nested msg: not a line */
			}
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			if (depth == 2 && in_entry) {
				if (target && msg && text_add(out, msg, strlen(msg))) {
					snprintf(why, whylen, "out of memory");
					yaml_event_delete(&ev);
					goto out;
				}
				in_entry = false;
			}
			depth--;
			break;
		case YAML_SCALAR_EVENT:
			if (depth != 2 || !in_entry)
				break;
			if (!want_val) {
				snprintf(key, sizeof(key), "%s",
					 (const char *)ev.data.scalar.value);
				want_val = true;
				break;
			}
			want_val = false;
			if (!strcmp(key, "lvl"))
				target = !strcmp((const char *)ev.data.scalar.value,
						 "target");
			else if (!strcmp(key, "msg")) {
				free(msg);
				msg = strdup((const char *)ev.data.scalar.value);
			}
			break;
		default:
			break;
		}
		yaml_event_delete(&ev);
	}
	ret = 0;
out:
	free(msg);
	yaml_parser_delete(&p);
	return ret;
}

/* "FB-LAVA: job=ID device=NAME ..." lines: lab.job_id, lab.device, ... */
static void lava_keys(struct flb_import_bytes *b, const char *log)
{
	static const char tag[] = "FB-LAVA:";
	const char *l = log;

	while ((l = strstr(l, tag))) {
		const char *p = l + strlen(tag);
		const char *eol = strchr(p, '\n');

		if (!eol)
			eol = p + strlen(p);
		if (l == log || l[-1] == '\n') {
			while (p < eol) {
				char tok[300], key[48];
				const char *eq;
				size_t n;

				/* a console's CR/LF too: the CR is a space here */
				while (p < eol && (*p == ' ' || *p == '\t' || *p == '\r'))
					p++;
				if (p == eol)
					break;
				n = strcspn(p, " \t\r\n");
				if (n > (size_t)(eol - p))
					n = eol - p;
				snprintf(tok, sizeof(tok), "%.*s", (int)n, p);
				p += n;
				eq = strchr(tok, '=');
				if (!eq || eq == tok || !eq[1])
					continue;
				snprintf(key, sizeof(key), "lab.%.*s",
					 (int)(eq - tok), tok);
				if (!strcmp(key, "lab.job"))
					snprintf(key, sizeof(key), "lab.job_id");
				env_add(b, key, eq + 1);
			}
		}
		l = eol;
	}
}

static bool is_sqlite(const char *buf, size_t len)
{
	return len >= 16 && !memcmp(buf, "SQLite format 3", 16);
}

/* A LAVA log: a YAML sequence whose entries have lvl and msg. */
static bool is_lava_log(const char *buf)
{
	const char *p = buf;

	while (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t')
		p++;
	return *p == '-' && strstr(buf, "lvl") && strstr(buf, "msg");
}

/* The store decoded from a log into a temporary file. */
static int write_temp(struct source *s, const unsigned char *data, size_t n,
		      char *why, size_t whylen)
{
	const char *tmp = getenv("TMPDIR");
	int fd;
	FILE *f;

	snprintf(s->path, sizeof(s->path), "%s/flb-import-XXXXXX",
		 tmp && *tmp ? tmp : "/tmp");
	fd = mkstemp(s->path);
	if (fd < 0 || !(f = fdopen(fd, "wb"))) {
		snprintf(why, whylen, "a temporary file in %s: %s",
			 tmp && *tmp ? tmp : "/tmp", strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	s->temp = true;
	if (fwrite(data, 1, n, f) != n || fclose(f)) {
		snprintf(why, whylen, "writing %s: %s", s->path, strerror(errno));
		return -1;
	}
	return 0;
}

int flb_import_check_bytes(const char *buf, size_t len,
			   struct flb_import_bytes *b, char *why, size_t whylen)
{
	struct text t = { 0 };
	const char *log = buf;
	size_t loglen = len;
	char w[1024];

	memset(b, 0, sizeof(*b));
	if (is_sqlite(buf, len)) {
		snprintf(b->kind, sizeof(b->kind), "store");
		return 0;
	}
	if (memchr(buf, '\0', len)) {
		snprintf(why, whylen, "neither a flushbench store nor a text log (binary data)");
		return -1;
	}
	if (is_lava_log(buf)) {
		snprintf(b->kind, sizeof(b->kind), "LAVA log");
		if (lava_target_lines(buf, len, &t, w, sizeof(w))) {
			snprintf(why, whylen, "a LAVA job log? %s", w);
			free(t.p);
			return -1;
		}
		log = t.p ? t.p : "";
		loglen = t.len;
	} else {
		snprintf(b->kind, sizeof(b->kind), "console log");
	}
	lava_keys(b, log);
	if (flb_vm_unframe(log, loglen, &b->store, &b->len, why, whylen)) {
		free(t.p);
		return -2;
	}
	free(t.p);
	return 0;
}

/* Read and check one source; 0, or -1 with a message printed. */
static int check_source(struct source *s)
{
	char why[1024] = "";
	struct flb_run_row *rows = NULL;
	struct flb_store *st = NULL;
	size_t len = 0;
	char *buf;
	int ret = -1;

	buf = flb_slurp(s->arg, &len);
	if (!buf) {
		say("%s: %s", s->arg, strerror(errno));
		return -1;
	}
	switch (flb_import_check_bytes(buf, len, &s->b, why, sizeof(why))) {
	case 0:
		break;
	case -2:
		say("%s (%s): no results store in it: %s", s->arg, s->b.kind, why);
		goto out;
	default:
		say("%s: %s", s->arg, why);
		goto out;
	}
	if (!s->b.store) {
		snprintf(s->path, sizeof(s->path), "%s", s->arg);
	} else {
		int rc = write_temp(s, s->b.store, s->b.len, why, sizeof(why));

		free(s->b.store);
		s->b.store = NULL;
		if (rc) {
			say("%s (%s): no results store in it: %s",
				s->arg, s->b.kind, why);
			goto out;
		}
	}
	if (flb_store_open(s->path, FLB_STORE_RO, &st, why, sizeof(why)) ||
	    ((flb_store_check(st) || flb_store_runs(st, NULL, &rows, &s->nruns)) &&
	     snprintf(why, sizeof(why), "%s", flb_store_error(st)))) {
		/* a store's messages name it; a log's store is a temporary file */
		if (s->temp)
			say("%s (%s): the store in it: %s", s->arg, s->b.kind, why);
		else
			say("%s", why);
		goto out;
	}
	env_add(&s->b, "import.source", s->arg);
	ret = 0;
out:
	free(rows);
	flb_store_close(st);
	free(buf);
	return ret;
}

static bool same_file(const char *a, const char *b)
{
	struct stat x, y;

	return !stat(a, &x) && !stat(b, &y) && x.st_dev == y.st_dev &&
	       x.st_ino == y.st_ino;
}

int flb_cmd_import(int argc, char **argv)
{
	struct import_args a = { .db = "results.db" };
	const char *pos[IMPORT_MAX];
	struct source *src = NULL;
	struct flb_store *st = NULL;
	char scratch[FLB_VM_PATH], why[1024];
	const char *tmp = getenv("TMPDIR");
	int64_t *ids = NULL;
	size_t n = 0, present = 0, i;
	int npos, ret = FLB_EXIT_USAGE, fd;

	npos = flb_cli_parse(&import_cli, argc, argv, &a, pos, IMPORT_MAX);
	if (npos < 0)
		return flb_cli_exit(npos);
	if (!npos)
		return flb_cli_usage_error(&import_cli, "no SOURCE to import");
	src = calloc(npos, sizeof(*src));
	if (!src) {
		say("out of memory");
		return FLB_EXIT_FAIL;
	}
	scratch[0] = '\0';
	/* every source checked before a byte is written */
	for (i = 0; i < (size_t)npos; i++) {
		src[i].arg = pos[i];
		if (same_file(pos[i], a.db)) {
			say("%s: cannot import a store into itself", pos[i]);
			goto out;
		}
		if (check_source(&src[i]))
			goto out;
	}
	/* gathered in a scratch store, then merged in one transaction */
	snprintf(scratch, sizeof(scratch), "%s/flb-import-all-XXXXXX",
		 tmp && *tmp ? tmp : "/tmp");
	fd = mkstemp(scratch);
	if (fd < 0) {
		say("a scratch store in %s: %s",
			tmp && *tmp ? tmp : "/tmp", strerror(errno));
		scratch[0] = '\0';
		ret = FLB_EXIT_FAIL;
		goto out;
	}
	close(fd);
	unlink(scratch);	/* the store creates it */
	ret = FLB_EXIT_FAIL;
	if (flb_store_open(scratch, FLB_STORE_RW, &st, why, sizeof(why))) {
		say("scratch store: %s", why);
		goto out;
	}
	for (i = 0; i < (size_t)npos; i++) {
		if (flb_store_import(st, src[i].path, a.label, &src[i].b.extra,
				     &ids, &n, NULL)) {
			say("%s: %s", src[i].arg, flb_store_error(st));
			ret = FLB_EXIT_USAGE;
			goto out;
		}
		free(ids);
		ids = NULL;
	}
	flb_store_close(st);
	st = NULL;
	if (flb_store_open(a.db, FLB_STORE_RW, &st, why, sizeof(why))) {
		say("%s", why);
		goto out;
	}
	if (flb_store_import(st, scratch, NULL, NULL, &ids, &n, &present)) {
		say("%s; nothing merged", flb_store_error(st));
		goto out;
	}
	for (i = 0; i < (size_t)npos; i++) {
		const char *job = NULL;

		for (size_t k = 0; k < src[i].b.extra.n; k++)
			if (!strcmp(src[i].b.kv[k].key, "lab.job_id"))
				job = src[i].b.kv[k].value;
		printf("%s (%s): %zu run%s%s%s\n", src[i].arg, src[i].b.kind,
		       src[i].nruns, src[i].nruns == 1 ? "" : "s",
		       job ? ", lab job " : "", job ? job : "");
	}
	printf("imported %zu run%s into %s, %zu already there", n - present,
	       n - present == 1 ? "" : "s", a.db, present);
	if (n) {
		printf(" (run");
		for (i = 0; i < n; i++)
			printf(" %" PRId64, ids[i]);
		printf(")");
	}
	printf("\n");
	ret = FLB_EXIT_OK;
out:
	free(ids);
	flb_store_close(st);
	if (*scratch)
		flb_vm_unlink_db(scratch);
	for (i = 0; src && i < (size_t)npos; i++)
		if (src[i].temp)
			flb_vm_unlink_db(src[i].path);
	free(src);
	return ret;
}
