// SPDX-License-Identifier: GPL-2.0
/*
 * The dataset of kv-server (see kvdb.h). Every value is its own malloc so
 * that SET/DEL churn allocates and frees; the server sets a fixed mmap
 * threshold so large values map and unmap, and trims the heap in its cron
 * (munmap and madvise(MADV_DONTNEED) traffic, as jemalloc's purging makes).
 *
 * Snapshot format (little-endian, all native): "KVS1", then per key
 * u32 klen, u32 vlen, i64 expire_ms, key, value; then u32 0xffffffff and
 * u64 key count.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "kvdb.h"
#include "resp.h"

#define REHASH_EMPTY_VISITS 10
#define FORCE_RESIZE_RATIO 5	/* grow even while a child runs */
#define MIN_FILL_PCT 10		/* shrink below this fill */

static inline uint64_t fmix64(uint64_t k)
{
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdull;
	k ^= k >> 33;
	k *= 0xc4ceb9fe1a85ec53ull;
	k ^= k >> 33;
	return k;
}

/* Seeded so that clients cannot aim many keys at one bucket. */
static uint64_t kv_hash(const char *s, size_t n, uint64_t seed)
{
	uint64_t h = seed ^ (n * 0x9e3779b97f4a7c15ull), v;

	while (n >= 8) {
		memcpy(&v, s, 8);
		h = (h ^ fmix64(v)) * 0x9e3779b97f4a7c15ull;
		s += 8;
		n -= 8;
	}
	v = 0;
	memcpy(&v, s, n);
	h ^= fmix64(v ^ ((uint64_t)n << 56));
	return fmix64(h);
}

void kv_db_init(struct kv_db *db, uint64_t seed)
{
	memset(db, 0, sizeof(*db));
	db->rehash_idx = -1;
	db->seed = seed;
	db->can_resize = true;
}

size_t kv_db_size(const struct kv_db *db)
{
	return db->t[0].used + db->t[1].used;
}

static void free_entry(struct kv_db *db, struct kv_entry *e)
{
	db->freed_bytes += e->vlen + e->klen + sizeof(*e);
	if (e->expire_ms)
		db->nexpires--;
	free(e->val);
	free(e);
}

static void table_free(struct kv_db *db, struct kv_table *t)
{
	for (size_t i = 0; i < t->size; i++) {
		struct kv_entry *e = t->b[i], *n;

		for (; e; e = n) {
			n = e->next;
			free_entry(db, e);
		}
	}
	free(t->b);
	memset(t, 0, sizeof(*t));
}

void kv_db_flush(struct kv_db *db)
{
	table_free(db, &db->t[0]);
	table_free(db, &db->t[1]);
	db->rehash_idx = -1;
	db->expire_cursor = 0;
}

void kv_db_free(struct kv_db *db)
{
	kv_db_flush(db);
}

static bool rehashing(const struct kv_db *db)
{
	return db->rehash_idx >= 0;
}

/* Move up to n buckets of t[0] into t[1]. False once rehashing is over. */
static bool rehash_steps(struct kv_db *db, unsigned int n)
{
	unsigned int empty = n * REHASH_EMPTY_VISITS;
	struct kv_table *from = &db->t[0], *to = &db->t[1];

	if (!rehashing(db))
		return false;
	while (n-- && from->used) {
		struct kv_entry *e, *next;

		while (!from->b[db->rehash_idx]) {
			db->rehash_idx++;
			if (!--empty)
				return true;
		}
		for (e = from->b[db->rehash_idx]; e; e = next) {
			size_t i = kv_hash(e->key, e->klen, db->seed) & (to->size - 1);

			next = e->next;
			e->next = to->b[i];
			to->b[i] = e;
			from->used--;
			to->used++;
		}
		from->b[db->rehash_idx++] = NULL;
	}
	if (from->used)
		return true;
	free(from->b);
	*from = *to;
	memset(to, 0, sizeof(*to));
	db->rehash_idx = -1;
	return false;
}

static size_t pow2_at_least(size_t n)
{
	size_t s = 4;

	while (s < n)
		s *= 2;
	return s;
}

static void start_resize(struct kv_db *db, size_t size)
{
	struct kv_table *t;

	if (rehashing(db) || size == db->t[0].size)
		return;
	t = db->t[0].size ? &db->t[1] : &db->t[0];
	t->b = calloc(size, sizeof(*t->b));
	if (!t->b)
		return;		/* keep the old table: slower, not wrong */
	t->size = size;
	t->used = 0;
	if (t == &db->t[1])
		db->rehash_idx = 0;
}

