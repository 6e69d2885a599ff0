// SPDX-License-Identifier: GPL-2.0
/*
 * flushbench duet: two guests, side a and side b (two kernels, two command
 * lines, or two suites), boot at once on disjoint host CPUs and run the
 * same jobs window by window: each guest's runner waits for the host's go
 * before every sample (bench/runner.c, --sync), so sample P of job J starts
 * in both guests together and the two form a pair. Bulej et al., "Duet
 * Benchmarking" (ICPE 2020): noise the two share in time cancels in the
 * pair. R rounds, each a fresh boot of both; the sides swap CPU sets every
 * round, so a CPU's own speed cancels too; each round's job order is
 * shuffled (the same in both guests: the host hands them one seed).
 *
 * The console is the channel (the one device every kernel has): QEMU
 * serves it on a UNIX socket as well as logging it (scripts/qemu-boot.sh
 * --serial-socket), and the guest's runner reads the host's lines from it.
 *
 *   guest -> host   FB-SYNC: hello               host -> guest   seed N
 *   guest -> host   FB-SYNC: ready POS JOB P     host -> guest   go POS JOB P
 *   guest -> host   FB-SYNC: go POS JOB P        (the acknowledgement)
 *   guest -> host   FB-SYNC: end
 *
 * The host says go when both guests wait at the same window; a guest whose
 * partner has moved past that window (the partner skipped the job, or its
 * job ended early) or has ended goes alone, and such a window has no
 * partner in the store. Both stores of a round are imported together (one
 * transaction), tagged vmduet.*; a failed round is not imported at all.
 * docs/duet.md.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cliopt.h"
#include "env.h"
#include "options.h"
#include "result.h"
#include "store.h"
#include "util.h"
#include "vm.h"

#define VM_PATH FLB_VM_PATH

struct duet_args {
	struct flb_guest g;		/* both sides, unless a side says */
	const char *label[2];
	const char *kernel[2], *headers[2], *append[2], *config[2], *iommu[2];
	const char *db;
	uint64_t rounds, window_timeout, max_skew_ms, seed, budget, repeat;
	bool seeded, keep_log;
};

/* One side's guest in a round. */
struct gside {
	char name;			/* 'a' or 'b' */
	const char *label;
	struct flb_guest g;
	char append[4096];		/* the common and the side's own, and ours */
	char log[VM_PATH], raw[VM_PATH], sock[VM_PATH], cpus[64];
	FILE *copy;			/* log: the console as the socket gave it */
	pid_t pid;			/* scripts/qemu-boot.sh; -1 when reaped */
	int out;			/* its stdout (ACCEL=, STATUS=), or -1 */
	char outbuf[512];
	size_t outlen;
	int fd;				/* the console socket, or -1 */
	char line[1024];
	size_t n;
	bool hello, waiting, ended, acked;
	unsigned long pos, job, p;	/* the window it waits at */
	double wait_t, go_t, ack_t;
	int status;			/* qemu-boot.sh's exit */
	double t0, wall;
};

/* A round: the two sides and what the host saw. */
struct round {
	struct gside s[2];
	unsigned int windows, solo;
	double *skew;			/* ms, one per paired window */
	size_t nskew, capskew;
	const struct duet_args *a;
	char why[1024];			/* the failure, "" while none */
	bool stopping;
	double stop_t;
};

/* SIGINT/SIGTERM: stop both guests, store nothing of the round, end. */
static volatile sig_atomic_t stop_signal;

static void on_stop(int sig)
{
	stop_signal = sig;
}

static const struct flb_option rounds_opt = {
	.name = "rounds", .type = FLB_OPT_U64, .min = 1, .max = 1000,
};
static const struct flb_option wtimeout_opt = {
	.name = "window-timeout", .type = FLB_OPT_U64, .min = 1, .max = 86400,
};
static const struct flb_option skew_opt = {
	.name = "max-skew", .type = FLB_OPT_U64, .min = 1, .max = 60000,
};
static const struct flb_option repeat_opt = {
	.name = "repeat", .type = FLB_OPT_U64, .min = 1, .max = 100,
};
static const struct flb_option budget_opt = {
	.name = "budget", .type = FLB_OPT_U64, .min = 1, .max = 30 * 86400,
};
static const struct flb_option seed_opt = {
	.name = "seed", .type = FLB_OPT_U64, .max = UINT64_MAX,
};

/* --seed S: the rounds' seed, and that one was given. */
static int parse_seed(const struct flb_cliopt *o, const char *value, void *dst,
		      char *why, size_t len)
{
	struct duet_args *a = (struct duet_args *)((char *)dst -
						   offsetof(struct duet_args, seed));

	if (flb_cli_typed(o, value, dst, why, len))
		return -1;
	a->seeded = true;
	return 0;
}

