// SPDX-License-Identifier: GPL-2.0
/*
 * A YAML file walked through option tables, with one message shape
 * (see yamlwalk.h): the suite and the matrix loaders share it.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "yamlwalk.h"

int flb_yw_load(struct flb_yw *w, const char *path, FILE *err)
{
	yaml_parser_t parser;
	FILE *f;
	int ret = 0;

	w->path = path;
	w->err = err;
	w->loaded = false;
	f = fopen(path, "r");
	if (!f) {
		fprintf(err, "%s: cannot read: %s\n", path, strerror(errno));
		return -1;
	}
	yaml_parser_initialize(&parser);
	yaml_parser_set_input_file(&parser, f);
	if (yaml_parser_load(&parser, &w->doc)) {
		w->loaded = true;
	} else {
		fprintf(err, "%s:%zu:%zu: YAML syntax error: %s%s%s\n", path,
			parser.problem_mark.line + 1,
			parser.problem_mark.column + 1,
			parser.problem ? parser.problem : "unknown",
			parser.context ? " " : "",
			parser.context ? parser.context : "");
		ret = -1;
	}
	yaml_parser_delete(&parser);
	fclose(f);
	return ret;
}

void flb_yw_free(struct flb_yw *w)
{
	if (w->loaded)
		yaml_document_delete(&w->doc);
	w->loaded = false;
}

yaml_node_t *flb_yw_root(struct flb_yw *w)
{
	return w->loaded ? yaml_document_get_root_node(&w->doc) : NULL;
}

yaml_node_t *flb_yw_node(struct flb_yw *w, int id)
{
	return yaml_document_get_node(&w->doc, id);
}

void flb_yw_err(struct flb_yw *w, const yaml_node_t *n, const char *fmt, ...)
{
	va_list ap;
	char *msg = NULL;
	int len;

	fprintf(w->err, "%s:%zu:%zu: ", w->path,
		n ? n->start_mark.line + 1 : 1, n ? n->start_mark.column + 1 : 1);
	va_start(ap, fmt);
	len = vasprintf(&msg, fmt, ap);
	va_end(ap);
	/*
	 * One message, one line: a key or value quoted from the file may hold
	 * a line break (a multi-line or quoted scalar), shown escaped.
	 */
	for (int i = 0; len > 0 && i < len; i++) {
		unsigned char c = (unsigned char)msg[i];

		if (c == '\n')
			fputs("\\n", w->err);
		else if (c == '\r')
			fputs("\\r", w->err);
		else if (c < 0x20 && c != '\t')
			fprintf(w->err, "\\x%02x", c);
		else
			fputc(c, w->err);
	}
	if (len < 0)
		fputs("out of memory", w->err);
	else
		free(msg);
	fputc('\n', w->err);
	w->errors++;
}

const char *flb_yw_scalar(const yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE ?
		(const char *)n->data.scalar.value : NULL;
}

const char *flb_yw_kind(const yaml_node_t *n)
{
	return n->type == YAML_MAPPING_NODE ? "a mapping" :
	       n->type == YAML_SEQUENCE_NODE ? "a list" : "a value";
}

int flb_yw_check_keys(struct flb_yw *w, yaml_node_t *map)
{
	int bad = 0;

	flb_yw_for_each_pair(map, p) {
		yaml_node_t *k = flb_yw_node(w, p->key);
		const char *key = flb_yw_scalar(k);

		if (!key) {
			flb_yw_err(w, k, "keys must be plain names, found %s",
				   flb_yw_kind(k));
			bad = -1;
			continue;
		}
		for (yaml_node_pair_t *q = map->data.mapping.pairs.start; q < p; q++) {
			yaml_node_t *qk = flb_yw_node(w, q->key);

			if (flb_yw_scalar(qk) && !strcmp(flb_yw_scalar(qk), key)) {
				flb_yw_err(w, k, "duplicate key '%s' (first at line %zu)",
					   key, qk->start_mark.line + 1);
				bad = -1;
			}
		}
	}
	return bad;
}

const struct flb_option *flb_yw_find(const struct flb_option *t,
				    const char *name)
{
	for (; t && name && t->name; t++)
		if (!strcmp(t->name, name))
			return t;
	return NULL;
}

int flb_yw_set(struct flb_yw *w, const struct flb_option *o, yaml_node_t *v,
	       void *base)
{
	char why[512];
	const char *s = flb_yw_scalar(v);

	if (!s) {
		flb_yw_err(w, v, "%s: expected %s, found %s", o->name,
			   flb_opt_type_noun(o->type), flb_yw_kind(v));
		return -1;
	}
	if (flb_opt_parse(o, s, base, why, sizeof(why))) {
		flb_yw_err(w, v, "%s", why);
		return -1;
	}
	return 0;
}

static size_t count_names(const struct flb_option *t)
{
	size_t n = 0;

	for (; t && t->name; t++)
		n++;
	return n;
}

void flb_yw_unknown(struct flb_yw *w, yaml_node_t *k, const char *where,
		    const struct flb_option *t1, const struct flb_option *t2,
		    const char *const *extra)
{
	const char *key = flb_yw_scalar(k), *near = NULL, **names;
	size_t n = count_names(t1) + count_names(t2), i = 0;

	for (const char *const *e = extra; e && *e; e++)
		n++;
	/* every name allowed here is a candidate */
	names = malloc((n ? n : 1) * sizeof(*names));
	if (names && key) {
		for (const struct flb_option *o = t1; o && o->name; o++)
			names[i++] = o->name;
		for (const struct flb_option *o = t2; o && o->name; o++)
			names[i++] = o->name;
		for (const char *const *e = extra; e && *e; e++)
			names[i++] = *e;
		near = flb_did_you_mean(key, names, n);
	}
	free(names);
	if (near)
		flb_yw_err(w, k, "unknown key '%s' in %s (did you mean '%s'?)",
			   key, where, near);
	else
		flb_yw_err(w, k, "unknown key '%s' in %s", key ? key : "?", where);
}

void flb_yw_defaults(struct flb_yw *w, const struct flb_option *t, void *base,
		     const yaml_node_t *at)
{
	char why[256];

	for (; t && t->name; t++)
		if (t->def && flb_opt_parse(t, t->def, base, why, sizeof(why)))
			flb_yw_err(w, at, "internal error: default of %s", why);
}

int flb_yw_map(struct flb_yw *w, yaml_node_t *map, const char *where,
	       const struct flb_option *t, void *base)
{
	int before = w->errors;

	if (map->type != YAML_MAPPING_NODE) {
		flb_yw_err(w, map, "%s: expected a mapping, found %s", where,
			   flb_yw_kind(map));
		return -1;
	}
	if (flb_yw_check_keys(w, map))
		return -1;
	flb_yw_for_each_pair(map, p) {
		yaml_node_t *k = flb_yw_node(w, p->key);
		const struct flb_option *o = flb_yw_find(t, flb_yw_scalar(k));

		if (o)
			flb_yw_set(w, o, flb_yw_node(w, p->value), base);
		else
			flb_yw_unknown(w, k, where, t, NULL, NULL);
	}
	return w->errors > before ? -1 : 0;
}
