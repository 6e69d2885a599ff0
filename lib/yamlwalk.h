/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Walking a YAML file through option tables (libyaml's document API): the
 * suite loader (bench/config.c) and the matrix loader (guest/matrix.c)
 * share it. Every message is "file:line:column: message" at a node, and
 * counts in ->errors; an unknown key gets the nearest of all the names
 * that were allowed there (flb_did_you_mean).
 */
#ifndef FLB_YAMLWALK_H
#define FLB_YAMLWALK_H

#include <stdbool.h>
#include <stdio.h>
#include <yaml.h>

#include "options.h"

struct flb_yw {
	const char *path;	/* for messages */
	FILE *err;		/* where messages go */
	yaml_document_t doc;
	bool loaded;		/* doc holds a document (flb_yw_free frees it) */
	int errors;		/* messages so far */
};

/*
 * Parse path into w->doc (w starts zeroed; errors is not reset, so that
 * checks made before count too). 0, or -1 after "PATH: cannot read: ..."
 * or "PATH:LINE:COL: YAML syntax error: ..." (not counted in errors).
 */
int flb_yw_load(struct flb_yw *w, const char *path, FILE *err);
void flb_yw_free(struct flb_yw *w);

/* The root node (NULL for an empty file) and the node of an id. */
yaml_node_t *flb_yw_root(struct flb_yw *w);
yaml_node_t *flb_yw_node(struct flb_yw *w, int id);

/*
 * "PATH:LINE:COL: message" at n (1:1 when n is NULL), one line (a line
 * break or control character of the message is escaped: \n, \xHH);
 * counts an error.
 */
void flb_yw_err(struct flb_yw *w, const yaml_node_t *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The text of a scalar node; NULL for anything else (or NULL). */
const char *flb_yw_scalar(const yaml_node_t *n);
/* "a mapping", "a list" or "a value": what a node is, for messages. */
const char *flb_yw_kind(const yaml_node_t *n);

#define flb_yw_for_each_pair(map, p) \
	for (yaml_node_pair_t *p = (map)->data.mapping.pairs.start; \
	     p < (map)->data.mapping.pairs.top; p++)
#define flb_yw_for_each_item(seq, it) \
	for (yaml_node_item_t *it = (seq)->data.sequence.items.start; \
	     it < (seq)->data.sequence.items.top; it++)

/*
 * The keys of a mapping are plain names, each once: 0, or -1 after
 * reporting every key that is not.
 */
int flb_yw_check_keys(struct flb_yw *w, yaml_node_t *map);
/* The option of table t named name (t and name may be NULL). */
const struct flb_option *flb_yw_find(const struct flb_option *t,
				    const char *name);
/* Set o's field of base from the scalar v: 0, or -1 after reporting at v. */
int flb_yw_set(struct flb_yw *w, const struct flb_option *o, yaml_node_t *v,
	       void *base);
/*
 * "unknown key 'K' in WHERE (did you mean 'N'?)" at key k, N the nearest of
 * the names of tables t1 and t2 and of extra[] (each may be NULL).
 */
void flb_yw_unknown(struct flb_yw *w, yaml_node_t *k, const char *where,
		    const struct flb_option *t1, const struct flb_option *t2,
		    const char *const *extra);
/* Every default of table t into base; an invalid default is reported at at. */
void flb_yw_defaults(struct flb_yw *w, const struct flb_option *t, void *base,
		     const yaml_node_t *at);
/*
 * Fill base from the mapping map through table t (every key must be one
 * of t's): 0, or -1 after reporting.
 */
int flb_yw_map(struct flb_yw *w, yaml_node_t *map, const char *where,
	       const struct flb_option *t, void *base);

#endif