static const struct flb_cliopt duet_opts[] = {
	FLB_CLI_STRING(0, "label-a", struct duet_args, label[0], "NAME",
		       "label of side a's runs (required)"),
	FLB_CLI_STRING(0, "label-b", struct duet_args, label[1], "NAME",
		       "label of side b's runs (required)"),
	FLB_CLI_TYPED(0, "rounds", struct duet_args, rounds, "R", &rounds_opt,
		      "rounds, each a boot of both guests (1 to 1000,\n"
		      "default 10)"),
	FLB_CLI_TYPED(0, "repeat", struct duet_args, repeat, "K", &repeat_opt,
		      "runs of the suite in each guest per round, each job\n"
		      "in a fresh process every time (default 4): the\n"
		      "round's statistic is the median of their K paired\n"
		      "medians (docs/duet.md)"),
	FLB_CLI_TYPED(0, "budget", struct duet_args, budget, "SEC",
		      &budget_opt, "no new round once another would end past SEC\n"
		      "seconds from the start (--rounds: at most; 1000 by\n"
		      "default then)"),
	FLB_CLI_INCLUDE(struct duet_args, g, flb_guest_cliopts),
	FLB_CLI_STRING(0, "a-kernel", struct duet_args, kernel[0], "IMAGE",
		       "side a's kernel (instead of --kernel/--debian)"),
	FLB_CLI_STRING(0, "b-kernel", struct duet_args, kernel[1], "IMAGE",
		       "side b's kernel"),
	FLB_CLI_STRING(0, "a-headers", struct duet_args, headers[0], "DIR",
		       "side a's kernel headers (the module for it)"),
	FLB_CLI_STRING(0, "b-headers", struct duet_args, headers[1], "DIR",
		       "side b's kernel headers"),
	FLB_CLI_STRING(0, "a-append", struct duet_args, append[0], "ARGS",
		       "side a's kernel command line, after --append's"),
	FLB_CLI_STRING(0, "b-append", struct duet_args, append[1], "ARGS",
		       "side b's kernel command line (e.g. pti=on)"),
	FLB_CLI_CHOICE(0, "a-iommu", struct duet_args, iommu[0], "MODEL",
		       flb_vm_iommus, "side a's IOMMU (instead of --iommu)"),
	FLB_CLI_CHOICE(0, "b-iommu", struct duet_args, iommu[1], "MODEL",
		       flb_vm_iommus, "side b's IOMMU (e.g. intel against none)"),
	FLB_CLI_STRING(0, "a-config", struct duet_args, config[0], "FILE",
		       "side a's suite (instead of -c): the same jobs in the\n"
		       "same order, settings may differ"),
	FLB_CLI_STRING(0, "b-config", struct duet_args, config[1], "FILE",
		       "side b's suite"),
	FLB_CLI_STRING(0, "db", struct duet_args, db, "PATH",
		       "the host results store (default results.db)"),
	FLB_CLI_CALLBACK(0, "seed", struct duet_args, seed, "S", parse_seed,
			 &seed_opt, "seed of the rounds' job orders (default: a\n"
			 "fresh one, printed)"),
	FLB_CLI_TYPED(0, "window-timeout", struct duet_args, window_timeout,
		      "SEC", &wtimeout_opt,
		      "a guest that keeps its partner waiting at a window\n"
		      "longer fails the round (default 120)"),
	FLB_CLI_TYPED(0, "max-skew", struct duet_args, max_skew_ms, "MS",
		      &skew_opt, "the two guests' acknowledgements of a go more\n"
		      "than MS apart fail the round (default 100)"),
	FLB_CLI_FLAG(0, "keep-log", struct duet_args, keep_log,
		     "keep the console logs even when all went well"),
	FLB_CLI_END
};

static const struct flb_cli duet_cli = {
	.cmd = "duet",
	.usage = "-c FILE --rounds R --label-a NAME --label-b NAME "
		 "(--debian FLAVOUR | --kernel IMAGE | --a-kernel IMAGE --b-kernel IMAGE) "
		 "[OPTIONS]",
	.about = "Two guests at once, on disjoint host CPUs, their samples started together\n"
		 "window by window; then `flushbench compare NAME_A NAME_B` pairs them\n"
		 "(docs/duet.md). The guest options are those of `flushbench vm`; --smp\n"
		 "defaults to half the host CPUs (one on a 2-CPU host).",
	.footer = "Exit: 0 every round stored, 1 a round failed (the others are stored),\n"
		  "2 usage error.",
	.opts = duet_opts,
};

/* The CPUs we may run on, split in two halves: 0, or -1 with a message. */
static int cpu_halves(char sets[2][64], unsigned int *per)
{
	cpu_set_t cs;
	int cpu[CPU_SETSIZE], n = 0;

	if (sched_getaffinity(0, sizeof(cs), &cs)) {
		fprintf(stderr, "flushbench duet: sched_getaffinity: %s\n",
			strerror(errno));
		return -1;
	}
	for (int c = 0; c < CPU_SETSIZE; c++)
		if (CPU_ISSET(c, &cs))
			cpu[n++] = c;
	if (n < 2) {
		fprintf(stderr, "flushbench duet: a duet needs two host CPUs, one per guest; this process may use %d\n",
			n);
		return -1;
	}
	*per = (unsigned int)n / 2;
	for (int h = 0; h < 2; h++) {
		size_t l = 0;

		sets[h][0] = '\0';
		for (unsigned int i = 0; i < *per; i++)
			l += snprintf(sets[h] + l, 64 - l, "%s%d", i ? "," : "",
				      cpu[h * *per + i]);
	}
	return 0;
}

