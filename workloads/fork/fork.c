// SPDX-License-Identifier: GPL-2.0
/*
 * fork: a fork + exit + wait loop. fork copies the parent's page tables
 * (dup_mmap -> copy_page_range; the first fork write-protects the parent's
 * touched PTEs with ptep_set_wrprotect, and dup_mmap flushes the parent's
 * TLB with flush_tlb_mm); the child's exit tears its mm down (exit_mmap ->
 * tlb_finish_mmu). rss sets how much touched memory the parent has, so how
 * many PTEs are copied; cow_pages makes the child write that many of them
 * (copy-on-write faults, wp_page_copy); threads keeps the parent's mm live
 * on other CPUs, so the parent's flush is remote.
 *
 * The parent does not write between forks, so after the first op its PTEs
 * stay write-protected and later forks copy them as they are.
 *
 * Baselines without the page-table copy: mode vfork (the child shares the
 * mm and calls _exit at once) and mode posix_spawn (glibc's CLONE_VM |
 * CLONE_VFORK clone, then exec of `helper`, by default /bin/true: the cost
 * of exec and of tearing down that small fresh mm). cow_pages needs mode
 * fork: in the other modes the child never owns a copy of the parent's
 * memory.
 *
 * One op = one fork (or vfork, or posix_spawn) + the child's exit + the
 * parent's waitpid.
 */
#include <errno.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tasks.h"
#include "workload.h"

extern char **environ;

enum fork_mode { FORK_FORK, FORK_VFORK, FORK_SPAWN };

struct fork_params {
	uint64_t rss;
	uint64_t cow_pages;
	uint64_t threads;
	int mode;
	char helper[FLB_STR_MAX];
};

struct fork_state {
	struct flb_mm_ctx mm;	/* first: see flb_mm_ctx_new() */
	struct fork_params p;	/* a copy of the params */
	char *argv[2];		/* { helper, NULL } for posix_spawn */
};

static const char *const fork_modes[] = { "fork", "vfork", "posix_spawn", NULL };

static const struct flb_option fork_options[] = {
	{ .name = "rss", .type = FLB_OPT_SIZE,
	  .offset = FLB_OFF(struct fork_params, rss),
	  .min = 0, .max = 1ull << 40, .def = "0",
	  .help = "bytes of anonymous memory the parent touches before forking (0, 64M, 1G ...)" },
	{ .name = "cow_pages", .type = FLB_OPT_U64,
	  .offset = FLB_OFF(struct fork_params, cow_pages),
	  .min = 0, .max = 1ull << 28, .def = "0",
	  .help = "pages of rss the child writes (copy-on-write faults); mode fork only" },
	FLB_OPTION_THREADS(struct fork_params, threads),
	{ .name = "mode", .type = FLB_OPT_ENUM,
	  .offset = FLB_OFF(struct fork_params, mode),
	  .def = "fork", .choices = fork_modes,
	  .help = "fork; or the baselines vfork (child _exits at once) and posix_spawn (of helper)" },
	{ .name = "helper", .type = FLB_OPT_STR,
	  .offset = FLB_OFF(struct fork_params, helper),
	  .def = "/bin/true",
	  .help = "program posix_spawn runs; it must exit 0 at once" },
	FLB_OPTION_END
};

static unsigned int fork_ntasks(const void *params)
{
	const struct fork_params *p = params;

	return 1 + p->threads;
}

static int fork_setup(struct flb_job *job, const void *params, void **state)
{
	const struct fork_params *p = params;
	struct fork_state *s;
	size_t rss_pages = (p->rss + flb_page_size() - 1) / flb_page_size();
	int ret;

	if (p->cow_pages && p->mode != FORK_FORK) {
		flb_job_reason(job, "fork: cow_pages needs mode fork (mode %s shares or replaces the mm)",
			      fork_modes[p->mode]);
		return FLB_FAIL;
	}
	if (p->cow_pages > rss_pages) {
		flb_job_reason(job, "fork: cow_pages %llu is more than the %zu pages of rss",
			      (unsigned long long)p->cow_pages, rss_pages);
		return FLB_FAIL;
	}
	if (p->mode == FORK_SPAWN && access(p->helper, X_OK)) {
		flb_job_reason(job, "fork: posix_spawn helper %s is not executable: %s",
			      p->helper, strerror(errno));
		return FLB_SKIP;
	}
	ret = flb_mm_ctx_new(state, sizeof(*s), job, "fork", p->rss,
			    FLB_REGION_TOUCHED, p->threads);
	if (ret)
		return ret;
	s = *state;
	s->p = *p;
	s->p.helper[sizeof(s->p.helper) - 1] = '\0';
	s->argv[0] = s->p.helper;
	return FLB_OK;
}

/* The forked child: dirty cow_pages pages of the parent's copy, exit. */
static __attribute__((noreturn, noinline)) void child(const struct fork_state *s)
{
	const struct flb_region *r = &s->mm.r;

	for (uint64_t i = 0; i < s->p.cow_pages; i++)
		((volatile char *)r->base)[i * r->page] = 2;
	_exit(0);
}

/* One child of the configured mode; its pid, or -1 after flb_job_reason(). */
static pid_t start_child(struct flb_job *job, struct fork_state *s)
{
	pid_t pid;
	int err;

	switch (s->p.mode) {
	case FORK_FORK:
		pid = fork();
		if (!pid)
			child(s);
		break;
	case FORK_VFORK:
		pid = vfork();
		if (!pid)
			_exit(0);
		break;
	default:
		err = posix_spawn(&pid, s->p.helper, NULL, NULL, s->argv, environ);
		if (err) {
			flb_job_reason(job, "fork: posix_spawn %s failed: %s",
				      s->p.helper, strerror(err));
			return -1;
		}
		return pid;
	}
	if (pid < 0)
		flb_job_reason(job, "fork: %s failed: %s", fork_modes[s->p.mode],
			      strerror(errno));
	return pid;
}

static int fork_run(struct flb_job *job, void *state, uint64_t ops,
		    uint64_t *done)
{
	struct fork_state *s = state;
	const char *mode = fork_modes[s->p.mode];
	int status;
	pid_t pid;

	for (*done = 0; *done < ops && !flb_job_stopping(job); ++*done) {
		pid = start_child(job, s);
		if (pid < 0)
			return FLB_FAIL;
		while (waitpid(pid, &status, 0) < 0) {
			if (errno == EINTR)
				continue;
			flb_job_reason(job, "fork: waitpid %d failed: %s", (int)pid,
				      strerror(errno));
			return FLB_FAIL;
		}
		if (WIFSIGNALED(status)) {
			flb_job_reason(job, "fork: %s child %d was killed by signal %d",
				      mode, (int)pid, WTERMSIG(status));
			return FLB_FAIL;
		}
		if (WEXITSTATUS(status)) {
			flb_job_reason(job, "fork: %s child %d exited with status %d",
				      mode, (int)pid, WEXITSTATUS(status));
			return FLB_FAIL;
		}
		flb_extra_work(&s->mm.extra);
	}
	return FLB_OK;
}

const struct flb_workload flb_wl_fork = {
	.version = FLB_WORKLOAD_VERSION,
	.name = "fork",
	.summary = "fork + exit + wait loop (copy_page_range, COW, exit_mmap TLB flushes)",
	.params_size = sizeof(struct fork_params),
	.options = fork_options,
	.ntasks = fork_ntasks,
	.setup = fork_setup,
	.run = fork_run,
	.teardown = flb_mm_ctx_teardown,
};
