// SPDX-License-Identifier: GPL-2.0
/*
 * flushbench plot: gnuplot pictures of a comparison, each as PNG
 * (pngcairo) and SVG, with the data and the script left beside them so a
 * plot can be redrawn or restyled:
 *   change.*  improvement per row with its interval, coloured (I)/(R)/none;
 *   dist.*    both sides' samples per row, relative to the BASE median;
 *   trend-METRIC.*  (--trend) one metric over an ordered series of labels,
 *             improvement against the first label with interval bands.
 * gnuplot runs with its stderr in NAME.log; anything there is shown, and
 * anything but a warning is an error.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "analysis.h"
#include "cmp.h"

/* A label gnuplot can read from a data file: quoted, no quotes inside. */
static void put_label(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++)
		fputc(*s == '"' ? '\'' : *s, f);
	fputc('"', f);
}

/* A string inside a single-quoted gnuplot string. */
static void put_gp_string(FILE *f, const char *s)
{
	fputc('\'', f);
	for (; *s; s++) {
		if (*s == '\'')
			fputc('\'', f);
		fputc(*s, f);
	}
	fputc('\'', f);
}

static FILE *open_in(const char *cmd, const char *dir, const char *name)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f)
		flb_msg(cmd, "%s: %m", path);
	return f;
}

static int close_in(const char *cmd, const char *dir, const char *name,
		    FILE *f)
{
	if (fclose(f)) {
		flb_msg(cmd, "%s/%s: %m", dir, name);
		return -1;
	}
	return 0;
}

/*
 * Run gnuplot on DIR/NAME.gp in DIR, stderr to DIR/NAME.log. 0 when it
 * exits 0 and says nothing but warnings (which are shown); else -1 after
 * quoting what it said.
 */
static int gnuplot(const char *cmd, const char *dir, const char *name)
{
	char gp[256], log[256], path[4096], line[512];
	int status, fd;
	FILE *f;
	pid_t pid;
	bool said = false, warned = false;	/* an error; a warning */

	snprintf(gp, sizeof(gp), "%s.gp", name);
	snprintf(log, sizeof(log), "%s.log", name);
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		flb_msg(cmd, "fork: %m");
		return -1;
	}
	if (!pid) {
		if (chdir(dir))
			_exit(126);
		fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd < 0 || dup2(fd, 2) < 0)
			_exit(126);
		fd = open("/dev/null", O_WRONLY);
		if (fd >= 0)
			dup2(fd, 1);
		execlp("gnuplot", "gnuplot", gp, (char *)NULL);
		dprintf(2, "cannot run gnuplot: %s\n", strerror(errno));
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0) {
		flb_msg(cmd, "waitpid: %m");
		return -1;
	}
	snprintf(path, sizeof(path), "%s/%s", dir, log);
	f = fopen(path, "r");
	while (f && fgets(line, sizeof(line), f)) {
		bool warning = strstr(line, "warning:");

		if (!said && !warned)
			flb_msg(cmd, "gnuplot %s/%s reported:", dir, gp);
		said |= !warning;
		warned |= warning;
		fprintf(stderr, "  %s", line);
	}
	if (f)
		fclose(f);
	if (!WIFEXITED(status) || WEXITSTATUS(status) || said) {
		if (!said)
			flb_msg(cmd, "gnuplot %s/%s failed (status %d; is gnuplot installed? Debian package gnuplot-nox)",
			       dir, gp, WIFEXITED(status) ? WEXITSTATUS(status) : -1);
		return -1;
	}
	return 0;
}

/* The two terminals: PNG first, then the same plot as SVG. */
static void gp_begin(FILE *f, const char *name, int w, int h)
{
	fprintf(f, "set terminal pngcairo size %d,%d font 'sans,10' noenhanced\n",
		w, h);
	fprintf(f, "set output '%s.png'\n", name);
}

static void gp_end(FILE *f, const char *name, int w, int h)
{
	fprintf(f, "set terminal svg size %d,%d font 'sans,10' noenhanced\n",
		w, h);
	fprintf(f, "set output '%s.svg'\nreplot\nset output\n", name);
}

#define LABEL_MAX 64	/* longer labels lose their middle: "fork rss=4M ... (ns)" */

