/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kv-server's dataset: a chained hash table with incremental rehash (two
 * tables, one bucket moved per operation plus a time budget in the cron, as
 * Redis' dict.c), string values with optional expiry, and the snapshot
 * writer that BGSAVE's child runs over its copy-on-write view.
 */
#ifndef KV_DB_H
#define KV_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct kv_entry {
	struct kv_entry *next;
	char *val;		/* malloc'd on its own: large ones are mmap'd */
	int64_t expire_ms;	/* unix ms, 0: never */
	uint32_t vlen, klen;
	char key[];
};

struct kv_table {
	struct kv_entry **b;
	size_t size;		/* 0 or a power of two */
	size_t used;
};

struct kv_db {
	struct kv_table t[2];	/* t[1] in use only while rehashing */
	long long rehash_idx;	/* next bucket of t[0] to move; -1: none */
	uint64_t seed;
	bool can_resize;	/* false while a snapshot child runs */
	size_t nexpires;
	size_t expire_cursor;
	/* (out) statistics */
	uint64_t expired, freed_bytes;
};

enum {
	KV_SET_NX = 1,		/* only if absent */
	KV_SET_XX = 2,		/* only if present */
	KV_SET_KEEPTTL = 4,
};

void kv_db_init(struct kv_db *db, uint64_t seed);
void kv_db_free(struct kv_db *db);
size_t kv_db_size(const struct kv_db *db);
/* The live entry for key, or NULL (an expired one is deleted on the way). */
struct kv_entry *kv_db_find(struct kv_db *db, const char *key, size_t klen,
			    int64_t now_ms);
/* 1: stored, 0: NX/XX said no. val is copied. */
int kv_db_set(struct kv_db *db, const char *key, size_t klen,
	      const char *val, size_t vlen, int64_t expire_ms, int flags,
	      int64_t now_ms);
/* Replace e's value (e from kv_db_find), keeping its expiry. */
void kv_db_set_value(struct kv_db *db, struct kv_entry *e, const char *val,
		     size_t vlen);
bool kv_db_del(struct kv_db *db, const char *key, size_t klen, int64_t now_ms);
void kv_db_flush(struct kv_db *db);
/* Background work: rehash for up to us microseconds; shrink if sparse. */
void kv_db_cron(struct kv_db *db, unsigned int us);
/* Delete expired keys among up to `budget` buckets. */
void kv_db_expire_cycle(struct kv_db *db, int64_t now_ms, unsigned int budget);
/*
 * Write a snapshot to path (via path.tmp and rename). 0, or -errno with
 * why filled ("write /x/dump.kvs.tmp: No space left on device").
 */
int kv_db_save(const struct kv_db *db, const char *path, char *why, size_t len);
/* Keys and bytes of a snapshot file; 0 or -errno with why. For tests. */
int kv_db_check_snapshot(const char *path, uint64_t *keys, char *why, size_t len);

#endif
