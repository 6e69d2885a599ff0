// SPDX-License-Identifier: GPL-2.0
/*
 * flushbench plot: gnuplot pictures of a comparison, each as PNG
 * (pngcairo, 1200 px wide) and SVG, with the data and the script left
 * beside them so a plot can be redrawn or restyled:
 *   change.*  the primary rows' improvement with its interval, a panel
 *             per workload, on a symmetric log axis fitted to the data
 *             (intervals past it clipped, with an arrow); coloured
 *             (I)/(R)/none, each row's MDE a grey band around 0;
 *   change-counters.*  the same for counters and other metrics (only
 *             when there are some: they explain, never gate);
 *   dist.*    a small panel per primary row: both sides' samples in %
 *             of the BASE median, boxes and every sample, by run;
 *   trend-METRIC.*  (--trend) one line per primary row across an ordered
 *             series of labels, improvement against the first with its
 *             interval; a change-point test (analysis/changepoint.c) on
 *             each row's levels marks where it shifts.
 * gnuplot runs with its stderr in NAME.log; anything there is shown, and
 * anything but a warning is an error (the tests want it empty).
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
#include "changepoint.h"
#include "cmp.h"
#include "report.h"

/* A label gnuplot can read from a data file: quoted, no quotes inside. */
static void put_label(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++)
		fputc(*s == '"' ? '\'' : *s, f);
	fputc('"', f);
}

/* s in single quotes, each character of dup in it doubled. */
static void put_quoted(FILE *f, const char *s, const char *dup)
{
	fputc('\'', f);
	for (; *s; s++) {
		if (strchr(dup, *s))
			fputc(*s, f);
		fputc(*s, f);
	}
	fputc('\'', f);
}

/* A string inside a single-quoted gnuplot string. */
static void put_gp_string(FILE *f, const char *s)
{
	put_quoted(f, s, "'");
}

