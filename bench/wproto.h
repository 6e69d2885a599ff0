/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The worker protocol: how the runner (bench/runner.c) and a job's worker
 * process (bench/worker.c, the flushbench-worker binary) talk, over a pipe
 * each way (the worker's fds FLB_WPROTO_IN_FD and FLB_WPROTO_OUT_FD).
 * Text lines of space-separated words; a word that could hold a space, a
 * '%' or a control character (params, reasons, metric names and units) is
 * escaped as %XX, and the empty word is "%". Every line is validated where
 * it is read: a line that does not parse is a protocol error, and the
 * runner turns a worker's protocol error into a fail row.
 *
 * runner -> worker, once:       worker -> runner:
 *   flushbench-worker 2           phase setup|calibrating|warm-up I N
 *   workload NAME                 prep ok OPS          (ready for samples)
 *   params K=V ...                result KIND SEQ STATUS OPS NS CPUS NMETRICS REASON
 *   tasks N CPU,CPU,...           metric NAME VALUE UNIT lower|higher  (NMETRICS)
 *   extra_work_ns NS              ready SEQ            (a counting sample)
 *   extra_work_loops N            bye
 *   ops N   (0: calibrate)
 *   duration_ns NS
 *   warmup N
 *   start                         error REASON         (a protocol error)
 * runner -> worker, then:
 *   sample SEQ timed|counting     (counting: the worker says `ready SEQ`,
 *   go SEQ                         waits for `go SEQ` and, after its result,
 *   counted SEQ                    for `counted SEQ`: the counters are off)
 *   quit
 *
 * `counting` is any sample the runner counts (a counting sample, or a
 * timed one under `counters: {mode: inline}`): it attaches or enables
 * the counters between `ready` and `go`, and reads them before `counted`.
 * SEQ runs over all the samples of the job in the order asked.
 *
 * KIND is `prep` (the job ended before its samples: the row a pin, setup,
 * calibration or warm-up failure makes) or `sample`; CPUS is "0,1" ("%":
 * none); STATUS is ok, skip, fail or untrustworthy. After a `prep` result
 * the worker tears down, says `bye` and exits; after `quit` too.
 */
#ifndef FLB_WPROTO_H
#define FLB_WPROTO_H

#include <stddef.h>
#include <stdint.h>

#define FLB_WPROTO_MAGIC "flushbench-worker"
#define FLB_WPROTO_VERSION 2
#define FLB_WPROTO_IN_FD 3	/* the worker reads the runner here */
#define FLB_WPROTO_OUT_FD 4	/* and writes to it here */
#define FLB_WPROTO_LINE 8192	/* longest line either side writes */

/* Lines from a pipe, buffered. */
struct flb_wline {
	int fd;
	size_t len;		/* bytes buffered */
	char buf[FLB_WPROTO_LINE];
};

/*
 * The next line (without its newline) into line[FLB_WPROTO_LINE]. Waits at
 * most timeout_ms (-1: for ever). 0; -ETIMEDOUT; -EINTR (a signal: call
 * again); -EPIPE at end of file; -E2BIG for a line too long; -errno.
 */
int flb_wline_get(struct flb_wline *l, char *line, int timeout_ms);
/* Write all of a formatted line (the newline added). 0 or -errno. */
int flb_wproto_put(int fd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* in as one word (escaped) into out[len]; truncated safely. */
void flb_wproto_escape(const char *in, char *out, size_t len);
/* An escaped word back; 0, or -1 when it is not one (or too long). */
int flb_wproto_unescape(const char *in, char *out, size_t len);
/*
 * Split line at spaces into at most max words, in place; the count, or -1
 * when there are more (or an empty word: two spaces).
 */
int flb_wproto_split(char *line, char **w, int max);
/* A whole decimal u64 word; 0, or -1. */
int flb_wproto_u64(const char *w, uint64_t *v);

#endif