static void row_label(const struct flb_row *r, char *buf, size_t len)
{
	char cls[FLB_CELL], full[2 * FLB_CELL];
	size_t n, keep = LABEL_MAX / 2 - 2;

	flb_row_class(r, cls, sizeof(cls));
	snprintf(full, sizeof(full), "%s %s", r->workload, cls);
	n = strlen(full);
	if (n <= LABEL_MAX)
		snprintf(buf, len, "%s", full);
	else
		snprintf(buf, len, "%.*s...%s", (int)keep, full,
			 full + n - (LABEL_MAX - keep - 3));
}

static bool plottable(const struct flb_row *r)
{
	return r->role == FLB_ROLE_PRIMARY && r->tested && r->logscale &&
	       r->sum[FLB_BASE].median > 0;
}

/*
 * An unbounded interval end (too few values to reject any change) drawn
 * to the edge of the plot: bound is past every finite value plotted.
 */
static double clip_end(double v, double bound)
{
	return isfinite(v) ? v : copysign(bound, v);
}

static double grow_bound(double bound, double v)
{
	return isfinite(v) ? fmax(bound, 1.1 * fabs(v)) : bound;
}

/* A plotted row's improvement, lo and hi in percent; false if not plotted. */
static bool change_of(const struct flb_row *r, double v[3])
{
	if (!plottable(r))
		return false;
	v[0] = flb_row_improvement(r);
	if (r->testable)
		flb_row_improvement_ci(r, &v[1], &v[2]);
	else
		v[1] = v[2] = v[0];	/* no interval: no whiskers */
	return true;
}

static int plot_change(const struct flb_cmp *c, const char *dir)
{
	const char *cmd = c->o.cmd;
	char label[2 * FLB_CELL];
	FILE *d, *g;
	double bound = 100 * c->o.min_effect, v[3];
	int k = 0, h;

	d = open_in(cmd, dir, "change.dat");
	if (!d)
		return -1;
	fprintf(d, "# index label improvement_pct lo_pct hi_pct mark(0 none, 1 I, 2 R); unbounded ends at the plot's edge\n");
	for (size_t i = 0; i < c->nrows; i++)
		for (int j = 0; j < 3 && change_of(&c->rows[i], v); j++)
			bound = grow_bound(bound, v[j]);
	for (size_t i = 0; i < c->nrows; i++) {
		const struct flb_row *r = &c->rows[i];

		if (!change_of(r, v))
			continue;
		row_label(r, label, sizeof(label));
		fprintf(d, "%d ", k++);
		put_label(d, label);
		fprintf(d, " %.6g %.6g %.6g %d\n", v[0], clip_end(v[1], bound),
			clip_end(v[2], bound), (int)r->mark);
	}
	if (close_in(cmd, dir, "change.dat", d))
		return -1;
	if (!k) {
		flb_msg(cmd, "no row with a change to plot");
		return -1;
	}
	g = open_in(cmd, dir, "change.gp");
	if (!g)
		return -1;
	h = 160 + 22 * k;
	gp_begin(g, "change", 1100, h);
	fprintf(g, "set title ");
	snprintf(label, sizeof(label), "%s vs %s: improvement of NEW over BASE per row, %g%% interval (> 0 is better)",
		 c->set[FLB_NEW].spec, c->set[FLB_BASE].spec, c->o.conf * 100);
	put_gp_string(g, label);
	fprintf(g, "\nset xlabel 'improvement (%%): ratio (reciprocal if lower is better); counts with 0: shift / BASE median'\n"
		"set ylabel ''\nset yrange [%d:-1]\nset ytics scale 0\nset grid xtics\n"
		"set key outside bottom center horizontal\n"
		"set arrow from 0, graph 0 to 0, graph 1 nohead lc rgb 'black'\n"
		"set arrow from %g, graph 0 to %g, graph 1 nohead dt 2 lc rgb 'gray40'\n"
		"set arrow from %g, graph 0 to %g, graph 1 nohead dt 2 lc rgb 'gray40'\n",
		k, -c->o.min_effect * 100, -c->o.min_effect * 100,
		c->o.min_effect * 100, c->o.min_effect * 100);
	fprintf(g, "plot 'change.dat' using ($6==0?$3:1/0):1:4:5:ytic(2) with xerrorbars pt 7 lc rgb '#808080' title 'no mark', \\\n"
		"     '' using ($6==1?$3:1/0):1:4:5 with xerrorbars pt 7 lc rgb '#1a9641' title '(I) improvement', \\\n"
		"     '' using ($6==2?$3:1/0):1:4:5 with xerrorbars pt 7 lc rgb '#d7191c' title '(R) regression', \\\n"
		"     1/0 with lines dt 2 lc rgb 'gray40' title '+/- --min-effect %g%%'\n",
		c->o.min_effect * 100);
	gp_end(g, "change", 1100, h);
	if (close_in(cmd, dir, "change.gp", g))
		return -1;
	return gnuplot(cmd, dir, "change");
}