static void maybe_grow(struct kv_db *db)
{
	struct kv_table *t = &db->t[0];

	if (rehashing(db))
		return;
	if (!t->size) {
		start_resize(db, 4);
		return;
	}
	if (t->used >= t->size &&
	    (db->can_resize || t->used / t->size > FORCE_RESIZE_RATIO))
		start_resize(db, pow2_at_least(t->used * 2));
}

/* The link pointing at key's entry, and in *ti the table holding it. */
static struct kv_entry **find_link(struct kv_db *db, const char *key,
				   size_t klen, int *ti)
{
	uint64_t h;

	if (!kv_db_size(db))
		return NULL;
	rehash_steps(db, 1);
	h = kv_hash(key, klen, db->seed);
	for (*ti = 0; *ti <= 1; (*ti)++) {
		struct kv_table *t = &db->t[*ti];
		struct kv_entry **l;

		if (!t->size)
			continue;
		for (l = &t->b[h & (t->size - 1)]; *l; l = &(*l)->next)
			if ((*l)->klen == klen && !memcmp((*l)->key, key, klen))
				return l;
		if (!rehashing(db))
			break;
	}
	return NULL;
}

static bool expired(const struct kv_entry *e, int64_t now_ms)
{
	return e->expire_ms && e->expire_ms <= now_ms;
}

static void unlink_free(struct kv_db *db, struct kv_entry **l, int ti)
{
	struct kv_entry *e = *l;

	*l = e->next;
	db->t[ti].used--;
	free_entry(db, e);
}

struct kv_entry *kv_db_find(struct kv_db *db, const char *key, size_t klen,
			    int64_t now_ms)
{
	int ti;
	struct kv_entry **l = find_link(db, key, klen, &ti);

	if (!l)
		return NULL;
	if (expired(*l, now_ms)) {
		unlink_free(db, l, ti);
		db->expired++;
		return NULL;
	}
	return *l;
}

static char *dup_val(const char *val, size_t vlen)
{
	char *v = kv_xrealloc(NULL, vlen);

	memcpy(v, val, vlen);
	return v;
}

void kv_db_set_value(struct kv_db *db, struct kv_entry *e, const char *val,
		     size_t vlen)
{
	char *nv = dup_val(val, vlen);

	db->freed_bytes += e->vlen;
	free(e->val);
	e->val = nv;
	e->vlen = (uint32_t)vlen;
}

int kv_db_set(struct kv_db *db, const char *key, size_t klen,
	      const char *val, size_t vlen, int64_t expire_ms, int flags,
	      int64_t now_ms)
{
	struct kv_entry *e = kv_db_find(db, key, klen, now_ms);
	struct kv_table *t;
	size_t i;

	if ((e && (flags & KV_SET_NX)) || (!e && (flags & KV_SET_XX)))
		return 0;
	if (e) {
		kv_db_set_value(db, e, val, vlen);
		if (!(flags & KV_SET_KEEPTTL)) {
			if (e->expire_ms && !expire_ms)
				db->nexpires--;
			else if (!e->expire_ms && expire_ms)
				db->nexpires++;
			e->expire_ms = expire_ms;
		}
		return 1;
	}
	maybe_grow(db);
	e = kv_xrealloc(NULL, sizeof(*e) + klen);
	memcpy(e->key, key, klen);
	e->klen = (uint32_t)klen;
	e->val = dup_val(val, vlen);
	e->vlen = (uint32_t)vlen;
	e->expire_ms = expire_ms;
	if (expire_ms)
		db->nexpires++;
	t = rehashing(db) ? &db->t[1] : &db->t[0];
	i = kv_hash(key, klen, db->seed) & (t->size - 1);
	e->next = t->b[i];
	t->b[i] = e;
	t->used++;
	return 1;
}

bool kv_db_del(struct kv_db *db, const char *key, size_t klen, int64_t now_ms)
{
	int ti;
	struct kv_entry **l = find_link(db, key, klen, &ti);
	bool live;

	if (!l)
		return false;
	live = !expired(*l, now_ms);
	unlink_free(db, l, ti);
	return live;
}

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