static void skew_add(struct round *rd, double ms)
{
	if (rd->nskew == rd->capskew) {
		size_t nc = rd->capskew ? 2 * rd->capskew : 256;
		double *n = realloc(rd->skew, nc * sizeof(*n));

		if (!n)
			return;
		rd->skew = n;
		rd->capskew = nc;
	}
	rd->skew[rd->nskew++] = ms;
}

/* The round fails (the first reason stays) and both guests are stopped. */
static void fail(struct round *rd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void fail(struct round *rd, const char *fmt, ...)
{
	va_list ap;

	if (!rd->why[0]) {
		va_start(ap, fmt);
		vsnprintf(rd->why, sizeof(rd->why), fmt, ap);
		va_end(ap);
	}
	if (rd->stopping)
		return;
	rd->stopping = true;
	rd->stop_t = flb_mono_s();
	for (int x = 0; x < 2; x++)
		if (rd->s[x].pid > 0)
			kill(rd->s[x].pid, SIGTERM);	/* qemu-boot.sh stops QEMU */
}

static int put(struct gside *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static int put(struct gside *s, const char *fmt, ...)
{
	char buf[128];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	/* a few bytes into a socket buffer: never partial in practice */
	return s->fd >= 0 && write(s->fd, buf, (size_t)n) == n ? 0 : -1;
}

/* Tell s to start its window; solo: its partner is not in it. */
static void go(struct round *rd, struct gside *s, double t)
{
	/*
	 * A console already closed (read_console saw its end) is a guest that
	 * ended, QEMU gone: say so, as its exit would, which may be read after
	 * this go (errno would be stale here).
	 */
	if (s->fd < 0)
		fail(rd, "side %c (%s): the guest ended before its suite did: its console closed",
		     s->name, s->label);
	else if (put(s, "go %lu %lu %lu\n", s->pos, s->job, s->p))
		fail(rd, "side %c (%s): writing to its console: %s", s->name,
		     s->label, strerror(errno));
	s->waiting = false;
	s->acked = false;
	s->go_t = t;
}

/* Window keys in the order the guests reach them: (POS, P). */
static int key_cmp(const struct gside *x, const struct gside *y)
{
	if (x->pos != y->pos)
		return x->pos < y->pos ? -1 : 1;
	if (x->p != y->p)
		return x->p < y->p ? -1 : 1;
	return 0;
}

/* After any news: the go signals it allows. */
static void decide(struct round *rd)
{
	struct gside *a = &rd->s[0], *b = &rd->s[1];
	double t = flb_mono_s();

	if (rd->stopping)
		return;
	if (a->waiting && b->waiting) {
		int c = key_cmp(a, b);

		if (!c && a->job != b->job) {
			fail(rd, "the guests run different jobs at place %lu of the round (job %lu in a, %lu in b): give both sides suites with the same jobs in the same order",
			     a->pos, a->job, b->job);
			return;
		}
		if (!c) {
			go(rd, a, t);
			go(rd, b, t);
			rd->windows++;
			return;
		}
		/* the one behind goes alone: its partner is past that window */
		go(rd, c < 0 ? a : b, t);
		rd->solo++;
		return;
	}
	for (int x = 0; x < 2; x++)
		if (rd->s[x].waiting && rd->s[!x].ended) {
			go(rd, &rd->s[x], t);
			rd->solo++;
		}
}

/* One line from s's console. */
static void on_line(struct round *rd, struct gside *s, char *l, uint64_t seed)
{
	struct gside *o = &rd->s[s->name == 'a'];
	unsigned long pos, job, p;
	char *m = strstr(l, "FB-SYNC: ");

	if (!m)
		return;		/* the kernel's, the guest script's, results */
	m += 9;
	if (!strcmp(m, "hello")) {
		s->hello = true;
		if (put(s, "seed %" PRIu64 " repeat %" PRIu64 "\n", seed,
			rd->a->repeat))
			fail(rd, "side %c (%s): writing to its console: %s",
			     s->name, s->label, strerror(errno));
	} else if (sscanf(m, "ready %lu %lu %lu", &pos, &job, &p) == 3) {
		if (!s->acked && s->go_t > 0) {
			fail(rd, "side %c (%s) said ready for a window before acknowledging its last go",
			     s->name, s->label);
			return;
		}
		s->waiting = true;
		s->pos = pos;
		s->job = job;
		s->p = p;
		s->wait_t = flb_mono_s();
		decide(rd);
	} else if (sscanf(m, "go %lu %lu %lu", &pos, &job, &p) == 3) {
		if (s->acked || pos != s->pos || job != s->job || p != s->p) {
			fail(rd, "side %c (%s) acknowledged a go it was not given ('%s')",
			     s->name, s->label, m);
			return;
		}
		s->acked = true;
		s->ack_t = flb_mono_s();
		/* both started the same window: how far apart */
		if (o->acked && o->go_t == s->go_t) {
			double ms = 1e3 * fabs(s->ack_t - o->ack_t);

			skew_add(rd, ms);
			if (ms > (double)rd->a->max_skew_ms)
				fail(rd, "the guests started job %lu sample %lu %.1f ms apart (--max-skew %" PRIu64 " ms): side %c fell behind the go",
				     job, p, ms, rd->a->max_skew_ms, s->name);
		}
	} else if (!strcmp(m, "end")) {
		s->ended = true;
		decide(rd);
	}
}

/* Read what s's console has: -1 at its end. */
static int read_console(struct round *rd, struct gside *s, uint64_t seed)
{
	char buf[4096];
	ssize_t k = read(s->fd, buf, sizeof(buf));

	if (k < 0 && (errno == EINTR || errno == EAGAIN))
		return 0;
	if (k <= 0) {
		close(s->fd);
		s->fd = -1;
		fflush(s->copy);
		return -1;
	}
	if (s->copy)
		fwrite(buf, 1, (size_t)k, s->copy);
	for (ssize_t i = 0; i < k; i++) {
		if (buf[i] == '\n' || buf[i] == '\r') {
			s->line[s->n] = '\0';
			if (s->n)
				on_line(rd, s, s->line, seed);
			s->n = 0;
		} else if (s->n + 1 < sizeof(s->line)) {
			s->line[s->n++] = buf[i];
		}
	}
	return 0;
}

/* Connect to s's console socket once QEMU made it; quietly retried. */
static void try_connect(struct gside *s)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (access(s->sock, F_OK))
		return;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", s->sock);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		close(fd);
		return;
	}
	s->copy = fopen(s->log, "w");
	if (!s->copy) {
		close(fd);
		return;
	}
	setvbuf(s->copy, NULL, _IOLBF, 0);	/* followable: tail -f */
	s->fd = fd;
}