/* A tic label: gnuplot formats it, so a % is written %%. */
static void put_gp_tic(FILE *f, const char *s)
{
	put_quoted(f, s, "'%");
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

/*
 * Every picture is PNG_W pixels wide and as tall as its panels need, up
 * to PAGE_MAX. Its .gp draws it twice, PNG then SVG: a multiplot cannot
 * be replotted.
 */
#define PNG_W 1200
#define PAGE_MAX 9000
#define FONT "sans,11"

static void gp_begin(FILE *f, const char *name, int h)
{
	fprintf(f, "do for [term = 1:2] {\n"
		"if (term == 1) {\n"
		"\tset terminal pngcairo size %d,%d font '" FONT "' noenhanced\n"
		"\tset output '%s.png'\n"
		"} else {\n"
		"\tset terminal svg size %d,%d font '" FONT "' noenhanced\n"
		"\tset output '%s.svg'\n"
		"}\n"
		"reset\n", PNG_W, h, name, PNG_W, h, name);
}


static void gp_end(FILE *f)
{
	fprintf(f, "unset multiplot\nset output\n}\n");
}

/* The plot area of the next panel: l..r across, pixels top..bottom down. */
static void gp_area(FILE *f, double l, double r, int top, int bottom, int h)
{
	fprintf(f, "unset arrow\nunset label\nunset key\n"
		"set lmargin at screen %.4f\nset rmargin at screen %.4f\n"
		"set tmargin at screen %.4f\nset bmargin at screen %.4f\n",
		l, r, 1 - (double)top / h, 1 - (double)bottom / h);
}

/*
 * The page's key, drawn last (it leaves no border nor tics): a panel
 * across the page with nothing in it, pixels top..top + 40; the caller
 * adds ", keyentry ..." and the newline.
 */
static void gp_key(FILE *f, int top, int h)
{
	gp_area(f, 0.02, 0.98, top, top + 40, h);
	fprintf(f, "unset border\nunset tics\nunset title\nunset xlabel\n"
		"set xrange [0:1]\nset yrange [0:1]\n"
		"set key at screen 0.5, screen %.4f center top horizontal samplen 2\n"
		"plot 2 notitle lc rgb 'white'", 1 - (double)top / h);
}


/* A double-quoted gnuplot string: "\n" in s breaks the line. */
static void put_gp_lines(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '\n')
			fputs("\\n", f);
		else if (*s == '"' || *s == '\\')
			fprintf(f, "\\%c", *s);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

/* s in at most max characters: its middle gives way to "...". */
static void shorten(const char *s, char *buf, size_t len, size_t max)
{
	size_t n = strlen(s), keep = max / 2 - 2;

	if (n <= max)
		snprintf(buf, len, "%s", s);
	else
		snprintf(buf, len, "%.*s...%s", (int)keep, s,
			 s + n - (max - keep - 3));
}

#define LABEL_MAX 42	/* a row's label: its Result Class, the workload is the panel's */

/*
 * A primary row's label is its Result Class as the seed-style table of
 * the report shows it (seed.c: the params that tell it apart from c's
 * other primary rows of its workload, then "time/op"); the other rows'
 * is the catalog's class with the metric.
 */
static void row_label(const struct flb_cmp *c, const struct flb_row *r,
		      char *buf, size_t len, size_t max)
{
	char cls[FLB_CELL], m[64], full[FLB_CELL + 80];
	struct flb_seed_key *k = NULL;
	size_t n = 0, me = 0;

	if (r->role == FLB_ROLE_PRIMARY)
		k = calloc(c->nrows, sizeof(*k));
	for (size_t i = 0; k && i < c->nrows; i++) {
		if (c->rows[i].role != FLB_ROLE_PRIMARY)
			continue;
		if (&c->rows[i] == r)
			me = n;
		k[n].workload = c->rows[i].workload;
		k[n++].params = c->rows[i].params;
	}
	if (k) {
		flb_seed_class(k, n, me, cls, sizeof(cls));
		flb_seed_metric(r, m, sizeof(m));
		snprintf(full, sizeof(full), "%s (%s)", cls, m);
	} else {
		flb_row_class(r, full, sizeof(full));
	}
	free(k);
	shorten(full, buf, len, max);
}

/* Colours of the marks: none, (I), (R). */
static const unsigned int mark_rgb[] = { 0x808080, 0x1a9641, 0xd7191c };
static const char *const mark_title[] = {
	"no mark", "(I) improvement", "(R) regression"
};
/* Runs, and rows of a trend panel: Dark2 (its orange last: NEW's colour). */
static const unsigned int cycle_rgb[] = {
	0x1b9e77, 0x7570b3, 0xe7298a, 0x66a61e, 0xe6ab02, 0xa6761d,
	0x666666, 0xd95f02,
};
#define NCYCLE (sizeof(cycle_rgb) / sizeof(cycle_rgb[0]))

static bool primary_row(const struct flb_row *r)
{
	return r->role == FLB_ROLE_PRIMARY && r->tested && r->logscale &&
	       r->sum[FLB_BASE].median > 0;
}

/* Counters and other metrics with an improvement (BASE's mean not 0). */
static bool secondary_row(const struct flb_row *r)
{
	return r->role == FLB_ROLE_SECONDARY && r->tested &&
	       isfinite(flb_row_improvement(r));
}

/*
 * The rows one picture draws, grouped into panels by workload (in the
 * order the workloads first appear): panel p is row[start[p]] up to
 * row[start[p + 1]].
 */
struct page {
	size_t *row, n;
	size_t *start, np;
};

static void page_free(struct page *pg)
{
	free(pg->row);
	free(pg->start);
	pg->row = pg->start = NULL;
}

static int page_of(const struct flb_cmp *c,
		   bool (*want)(const struct flb_row *), struct page *pg)
{
	bool *done = calloc(c->nrows + 1, sizeof(*done));

	pg->n = pg->np = 0;
	pg->row = malloc((c->nrows + 1) * sizeof(*pg->row));
	pg->start = malloc((c->nrows + 2) * sizeof(*pg->start));
	if (!done || !pg->row || !pg->start) {
		free(done);
		page_free(pg);
		flb_msg(c->o.cmd, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < c->nrows; i++) {
		if (done[i] || !want(&c->rows[i]))
			continue;
		pg->start[pg->np++] = pg->n;
		for (size_t j = i; j < c->nrows; j++)
			if (!done[j] && want(&c->rows[j]) &&
			    !strcmp(c->rows[j].workload, c->rows[i].workload)) {
				done[j] = true;
				pg->row[pg->n++] = j;
			}
	}
	pg->start[pg->np] = pg->n;
	free(done);
	return 0;
}

static size_t panel_rows(const struct page *pg, size_t p)
{
	return pg->start[p + 1] - pg->start[p];
}

/* --- change.*: the improvement per row, one panel per workload --- */

/*
 * The change axis is symmetric-log: x = sign(p) log10(1 + |p| / c), p in
 * percent, c the min-effect: linear within it, logarithmic beyond, so a
 * 2% change and a 65% one both show. edge is the axis' half-width on that
 * scale: past the points, finite interval ends and MDEs, those up to
 * CHANGE_CAP % (or the largest point); what lies further out, or is
 * unbounded, is clipped at the edge and drawn with an arrow head.
 */
#define CHANGE_CAP 1000.0

struct symlog {
	double c, edge;
};

static double sl(const struct symlog *a, double p)
{
	return copysign(log10(1 + fabs(p) / a->c), p);
}

/* p on the axis, clipped at its edge (*clip then true). */
static double sl_clip(const struct symlog *a, double p, bool *clip)
{
	double x = isfinite(p) ? sl(a, p) : copysign(INFINITY, p);

	*clip = !(fabs(x) <= a->edge);
	return *clip ? copysign(a->edge, x) : x;
}

/*
 * A row's improvement, interval (NAN without one) and MDE, in percent.
 */
static void change_of(const struct flb_row *r, double v[4])
{
	v[0] = flb_row_improvement(r);
	if (r->testable)
		flb_row_improvement_ci(r, &v[1], &v[2]);
	else
		v[1] = v[2] = NAN;
	v[3] = flb_row_mde_pct(r);
}

static void symlog_fit(struct symlog *a, const struct flb_cmp *c,
		       const struct page *pg)
{
	double e = 2 * 100 * c->o.min_effect, cap = CHANGE_CAP, v[4];

	a->c = fmax(100 * c->o.min_effect, 0.1);
	for (size_t i = 0; i < pg->n; i++) {
		change_of(&c->rows[pg->row[i]], v);
		cap = fmax(cap, fabs(v[0]));
	}
	for (size_t i = 0; i < pg->n; i++) {
		change_of(&c->rows[pg->row[i]], v);
		for (int j = 0; j < 4; j++)
			if (fabs(v[j]) <= cap)
				e = fmax(e, fabs(v[j]));
	}
	/* room for an arrow head between the outermost point and the edge */
	a->edge = 1.12 * sl(a, e);
}

/*
 * Ticks in real percent: 0 and +-1, 10, 100 ...% first, then 5x and 2x
 * those where they fit, each at least an 18th of the axis from the
 * others.
 */
static void symlog_tics(FILE *f, const struct symlog *a)
{
	static const double m[] = { 1, 5, 2 };
	double kept[32], gap = 2 * a->edge / 18;
	int n = 0;

	fprintf(f, "set xtics (\"0\" 0");
	for (int i = 0; i < 3; i++)
		for (int k = -2; k <= 6; k++) {
			double p = m[i] * pow(10, k), x = sl(a, p);
			bool fits = x >= gap && x <= a->edge / 1.04 && n < 32;

			for (int j = 0; fits && j < n; j++)
				fits = fabs(kept[j] - x) >= gap;
			if (!fits)
				continue;
			kept[n++] = x;
			/* gnuplot formats tic labels too: %% is a % */
			fprintf(f, ", \"+%g%%%%\" %.5f, \"-%g%%%%\" %.5f", p, x,
				p, -x);
		}
	fprintf(f, ")\n");
}

/*
 * An interval end's arrow style: 0 none; mark + 1 a bar (the end);
 * mark + 4 an arrow head (clipped: the interval goes on).
 */
static int end_style(double v, bool clip, enum flb_mark m)
{
	if (isnan(v))
		return 0;
	return (int)m + (clip ? 4 : 1);
}

static void gp_arrow_styles(FILE *f)
{
	for (int m = 0; m < 3; m++)
		fprintf(f, "set style arrow %d head nofilled size screen 0.005,90 lw 1.5 lc rgb '#%06x'\n"
			"set style arrow %d head filled size screen 0.014,22 lw 1.5 lc rgb '#%06x'\n",
			m + 1, mark_rgb[m], m + 4, mark_rgb[m]);
}

/*
 * change.dat: one block per panel, one line per row: y, label, the
 * improvement, lo, hi and MDE in percent (nan: none), the mark, then the
 * same on the axis (x, lo, hi clipped at the edge; the MDE band) and how
 * each end is drawn (end_style: 4-6 clipped, with an arrow).
 */
struct panel_ends {
	bool lo, hi;	/* some row of the panel has a lower, upper end */
};

static void change_line(FILE *d, const struct symlog *a,
			const struct flb_cmp *c, const struct flb_row *r, int y, struct panel_ends *pe)
{
	char label[FLB_CELL];
	double v[4], lo, hi, band;
	bool clo, chi, cb;
	int slo, shi;

	change_of(r, v);
	row_label(c, r, label, sizeof(label), LABEL_MAX);
	lo = sl_clip(a, v[1], &clo);
	hi = sl_clip(a, v[2], &chi);
	/* no MDE (no variance): nothing could be seen, the band is all */
	band = isnan(v[3]) ? a->edge : sl_clip(a, v[3], &cb);
	slo = end_style(v[1], clo, r->mark);
	shi = end_style(v[2], chi, r->mark);
	pe->lo |= slo > 0;
	pe->hi |= shi > 0;
	fprintf(d, "%d ", y);
	put_label(d, label);
	fprintf(d, " %.6g %.6g %.6g %.6g %d %.5f %.5f %.5f %.5f %.5f %d %d %u\n",
		v[0], v[1], v[2], v[3], (int)r->mark, sl(a, v[0]),
		slo ? lo : 0, shi ? hi : 0, -band, band, slo, shi,
		mark_rgb[r->mark]);
}

/* Layout of a change page, in pixels. */
#define CH_HEAD 84	/* the page's title and key */
#define CH_PTOP 34	/* a panel's title */
#define CH_PBOT 34	/* its x tics */
#define CH_FOOT 60	/* the x label under the last panel */
#define CH_ROW 26	/* a row, shrunk down to CH_ROW_MIN on a long page */
#define CH_ROW_MIN 13

static int change_rowh(const struct page *pg, int *h)
{
	int fixed = CH_HEAD + CH_FOOT + (int)pg->np * (CH_PTOP + CH_PBOT);
	int rowh = CH_ROW;

	if (fixed + (int)pg->n * rowh > PAGE_MAX)
		rowh = (PAGE_MAX - fixed) / (int)pg->n;
	if (rowh < CH_ROW_MIN)
		rowh = CH_ROW_MIN;
	*h = fixed + (int)pg->n * rowh;
	return rowh;
}

struct change_page {
	const char *dir;
	const char *name;	/* change, change-counters */
	const char *what;	/* for the title */
	const struct page *pg;
	struct symlog axis;
	struct panel_ends *ends;	/* per panel */
};

static void change_panel(FILE *g, const struct flb_cmp *c,
			 const struct change_page *cp, size_t p, int *top,
			 int rowh, int h)
{
	const struct page *pg = cp->pg;
	size_t n = panel_rows(pg, p);
	const char *w = c->rows[pg->row[pg->start[p]]].workload;
	double me = sl(&cp->axis, 100 * c->o.min_effect);
	int marks[3] = { 0 };

	for (size_t i = pg->start[p]; i < pg->start[p + 1]; i++)
		marks[c->rows[pg->row[i]].mark]++;
	gp_area(g, 0.29, 0.975, *top + CH_PTOP, *top + CH_PTOP + (int)n * rowh, h);
	*top += CH_PTOP + (int)n * rowh + CH_PBOT;
	fprintf(g, "set title '%s: %zu row%s, %d (I), %d (R)' font ',12'\n"
		"set yrange [%zu-0.5:-0.5]\n"
		"set arrow from 0, graph 0 to 0, graph 1 nohead lc rgb 'black' front\n"
		"set arrow from %.5f, graph 0 to %.5f, graph 1 nohead dt 2 lc rgb 'gray40' front\n"
		"set arrow from %.5f, graph 0 to %.5f, graph 1 nohead dt 2 lc rgb 'gray40' front\n",
		w, n, n == 1 ? "" : "s", marks[1], marks[2], n, -me, -me, me, me);
	if (p + 1 == pg->np)
		fprintf(g, "set xlabel \"improvement of NEW over BASE (%%, > 0 is better), symmetric log scale\\n"
			"grey band: +/- the row's MDE, a change inside it could not be seen;  arrow: the interval goes on past the axis\"\n");
	fprintf(g, "plot '%s.dat' index %zu using (0):1:11:12:($1-0.38):($1+0.38) with boxxyerror fs solid 1.0 noborder lc rgb '#dddddd' notitle",
		cp->name, p);
	if (cp->ends[p].lo)
		fprintf(g, ", \\\n     '' index %zu using ($13>0?$8:1/0):1:($9-$8):(0):13 with vectors arrowstyle variable notitle",
			p);
	if (cp->ends[p].hi)
		fprintf(g, ", \\\n     '' index %zu using ($14>0?$8:1/0):1:($10-$8):(0):14 with vectors arrowstyle variable notitle",
			p);
	fprintf(g, ", \\\n     '' index %zu using 8:1:15:ytic(2) with points pt 7 ps 1.4 lc rgb variable notitle",
		p);
	fprintf(g, "\n");
}

static void change_key(FILE *g, const struct flb_cmp *c, int h)
{
	gp_key(g, 36, h);
	fprintf(g, ", \\\n     keyentry with boxes fs solid 1.0 noborder lc rgb '#dddddd' title 'MDE band'");
	for (int m = 0; m < 3; m++)
		fprintf(g, ", \\\n     keyentry with points pt 7 ps 1.4 lc rgb '#%06x' title '%s'",
			mark_rgb[m], mark_title[m]);
	fprintf(g, ", \\\n     keyentry with lines dt 2 lc rgb 'gray40' title '+/- --min-effect %g%%', \\\n"
		"     keyentry with vectors arrowstyle 4 title 'interval beyond the axis'\n",
		100 * c->o.min_effect);
}

static int change_gp(const struct flb_cmp *c, const struct change_page *cp)
{
	char title[3 * FLB_CELL], gpname[64];
	FILE *g;
	int h, rowh = change_rowh(cp->pg, &h), top = CH_HEAD;

	snprintf(gpname, sizeof(gpname), "%s.gp", cp->name);
	g = open_in(c->o.cmd, cp->dir, gpname);
	if (!g)
		return -1;
	gp_begin(g, cp->name, h);
	snprintf(title, sizeof(title), "BASE %s vs NEW %s: %s, improvement with its %g%% interval",
		 c->set[FLB_BASE].spec, c->set[FLB_NEW].spec, cp->what,
		 c->o.conf * 100);
	fprintf(g, "set multiplot title ");
	put_gp_string(g, title);
	fprintf(g, " font ',13'\nset xrange [%.5f:%.5f]\nset ytics scale 0\n"
		"set grid xtics lc rgb '#e4e4e4'\nset xlabel ''\nset ylabel ''\n",
		-cp->axis.edge, cp->axis.edge);
	symlog_tics(g, &cp->axis);
	gp_arrow_styles(g);
	for (size_t p = 0; p < cp->pg->np; p++)
		change_panel(g, c, cp, p, &top, rowh, h);
	change_key(g, c, h);
	gp_end(g);
	return close_in(c->o.cmd, cp->dir, gpname, g);
}

static int change_dat(const struct flb_cmp *c, struct change_page *cp)
{
	const struct page *pg = cp->pg;
	char datname[64];
	FILE *d;

	snprintf(datname, sizeof(datname), "%s.dat", cp->name);
	d = open_in(c->o.cmd, cp->dir, datname);
	if (!d)
		return -1;
	fprintf(d, "# %s. Columns: y label improvement_pct lo_pct hi_pct mde_pct mark(0 none, 1 I, 2 R)\n"
		"#  x x_lo x_hi band_lo band_hi (on the axis: sign(p) log10(1 + |p| / %g), clipped at +-%.5f)\n"
		"#  end_lo end_hi (0 none, 1-3 a bar, 4-6 clipped: an arrow) rgb\n",
		cp->what, cp->axis.c, cp->axis.edge);
	for (size_t p = 0; p < pg->np; p++) {
		fprintf(d, "# workload %s\n",
			c->rows[pg->row[pg->start[p]]].workload);
		for (size_t i = pg->start[p]; i < pg->start[p + 1]; i++)
			change_line(d, &cp->axis, c, &c->rows[pg->row[i]],
				    (int)(i - pg->start[p]), &cp->ends[p]);
		fprintf(d, "\n\n");
	}
	return close_in(c->o.cmd, cp->dir, datname, d);
}

static int plot_change_page(const struct flb_cmp *c, const char *dir,
			    const char *name,
			    const char *what, const struct page *pg)
{
	struct change_page cp = { dir, name, what, pg, { 0, 0 }, NULL };
	int rc;

	cp.ends = calloc(pg->np + 1, sizeof(*cp.ends));
	if (!cp.ends) {
		flb_msg(c->o.cmd, "out of memory");
		return -1;
	}
	symlog_fit(&cp.axis, c, pg);
	rc = change_dat(c, &cp);
	if (!rc)
		rc = change_gp(c, &cp);
	if (!rc)
		rc = gnuplot(c->o.cmd, dir, name);
	free(cp.ends);
	return rc;
}

/* A page that has nothing to show this time must not show an old one. */
static void remove_page(const char *dir, const char *name)
{
	static const char *const ext[] = { "png", "svg", "dat", "gp", "log" };
	char path[4096];

	for (size_t i = 0; i < sizeof(ext) / sizeof(ext[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s.%s", dir, name, ext[i]);
		unlink(path);
	}
}

static int plot_change(const struct flb_cmp *c, const char *dir)
{
	struct page pg;
	int rc;

	if (page_of(c, primary_row, &pg))
		return -1;
	if (!pg.n) {
		flb_msg(c->o.cmd, "no row with a change to plot");
		page_free(&pg);
		return -1;
	}
	rc = plot_change_page(c, dir, "change", "primary metric of each job", &pg);
	page_free(&pg);
	if (rc || page_of(c, secondary_row, &pg))
		return -1;
	if (pg.n)
		rc = plot_change_page(c, dir, "change-counters",
				      "counters and other metrics (they explain, never gate)",
				      &pg);
	else
		remove_page(dir, "change-counters");
	page_free(&pg);
	return rc;
}

/* --- dist.*: the samples of both sides, a small panel per row --- */

#define DIST_COLS 4
#define DIST_HEAD 96	/* the page's title and key */
#define DIST_PH 270	/* a panel with its title and tics */
#define DIST_PH_MIN 180

/* The run's place among its side's runs (0 first). */
static int run_ordinal(const struct flb_side_runs *rs, int64_t run)
{
	for (size_t k = 0; k < rs->n; k++)
		if (rs->r[k].run == run)
			return (int)k;
	return 0;
}

/*
 * dist.dat, a block per panel: x min q1 median q3 max side (0 BASE,
 * 1 NEW); dist_points.dat, a block per panel: x value run rgb. Values in
 * % of the BASE median; a side's runs stand side by side in its column.
 */
static void dist_panel_dat(FILE *d, FILE *p, const struct flb_row *r)
{
	double mb = r->sum[FLB_BASE].median;

#define REL(v) (((v) / mb - 1) * 100)
	for (int s = 0; s < 2; s++) {
		const struct flb_summary *m = &r->sum[s];
		const struct flb_vals *v = &r->side[s];
		size_t nr = r->rs[s].n ? r->rs[s].n : 1;
		double w = fmin(0.14, 0.56 / (double)nr);

		fprintf(d, "%d %.6g %.6g %.6g %.6g %.6g %d\n", s, REL(m->min),
			REL(m->q1), REL(m->median), REL(m->q3), REL(m->max), s);
		for (size_t j = 0; j < v->n; j++) {
			int k = run_ordinal(&r->rs[s], v->run[j]);
			/* deterministic jitter: golden-ratio sequence */
			double jit = (fmod(j * 0.6180339887, 1.0) - 0.5) * w * 0.6;
			double x = s + (k - (nr - 1) / 2.0) * w + jit;

			fprintf(p, "%.4f %.6g %d %u\n", x, REL(v->v[j]), k + 1,
				cycle_rgb[k % NCYCLE]);
		}
	}
#undef REL
	fprintf(d, "\n\n");
	fprintf(p, "\n\n");
}

static int dist_dat(const struct flb_cmp *c, const char *dir,
		    const struct page *pg, int *maxruns)
{
	const char *cmd = c->o.cmd;
	FILE *d, *p;

	d = open_in(cmd, dir, "dist.dat");
	p = open_in(cmd, dir, "dist_points.dat");
	if (!d || !p) {
		if (d)
			fclose(d);
		if (p)
			fclose(p);
		return -1;
	}
	fprintf(d, "# a block per row (change.dat's order): x min q1 median q3 max side(0 BASE, 1 NEW), %% of the BASE median\n");
	fprintf(p, "# a block per row: x value run(1 first of its side) rgb, %% of the BASE median\n");
	*maxruns = 1;
	for (size_t i = 0; i < pg->n; i++) {
		const struct flb_row *r = &c->rows[pg->row[i]];

		for (int s = 0; s < 2; s++)
			*maxruns = r->rs[s].n > (size_t)*maxruns ?
				   (int)r->rs[s].n : *maxruns;
		fprintf(d, "# %s ", r->workload);
		put_label(d, r->params);
		fprintf(d, "\n");
		dist_panel_dat(d, p, r);
	}
	if (close_in(cmd, dir, "dist.dat", d) |
	    close_in(cmd, dir, "dist_points.dat", p))
		return -1;
	return 0;
}

/* A tick step of 1, 2 or 5 x 10^k giving about five ticks over span. */
static double nice_step(double span)
{
	double e = pow(10, floor(log10(span / 5))), m = span / 5 / e;

	return e * (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10);
}

/* The span of a row's values on the dist page (% of BASE's median). */
static double dist_span(const struct flb_row *r)
{
	double mb = r->sum[FLB_BASE].median;
	double lo = fmin(r->sum[0].min, r->sum[1].min);
	double hi = fmax(r->sum[0].max, r->sum[1].max);

	return hi > lo ? (hi - lo) / mb * 100 : 1;
}

static void dist_panel(FILE *g, const struct flb_cmp *c,
		       const struct flb_row *r, size_t i, int ph,
		       int h)
{
	char cls[FLB_CELL], title[3 * FLB_CELL];
	double colw = 0.98 / DIST_COLS, x0 = 0.01 + (i % DIST_COLS) * colw;
	int top = DIST_HEAD + (int)(i / DIST_COLS) * ph;

	row_label(c, r, cls, sizeof(cls), 34);
	if (r->mark != FLB_MARK_NONE)
		snprintf(title, sizeof(title), "%s %s %+.1f%%\n%s", r->workload,
			 r->mark == FLB_MARK_IMPROVED ? "(I)" : "(R)",
			 flb_row_improvement(r), cls);
	else
		snprintf(title, sizeof(title), "%s %+.1f%%\n%s", r->workload,
			 flb_row_improvement(r), cls);
	gp_area(g, x0 + 0.062, x0 + colw - 0.008, top + 56, top + ph - 36, h);
	fprintf(g, "set title ");
	put_gp_lines(g, title);
	fprintf(g, " tc rgb '#%06x'\nset ytics %g\n",
		r->mark ? mark_rgb[r->mark] : 0, nice_step(dist_span(r)));
	fprintf(g, "plot 'dist.dat' index %zu using ($7==0?$1:1/0):3:2:6:5 with candlesticks whiskerbars fs transparent solid 0.15 lc rgb '#2c7bb6' lw 1.5 notitle, \\\n"
		"     '' index %zu using ($7==1?$1:1/0):3:2:6:5 with candlesticks whiskerbars fs transparent solid 0.15 lc rgb '#e66101' lw 1.5 notitle, \\\n"
		"     '' index %zu using 1:4:4:4:4 with candlesticks lc rgb 'black' lw 2.5 notitle, \\\n"
		"     'dist_points.dat' index %zu using 1:2:4 with points pt 7 ps 0.45 lc rgb variable notitle",
		i, i, i, i);
	fprintf(g, "\n");
}

static int plot_dist(const struct flb_cmp *c, const char *dir)
{
	const char *cmd = c->o.cmd;
	char title[3 * FLB_CELL];
	struct page pg;
	FILE *g = NULL;
	int h, ph = DIST_PH, maxruns, nrows, rc = -1;

	if (page_of(c, primary_row, &pg))
		return -1;
	if (!pg.n) {
		flb_msg(cmd, "no row with samples to plot");
		goto out;
	}
	if (dist_dat(c, dir, &pg, &maxruns))
		goto out;
	nrows = (int)((pg.n + DIST_COLS - 1) / DIST_COLS);
	if (DIST_HEAD + nrows * ph > PAGE_MAX)
		ph = (PAGE_MAX - DIST_HEAD) / nrows;
	ph = ph < DIST_PH_MIN ? DIST_PH_MIN : ph;
	h = DIST_HEAD + nrows * ph;
	g = open_in(cmd, dir, "dist.gp");
	if (!g)
		goto out;
	gp_begin(g, "dist", h);
	snprintf(title, sizeof(title), "Samples of each primary row, %% of BASE's median: BASE %s (blue box) and NEW %s (orange box)\nbox: quartiles, whiskers: min..max, black: median; points: each sample, coloured by its run",
		 c->set[FLB_BASE].spec, c->set[FLB_NEW].spec);
	fprintf(g, "set multiplot title ");
	put_gp_lines(g, title);
	fprintf(g, " font ',13'\nset xrange [-0.55:1.55]\nset xtics ('BASE' 0, 'NEW' 1) scale 0\n"
		"set ytics format '%%+g%%%%'\nset grid ytics lc rgb '#e4e4e4'\n"
		"set boxwidth 0.78\n");
	for (size_t i = 0; i < pg.n; i++)
		dist_panel(g, c, &c->rows[pg.row[i]], i, ph, h);
	/* the key of the run colours, under the page's title */
	gp_key(g, 50, h);
	for (int k = 0; k < maxruns && k < (int)NCYCLE; k++)
		fprintf(g, ", \\\n     keyentry with points pt 7 ps 1.2 lc rgb '#%06x' title 'run %d'",
			cycle_rgb[k], k + 1);
	fprintf(g, "\n");
	gp_end(g);
	if (close_in(cmd, dir, "dist.gp", g))
		goto out;
	rc = gnuplot(cmd, dir, "dist");
out:
	page_free(&pg);
	return rc;
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
 * --trend: the labels in the order given, each compared with the first;
 * one line per primary row (its improvement against the first label,
 * with its interval as a band), a panel per workload, and where the
 * row's level shifts, a change-point marker.
 */
struct trend {
	const struct flb_cmp_opts *o;
	const char *const *labels;
	int n;
	struct flb_cmp *cs;	/* cs[k]: labels[0] against labels[k], k >= 1 */
	struct page pg;		/* of cs[1]'s primary rows */
	bool *cp;		/* cp[i * n + k]: row i shifts at label k */
	size_t ncp;
};

/* Row r0 (of cs[1]) in comparison k, NULL when it is not there. */
static const struct flb_row *trend_row(const struct trend *t,
				       const struct flb_row *r0, int k)
{
	const struct flb_cmp *c = &t->cs[k ? k : 1];

	for (size_t j = 0; j < c->nrows; j++) {
		const struct flb_row *r = &c->rows[j];

		if (!strcmp(r->workload, r0->workload) &&
		    !strcmp(r->params, r0->params) &&
		    !strcmp(r->metric, r0->metric))
			return primary_row(r) ? r : NULL;
	}
	return NULL;
}

/*
 * Label k's level of a row: the mean of its invocations' statistics (log
 * scale), and the variance of that mean the comparison uses (NAN when it
 * has none). false when the label lacks the row.
 */
static bool trend_level(const struct trend *t, const struct flb_row *r0,
			int k, double *x, double *var)
{
	const struct flb_row *r = trend_row(t, r0, k);
	const struct flb_side_runs *s;

	if (!r)
		return false;
	s = &r->rs[k ? FLB_NEW : FLB_BASE];
	*x = s->mean;
	*var = s->src != FLB_VAR_NONE && s->ng ? s->var / (double)s->ng : NAN;
	return isfinite(*x);
}

/*
 * Where row i shifts along the labels. The test sees each label's level
 * (the mean of its invocations' log statistics), each with the variance
 * the comparison gives that mean: between invocations, moderated across
 * the table's rows or calibrated, so a shift is judged against the noise
 * the verdict uses, not against the samples' spread (the runs of one
 * label share more than their samples do: docs/analysis.md). Not the
 * improvements against the first label: those all share its noise, and
 * a first label off by chance would look like a shift at the second.
 * When a label has no variance the series' own is used (its F penalty).
 * The level is alpha over the rows, each at alpha / rows, as Holm's first
 * step.
 */
static int trend_changes(struct trend *t, size_t i)
{
	const struct flb_row *r0 = &t->cs[1].rows[t->pg.row[i]];
	double *x = calloc(2 * t->n, sizeof(*x)), *v = x + t->n, a;
	size_t *at = calloc(t->n, sizeof(*at)), m = 0, nat = 0;
	int *k_of = calloc(t->n, sizeof(*k_of)), rc = -ENOMEM;
	bool known = true;

	if (!x || !at || !k_of)
		goto out;
	for (int k = 0; k < t->n; k++)
		if (trend_level(t, r0, k, &x[m], &v[m])) {
			known &= v[m] > 0 && isfinite(v[m]);
			k_of[m++] = k;
		}
	a = t->o->alpha / (double)t->pg.n;
	rc = flb_changepoints(x, known ? v : NULL, m,
			      flb_cpt_penalty(m, a, known ? INFINITY :
					      flb_cpt_series_df(m)),
			      at, &nat);
	for (size_t j = 0; !rc && j < nat; j++) {
		t->cp[i * t->n + k_of[at[j]]] = true;
		t->ncp++;
	}
out:
	free(x);
	free(at);
	free(k_of);
	return rc;
}

/* One block of the .dat: row i's points, label by label. */
static void trend_block(FILE *d, const struct trend *t, size_t i)
{
	const struct flb_row *r0 = &t->cs[1].rows[t->pg.row[i]];
	char label[FLB_CELL];

	row_label(&t->cs[1], r0, label, sizeof(label), LABEL_MAX);
	fprintf(d, "# %s %s\n", r0->workload, r0->params);
	/* the block's first line names it (columnheader) */
	put_label(d, label);
	fprintf(d, " improvement_pct lo_pct hi_pct log_level level_var change_point\n");
	for (int k = 0; k < t->n; k++) {
		const struct flb_row *r = trend_row(t, r0, k);
		double x, var, v[4] = { 0, 0, 0 };

		if (!r || !trend_level(t, r0, k, &x, &var))
			continue;	/* a gap in this line */
		if (k)
			change_of(r, v);
		if (isnan(v[1]))
			v[1] = v[2] = v[0];
		fprintf(d, "%d %.6g %.6g %.6g %.8g %.6g %d\n", k, v[0], v[1],
			v[2], x, var, t->cp[i * t->n + k]);
	}
	fprintf(d, "\n\n");
}

static int trend_dat(struct trend *t, const char *name)
{
	char file[320];
	FILE *d;

	snprintf(file, sizeof(file), "%s.dat", name);
	d = open_in(t->o->cmd, t->o->out, file);
	if (!d)
		return -1;
	fprintf(d, "# %s across %d labels. Change-points (PELT, Gaussian mean shift, alpha %g over %zu rows):%s\n",
		t->o->metric, t->n, t->o->alpha, t->pg.n, t->ncp ? "" : " none");
	for (size_t i = 0; i < t->pg.n; i++)
		for (int k = 0; k < t->n; k++)
			if (t->cp[i * t->n + k])
				fprintf(d, "# change-point: %s %s: at %s (label %d)\n",
					t->cs[1].rows[t->pg.row[i]].workload,
					t->cs[1].rows[t->pg.row[i]].params,
					t->labels[k], k);
	fprintf(d, "# a block per row: label improvement_pct lo_pct hi_pct (against %s) log_level level_var change_point(1: shifts here)\n",
		t->labels[0]);
	for (size_t i = 0; i < t->pg.n; i++)
		trend_block(d, t, i);
	return close_in(t->o->cmd, t->o->out, file, d);
}

/* A panel's y range: its points, and their intervals up to a cap. */
static void trend_yrange(const struct trend *t, size_t p, double *lo,
			 double *hi)
{
	double e = 100 * t->o->min_effect, cap, v[4];

	*lo = -e;
	*hi = e;
	for (int pass = 0; pass < 2; pass++) {
		cap = 3 * fmax(-*lo, *hi);
		for (size_t i = t->pg.start[p]; i < t->pg.start[p + 1]; i++)
			for (int k = 1; k < t->n; k++) {
				const struct flb_row *r =
					trend_row(t, &t->cs[1].rows[t->pg.row[i]], k);

				if (!r)
					continue;
				change_of(r, v);
				for (int j = 0; j < (pass ? 3 : 1); j++)
					if (fabs(v[j]) <= cap || !pass) {
						*lo = fmin(*lo, v[j]);
						*hi = fmax(*hi, v[j]);
					}
			}
	}
	e = 0.08 * (*hi - *lo);
	*lo -= e;
	*hi += e;
}

#define TR_HEAD 56
#define TR_PTOP 34
#define TR_PH 300
#define TR_PBOT 40
#define TR_FOOT 30

static void trend_panel(FILE *g, const struct trend *t, const char *name,
			size_t p, int *top, int h)
{
	const char *w = t->cs[1].rows[t->pg.row[t->pg.start[p]]].workload;
	double lo, hi;
	bool any = false;

	gp_area(g, 0.07, 0.68, *top + TR_PTOP, *top + TR_PTOP + TR_PH, h);
	trend_yrange(t, p, &lo, &hi);
	fprintf(g, "set title '%s' font ',12'\nset yrange [%.6g:%.6g]\n"
		"set key at screen 0.69, screen %.4f left top Left reverse samplen 2\n"
		"set arrow from graph 0, first 0 to graph 1, first 0 nohead lc rgb 'black'\n",
		w, lo, hi, 1 - (double)(*top + TR_PTOP) / h);
	*top += TR_PTOP + TR_PH + TR_PBOT;
	if (p + 1 == t->pg.np)
		fprintf(g, "set xlabel 'label, in the order given'\n");
	for (size_t i = t->pg.start[p]; i < t->pg.start[p + 1]; i++)
		for (int k = 0; k < t->n; k++)
			if (t->cp[i * t->n + k]) {
				fprintf(g, "set arrow from %g, graph 0 to %g, graph 1 nohead dt 2 lw 2 lc rgb '#%06x'\n",
					k - 0.5, k - 0.5,
					cycle_rgb[(i - t->pg.start[p]) % NCYCLE]);
				any = true;
			}
	fprintf(g, "plot");
	for (size_t i = t->pg.start[p]; i < t->pg.start[p + 1]; i++) {
		unsigned int rgb = cycle_rgb[(i - t->pg.start[p]) % NCYCLE];

		fprintf(g, "%s '%s.dat' index %zu every ::1 using 1:3:4 with filledcurves fs transparent solid 0.15 noborder lc rgb '#%06x' notitle, \\\n"
			"     '' index %zu using 1:2 with linespoints pt 7 ps 1.2 lw 2 lc rgb '#%06x' title columnheader(1)",
			i > t->pg.start[p] ? ", \\\n    " : "", name, i, rgb,
			i, rgb);
		for (int k = 0; k < t->n; k++)
			if (t->cp[i * t->n + k]) {
				fprintf(g, ", \\\n     '' index %zu every ::1 using 1:($7>0?$2:1/0) with points pt 6 ps 3.5 lw 2.5 lc rgb '#%06x' notitle",
					i, rgb);
				break;
			}
	}
	if (any)
		fprintf(g, ", \\\n     keyentry with points pt 6 ps 2 lw 2 lc rgb 'black' title 'change-point: shifts here'");
	fprintf(g, "\n");
}

static int trend_gp(const struct trend *t, const char *name)
{
	char file[320], title[3 * FLB_CELL];
	int h = TR_HEAD + (int)t->pg.np * (TR_PTOP + TR_PH + TR_PBOT) + TR_FOOT;
	int top = TR_HEAD;
	FILE *g;

	snprintf(file, sizeof(file), "%s.gp", name);
	g = open_in(t->o->cmd, t->o->out, file);
	if (!g)
		return -1;
	gp_begin(g, name, h);
	snprintf(title, sizeof(title), "%s across %d labels: improvement against %s (%%, > 0 better), %g%% interval bands; dashed: a change-point",
		 t->o->metric, t->n, t->labels[0], t->o->conf * 100);
	fprintf(g, "set multiplot title ");
	put_gp_string(g, title);
	fprintf(g, " font ',13'\nset grid\nset ytics format '%%+g%%%%'\n"
		"set xrange [-0.3:%d.3]\nset xtics (", t->n - 1);
	for (int k = 0; k < t->n; k++) {
		fprintf(g, "%s", k ? ", " : "");
		put_gp_tic(g, t->labels[k]);
		fprintf(g, " %d", k);
	}
	fprintf(g, ")\nset xlabel ''\n");
	for (size_t p = 0; p < t->pg.np; p++)
		trend_panel(g, t, name, p, &top, h);
	gp_end(g);
	return close_in(t->o->cmd, t->o->out, file, g);
}

static int trend_load(struct trend *t)
{
	for (int k = 1; k < t->n; k++) {
		const char *pair[2] = { t->labels[0], t->labels[k] };

		if (flb_cmp_load(&t->cs[k], t->o, pair, 2) ||
		    flb_cmp_analyse(&t->cs[k]))
			return -1;
	}
	if (page_of(&t->cs[1], primary_row, &t->pg))
		return -1;
	if (!t->pg.n) {
		flb_msg(t->o->cmd, "no row of metric %s under '%s'",
			t->o->metric, t->labels[0]);
		return -1;
	}
	t->cp = calloc(t->pg.n * t->n, sizeof(*t->cp));
	for (size_t i = 0; t->cp && i < t->pg.n; i++)
		if (trend_changes(t, i))
			return -1;
	if (!t->cp)
		flb_msg(t->o->cmd, "out of memory");
	return t->cp ? 0 : -1;
}

static int plot_trend(const struct flb_cmp_opts *o, const char *const *labels,
		      int n)
{
	struct trend t = {
		.o = o, .labels = labels, .n = n,
		.cs = calloc(n, sizeof(*t.cs)),
	};
	char name[256];
	int rc = 2;

	if (!t.cs)
		return 2;
	snprintf(name, sizeof(name), "trend-%s", o->metric);
	for (char *s = name; *s; s++)
		if (*s == '/' || *s == ' ')
			*s = '_';
	if (!flb_mkdir_out(o->cmd, o->out) && !trend_load(&t) &&
	    !trend_dat(&t, name) && !trend_gp(&t, name))
		rc = gnuplot(o->cmd, o->out, name) ? 2 : 0;
	for (int k = 1; k < n; k++)
		flb_cmp_free(&t.cs[k]);
	page_free(&t.pg);
	free(t.cp);
	free(t.cs);
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
	.about = "Writes PNG (1200 px wide) and SVG, with their .dat and .gp, into DIR:\n"
		 "change.* (improvement of each primary row with its interval, a panel per\n"
		 "workload, symmetric log axis, coloured by mark, grey band: the row's MDE,\n"
		 "an arrow: the interval goes on), change-counters.* (the same for counters\n"
		 "and other metrics, when there are any), dist.* (a small panel per primary\n"
		 "row: both sides' samples, coloured by run); or with --trend\n"
		 "trend-METRIC.* (a line per primary row across the labels, in the order\n"
		 "given, and a change-point (PELT) where a row's level shifts).",
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
		rc = plot_trend(o, pos, npos);
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