static int plot_dist(const struct flb_cmp *c, const char *dir)
{
	const char *cmd = c->o.cmd;
	char label[2 * FLB_CELL];
	FILE *d, *p, *g;
	int k = 0, w;

	d = open_in(cmd, dir, "dist.dat");
	p = open_in(cmd, dir, "dist_points.dat");
	if (!d || !p) {
		if (d)
			fclose(d);
		if (p)
			fclose(p);
		return -1;
	}
	fprintf(d, "# x label min q1 median q3 max side(0 BASE, 1 NEW), %% of the BASE median\n");
	fprintf(p, "# x value side, %% of the BASE median\n");
	for (size_t i = 0; i < c->nrows; i++) {
		const struct flb_row *r = &c->rows[i];
		double mb = r->sum[FLB_BASE].median;

		if (!plottable(r))
			continue;
		row_label(r, label, sizeof(label));
		for (int s = 0; s < 2; s++) {
			const struct flb_summary *m = &r->sum[s];
			double x = k + (s ? 0.2 : -0.2);

#define REL(v) (((v) / mb - 1) * 100)
			fprintf(d, "%.2f ", x);
			put_label(d, label);
			fprintf(d, " %.6g %.6g %.6g %.6g %.6g %d\n", REL(m->min),
				REL(m->q1), REL(m->median), REL(m->q3),
				REL(m->max), s);
			for (size_t j = 0; j < r->side[s].n; j++) {
				/* deterministic jitter: golden-ratio sequence */
				double jit = fmod(j * 0.6180339887, 1.0) - 0.5;

				fprintf(p, "%.4f %.6g %d\n", x + jit * 0.12,
					REL(r->side[s].v[j]), s);
			}
#undef REL
		}
		k++;
	}
	if (close_in(cmd, dir, "dist.dat", d) |
	    close_in(cmd, dir, "dist_points.dat", p))
		return -1;
	if (!k) {
		flb_msg(cmd, "no row with samples to plot");
		return -1;
	}
	g = open_in(cmd, dir, "dist.gp");
	if (!g)
		return -1;
	w = 700 + 70 * k;	/* the last rotated label needs room on the right */
	gp_begin(g, "dist", w, 800);
	fprintf(g, "set title ");
	snprintf(label, sizeof(label), "Samples per row: BASE %s (left, blue) and NEW %s (right, orange); box = quartiles, whiskers = min..max",
		 c->set[FLB_BASE].spec, c->set[FLB_NEW].spec);
	put_gp_string(g, label);
	fprintf(g, "\nset ylabel 'value relative to the BASE median (%%)'\n"
		"set xrange [-0.7:%d-0.3]\nset xtics rotate by -40 scale 0 font ',8'\n"
		"set grid ytics\nset key outside bottom center horizontal\n"
		"set boxwidth 0.3\n", k);
	fprintf(g, "set xtics (");
	k = 0;
	for (size_t i = 0; i < c->nrows; i++) {
		if (!plottable(&c->rows[i]))
			continue;
		row_label(&c->rows[i], label, sizeof(label));
		fprintf(g, "%s", k ? ", " : "");
		put_gp_string(g, label);
		fprintf(g, " %d", k++);
	}
	fprintf(g, ")\n");
	fprintf(g, "plot 'dist.dat' using ($8==0?$1:1/0):4:3:7:6 with candlesticks whiskerbars lc rgb '#2c7bb6' lw 1.5 title 'BASE', \\\n"
		"     '' using ($8==1?$1:1/0):4:3:7:6 with candlesticks whiskerbars lc rgb '#fdae61' lw 1.5 title 'NEW', \\\n"
		"     '' using 1:5:5:5:5 with candlesticks lc rgb 'black' lw 2 notitle, \\\n"
		"     'dist_points.dat' using ($3==0?$1:1/0):2 with points pt 7 ps 0.3 lc rgb '#2c7bb6' notitle, \\\n"
		"     '' using ($3==1?$1:1/0):2 with points pt 7 ps 0.3 lc rgb '#f46d43' notitle\n");
	gp_end(g, "dist", w, 800);
	if (close_in(cmd, dir, "dist.gp", g))
		return -1;
	return gnuplot(cmd, dir, "dist");
}