void kv_db_cron(struct kv_db *db, unsigned int us)
{
	uint64_t end = now_us() + us;
	struct kv_table *t = &db->t[0];

	if (!rehashing(db) && db->can_resize && t->size > 4 &&
	    t->used * 100 / t->size < MIN_FILL_PCT)
		start_resize(db, pow2_at_least(t->used));
	while (rehash_steps(db, 100))
		if (now_us() >= end)
			break;
}

void kv_db_expire_cycle(struct kv_db *db, int64_t now_ms, unsigned int budget)
{
	struct kv_table *t = &db->t[0];

	/* only t[0] is walked; keys in t[1] are reached once rehashed */
	if (!db->nexpires || !t->size)
		return;
	while (budget--) {
		struct kv_entry **l;
		size_t i = db->expire_cursor++ & (t->size - 1);

		if (rehashing(db) && (long long)i < db->rehash_idx)
			continue;	/* already moved */
		for (l = &t->b[i]; *l;) {
			if (expired(*l, now_ms)) {
				unlink_free(db, l, 0);
				db->expired++;
			} else {
				l = &(*l)->next;
			}
		}
	}
}

static int save_err(char *why, size_t len, const char *what, const char *path)
{
	int e = errno ? errno : EIO;

	snprintf(why, len, "%s %s: %s", what, path, strerror(e));
	return -e;
}

int kv_db_save(const struct kv_db *db, const char *path, char *why, size_t len)
{
	char tmp[4096];
	uint64_t nkeys = 0;
	uint32_t end = 0xffffffffu;
	FILE *f;
	int fd;

	snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path, (int)getpid());
	errno = 0;
	f = fopen(tmp, "w");
	if (!f)
		return save_err(why, len, "open", tmp);
	if (fwrite("KVS1", 4, 1, f) != 1)
		goto err_write;
	for (int ti = 0; ti <= 1; ti++) {
		const struct kv_table *t = &db->t[ti];

		for (size_t i = 0; i < t->size; i++) {
			for (const struct kv_entry *e = t->b[i]; e; e = e->next) {
				if (fwrite(&e->klen, 4, 1, f) != 1 ||
				    fwrite(&e->vlen, 4, 1, f) != 1 ||
				    fwrite(&e->expire_ms, 8, 1, f) != 1 ||
				    fwrite(e->key, 1, e->klen, f) != e->klen ||
				    fwrite(e->val, 1, e->vlen, f) != e->vlen)
					goto err_write;
				nkeys++;
			}
		}
	}
	if (fwrite(&end, 4, 1, f) != 1 || fwrite(&nkeys, 8, 1, f) != 1 ||
	    fflush(f))
		goto err_write;
	fd = fileno(f);
	if (fsync(fd))
		goto err_write;
	if (fclose(f)) {
		f = NULL;
		goto err_write;
	}
	if (rename(tmp, path)) {
		int ret = save_err(why, len, "rename to", path);

		unlink(tmp);
		return ret;
	}
	return 0;

err_write:
	{
		int ret = save_err(why, len, "write", tmp);

		if (f)
			fclose(f);
		unlink(tmp);
		return ret;
	}
}

int kv_db_check_snapshot(const char *path, uint64_t *keys, char *why, size_t len)
{
	char magic[4];
	uint64_t n = 0, total;
	FILE *f = fopen(path, "r");
	int ret = -EINVAL;

	if (!f)
		return save_err(why, len, "open", path);
	if (fread(magic, 4, 1, f) != 1 || memcmp(magic, "KVS1", 4)) {
		snprintf(why, len, "%s: not a kv-server snapshot", path);
		goto out;
	}
	for (;;) {
		uint32_t kl, vl;
		int64_t exp;

		if (fread(&kl, 4, 1, f) != 1)
			break;
		if (kl == 0xffffffffu) {
			if (fread(&total, 8, 1, f) != 1 || total != n) {
				snprintf(why, len, "%s: trailer says %llu keys, read %llu",
					 path, (unsigned long long)total,
					 (unsigned long long)n);
				goto out;
			}
			*keys = n;
			ret = 0;
			goto out;
		}
		if (fread(&vl, 4, 1, f) != 1 || fread(&exp, 8, 1, f) != 1 ||
		    fseek(f, (long)kl + vl, SEEK_CUR))
			break;
		n++;
	}
	snprintf(why, len, "%s: truncated after %llu keys", path,
		 (unsigned long long)n);
out:
	fclose(f);
	return ret;
}
