/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Log-linear latency histogram (HdrHistogram's layout): each power of two
 * is cut into 2^KV_HIST_SUB linear buckets, so any recorded value is known
 * to within 1/2^KV_HIST_SUB (1.6%) at every scale, in fixed memory.
 */
#ifndef KV_HIST_H
#define KV_HIST_H

#include <stdint.h>

#define KV_HIST_SUB 6
#define KV_HIST_BUCKETS ((64 - KV_HIST_SUB + 1) << KV_HIST_SUB)

struct kv_hist {
	uint64_t count, min, max;
	double sum;
	uint64_t b[KV_HIST_BUCKETS];
};

void kv_hist_init(struct kv_hist *h);
void kv_hist_add(struct kv_hist *h, uint64_t v);
void kv_hist_merge(struct kv_hist *dst, const struct kv_hist *src);
/* The value at quantile q (0..1): the middle of its bucket; 0 if empty. */
uint64_t kv_hist_quantile(const struct kv_hist *h, double q);
double kv_hist_mean(const struct kv_hist *h);

#endif