int flb_mkdir_out(const char *cmd, const char *dir)
{
	struct stat sb;

	if (!mkdir(dir, 0777) || (errno == EEXIST && !stat(dir, &sb) &&
				   S_ISDIR(sb.st_mode)))
		return 0;
	flb_msg(cmd, "%s: cannot create the output directory: %m", dir);
	return -1;
}

int flb_plot_compare(const struct flb_cmp *c, const char *dir)
{
	if (flb_mkdir_out(c->o.cmd, dir) || plot_change(c, dir) ||
	    plot_dist(c, dir))
		return 2;
	return 0;
}

/*
 * --trend: for each label after the first, a comparison against the
 * first; one line per (workload, params) with its interval as a band.
 */
struct trend_pt {
	double chg, lo, hi;
	bool have;
};

static int plot_trend(const struct flb_cmp_opts *o, const char *const *labels,
		      int n, const char *dir)
{
	struct flb_cmp *cs = calloc(n, sizeof(*cs));
	char name[256], label[2 * FLB_CELL];
	const struct flb_cmp *first;
	int rc = 2, lines = 0;
	FILE *d = NULL, *g = NULL;
	double v[3];

	if (!cs)
		return 2;
	if (flb_mkdir_out(o->cmd, dir))
		goto out;
	for (int k = 1; k < n; k++) {
		const char *pair[2] = { labels[0], labels[k] };

		if (flb_cmp_load(&cs[k], o, pair, 2) || flb_cmp_analyse(&cs[k]))
			goto out;
	}
	first = &cs[1];
	snprintf(name, sizeof(name), "trend-%s", o->metric);
	for (char *s = name; *s; s++)
		if (*s == '/' || *s == ' ')
			*s = '_';
	snprintf(label, sizeof(label), "%s.dat", name);
	d = open_in(o->cmd, dir, label);
	if (!d)
		goto out;
	/* one gnuplot data block per row of the first comparison */
	for (size_t i = 0; i < first->nrows; i++) {
		const struct flb_row *r0 = &first->rows[i];

		if (!r0->side[FLB_BASE].n)
			continue;
		/* the first line of a block names it (columnheader) */
		snprintf(label, sizeof(label), "%s %s", r0->workload, r0->params);
		put_label(d, label);
		fprintf(d, " 0 0 0\n0 0 0 0\n");
		for (int k = 1; k < n; k++) {
			const struct flb_row *r = NULL;

			for (size_t j = 0; j < cs[k].nrows; j++)
				if (!strcmp(cs[k].rows[j].workload, r0->workload) &&
				    !strcmp(cs[k].rows[j].params, r0->params))
					r = &cs[k].rows[j];
			if (!r || !change_of(r, v))
				continue;	/* a gap in this line */
			fprintf(d, "%d %.6g %.6g %.6g\n", k, v[0], v[1], v[2]);
		}
		fprintf(d, "\n\n");
		lines++;
	}
	if (close_in(o->cmd, dir, label, d) || !lines) {
		if (!lines)
			flb_msg(o->cmd, "no row of metric %s under '%s'", o->metric,
			       labels[0]);
		d = NULL;
		goto out;
	}
	d = NULL;
	snprintf(label, sizeof(label), "%s.gp", name);
	g = open_in(o->cmd, dir, label);
	if (!g)
		goto out;
	gp_begin(g, name, 1100, 650);
	fprintf(g, "set title ");
	snprintf(label, sizeof(label), "%s across %d labels: improvement against %s (%%, > 0 better), %g%% interval bands",
		 o->metric, n, labels[0], o->conf * 100);
	put_gp_string(g, label);
	fprintf(g, "\nset ylabel ");
	snprintf(label, sizeof(label), "%s: improvement against %s (%%)",
		 o->metric, labels[0]);
	put_gp_string(g, label);
	fprintf(g, "\nset xlabel 'label (in the order given)'\nset grid\n"
		"set key outside right top\nset xrange [-0.2:%d.2]\nset xtics (", n - 1);
	for (int k = 0; k < n; k++) {
		fprintf(g, "%s", k ? ", " : "");
		put_gp_string(g, labels[k]);
		fprintf(g, " %d", k);
	}
	fprintf(g, ")\nset style fill transparent solid 0.2 noborder\n");
	fprintf(g, "plot for [i=0:%d] '%s.dat' index i using 1:3:4 with filledcurves lc i+1 notitle, \\\n"
		"     for [i=0:%d] '%s.dat' index i using 1:2 with linespoints pt 7 lc i+1 title columnheader(1)\n",
		lines - 1, name, lines - 1, name);
	gp_end(g, name, 1100, 650);
	snprintf(label, sizeof(label), "%s.gp", name);
	if (close_in(o->cmd, dir, label, g))
		goto out;
	rc = gnuplot(o->cmd, dir, name) ? 2 : 0;
out:
	if (d)
		fclose(d);
	for (int k = 1; k < n; k++)
		flb_cmp_free(&cs[k]);
	free(cs);
	return rc;
}