/* Start s's qemu-boot.sh, its stdout into a pipe: 0, or -1. */
static int boot(struct gside *s)
{
	char *argv[FLB_GUEST_ARGV];
	int n, pfd[2];
	pid_t self = getpid();

	n = flb_guest_boot_argv(&s->g, s->raw, argv);
	argv[n++] = "--cpus";
	argv[n++] = s->cpus;
	argv[n++] = "--serial-socket";
	argv[n++] = s->sock;
	argv[n] = NULL;
	if (pipe2(pfd, O_CLOEXEC))
		return -1;
	fflush(NULL);
	s->pid = fork();
	if (s->pid < 0) {
		close(pfd[0]);
		close(pfd[1]);
		return -1;
	}
	if (!s->pid) {
		/* killed, even by SIGKILL: qemu-boot.sh stops its QEMU */
		flb_die_with_parent(self, SIGTERM);
		dup2(pfd[1], STDOUT_FILENO);
		execv(argv[0], argv);
		fprintf(stderr, "flushbench duet: %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(pfd[1]);
	s->out = pfd[0];
	s->t0 = flb_mono_s();
	return 0;
}

/*
 * A directory of our own under $TMPDIR (or /tmp) for the console sockets
 * when build/vm/ is too deep for a UNIX socket's path (108 bytes on
 * Linux); made once, removed by flb_cmd_duet.
 */
static char sockdir[64];

/* s->sock: build/vm/duet.PID.SIDE.sock, or in sockdir; -1 if neither fits. */
static int sock_path(struct gside *s)
{
	size_t max = sizeof(((struct sockaddr_un *)0)->sun_path);
	const char *tmp = getenv("TMPDIR");

	snprintf(s->sock, sizeof(s->sock), "%s/build/vm/duet.%d.%c.sock",
		 s->g.top, (int)getpid(), s->name);
	if (strlen(s->sock) < max)
		return 0;
	if (!sockdir[0]) {
		if (!tmp || !*tmp || strlen(tmp) > 32)
			tmp = "/tmp";
		snprintf(sockdir, sizeof(sockdir), "%s/flushbench-duet.XXXXXX", tmp);
		if (!mkdtemp(sockdir)) {
			sockdir[0] = '\0';
			return -1;
		}
	}
	snprintf(s->sock, sizeof(s->sock), "%s/duet.%d.%c.sock", sockdir,
		 (int)getpid(), s->name);
	return 0;
}

/* The round's guests, from boot to both ended. */
static void run_round(struct round *rd, const struct duet_args *a, uint64_t seed)
{
	double last = flb_mono_s();

	for (int x = 0; x < 2; x++) {
		struct gside *s = &rd->s[x];

		s->fd = s->out = -1;
		s->pid = -1;
		if (sock_path(s)) {
			fail(rd, "side %c (%s): %s/build/vm is too long a path for a console socket, and no directory could be made in /tmp: %s",
			     s->name, s->label, s->g.top, strerror(errno));
			continue;
		}
		if (boot(s))
			fail(rd, "side %c (%s): starting %s: %s", s->name,
			     s->label, s->g.boot_sh, strerror(errno));
	}
	for (;;) {
		struct pollfd pf[4];
		struct gside *who[4];
		int np = 0;
		double t;

		for (int x = 0; x < 2; x++) {
			struct gside *s = &rd->s[x];

			/* once: QEMU takes a new client after the guest's end */
			if (s->fd < 0 && !s->copy && s->out >= 0 && !rd->stopping)
				try_connect(s);
			if (s->fd >= 0) {
				pf[np] = (struct pollfd){ .fd = s->fd, .events = POLLIN };
				who[np++] = s;
			}
			if (s->out >= 0) {
				pf[np] = (struct pollfd){ .fd = s->out, .events = POLLIN };
				who[np++] = s;
			}
		}
		if (!np)
			break;	/* both scripts ended and their consoles closed */
		if (poll(pf, np, 50) < 0 && errno != EINTR)
			break;
		for (int i = 0; i < np; i++) {
			struct gside *s = who[i];

			if (!(pf[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			if (pf[i].fd == s->fd) {
				read_console(rd, s, seed);
				continue;
			}
			/* qemu-boot.sh's stdout: ACCEL=, STATUS=, then its end */
			{
				ssize_t k = read(s->out, s->outbuf + s->outlen,
						 sizeof(s->outbuf) - 1 - s->outlen);

				if (k > 0) {
					s->outlen += (size_t)k;
					s->outbuf[s->outlen] = '\0';
					continue;
				}
			}
			close(s->out);
			s->out = -1;
			while (waitpid(s->pid, &s->status, 0) < 0 && errno == EINTR)
				;
			s->status = WIFEXITED(s->status) ? WEXITSTATUS(s->status) :
				    128 + WTERMSIG(s->status);
			s->pid = -1;
			s->wall = flb_mono_s() - s->t0;
			if (!s->ended) {
				char st[32];

				if (!flb_vm_kv(s->outbuf, "STATUS", st, sizeof(st)))
					snprintf(st, sizeof(st), "error");
				fail(rd, "side %c (%s): the guest ended before its suite did: %s after %.0f s: %s",
				     s->name, s->label, st, s->wall,
				     !s->hello && !strcmp(st, "ok") ?
				     "it never asked for the duet's seed (a guest script without duet support?)" :
				     flb_vm_status_why(st));
			}
			if (s->fd >= 0)
				read_console(rd, s, seed);	/* what is left */
			decide(rd);
		}
		if (stop_signal && !rd->stopping)
			fail(rd, "interrupted (signal %d): both guests stopped",
			     (int)stop_signal);
		t = flb_mono_s();
		if (t - last < 0.2)
			continue;
		last = t;
		/* the clocks: a partner that keeps the other waiting, a slow start */
		for (int x = 0; x < 2 && !rd->stopping; x++) {
			struct gside *s = &rd->s[x], *o = &rd->s[!x];

			if (s->waiting && !o->waiting && !o->ended &&
			    t - s->wait_t > (double)a->window_timeout)
				fail(rd, "side %c (%s) fell behind: no ready for the window of side %c's job %lu sample %lu within %" PRIu64 " s (--window-timeout)",
				     o->name, o->label, s->name, s->job, s->p,
				     a->window_timeout);
			else if (!s->waiting && !s->acked && s->go_t > 0 &&
				 !s->ended && t - s->go_t > (double)a->max_skew_ms / 1e3 &&
				 o->acked && o->go_t == s->go_t)
				fail(rd, "side %c (%s) fell behind the go of job %lu sample %lu: no acknowledgement %" PRIu64 " ms after side %c's (--max-skew)",
				     s->name, s->label, s->job, s->p,
				     a->max_skew_ms, o->name);
			else if (!s->acked && s->go_t > 0 && !s->ended &&
				 t - s->go_t > (double)a->window_timeout)
				fail(rd, "side %c (%s) did not start job %lu sample %lu within %" PRIu64 " s of its go (--window-timeout)",
				     s->name, s->label, s->job, s->p, a->window_timeout);
		}
		if (rd->stopping && t - rd->stop_t > 20)
			for (int x = 0; x < 2; x++)
				if (rd->s[x].pid > 0)
					kill(rd->s[x].pid, SIGKILL);
	}
	for (int x = 0; x < 2; x++) {
		if (rd->s[x].pid > 0) {
			kill(rd->s[x].pid, SIGKILL);
			waitpid(rd->s[x].pid, NULL, 0);
		}
		if (rd->s[x].fd >= 0)
			close(rd->s[x].fd);
		if (rd->s[x].copy)
			fclose(rd->s[x].copy);
		unlink(rd->s[x].sock);
	}
}

static int dcmp(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;

	return a < b ? -1 : a > b;
}

/*
 * Both guests' stores into the host's in one transaction: each side
 * imported into a scratch store under its label with its keys, then the
 * scratch store into db, so a round is stored whole or not at all.
 */
static int store_round(const struct duet_args *a, struct round *rd,
		       unsigned int r, const char *id, bool swap,
		       int64_t run_ids[2])
{
	char scratch[VM_PATH], gdb[2][VM_PATH], err[512];
	struct flb_env extra[2] = { { 0 }, { 0 } };
	struct flb_store *st = NULL;
	struct flb_run_row *rows = NULL;
	int64_t *ids = NULL;
	size_t n = 0, nrows = 0;
	int ret = -1;

	snprintf(scratch, sizeof(scratch), "%s/build/vm/duet.%d.db",
		 rd->s[0].g.top, (int)getpid());
	flb_vm_unlink_db(scratch);
	if (rd->nskew)
		qsort(rd->skew, rd->nskew, sizeof(double), dcmp);
	for (int x = 0; x < 2; x++) {
		struct gside *s = &rd->s[x];
		char accel[16], *log;
		size_t loglen;

		snprintf(gdb[x], sizeof(gdb[x]), "%s/build/vm/duet.%d.%c.db",
			 s->g.top, (int)getpid(), s->name);
		if (!flb_vm_kv(s->outbuf, "ACCEL", accel, sizeof(accel)))
			snprintf(accel, sizeof(accel), "unknown");
		log = flb_slurp(s->log, &loglen);
		if (!log) {
			snprintf(rd->why, sizeof(rd->why), "side %c (%s): %s: %s",
				 s->name, s->label, s->log, strerror(errno));
			goto out;
		}
		if (flb_guest_collect(&s->g, log, loglen, accel, s->wall, gdb[x],
				      &extra[x])) {
			snprintf(rd->why, sizeof(rd->why), "side %c (%s): no results (above)",
				 s->name, s->label);
			free(log);
			goto out;
		}
		free(log);
		if (!r && !x)
			flb_guest_accel_note(&s->g, accel);
		flb_env_set(&extra[x], "vmduet.id", "%s", id);
		flb_env_set(&extra[x], "vmduet.round", "%u", r);
		flb_env_set(&extra[x], "vmduet.side", "%c", s->name);
		flb_env_set(&extra[x], "vmduet.partner", "%s", rd->s[!x].label);
		flb_env_set(&extra[x], "vmduet.swap", "%d", swap);
		flb_env_set(&extra[x], "vmduet.cpus", "%s", s->cpus);
		flb_env_set(&extra[x], "vmduet.windows", "%u", rd->windows);
		flb_env_set(&extra[x], "vmduet.solo_windows", "%u", rd->solo);
		if (rd->nskew) {
			flb_env_set(&extra[x], "vmduet.skew_median_ms", "%.3f",
				    rd->skew[rd->nskew / 2]);
			flb_env_set(&extra[x], "vmduet.skew_max_ms", "%.3f",
				    rd->skew[rd->nskew - 1]);
		}
	}
	if (flb_store_open(scratch, FLB_STORE_RW, &st, err, sizeof(err))) {
		snprintf(rd->why, sizeof(rd->why), "%s", err);
		goto out;
	}
	for (int x = 0; x < 2; x++) {
		if (flb_store_import(st, gdb[x], rd->s[x].label, &extra[x], &ids, &n, NULL)) {
			snprintf(rd->why, sizeof(rd->why), "side %c (%s): importing its results: %s",
				 rd->s[x].name, rd->s[x].label, flb_store_error(st));
			goto out;
		}
		free(ids);
		ids = NULL;
		if (n != a->repeat) {
			snprintf(rd->why, sizeof(rd->why), "side %c (%s): its store holds %zu runs, not %" PRIu64,
				 rd->s[x].name, rd->s[x].label, n, a->repeat);
			goto out;
		}
	}
	if (flb_store_runs(st, NULL, &rows, &nrows) || nrows != 2 * a->repeat) {
		snprintf(rd->why, sizeof(rd->why), "reading the round's runs back: %s",
			 flb_store_error(st));
		goto out;
	}
	for (size_t i = 0; i < nrows; i++)
		if (strcmp(rows[i].status, "complete")) {
			snprintf(rd->why, sizeof(rd->why), "%s's run %zu of the round is %s, not complete",
				 rows[i].label, i % a->repeat + 1, rows[i].status);
			goto out;
		}
	flb_store_close(st);
	st = NULL;
	if (flb_store_open(a->db, FLB_STORE_RW, &st, err, sizeof(err))) {
		snprintf(rd->why, sizeof(rd->why), "%s", err);
		goto out;
	}
	if (flb_store_import(st, scratch, NULL, NULL, &ids, &n, NULL) ||
	    n != 2 * a->repeat) {
		snprintf(rd->why, sizeof(rd->why), "importing the round into %s: %s",
			 a->db, flb_store_error(st));
		goto out;
	}
	run_ids[0] = ids[0];
	run_ids[1] = ids[a->repeat];
	ret = 0;
out:
	free(ids);
	free(rows);
	flb_store_close(st);
	flb_vm_unlink_db(scratch);
	for (int x = 0; x < 2; x++) {
		flb_vm_unlink_db(gdb[x]);
		flb_env_free(&extra[x]);
	}
	return ret;
}

/* The command line into a: 0, else FLB_CLI_HELP or FLB_CLI_ERROR. */
static int parse_args(int argc, char **argv, struct duet_args *a)
{
	int n = flb_cli_parse(&duet_cli, argc, argv, a, NULL, 0);

	if (n < 0)
		return n;
	if (!a->label[0] || !a->label[1]) {
		flb_cli_usage_error(&duet_cli, "give --label-a NAME and --label-b NAME");
		return FLB_CLI_ERROR;
	}
	if (!strcmp(a->label[0], a->label[1])) {
		flb_cli_usage_error(&duet_cli, "--label-a and --label-b are both '%s': the sides need labels of their own",
				    a->label[0]);
		return FLB_CLI_ERROR;
	}
	if (a->g.kernel && a->g.debian) {
		flb_cli_usage_error(&duet_cli, "give one of --kernel IMAGE or --debian FLAVOUR");
		return FLB_CLI_ERROR;
	}
	for (int x = 0; x < 2; x++)
		if (!a->kernel[x] && !a->g.kernel && !a->g.debian) {
			flb_cli_usage_error(&duet_cli, "side %c has no kernel: give --debian FLAVOUR, --kernel IMAGE or --%c-kernel IMAGE",
					    'a' + x, 'a' + x);
			return FLB_CLI_ERROR;
		}
	if (flb_guest_arch_ok(&duet_cli, a->g.arch))
		return FLB_CLI_ERROR;
	for (int x = 0; x < 2; x++)
		if (flb_guest_iommu_ok(&duet_cli, !a->iommu[x] ? "iommu" :
				       x ? "b-iommu" : "a-iommu", a->g.arch,
				       a->iommu[x] ? a->iommu[x] : a->g.iommu))
			return FLB_CLI_ERROR;
	return 0;
}

/* Side x's guest, from the common options and its own. */
static void side_setup(const struct duet_args *a, int x, struct gside *s)
{
	s->name = (char)('a' + x);
	s->label = a->label[x];
	s->g = a->g;
	if (a->kernel[x]) {
		s->g.kernel = a->kernel[x];
		s->g.debian = NULL;
		s->g.headers = a->headers[x];
	} else if (a->headers[x]) {
		s->g.headers = a->headers[x];
	}
	if (a->config[x])
		s->g.config = a->config[x];
	if (a->iommu[x])
		s->g.iommu = a->iommu[x];
	snprintf(s->append, sizeof(s->append), "%s%s%s flushbench.duet=1",
		 a->g.append, a->append[x] && a->g.append[0] ? " " : "",
		 a->append[x] ? a->append[x] : "");
	s->g.append = s->append;
}

/* `flushbench compare LABEL_A LABEL_B --db DB`: the paired table. */
static void show_compare(const struct duet_args *a)
{
	char self[VM_PATH];
	char *argv[] = { self, "compare", "--db", (char *)a->db,
			 (char *)a->label[0], (char *)a->label[1], NULL };
	ssize_t l = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (l < 0)
		return;
	self[l] = '\0';
	printf("\n$ flushbench compare --db %s %s %s\n", a->db, a->label[0],
	       a->label[1]);
	fflush(stdout);
	flb_vm_spawn(argv, NULL, 0);
}

int flb_cmd_duet(int argc, char **argv)
{
	struct duet_args a = {
		.g = { .arch = flb_vm_host_arch(), .config = "configs/quick.yaml",
		       .mem = "1G", .accel = "auto", .smp = 0, .timeout = 600,
		       .append = "", .iommu = "none" },
		.db = "results.db", .window_timeout = 120, .repeat = 4,
		.max_skew_ms = 100,
	};
	struct gside side[2];
	char sets[2][64];
	unsigned int per, failed = 0, stored = 0;
	double t_start;
	char of[48];
	struct sigaction sa = { .sa_handler = on_stop };
	uint64_t sm;
	int rc;

	flb_vm_set_who("flushbench duet");
	a.rounds = 0;
	rc = parse_args(argc, argv, &a);
	if (rc)
		return flb_cli_exit(rc);
	if (!a.rounds)
		a.rounds = a.budget ? 1000 : 10;
	if (cpu_halves(sets, &per))
		return FLB_EXIT_FAIL;
	if (!a.g.smp) {
		a.g.smp = per;
	} else if (a.g.smp > per) {
		fprintf(stderr, "flushbench duet: warning: --smp %" PRIu64 " vCPUs on %u host CPU%s per guest: the vCPUs share them\n",
			a.g.smp, per, per > 1 ? "s" : "");
	}
	if (!a.seeded) {
		if (getrandom(&a.seed, sizeof(a.seed), 0) != sizeof(a.seed))
			a.seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
	}
	for (int x = 0; x < 2; x++) {
		side_setup(&a, x, &side[x]);
		rc = flb_guest_prepare(&side[x].g);
		if (rc)
			return rc;
	}
	if (a.budget)
		snprintf(of, sizeof(of), "up to %" PRIu64 " s", a.budget);
	else
		snprintf(of, sizeof(of), "/%" PRIu64, a.rounds);
	printf("flushbench duet: %s round%s of %s (a: %s%s%s) against %s (b: %s%s%s), %s guests with %" PRIu64 " vCPU%s each on host CPUs %s | %s, seed %" PRIu64 "\n",
	       a.budget ? of : of + 1, a.budget || a.rounds > 1 ? "s" : "",
	       a.label[0], side[0].g.kernel, a.append[0] ? ", " : "",
	       a.append[0] ? a.append[0] : "",
	       a.label[1], side[1].g.kernel, a.append[1] ? ", " : "",
	       a.append[1] ? a.append[1] : "", a.g.arch, a.g.smp,
	       a.g.smp > 1 ? "s" : "", sets[0], sets[1], a.seed);
	fflush(stdout);
	sm = a.seed;
	t_start = flb_mono_s();
	/* a stop signal ends the round in progress: its guests must not outlive us */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	for (unsigned int r = 0; r < a.rounds; r++) {
		struct round rd = { .a = &a };
		bool swap = r % 2;
		uint64_t order_seed = flb_splitmix64(&sm), idb[2];
		char id[40];
		int64_t ids[2] = { 0, 0 };
		double spent = flb_mono_s() - t_start;

		/* --budget: a round like the mean so far must end within it */
		if (a.budget && r && spent + spent / r > (double)a.budget) {
			printf("flushbench duet: --budget %" PRIu64 " s: %.0f s spent in %u rounds, no more\n",
			       a.budget, spent, r);
			break;
		}

		if (getrandom(idb, sizeof(idb), 0) != sizeof(idb)) {
			idb[0] = order_seed ^ (uint64_t)time(NULL);
			idb[1] = (uint64_t)getpid() * 0x9e3779b97f4a7c15ull + r;
		}
		snprintf(id, sizeof(id), "%016" PRIx64 "%016" PRIx64, idb[0], idb[1]);
		for (int x = 0; x < 2; x++) {
			rd.s[x] = side[x];
			snprintf(rd.s[x].cpus, sizeof(rd.s[x].cpus), "%s",
				 sets[x ^ swap]);
			snprintf(rd.s[x].log, sizeof(rd.s[x].log),
				 "%s/build/vm/console.%d.duet-%u%c.log",
				 side[x].g.top, (int)getpid(), r, rd.s[x].name);
			snprintf(rd.s[x].raw, sizeof(rd.s[x].raw),
				 "%s/build/vm/console.%d.duet-%u%c.qemu.log",
				 side[x].g.top, (int)getpid(), r, rd.s[x].name);
		}
		if (stop_signal)
			break;
		run_round(&rd, &a, order_seed);
		if (!rd.why[0])
			store_round(&a, &rd, r, id, swap, ids);
		if (rd.why[0]) {
			failed++;
			printf("flushbench duet: round %u%s FAILED: %s; nothing of this round is stored; console logs kept: %s %s\n",
			       r + 1, a.budget ? "" : of, rd.why, rd.s[0].log, rd.s[1].log);
		} else {
			stored++;
			printf("flushbench duet: round %u%s: a on CPU %s, b on CPU %s: %u windows together, %u alone; starts %.2f ms apart (median), %.2f ms at most; runs %lld.. (a), %lld.. (b)\n",
			       r + 1, a.budget ? "" : of, rd.s[0].cpus, rd.s[1].cpus,
			       rd.windows, rd.solo,
			       rd.nskew ? rd.skew[rd.nskew / 2] : NAN,
			       rd.nskew ? rd.skew[rd.nskew - 1] : NAN,
			       (long long)ids[0], (long long)ids[1]);
			for (int x = 0; x < 2 && !a.keep_log; x++) {
				char q[VM_PATH + 8];

				snprintf(q, sizeof(q), "%s.qemu", rd.s[x].raw);
				unlink(rd.s[x].log);
				unlink(rd.s[x].raw);
				unlink(q);
			}
		}
		fflush(stdout);
		free(rd.skew);
	}
	if (sockdir[0])
		rmdir(sockdir);
	printf("flushbench duet: %u of %u rounds stored as '%s' and '%s' in %s%s\n",
	       stored, stored + failed, a.label[0], a.label[1], a.db,
	       failed ? " (the failed ones are above)" : "");
	if (stored)
		show_compare(&a);
	return failed || stop_signal ? FLB_EXIT_FAIL : FLB_EXIT_OK;
}
