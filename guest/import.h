/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What `flushbench import` (guest/import.c) makes of the bytes of one
 * source before it opens any store: a store as it stands, or a text log
 * (a LAVA job log's target lines, or a console log) whose FB-LAVA keys and
 * framed store (guest/vm.h) it takes. check_source uses it, and so does
 * the fuzz target tests/fuzz/fuzz_import.c.
 */
#ifndef FLB_IMPORT_H
#define FLB_IMPORT_H

#include <stddef.h>

#include "env.h"

#define FLB_IMPORT_KEYS 16

struct flb_import_bytes {
	char kind[16];		/* "store", "LAVA log", "console log" */
	unsigned char *store;	/* a log's store (malloc'd); NULL for a store */
	size_t len;		/* its bytes */
	/* the FB-LAVA line's lab.* keys: extra.kv points into kv[], keys, vals */
	struct flb_env extra;
	struct flb_kv kv[FLB_IMPORT_KEYS];
	char keys[FLB_IMPORT_KEYS][48], vals[FLB_IMPORT_KEYS][256];
};

/*
 * Classify len bytes of a source (buf[len] must be '\0', as flb_slurp
 * leaves it) into *b (overwritten): a store (SQLite's header), else a
 * text log whose store is decoded into b->store, its size and SHA-256
 * checked. 0 (free b->store after); -1 not a source (why: binary data,
 * a LAVA log that is not YAML); -2 a log without a good frame (why: as
 * flb_vm_unframe says; b->kind names the log). Nothing is left allocated
 * on an error.
 */
int flb_import_check_bytes(const char *buf, size_t len,
			   struct flb_import_bytes *b, char *why, size_t whylen);

#endif