struct plot_args {
	struct flb_cmp_opts o;
	bool trend;
};

static const struct flb_cliopt plot_opts[] = {
	FLB_CLI_FLAG(0, "trend", struct plot_args, trend,
		     "one metric (--metric, default ns_per_op) across the\n"
		     "labels, oldest first, against the first"),
	FLB_CLI_STRING('o', NULL, struct plot_args, o.out, "DIR",
		       "the directory to write into (required)"),
	FLB_CLI_INCLUDE(struct plot_args, o, flb_cmp_cliopts),
	FLB_CLI_END
};

static const struct flb_cli plot_cli = {
	.cmd = "plot",
	.usage = "[OPTIONS] -o DIR BASE NEW\n--trend [--metric NAME] [OPTIONS] -o DIR LABEL LABEL...",
	.about = "Writes PNG and SVG (with their .dat and .gp) into DIR: change.* (improvement\n"
		 "per row with intervals, coloured by mark), dist.* (samples of both sides),\n"
		 "or trend-METRIC.* (the metric across the labels, in the order given).",
	.footer = "Exit: 0 done, 2 usage, data or gnuplot error.",
	.opts = plot_opts,
};

int flb_cmd_plot(int argc, char **argv)
{
	const char **pos = calloc(argc + 1, sizeof(*pos));
	struct plot_args a;
	struct flb_cmp_opts *o = &a.o;
	struct flb_cmp c;
	int npos, rc;

	if (!pos)
		return 2;
	a.trend = false;
	flb_cmp_defaults(o, "plot");
	npos = flb_cli_parse(&plot_cli, argc, argv, &a, pos, argc);
	if (npos < 0) {
		rc = flb_cli_exit(npos);
		goto out;
	}
	if (!o->out) {
		rc = flb_cli_usage_error(&plot_cli, "-o DIR is required");
		goto out;
	}
	if (a.trend) {
		if (npos < 2) {
			rc = flb_cli_usage_error(&plot_cli, "--trend needs at least two labels, oldest first");
			goto out;
		}
		if (!o->metric)
			o->metric = "ns_per_op";
		rc = plot_trend(o, pos, npos, o->out);
		goto out;
	}
	if (npos != 2) {
		rc = flb_cli_usage_error(&plot_cli, "expected BASE and NEW");
		goto out;
	}
	rc = flb_cmp_load(&c, o, pos, 2);
	if (!rc)
		rc = flb_cmp_analyse(&c);
	if (!rc)
		rc = flb_plot_compare(&c, o->out);
	flb_cmp_free(&c);
out:
	free(pos);
	return rc;
}
