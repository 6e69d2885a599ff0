// SPDX-License-Identifier: GPL-2.0
/* Spinner tasks sharing the workload's mm (see tasks.h). */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "tasks.h"

#if defined(__x86_64__) || defined(__i386__)
static inline void cpu_relax(void)
{
	__builtin_ia32_pause();
}
#elif defined(__aarch64__)
static inline void cpu_relax(void)
{
	__asm__ __volatile__("yield" ::: "memory");
}
#else
static inline void cpu_relax(void)
{
	__asm__ __volatile__("" ::: "memory");
}
#endif

struct flb_spinner {
	struct flb_tasks *tasks;
	pthread_t thread;
	unsigned int task;
	int err;		/* flb_job_pin() result */
};

struct flb_tasks {
	struct flb_job *job;
	atomic_bool stop;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	unsigned int n, started, ready;	/* ready: bound (or failed to) */
	struct flb_spinner s[];
};

static void *spin(void *arg)
{
	struct flb_spinner *s = arg;
	struct flb_tasks *t = s->tasks;

	s->err = flb_job_pin(t->job, s->task);
	/* where it runs is read after each sample (the runner's side) */
	if (!s->err)
		flb_job_note_tid(t->job, s->task);
	pthread_mutex_lock(&t->lock);
	t->ready++;
	pthread_cond_signal(&t->cond);
	pthread_mutex_unlock(&t->lock);
	if (s->err)
		return NULL;
	while (!atomic_load_explicit(&t->stop, memory_order_relaxed))
		cpu_relax();
	return NULL;
}

/* Stop and join the started spinners and free t. */
static void stop_free(struct flb_tasks *t)
{
	atomic_store(&t->stop, true);
	for (unsigned int i = 0; i < t->started; i++)
		pthread_join(t->s[i].thread, NULL);
	pthread_cond_destroy(&t->cond);
	pthread_mutex_destroy(&t->lock);
	free(t);
}

int flb_tasks_start(struct flb_tasks **out, struct flb_job *job, const char *who,
		   unsigned int first, unsigned int n)
{
	sigset_t all, old;
	pthread_attr_t attr;
	struct flb_tasks *t;
	int err = 0;

	*out = NULL;
	if (!n)
		return 0;
	t = calloc(1, sizeof(*t) + n * sizeof(t->s[0]));
	if (!t) {
		flb_job_reason(job, "%s: %u spinner threads: out of memory", who, n);
		return -1;
	}
	t->job = job;
	t->n = n;
	atomic_init(&t->stop, false);
	pthread_mutex_init(&t->lock, NULL);
	pthread_cond_init(&t->cond, NULL);
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, PTHREAD_STACK_MIN + 64 * 1024);
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	for (; t->started < n; t->started++) {
		struct flb_spinner *s = &t->s[t->started];

		s->tasks = t;
		s->task = first + t->started;
		err = pthread_create(&s->thread, &attr, spin, s);
		if (err)
			break;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	pthread_attr_destroy(&attr);
	if (err) {
		flb_job_reason(job, "%s: starting spinner thread for task %u: %s",
			      who, first + t->started, strerror(err));
		goto err_stop;
	}
	pthread_mutex_lock(&t->lock);
	while (t->ready < n)
		pthread_cond_wait(&t->cond, &t->lock);
	pthread_mutex_unlock(&t->lock);
	for (unsigned int i = 0; i < n; i++) {
		if (!t->s[i].err)
			continue;
		flb_job_reason(job, "%s: binding spinner task %u to CPU %d: %s",
			      who, t->s[i].task, flb_job_cpu(job, t->s[i].task),
			      strerror(-t->s[i].err));
		goto err_stop;
	}
	*out = t;
	return 0;
err_stop:
	stop_free(t);
	return -1;
}

void flb_tasks_stop(struct flb_tasks *t)
{
	if (t)
		stop_free(t);
}

int flb_mm_ctx_new(void **state, size_t size, struct flb_job *job,
		  const char *who, size_t len, enum flb_region_how how,
		  unsigned int threads)
{
	struct flb_mm_ctx *c;
	int ret;

	c = calloc(1, size);
	if (!c) {
		flb_job_reason(job, "%s: out of memory", who);
		return FLB_FAIL;
	}
	c->extra = *flb_job_extra(job);
	/*
	 * Spinners first: their stacks are mmaps of their own, and made after
	 * a FLB_REGION_HOLE they could land in it (a static worker has few
	 * other gaps), and the workload's MAP_FIXED_NOREPLACE would fail.
	 */
	if (flb_tasks_start(&c->tasks, job, who, 1, threads)) {
		ret = FLB_FAIL;
		goto err_free;
	}
	ret = flb_region_new(&c->r, job, who, len, how);
	if (ret)
		goto err_tasks;
	*state = c;
	return FLB_OK;
err_tasks:
	flb_tasks_stop(c->tasks);
err_free:
	free(c);
	return ret;
}

void flb_mm_ctx_free(void *state)
{
	struct flb_mm_ctx *c = state;

	if (!c)
		return;
	flb_tasks_stop(c->tasks);
	flb_region_release(&c->r);
	free(c);
}

void flb_mm_ctx_teardown(struct flb_job *job, void *state)
{
	(void)job;
	flb_mm_ctx_free(state);
}
