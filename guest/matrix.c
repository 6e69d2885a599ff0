// SPDX-License-Identifier: GPL-2.0
/*
 * flushbench matrix: one suite over kernels x cmdlines x {native, vm} x
 * configs, every cell run the same number of times, interleaved and
 * shuffled across cells (each round is a seeded permutation of all cells)
 * so that drift of the machine does not pass for a change. Each cell is a
 * label ("NAME/KERNEL/CMDLINE/MODE/CONFIG") that `flushbench compare`
 * takes; the summary groups the changes by dimension.
 *
 *   name: preempt            # label prefix (default: the file's name)
 *   repeat: 3                # runs per cell
 *   seed: 42                 # shuffle seed (default: from the clock; recorded)
 *   modes: [vm]              # native and/or vm
 *   configs: [configs/quick.yaml]
 *   kernels:
 *     - {name: host, running: true}        # native cells only
 *     - {name: deb, debian: generic, arch: x86_64}
 *     - {name: a, kernel: /path/bzImage, headers: /path/headers}
 *     - {name: p, build: "--debian-source --patch x.patch", arch: arm64,
 *        append: "tlbflush_local=v2"}     # flushbench kernel build ARGS
 *     - {name: vtd, debian: generic, arch: x86_64, iommu: intel}
 *                            # edu behind an IOMMU (flushbench vm --iommu)
 *   cmdlines:                # vm cells only (native runs the booted kernel)
 *     - {name: none, append: preempt=none}
 *   vm: {smp: 2, mem: 1G, timeout: 600, accel: auto}
 *
 * design: duet (with baseline: KERNEL) runs every other kernel's cells as
 * guest duets against the baseline's cell of the same cmdline and config
 * (`flushbench duet`, docs/duet.md): each slot of the schedule is one
 * duet of `rounds` boots (2: both CPU assignments), `runs` runs of the
 * suite per guest and boot; the summary is then the paired comparison of
 * each duet and, per cmdline and config, one table of every kernel
 * against the baseline with its (I) and (R) marks.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cliopt.h"
#include "options.h"
#include "result.h"
#include "stats.h"
#include "store.h"
#include "util.h"
#include "matrix.h"
#include "vm.h"

static const char *const debian_flavours[] = { "none", "generic", "rt", "cloud", NULL };
static const char *const arches[] = { "host", "x86_64", "arm64", NULL };
static const char *const accels[] = { "auto", "kvm", "tcg", NULL };
static const char *const mode_names[] = { "native", "vm", NULL };
static const char *const designs[] = { "interleaved", "duet", NULL };

#define MX_OPT(st, f, t, ...) \
	{ .name = #f, .type = t, .offset = FLB_OFF(st, f), __VA_ARGS__ }

static const struct flb_option top_opts[] = {
	MX_OPT(struct flb_mx_top, name, FLB_OPT_STR,
	       .help = "label prefix of every cell (default: the file's name)"),
	MX_OPT(struct flb_mx_top, repeat, FLB_OPT_U64, .min = 1, .max = 1000,
	       .def = "3", .help = "runs of every cell"),
	MX_OPT(struct flb_mx_top, seed, FLB_OPT_U64, .max = UINT64_MAX,
	       .help = "seed of the shuffle (default: from the clock)"),
	MX_OPT(struct flb_mx_top, design, FLB_OPT_ENUM, .def = "interleaved",
	       .choices = designs,
	       .help = "interleaved (every cell a run per slot) or duet (every non-baseline cell a guest duet against the baseline's)"),
	MX_OPT(struct flb_mx_top, baseline, FLB_OPT_STR,
	       .help = "duet: the kernel of side a"),
	MX_OPT(struct flb_mx_top, runs, FLB_OPT_U64, .min = 1, .max = 100, .def = "4",
	       .help = "duet: runs of the suite per guest and boot (flushbench duet --repeat)"),
	MX_OPT(struct flb_mx_top, rounds, FLB_OPT_U64, .min = 1, .max = 100, .def = "2",
	       .help = "duet: boots of both guests per slot (2: both CPU assignments)"),
	MX_OPT(struct flb_mx_top, strict, FLB_OPT_BOOL, .def = "false",
	       .help = "a skipped job fails the matrix too (a failed one always does)"),
	FLB_OPTION_END
};

static const struct flb_option vm_opts[] = {
	MX_OPT(struct flb_mx_top, smp, FLB_OPT_U64, .min = 1, .max = 64, .def = "2",
	       .help = "guest CPUs"),
	MX_OPT(struct flb_mx_top, mem, FLB_OPT_STR, .def = "1G", .help = "guest memory"),
	MX_OPT(struct flb_mx_top, timeout, FLB_OPT_U64, .min = 1, .max = 86400,
	       .def = "600", .help = "seconds before a guest is given up"),
	MX_OPT(struct flb_mx_top, accel, FLB_OPT_ENUM, .def = "auto",
	       .choices = accels, .help = "auto, kvm or tcg"),
	FLB_OPTION_END
};

static const struct flb_option kernel_opts[] = {
	MX_OPT(struct flb_mx_kernel, name, FLB_OPT_STR,
	       .help = "name of the kernel in labels"),
	{ .name = "kernel", .type = FLB_OPT_STR,
	  .offset = FLB_OFF(struct flb_mx_kernel, path),
	  .help = "path of a kernel image" },
	MX_OPT(struct flb_mx_kernel, headers, FLB_OPT_STR,
	       .help = "its headers (builds the module)"),
	MX_OPT(struct flb_mx_kernel, debian, FLB_OPT_ENUM, .def = "none",
	       .choices = debian_flavours,
	       .help = "a Debian flavour: generic, rt, cloud"),
	MX_OPT(struct flb_mx_kernel, arch, FLB_OPT_ENUM, .def = "host",
	       .choices = arches, .help = "guest architecture"),
	MX_OPT(struct flb_mx_kernel, iommu, FLB_OPT_ENUM, .def = "none",
	       .choices = flb_vm_iommus,
	       .help = "QEMU's edu device behind an IOMMU: smmuv3 (arm64), intel (x86_64), direct (no IOMMU) or none"),
	MX_OPT(struct flb_mx_kernel, running, FLB_OPT_BOOL, .def = "false",
	       .help = "the kernel this machine runs (native cells)"),
	MX_OPT(struct flb_mx_kernel, build, FLB_OPT_STR,
	       .help = "arguments of `flushbench kernel build` (its image, built or from the cache)"),
	MX_OPT(struct flb_mx_kernel, append, FLB_OPT_STR, .def = "",
	       .help = "appended to this kernel's command line after the cmdline's"),
	FLB_OPTION_END
};

static const struct flb_option cmdline_opts[] = {
	MX_OPT(struct flb_mx_cmdline, name, FLB_OPT_STR,
	       .help = "name of the cmdline in labels"),
	MX_OPT(struct flb_mx_cmdline, append, FLB_OPT_STR, .def = "",
	       .help = "appended to the guest's kernel command line"),
	FLB_OPTION_END
};

/* The items of a list node. */
static bool mx_list(struct flb_matrix *m, yaml_node_t *v, const char *key,
		    yaml_node_item_t **first, yaml_node_item_t **end)
{
	if (v->type != YAML_SEQUENCE_NODE) {
		flb_yw_err(&m->yw, v, "%s: expected a list", key);
		return false;
	}
	*first = v->data.sequence.items.start;
	*end = v->data.sequence.items.top;
	if (*end - *first > FLB_MX_MAX) {
		flb_yw_err(&m->yw, v, "%s: more than %d entries", key, FLB_MX_MAX);
		*end = *first + FLB_MX_MAX;
	}
	if (*first == *end)
		flb_yw_err(&m->yw, v, "%s: empty list", key);
	return true;
}

/* The value of key in the mapping map, for messages; map when absent. */
static const yaml_node_t *mx_value_node(struct flb_matrix *m, yaml_node_t *map,
					const char *key)
{
	flb_yw_for_each_pair(map, p) {
		const char *s = flb_yw_scalar(flb_yw_node(&m->yw, p->key));

		if (s && !strcmp(s, key))
			return flb_yw_node(&m->yw, p->value);
	}
	return map;
}

/* A kernel's iommu: on a guest of an arch that QEMU has it for. */
static void mx_kernel_iommu(struct flb_matrix *m, yaml_node_t *n,
			    const struct flb_mx_kernel *k)
{
	const char *iommu = flb_vm_iommus[k->iommu];
	const char *need = flb_vm_iommu_arch(iommu);
	const char *arch = k->arch ? arches[k->arch] : flb_vm_host_arch();

	if (k->running && k->iommu)
		flb_yw_err(&m->yw, mx_value_node(m, n, "iommu"),
			   "iommu: the running kernel has this machine's devices, not a guest's");
	else if (need && strcmp(need, arch))
		flb_yw_err(&m->yw, mx_value_node(m, n, "iommu"),
			   "iommu: %s is an IOMMU of %s guests, and this kernel's arch is %s%s: give arch: %s, or iommu: direct",
			   iommu, need, arch, k->arch ? "" : " (this machine's)", need);
}

static void mx_kernel(struct flb_matrix *m, yaml_node_t *n)
{
	struct flb_mx_kernel *k = &m->kernels[m->nkernels++];
	int kinds;

	flb_yw_defaults(&m->yw, kernel_opts, k, NULL);
	k->node = n;
	if (flb_yw_map(&m->yw, n, "a kernel", kernel_opts, k))
		return;
	kinds = !!k->path[0] + !!k->debian + k->running + !!k->build[0];
	if (kinds != 1)
		flb_yw_err(&m->yw, n, "a kernel wants exactly one of kernel: PATH, debian: FLAVOUR, build: ARGS or running: true");
	if (k->running && k->append[0])
		flb_yw_err(&m->yw, n, "append: the running kernel's command line is the one it booted with");
	if (k->build[0] && strpbrk(k->build, "'\"\\"))
		flb_yw_err(&m->yw, n, "build: arguments are split at spaces: no quotes or backslashes");
	if (!k->name[0] && k->build[0])
		flb_yw_err(&m->yw, n, "a kernel with build: needs a name:");
	mx_kernel_iommu(m, n, k);
	/* one image with and without an IOMMU: two kernels, two names */
	if (!k->name[0])
		snprintf(k->name, sizeof(k->name), "%s%s%s",
			 k->running ? "running" : k->debian ?
			 debian_flavours[k->debian] : strrchr(k->path, '/') ?
			 strrchr(k->path, '/') + 1 : k->path,
			 k->iommu ? "+" : "", k->iommu ? flb_vm_iommus[k->iommu] : "");
	if (strchr(k->name, '/') || strchr(k->name, '@'))
		flb_yw_err(&m->yw, n, "kernel name '%s': no '/' or '@' (they separate a label's parts)", k->name);
	if (k->path[0] && access(k->path, R_OK))
		flb_yw_err(&m->yw, n, "kernel %s: %s", k->path, strerror(errno));
	for (size_t i = 0; i + 1 < m->nkernels; i++)
		if (!strcmp(m->kernels[i].name, k->name))
			flb_yw_err(&m->yw, n, "two kernels named '%s'", k->name);
}

static void mx_cmdline(struct flb_matrix *m, yaml_node_t *n)
{
	struct flb_mx_cmdline *c = &m->cmdlines[m->ncmdlines++];

	flb_yw_defaults(&m->yw, cmdline_opts, c, NULL);
	if (flb_yw_map(&m->yw, n, "a cmdline", cmdline_opts, c))
		return;
	if (!c->name[0])
		snprintf(c->name, sizeof(c->name), "%s",
			 c->append[0] ? c->append : "default");
	for (size_t i = 0; i + 1 < m->ncmdlines; i++)
		if (!strcmp(m->cmdlines[i].name, c->name))
			flb_yw_err(&m->yw, n, "two cmdlines named '%s'", c->name);
}

static void mx_scalar_item(struct flb_matrix *m, yaml_node_t *n, const char *key)
{
	const char *s = flb_yw_scalar(n);
	int i;

	if (!s) {
		flb_yw_err(&m->yw, n, "%s: expected a value", key);
	} else if (!strcmp(key, "configs")) {
		if (access(s, R_OK))
			flb_yw_err(&m->yw, n, "config %s: %s", s, strerror(errno));
		m->configs[m->nconfigs++] = strdup(s);
	} else {
		for (i = 0; mode_names[i]; i++)
			if (!strcmp(mode_names[i], s))
				break;
		if (!mode_names[i])
			flb_yw_err(&m->yw, n, "modes: unknown mode '%s' (native or vm)", s);
		else
			m->modes[i] = true;
	}
}

static const char *const list_keys[] = { "kernels", "cmdlines", "configs",
					"modes", "vm", NULL };

static void mx_parse(struct flb_matrix *m, yaml_node_t *root)
{
	flb_yw_defaults(&m->yw, top_opts, &m->top, NULL);
	flb_yw_defaults(&m->yw, vm_opts, &m->top, NULL);
	if (root->type != YAML_MAPPING_NODE) {
		flb_yw_err(&m->yw, root, "a matrix is a mapping (name, repeat, kernels, ...)");
		return;
	}
	if (flb_yw_check_keys(&m->yw, root))
		return;
	flb_yw_for_each_pair(root, p) {
		yaml_node_t *k = flb_yw_node(&m->yw, p->key);
		yaml_node_t *v = flb_yw_node(&m->yw, p->value);
		const char *key = flb_yw_scalar(k);
		const struct flb_option *o = flb_yw_find(top_opts, key);
		yaml_node_item_t *it, *end;
		size_t i;

		if (o) {
			flb_yw_set(&m->yw, o, v, &m->top);
			m->seeded |= !strcmp(key, "seed");
			if (!strcmp(key, "baseline"))
				m->baseline_node = v;
			continue;
		}
		for (i = 0; list_keys[i]; i++)
			if (!strcmp(key, list_keys[i]))
				break;
		if (!list_keys[i]) {
			flb_yw_unknown(&m->yw, k, "the matrix", top_opts, NULL, list_keys);
			continue;
		}
		if (!strcmp(key, "vm")) {
			flb_yw_map(&m->yw, v, "vm", vm_opts, &m->top);
			continue;
		}
		if (!mx_list(m, v, key, &it, &end))
			continue;
		for (; it < end; it++) {
			yaml_node_t *e = flb_yw_node(&m->yw, *it);

			if (!strcmp(key, "kernels"))
				mx_kernel(m, e);
			else if (!strcmp(key, "cmdlines"))
				mx_cmdline(m, e);
			else
				mx_scalar_item(m, e, key);
		}
	}
}

static const char *base_name(const char *path, char *buf, size_t len)
{
	const char *b = strrchr(path, '/');
	char *dot;

	snprintf(buf, len, "%s", b ? b + 1 : path);
	dot = strrchr(buf, '.');
	if (dot && dot != buf)
		*dot = '\0';
	return buf;
}

/* The kernel named name, or NULL. */
static const struct flb_mx_kernel *mx_find_kernel(const struct flb_matrix *m,
						  const char *name)
{
	for (size_t k = 0; k < m->nkernels; k++)
		if (!strcmp(m->kernels[k].name, name))
			return &m->kernels[k];
	return NULL;
}

/*
 * The cells: running kernels give native cells, the others vm cells. A
 * duet matrix gives every other kernel's cells, each followed by the
 * baseline's cell of the same cmdline and config (its side a).
 */
static int mx_cells(struct flb_matrix *m)
{
	static struct flb_mx_cmdline none = { "default", "" };
	const struct flb_mx_kernel *base = NULL;
	size_t max = (m->nkernels ? m->nkernels : 1) * (m->ncmdlines + 1) * 2 *
		     m->nconfigs * 2;
	char cfg[FLB_STR_MAX];

	if (m->top.design == FLB_MX_DUET)
		base = mx_find_kernel(m, m->top.baseline);
	m->cells = calloc(max, sizeof(*m->cells));
	m->duets = calloc(max, sizeof(*m->duets));
	if (!m->cells || !m->duets)
		return -1;
	for (size_t k = 0; k < m->nkernels; k++)
		for (int mode = 0; mode < 2; mode++) {
			bool native = mode == 0;

			if (!m->modes[mode] || native != m->kernels[k].running ||
			    &m->kernels[k] == base)
				continue;
			for (size_t c = 0; c < (native || !m->ncmdlines ? 1 : m->ncmdlines); c++)
				for (size_t f = 0; f < m->nconfigs; f++) {
					struct flb_mx_cell *x = &m->cells[m->ncells++];

					x->k = &m->kernels[k];
					x->c = native || !m->ncmdlines ? &none : &m->cmdlines[c];
					x->native = native;
					x->config = m->configs[f];
					x->last = -1;
					snprintf(x->label, sizeof(x->label), "%s/%s/%s/%s/%s",
						 m->top.name, x->k->name, x->c->name,
						 mode_names[mode],
						 base_name(x->config, cfg, sizeof(cfg)));
					if (!base)
						continue;
					/* side a: the baseline, same cmdline and config */
					m->duets[m->nduets++] = (struct flb_mx_duet){
						m->ncells, m->ncells - 1 };
					m->cells[m->ncells] = *x;
					x = &m->cells[m->ncells++];
					x->k = base;
					snprintf(x->label, sizeof(x->label), "%s/%s@%s/%s/%s/%s",
						 m->top.name, base->name, m->kernels[k].name,
						 x->c->name, mode_names[mode],
						 base_name(x->config, cfg, sizeof(cfg)));
				}
		}
	/* interleaved with a baseline: the pairs of the seed-style tables */
	if (!base && m->top.baseline[0])
		for (size_t b = 0; b < m->ncells; b++)
			for (size_t a = 0; a < m->ncells; a++) {
				const struct flb_mx_cell *x = &m->cells[a], *y = &m->cells[b];

				if (!strcmp(x->k->name, m->top.baseline) &&
				    strcmp(y->k->name, m->top.baseline) &&
				    x->c == y->c && x->config == y->config &&
				    x->native == y->native)
					m->duets[m->nduets++] = (struct flb_mx_duet){ a, b };
			}
	return 0;
}

/* The duet design's own rules: file:line:col messages. */
static void mx_check_duet(struct flb_matrix *m, yaml_node_t *root)
{
	const struct flb_mx_kernel *base;
	const yaml_node_t *at = m->baseline_node ? m->baseline_node : root;

	if (m->top.design != FLB_MX_DUET) {
		if (m->top.baseline[0] && !mx_find_kernel(m, m->top.baseline))
			flb_yw_err(&m->yw, at, "baseline: no kernel named '%s'",
				   m->top.baseline);
		return;
	}
	if (!m->top.baseline[0]) {
		flb_yw_err(&m->yw, root, "design: duet needs baseline: KERNEL (side a of every duet)");
		return;
	}
	base = mx_find_kernel(m, m->top.baseline);
	if (!base) {
		flb_yw_err(&m->yw, at, "baseline: no kernel named '%s'", m->top.baseline);
		return;
	}
	if (m->modes[0])
		flb_yw_err(&m->yw, root, "design: duet runs guests: modes: [vm] only");
	if (base->running)
		flb_yw_err(&m->yw, at, "baseline: '%s' is the running kernel: a duet boots two guests",
			   base->name);
	if (m->nkernels < 2)
		flb_yw_err(&m->yw, at, "design: duet needs a kernel besides the baseline");
	for (size_t k = 0; k < m->nkernels; k++) {
		const struct flb_mx_kernel *x = &m->kernels[k];

		if (x->running)
			flb_yw_err(&m->yw, x->node, "kernel '%s': design: duet runs guests, not the running kernel",
				   x->name);
		else if (x->arch != base->arch)
			flb_yw_err(&m->yw, x->node, "kernel '%s': arch %s, the baseline's is %s: both guests of a duet have one arch",
				   x->name, arches[x->arch], arches[base->arch]);
	}
}

int flb_matrix_load(struct flb_matrix *m, const char *path, FILE *err)
{
	yaml_node_t *root;
	char nm[FLB_STR_MAX];

	if (flb_yw_load(&m->yw, path, err))
		return -1;
	root = flb_yw_root(&m->yw);
	if (!root) {
		flb_yw_err(&m->yw, NULL, "empty matrix");
		return -1;
	}
	mx_parse(m, root);
	if (m->design) {
		const struct flb_option *o = flb_yw_find(top_opts, "design");
		char why[256];

		if (flb_opt_parse(o, m->design, &m->top, why, sizeof(why)))
			flb_yw_err(&m->yw, NULL, "--%s", why);
	}
	if (!m->top.name[0])
		snprintf(m->top.name, sizeof(m->top.name), "%s",
			 base_name(path, nm, sizeof(nm)));
	if (!m->modes[0] && !m->modes[1])
		m->modes[1] = true;
	if (!m->nkernels)
		flb_yw_err(&m->yw, root, "no kernels: list at least one under 'kernels:'");
	if (!m->nconfigs)
		m->configs[m->nconfigs++] = strdup("configs/quick.yaml");
	mx_check_duet(m, root);
	if (m->yw.errors)
		return -1;
	if (mx_cells(m))
		return -1;
	if (!m->ncells) {
		flb_yw_err(&m->yw, root, "no cells: native cells need a kernel with 'running: true', vm cells any other kernel");
		return -1;
	}
	for (size_t i = 0; i < m->ncells; i++)
		for (size_t j = 0; j < i; j++)
			if (!strcmp(m->cells[i].label, m->cells[j].label))
				flb_yw_err(&m->yw, root, "two cells would share the label '%s' (configs with the same file name?)",
					   m->cells[i].label);
	if (m->yw.errors)
		return -1;
	return 0;
}

void flb_matrix_free(struct flb_matrix *m)
{
	for (size_t i = 0; i < m->nconfigs; i++)
		free(m->configs[i]);
	free(m->cells);
	free(m->duets);
	flb_yw_free(&m->yw);
}

/* repeat rounds, each a Fisher-Yates permutation of the cells */
size_t *flb_matrix_schedule(const struct flb_matrix *m)
{
	size_t n = flb_matrix_units(m), *order = malloc(n * m->top.repeat * sizeof(*order));
	uint64_t s = m->top.seed;

	if (!order)
		return NULL;
	for (uint64_t r = 0; r < m->top.repeat; r++) {
		size_t *o = order + r * n;

		for (size_t i = 0; i < n; i++)
			o[i] = i;
		for (size_t i = n - 1; i > 0; i--) {
			size_t j = flb_splitmix64(&s) % (i + 1), t = o[i];

			o[i] = o[j];
			o[j] = t;
		}
	}
	return order;
}

void flb_matrix_plan(const struct flb_matrix *m, const size_t *order, FILE *f)
{
	if (m->top.design == FLB_MX_DUET) {
		fprintf(f, "matrix %s: %zu duets x %" PRIu64 " slots of %" PRIu64
			" round%s (%" PRIu64 " runs a guest each), seed %" PRIu64 "\n",
			m->top.name, m->nduets, m->top.repeat, m->top.rounds,
			m->top.rounds == 1 ? "" : "s", m->top.runs, m->top.seed);
		for (size_t i = 0; i < m->nduets; i++)
			fprintf(f, "  duet %zu: a %s | b %s\n", i,
				m->cells[m->duets[i].a].label, m->cells[m->duets[i].b].label);
	} else {
		fprintf(f, "matrix %s: %zu cells x %" PRIu64 " runs, seed %" PRIu64 "\n",
			m->top.name, m->ncells, m->top.repeat, m->top.seed);
		for (size_t i = 0; i < m->ncells; i++)
			fprintf(f, "  cell %zu: %s\n", i, m->cells[i].label);
	}
	for (size_t i = 0; i < m->nkernels; i++)
		if (m->kernels[i].build[0])
			fprintf(f, "  kernel %s: flushbench kernel build --arch %s %s\n",
				m->kernels[i].name,
				m->kernels[i].arch ? arches[m->kernels[i].arch] :
				flb_vm_host_arch(), m->kernels[i].build);
	for (size_t i = 0; i < m->nkernels; i++)
		if (m->kernels[i].iommu)
			fprintf(f, "  kernel %s: --iommu %s\n", m->kernels[i].name,
				flb_vm_iommus[m->kernels[i].iommu]);
	fprintf(f, "order:");
	for (size_t i = 0; i < flb_matrix_units(m) * m->top.repeat; i++)
		fprintf(f, " %zu", order[i]);
	fprintf(f, "\n");
}

/* A kernel's image: given, fetched (Debian) or built. */
static const char *mx_image(const struct flb_mx_kernel *k)
{
	return k->debian ? k->deb_image : k->build[0] ? k->built : k->path;
}

static const char *mx_headers(const struct flb_mx_kernel *k)
{
	return k->headers[0] ? k->headers : k->deb_headers[0] ? k->deb_headers : NULL;
}

/* A cell's kernel command line: its cmdline's append, then its kernel's. */
static const char *mx_append(const struct flb_mx_cell *x, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s%s", x->c->append,
		 x->c->append[0] && x->k->append[0] ? " " : "", x->k->append);
	return buf;
}

static const char *mx_arch(const struct flb_mx_kernel *k)
{
	return k->arch ? arches[k->arch] : flb_vm_host_arch();
}

/* The guest options of vm and duet (--smp, --mem, --timeout, --accel) at argv[n]. */
static int mx_guest_args(const struct flb_matrix *m, char **argv, int n, char g[2][16])
{
	snprintf(g[0], 16, "%" PRIu64, m->top.smp);
	snprintf(g[1], 16, "%" PRIu64, m->top.timeout);
	argv[n++] = "--smp";
	argv[n++] = g[0];
	argv[n++] = "--mem";
	argv[n++] = (char *)m->top.mem;
	argv[n++] = "--timeout";
	argv[n++] = g[1];
	argv[n++] = "--accel";
	argv[n++] = (char *)accels[m->top.accel];
	return n;
}

/* Run one cell once: flushbench run / flushbench vm as a child. */
static int mx_run_cell(const struct flb_matrix *m, const struct flb_mx_cell *x,
		       const char *db)
{
	char self[PATH_MAX], g[2][16], app[2 * FLB_STR_MAX];
	char *argv[32];
	ssize_t l = readlink("/proc/self/exe", self, sizeof(self) - 1);
	int n = 0;

	if (l < 0)
		return -1;
	self[l] = '\0';
	argv[n++] = self;
	if (x->native) {
		argv[n++] = "run";
		argv[n++] = "-q";
	} else {
		argv[n++] = "vm";
		argv[n++] = "--kernel";
		argv[n++] = (char *)mx_image(x->k);
		if (mx_headers(x->k)) {
			argv[n++] = "--headers";
			argv[n++] = (char *)mx_headers(x->k);
		}
		if (x->k->arch) {
			argv[n++] = "--arch";
			argv[n++] = (char *)arches[x->k->arch];
		}
		if (mx_append(x, app, sizeof(app))[0]) {
			argv[n++] = "--append";
			argv[n++] = app;
		}
		if (x->k->iommu) {
			argv[n++] = "--iommu";
			argv[n++] = (char *)flb_vm_iommus[x->k->iommu];
		}
		n = mx_guest_args(m, argv, n, g);
	}
	argv[n++] = "-c";
	argv[n++] = (char *)x->config;
	argv[n++] = "--db";
	argv[n++] = (char *)db;
	argv[n++] = "--label";
	argv[n++] = (char *)x->label;
	argv[n] = NULL;
	return flb_vm_spawn(argv, NULL, 0);
}

/*
 * Run one slot of a duet matrix: `flushbench duet` of its two cells,
 * top.rounds boots of top.runs runs, the slot's own seed. Its exit.
 */
static int mx_run_duet(const struct flb_matrix *m, const struct flb_mx_duet *d,
		       uint64_t seed, const char *db)
{
	const struct flb_mx_cell *x[2] = { &m->cells[d->a], &m->cells[d->b] };
	char self[PATH_MAX], g[2][16], rounds[16], runs[16], sd[24];
	char app[2][2 * FLB_STR_MAX];
	char *argv[48];
	ssize_t l = readlink("/proc/self/exe", self, sizeof(self) - 1);
	int n = 0;

	if (l < 0)
		return -1;
	self[l] = '\0';
	snprintf(rounds, sizeof(rounds), "%" PRIu64, m->top.rounds);
	snprintf(runs, sizeof(runs), "%" PRIu64, m->top.runs);
	snprintf(sd, sizeof(sd), "%" PRIu64, seed);
	argv[n++] = self;
	argv[n++] = "duet";
	argv[n++] = "-c";
	argv[n++] = (char *)x[0]->config;
	argv[n++] = "--rounds";
	argv[n++] = rounds;
	argv[n++] = "--repeat";
	argv[n++] = runs;
	argv[n++] = "--seed";
	argv[n++] = sd;
	argv[n++] = "--arch";
	argv[n++] = (char *)mx_arch(x[0]->k);
	n = mx_guest_args(m, argv, n, g);
	argv[n++] = "--db";
	argv[n++] = (char *)db;
	for (int s = 0; s < 2; s++) {
		argv[n++] = s ? "--label-b" : "--label-a";
		argv[n++] = (char *)x[s]->label;
		argv[n++] = s ? "--b-kernel" : "--a-kernel";
		argv[n++] = (char *)mx_image(x[s]->k);
		if (mx_headers(x[s]->k)) {
			argv[n++] = s ? "--b-headers" : "--a-headers";
			argv[n++] = (char *)mx_headers(x[s]->k);
		}
		if (mx_append(x[s], app[s], sizeof(app[s]))[0]) {
			argv[n++] = s ? "--b-append" : "--a-append";
			argv[n++] = app[s];
		}
		if (x[s]->k->iommu) {
			argv[n++] = s ? "--b-iommu" : "--a-iommu";
			argv[n++] = (char *)flb_vm_iommus[x[s]->k->iommu];
		}
	}
	argv[n] = NULL;
	return flb_vm_spawn(argv, NULL, 0);
}

/*
 * Build (or find in the cache) a kernel with build: ARGS, once before the
 * first run: `flushbench kernel build --arch ARCH ARGS`, whose stdout is
 * the image's path. 0, or -1 with a message.
 */
static int mx_build_kernel(struct flb_mx_kernel *k)
{
	char self[PATH_MAX], args[FLB_STR_MAX], out[4 * PATH_MAX], *argv[64];
	char *save = NULL, *tok, *nl;
	ssize_t l = readlink("/proc/self/exe", self, sizeof(self) - 1);
	int n = 0, rc;

	if (l < 0)
		return -1;
	self[l] = '\0';
	argv[n++] = self;
	argv[n++] = "kernel";
	argv[n++] = "build";
	argv[n++] = "--arch";
	argv[n++] = (char *)mx_arch(k);
	snprintf(args, sizeof(args), "%s", k->build);
	for (tok = strtok_r(args, " \t", &save); tok && n < 63;
	     tok = strtok_r(NULL, " \t", &save))
		argv[n++] = tok;
	argv[n] = NULL;
	fprintf(stderr, "flushbench matrix: kernel %s: flushbench kernel build --arch %s %s\n",
		k->name, mx_arch(k), k->build);
	rc = flb_vm_spawn(argv, out, sizeof(out));
	while ((nl = strrchr(out, '\n')) && !nl[1])
		*nl = '\0';
	nl = strrchr(out, '\n');
	nl = nl ? nl + 1 : out;
	if (strlen(nl) >= sizeof(k->built))
		nl[0] = '\0';
	memcpy(k->built, nl, strlen(nl) + 1);
	if (rc || !k->built[0] || access(k->built, R_OK)) {
		fprintf(stderr, "flushbench matrix: kernel %s: the build failed (exit %d)%s%s\n",
			k->name, rc, k->built[0] ? ": no image at " : "", k->built);
		return -1;
	}
	fprintf(stderr, "flushbench matrix: kernel %s: %s\n", k->name, k->built);
	return 0;
}

/* The newest run of label in db (0: none, or no store yet). */
static int64_t mx_last_run(const char *db, const char *label)
{
	struct flb_store *st;
	struct flb_run_row *rows = NULL;
	size_t n = 0;
	int64_t last = 0;
	char err[256];

	if (flb_store_open(db, FLB_STORE_RO, &st, err, sizeof(err)))
		return 0;
	if (!flb_store_runs(st, label, &rows, &n))
		for (size_t i = 0; i < n; i++)
			if (rows[i].id > last)
				last = rows[i].id;
	free(rows);
	flb_store_close(st);
	return last;
}

/*
 * Tag the runs the cell's last invocation stored (all its rounds, when
 * its suite has `repeat:`) with where they stand in the matrix: the
 * complete runs of its label newer than x->last. 0 when there was one.
 */
static int mx_tag(struct flb_store *st, const struct flb_matrix *m,
		  struct flb_mx_cell *x, uint64_t round, size_t slot)
{
	struct flb_run_row *rows = NULL;
	size_t n = 0, tagged = 0;
	int64_t newest = x->last;
	char v[32];

	if (flb_store_runs(st, x->label, &rows, &n))
		n = 0;
	for (size_t i = 0; i < n; i++) {
		int64_t id = rows[i].id;

		if (id <= x->last)
			continue;
		if (id > newest)
			newest = id;
		if (strcmp(rows[i].status, "complete"))
			continue;
		flb_store_env_put(st, id, "matrix.name", m->top.name);
		flb_store_env_put(st, id, "matrix.file", m->yw.path);
		snprintf(v, sizeof(v), "%" PRIu64, m->top.seed);
		flb_store_env_put(st, id, "matrix.seed", v);
		snprintf(v, sizeof(v), "%" PRIu64, round);
		flb_store_env_put(st, id, "matrix.round", v);
		snprintf(v, sizeof(v), "%zu", slot);
		flb_store_env_put(st, id, "matrix.slot", v);
		flb_store_env_put(st, id, "matrix.kernel", x->k->name);
		flb_store_env_put(st, id, "matrix.cmdline", x->c->name);
		flb_store_env_put(st, id, "matrix.mode", x->native ? "native" : "vm");
		flb_store_env_put(st, id, "matrix.config", x->config);
		tagged++;
	}
	x->last = newest;
	free(rows);
	return tagged ? 0 : -1;
}

/* --- summary: per-cell medians of ns/op, and changes by dimension --- */

struct mx_series {
	size_t cell;
	char *job;		/* "workload params" */
	double *v;
	size_t n, cap;
	double median;
};

struct mx_collect {
	size_t cell;
	struct mx_series *s;
	size_t n, cap;
};

static int mx_value(void *arg, const struct flb_value *v)
{
	struct mx_collect *c = arg;
	struct mx_series *s = NULL;
	char job[512];

	if (strcmp(v->metric, "ns_per_op"))
		return 0;
	snprintf(job, sizeof(job), "%s %s", v->workload, v->params ? v->params : "");
	for (size_t i = c->n; i-- > 0;)
		if (c->s[i].cell == c->cell && !strcmp(c->s[i].job, job)) {
			s = &c->s[i];
			break;
		}
	if (!s) {
		if (c->n == c->cap) {
			struct mx_series *ns = realloc(c->s, (c->cap = c->cap * 2 + 16) * sizeof(*ns));

			if (!ns)
				return -1;
			c->s = ns;
		}
		s = &c->s[c->n++];
		*s = (struct mx_series){ .cell = c->cell, .job = strdup(job) };
	}
	if (s->n == s->cap) {
		double *nv = realloc(s->v, (s->cap = s->cap * 2 + 16) * sizeof(*nv));

		if (!nv)
			return -1;
		s->v = nv;
	}
	s->v[s->n++] = v->value;
	return 0;
}

static const char *dim_value(const struct flb_mx_cell *x, int d)
{
	switch (d) {
	case 0: return x->k->name;
	case 1: return x->c->name;
	case 2: return x->native ? "native" : "vm";
	default: return x->config;
	}
}

/*
 * Cells a, b to compare along dimension d: the others equal. Native cells
 * run the booted kernel with its own cmdline, so native vs vm pairs need
 * only the same config and cmdline name.
 */
static bool mx_pair(const struct flb_mx_cell *x, const struct flb_mx_cell *y,
		    size_t a, size_t b, int d)
{
	if (d == 2)
		return x->native && !y->native &&
		       !strcmp(x->config, y->config) && !strcmp(x->c->name, y->c->name);
	if (a >= b || !strcmp(dim_value(x, d), dim_value(y, d)))
		return false;
	for (int e = 0; e < 4; e++)
		if (e != d && strcmp(dim_value(x, e), dim_value(y, e)))
			return false;
	return true;
}

/* Medians side by side, then `flushbench compare` when this build has it. */
static void mx_print_pair(const struct mx_collect *c, size_t a, size_t b,
			  const struct flb_mx_cell *x, const struct flb_mx_cell *y,
			  const char *db)
{
	char self[PATH_MAX], *out;
	char *help[] = { self, "compare", "--help", NULL };
	char *cmp[] = { self, "compare", "--db", (char *)db, "--brief",
			(char *)x->label, (char *)y->label, NULL };
	ssize_t l = readlink("/proc/self/exe", self, sizeof(self) - 1);

	printf("  A %s\n  B %s\n", x->label, y->label);
	for (size_t s = 0; s < c->n; s++) {
		if (c->s[s].cell != a)
			continue;
		for (size_t t = 0; t < c->n; t++)
			if (c->s[t].cell == b && !strcmp(c->s[s].job, c->s[t].job))
				printf("    %-60.60s %12.1f -> %12.1f  %+7.1f%%\n",
				       c->s[s].job, c->s[s].median, c->s[t].median,
				       100 * (c->s[t].median / c->s[s].median - 1));
	}
	if (l < 0)
		return;
	self[l] = '\0';
	out = malloc(1 << 20);
	if (out && !flb_vm_spawn(help, out, 1 << 20) &&
	    !flb_vm_spawn(cmp, out, 1 << 20))
		fputs(out, stdout);
	else
		printf("    (medians only: this build has no 'flushbench compare' for significance)\n");
	free(out);
}

/* Split one CSV line in place into at most max fields (RFC 4180 quotes). */
static size_t mx_csv_split(char *line, char **f, size_t max)
{
	size_t n = 0;
	char *r = line, *w = line;

	while (n < max) {
		f[n++] = w;
		if (*r == '"') {
			for (r++; *r; r++) {
				if (*r == '"' && r[1] == '"')
					*w++ = *r++;
				else if (*r == '"')
					break;
				else
					*w++ = *r;
			}
			if (*r == '"')
				r++;
		}
		while (*r && *r != ',')
			*w++ = *r++;
		if (*r != ',') {
			*w = '\0';
			break;
		}
		r++;
		*w++ = '\0';
	}
	return n;
}

/* The seed-style table of one cmdline and config: a column per kernel. */
#define MX_ROWS 64
struct mx_seed {
	char key[MX_ROWS][160];		/* "workload params" */
	char cell[MX_ROWS][FLB_MX_MAX][48];
	size_t nrows, nk;
	const char *kname[FLB_MX_MAX];
	unsigned int marked[2];		/* (I), (R) */
};

/* The column of name in a CSV header's fields, or -1. */
static int mx_col(char **h, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(h[i], name))
			return (int)i;
	return -1;
}

/*
 * One kernel's column against the baseline, from `flushbench compare
 * --format csv A B`: the paired rows of duets (change_pct: positive is
 * slower) or the primary rows of the unpaired analysis (improvement_pct).
 */
static void mx_seed_column(struct mx_seed *t, const char *db, const char *a,
			   const char *b, size_t col)
{
	char self[PATH_MAX], *out = malloc(1 << 20), *line, *save = NULL;
	char *cmp[] = { self, "compare", "--db", (char *)db, "--format", "csv",
			(char *)a, (char *)b, NULL };
	ssize_t l = readlink("/proc/self/exe", self, sizeof(self) - 1);
	char *h[32], hdr[1024] = "";
	size_t nh = 0;
	int cw, cp, cv, cm, cd, cr, crole;
	bool paired;

	if (l < 0 || !out || (self[l] = '\0', flb_vm_spawn(cmp, out, 1 << 20))) {
		free(out);
		return;
	}
	line = strtok_r(out, "\n", &save);
	if (line) {
		snprintf(hdr, sizeof(hdr), "%s", line);
		nh = mx_csv_split(hdr, h, 32);
	}
	paired = mx_col(h, nh, "change_pct") >= 0;
	cw = mx_col(h, nh, "workload");
	cp = mx_col(h, nh, paired ? "params_a" : "params");
	cv = mx_col(h, nh, paired ? "change_pct" : "improvement_pct");
	cm = mx_col(h, nh, "mark");
	cd = mx_col(h, nh, "mde_pct");
	cr = mx_col(h, nh, paired ? "rounds" : "new_runs");
	crole = mx_col(h, nh, "role");
	if (cw < 0 || cp < 0 || cv < 0 || cm < 0 || cd < 0 || cr < 0) {
		free(out);
		return;
	}
	while ((line = strtok_r(NULL, "\n", &save))) {
		char *f[32], key[160];
		size_t nf = mx_csv_split(line, f, 32), r;

		if (nf < nh || (crole >= 0 && strcmp(f[crole], "primary")))
			continue;
		snprintf(key, sizeof(key), "%s %s", f[cw], f[cp]);
		for (r = 0; r < t->nrows && strcmp(t->key[r], key); r++)
			;
		if (r == t->nrows) {
			if (r == MX_ROWS)
				continue;
			memcpy(t->key[t->nrows++], key, sizeof(key));
		}
		if (!f[cv][0]) {
			snprintf(t->cell[r][col], sizeof(t->cell[r][col]), "n/t (%s %s)",
				 f[cr], paired ? "rounds" : "runs");
			continue;
		}
		/* improvement: positive when this kernel is faster */
		snprintf(t->cell[r][col], sizeof(t->cell[r][col]), "%s%+.2f%% (MDE %.1f%%)",
			 !strcmp(f[cm], "I") ? "(I) " : !strcmp(f[cm], "R") ? "(R) " : "",
			 paired ? -strtod(f[cv], NULL) : strtod(f[cv], NULL),
			 strtod(f[cd], NULL));
		t->marked[0] += !strcmp(f[cm], "I");
		t->marked[1] += !strcmp(f[cm], "R");
	}
	free(out);
}

/*
 * Row r's Result Class: of its parameters ("workload k=v k=v ..."), those
 * that tell it apart from the table's other rows of its workload (all of
 * them when it is the workload's only row).
 */
static const char *mx_seed_class(const struct mx_seed *t, size_t r, char *buf,
				  size_t len)
{
	size_t wl = strcspn(t->key[r], " "), o = 0, same = 0;
	const char *p = t->key[r] + wl;

	for (size_t q = 0; q < t->nrows; q++)
		same += !strncmp(t->key[q], t->key[r], wl + 1);
	buf[0] = '\0';
	while (*p) {
		size_t n;
		bool shared = same > 1;

		p += strspn(p, " ");
		n = strcspn(p, " ");
		if (!n)
			break;
		/* shared: every row of the workload has this k=v too */
		for (size_t q = 0; q < t->nrows && shared; q++) {
			const char *h = t->key[q];

			if (strncmp(h, t->key[r], wl + 1))
				continue;
			shared = false;
			for (h += wl; (h = strstr(h, " ")) && !shared; h++)
				shared = !strncmp(h + 1, p, n) && (h[1 + n] == ' ' || !h[1 + n]);
		}
		if (!shared && o + n + 2 < len)
			o += snprintf(buf + o, len - o, "%s%.*s", o ? " " : "", (int)n, p);
		p += n;
	}
	return buf[0] ? buf : "as in the suite";
}

/*
 * With a baseline: per cmdline, mode and config, the seed-style table of
 * every kernel against the baseline (m->duets: the pairs), (I) and (R)
 * both shown. A duet matrix first prints each duet's paired table.
 */
static void mx_seed_summary(const struct flb_matrix *m, const char *db)
{
	bool duet = m->top.design == FLB_MX_DUET;
	char self[PATH_MAX], cfg[FLB_STR_MAX];
	ssize_t l = readlink("/proc/self/exe", self, sizeof(self) - 1);
	bool *done = calloc(m->nduets + 1, sizeof(bool));
	struct mx_seed *t = malloc(sizeof(*t));

	if (l < 0 || !done || !t)
		goto out;
	self[l] = '\0';
	for (size_t i = 0; duet && i < m->nduets; i++) {
		const struct flb_mx_cell *a = &m->cells[m->duets[i].a];
		const struct flb_mx_cell *b = &m->cells[m->duets[i].b];
		char *cmp[] = { self, "compare", "--db", (char *)db, (char *)a->label,
				(char *)b->label, NULL };

		char *out = malloc(1 << 20);

		printf("\n### duet %zu: %s against %s\n\n", i, b->label, a->label);
		if (out && !flb_vm_spawn(cmp, out, 1 << 20))
			fputs(out, stdout);
		else
			printf("(flushbench compare %s %s failed)\n", a->label, b->label);
		free(out);
	}
	for (size_t i = 0; i < m->nduets; i++) {
		const struct flb_mx_cell *b0 = &m->cells[m->duets[i].b];

		if (done[i])
			continue;
		memset(t, 0, sizeof(*t));
		for (size_t j = i; j < m->nduets; j++) {
			const struct flb_mx_cell *a = &m->cells[m->duets[j].a];
			const struct flb_mx_cell *b = &m->cells[m->duets[j].b];

			if (b->c != b0->c || b->config != b0->config || b->native != b0->native)
				continue;
			done[j] = true;
			t->kname[t->nk] = b->k->name;
			mx_seed_column(t, db, a->label, b->label, t->nk++);
		}
		printf("\n## %s, cmdline %s (%s), %s, config %s: every kernel against %s\n\n",
		       m->top.name, b0->c->name, b0->c->append[0] ? b0->c->append : "as booted",
		       b0->native ? "native" : "vm", base_name(b0->config, cfg, sizeof(cfg)),
		       m->top.baseline);
		printf("| Benchmark | Result Class |");
		for (size_t k = 0; k < t->nk; k++)
			printf(" %s |", t->kname[k]);
		printf("\n| --- | --- |");
		for (size_t k = 0; k < t->nk; k++)
			printf(" --- |");
		printf("\n");
		for (size_t r = 0; r < t->nrows; r++) {
			char cls[160];

			printf("| %.*s | %s (time/op) |", (int)strcspn(t->key[r], " "), t->key[r],
			       mx_seed_class(t, r, cls, sizeof(cls)));
			for (size_t k = 0; k < t->nk; k++)
				printf(" %s |", t->cell[r][k][0] ? t->cell[r][k] : "not run");
			printf("\n");
		}
		printf("\nImprovement: the baseline's time per op over the kernel's (positive: faster),\n"
		       "%s. (I)/(R): Holm-adjusted p <= 0.05 and |change| >= 1%%;\n"
		       "unmarked: no change seen, MDE the smallest change this design would have seen;\n"
		       "n/t: not testable (%s). %u (I), %u (R).\n",
		       duet ? "from paired duet windows" : "from the runs of each cell (compare's unpaired analysis)",
		       duet ? "3 rounds or more over both CPU assignments" : "too few runs",
		       t->marked[0], t->marked[1]);
	}
out:
	free(done);
	free(t);
}

static void mx_summary(const struct flb_matrix *m, struct flb_store *st,
		       const char *db)
{
	static const char *const dims[] = { "kernel", "cmdline", "mode", "config" };
	struct mx_collect c = { 0 };
	size_t *nruns = calloc(m->ncells + 1, sizeof(*nruns));

	if (!nruns)
		return;

	for (size_t i = 0; i < m->ncells; i++) {
		struct flb_run_row *rows = NULL;
		int64_t ids[1024];
		size_t n = 0, k = 0;

		if (flb_store_runs(st, m->cells[i].label, &rows, &n))
			continue;
		for (size_t r = 0; r < n && k < 1024; r++)
			if (!strcmp(rows[r].status, "complete"))
				ids[k++] = rows[r].id;
		free(rows);
		c.cell = i;
		nruns[i] = k;
		if (k)
			flb_store_values(st, ids, k, mx_value, &c);
	}
	for (size_t i = 0; i < c.n; i++)
		c.s[i].median = flb_median(c.s[i].v, c.s[i].n);
	printf("\nmedian ns/op per cell (all samples of its complete runs):\n");
	for (size_t i = 0; i < m->ncells; i++) {
		printf("  %s  (%zu complete run%s, %u this time)\n", m->cells[i].label,
		       nruns[i], nruns[i] == 1 ? "" : "s", m->cells[i].done);
		for (size_t s = 0; s < c.n; s++)
			if (c.s[s].cell == i)
				printf("    %-60.60s %14.1f  (n=%zu)\n", c.s[s].job,
				       c.s[s].median, c.s[s].n);
	}
	/* pairs of cells that differ in one dimension */
	for (int d = 0; d < 4 && m->top.design != FLB_MX_DUET; d++) {
		bool header = false;

		for (size_t a = 0; a < m->ncells; a++)
			for (size_t b = 0; b < m->ncells; b++) {
				const struct flb_mx_cell *x = &m->cells[a], *y = &m->cells[b];

				if (!mx_pair(x, y, a, b, d) ||
				    (d == 0 && m->top.baseline[0] &&
				     strcmp(x->k->name, m->top.baseline) &&
				     strcmp(y->k->name, m->top.baseline)))
					continue;
				if (!header) {
					printf("\nchanges by %s (median ns/op, B vs A):\n", dims[d]);
					header = true;
				}
				mx_print_pair(&c, a, b, x, y, db);
			}
	}
	for (size_t i = 0; i < c.n; i++) {
		free(c.s[i].job);
		free(c.s[i].v);
	}
	free(c.s);
	free(nruns);
	if (m->top.baseline[0])
		mx_seed_summary(m, db);
}

struct mx_not_run {
	const char *label;
	unsigned int failed, skipped;
};

static int mx_not_ok(void *arg, const struct flb_not_ok *t)
{
	struct mx_not_run *n = arg;
	bool fail = strcmp(t->status, "skip");

	if (!n->failed && !n->skipped)
		printf("\njobs that did not run (every sample of the matrix's runs is ok otherwise):\n");
	n->failed += fail;
	n->skipped += !fail;
	printf("  %s run %" PRId64 ": job %u %s %s: %u sample%s %s: %s\n", n->label, t->run,
	       t->job, t->workload, t->params ? t->params : "", t->samples,
	       t->samples == 1 ? "" : "s", t->status, t->reason ? t->reason : "(no reason)");
	return 0;
}

/*
 * Say every job of the cells' runs that failed or was skipped: a matrix
 * whose job could not run is not a result. Their counts in n.
 */
static void mx_not_run(const struct flb_matrix *m, struct flb_store *st,
		       struct mx_not_run *n)
{
	for (size_t i = 0; i < m->ncells; i++) {
		struct flb_run_row *rows = NULL;
		size_t k = 0;

		n->label = m->cells[i].label;
		if (flb_store_runs(st, m->cells[i].label, &rows, &k))
			continue;
		for (size_t r = 0; r < k; r++)
			flb_store_not_ok(st, rows[r].id, mx_not_ok, n);
		free(rows);
	}
}

/* What the command line of `flushbench matrix` gives. */
struct mx_args {
	const char *file, *db, *seed, *repeat, *design;
	bool dry, summary;
};

/* --seed and --repeat are parsed once the file is loaded: they override it */
static const struct flb_cliopt mx_opts[] = {
	FLB_CLI_STRING('m', "matrix", struct mx_args, file, "FILE",
		       "the matrix (YAML)"),
	FLB_CLI_STRING(0, "db", struct mx_args, db, "PATH",
		       "the results store (default results.db)"),
	FLB_CLI_STRING(0, "seed", struct mx_args, seed, "N",
		       "shuffle seed (overrides the file's; default: the clock)"),
	FLB_CLI_STRING(0, "repeat", struct mx_args, repeat, "N",
		       "runs per cell, or slots per duet (overrides the file's)"),
	FLB_CLI_STRING(0, "design", struct mx_args, design, "D",
		       "interleaved or duet (overrides the file's): a duet of\n"
		       "guests with N vCPUs wants 2N host CPUs"),
	FLB_CLI_FLAG('n', "dry-run", struct mx_args, dry,
		     "print the cells and the order, run nothing"),
	FLB_CLI_FLAG(0, "summary", struct mx_args, summary,
		     "run nothing: the summary of the runs already stored\n"
		     "under the cells' labels"),
	FLB_CLI_END
};

static const struct flb_cli mx_cli = {
	.cmd = "matrix", .usage = "-m FILE [OPTIONS]",
	.about = "Run suites over kernels x cmdlines x {native, vm} x configs (see docs/vm.md),\n"
		 "every cell the same number of times in shuffled rounds, each cell under its\n"
		 "own label NAME/KERNEL/CMDLINE/MODE/CONFIG; then summarise by dimension. With\n"
		 "baseline: KERNEL, end with a seed-style table per cmdline and config (every\n"
		 "kernel against it, (I)/(R) and MDE); with design: duet, run each kernel's\n"
		 "cells as guest duets against the baseline's (flushbench duet).",
	.opts = mx_opts,
};

int flb_cmd_matrix(int argc, char **argv)
{
	struct mx_args a = { .db = "results.db" };
	const char *file, *db, *seed, *repeat;
	struct flb_matrix m = { 0 };
	struct flb_store *st = NULL;
	bool dry;
	size_t *order = NULL, total, failed = 0;
	struct mx_not_run nr = { 0 };
	char err[512];
	int n, ret = FLB_EXIT_USAGE;

	n = flb_cli_parse(&mx_cli, argc, argv, &a, NULL, 0);
	if (n < 0)
		return flb_cli_exit(n);
	if (!a.file)
		return flb_cli_usage_error(&mx_cli, "-m FILE is required");
	file = a.file;
	db = a.db;
	seed = a.seed;
	repeat = a.repeat;
	dry = a.dry;
	m.design = a.design;
	if (a.design) {
		struct flb_mx_top t;

		if (flb_opt_parse(flb_yw_find(top_opts, "design"), a.design, &t, err,
				  sizeof(err))) {
			fprintf(stderr, "flushbench matrix: --%s\n", err);
			goto out;
		}
	}
	if (flb_matrix_load(&m, file, stderr))
		goto out;
	if (seed && flb_opt_parse(&top_opts[2], seed, &m.top, err, sizeof(err))) {
		fprintf(stderr, "flushbench matrix: --%s\n", err);
		goto out;
	}
	if (repeat && flb_opt_parse(&top_opts[1], repeat, &m.top, err, sizeof(err))) {
		fprintf(stderr, "flushbench matrix: --%s\n", err);
		goto out;
	}
	if (!seed && !m.seeded)
		m.top.seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
	order = flb_matrix_schedule(&m);
	if (!order)
		goto out;
	total = flb_matrix_units(&m) * m.top.repeat;
	if (!a.summary)
		flb_matrix_plan(&m, order, stdout);
	if (dry) {
		ret = FLB_EXIT_OK;
		goto out;
	}
	if (a.summary)
		total = 0;
	/* fetch, build (or find in the cache) each kernel once, not per run */
	for (size_t i = 0; total && i < m.nkernels; i++) {
		struct flb_mx_kernel *k = &m.kernels[i];

		if ((k->debian &&
		     flb_vm_debian_kernel(mx_arch(k), debian_flavours[k->debian],
					 k->deb_image, k->deb_headers,
					 sizeof(k->deb_image))) ||
		    (k->build[0] && mx_build_kernel(k))) {
			ret = FLB_EXIT_FAIL;
			goto out;
		}
	}
	for (size_t i = 0; i < total; i++) {
		bool duet = m.top.design == FLB_MX_DUET;
		const struct flb_mx_duet *d = duet ? &m.duets[order[i]] : NULL;
		struct flb_mx_cell *x = &m.cells[duet ? d->b : order[i]];
		struct flb_mx_cell *xa = duet ? &m.cells[d->a] : NULL;
		uint64_t sd = m.top.seed + 0x9e3779b97f4a7c15ull * (i + 1);
		int rc, untagged;

		if (duet)
			fprintf(stderr, "flushbench matrix: [%zu/%zu] duet %s | %s\n",
				i + 1, total, xa->label, x->label);
		else
			fprintf(stderr, "flushbench matrix: [%zu/%zu] %s\n", i + 1,
				total, x->label);
		if (x->last < 0)	/* runs already stored under its label */
			x->last = mx_last_run(db, x->label);
		if (xa && xa->last < 0)
			xa->last = mx_last_run(db, xa->label);
		rc = duet ? mx_run_duet(&m, d, flb_splitmix64(&sd), db) :
			    mx_run_cell(&m, x, db);
		if (flb_store_open(db, FLB_STORE_RW, &st, err, sizeof(err))) {
			fprintf(stderr, "flushbench matrix: %s\n", err);
			ret = FLB_EXIT_FAIL;
			goto out;
		}
		untagged = mx_tag(st, &m, x, i / flb_matrix_units(&m), i);
		if (xa)
			untagged |= mx_tag(st, &m, xa, i / flb_matrix_units(&m), i);
		if (!rc && !untagged) {
			x->done++;
			if (xa)
				xa->done++;
		} else {
			failed++;
			fprintf(stderr, "flushbench matrix: %s: %s %zu failed (exit %d)%s\n",
				x->label, duet ? "duet slot" : "run", i + 1, rc,
				duet && !untagged ? ": the rounds that ended are stored" : "");
		}
		flb_store_close(st);
		st = NULL;
	}
	if (flb_store_open(db, FLB_STORE_RO, &st, err, sizeof(err))) {
		fprintf(stderr, "flushbench matrix: %s\n", err);
		ret = FLB_EXIT_FAIL;
		goto out;
	}
	mx_summary(&m, st, db);
	mx_not_run(&m, st, &nr);
	flb_store_close(st);
	ret = FLB_EXIT_OK;
	if (nr.failed || (nr.skipped && m.top.strict)) {
		fprintf(stderr, "flushbench matrix: %u job%s failed and %u %s skipped: see 'jobs that did not run'%s\n",
			nr.failed, nr.failed == 1 ? "" : "s", nr.skipped,
			nr.skipped == 1 ? "was" : "were",
			m.top.strict ? " (strict: a skip fails too)" : "");
		ret = FLB_EXIT_FAIL;
	}
	if (failed) {
		fprintf(stderr, "flushbench matrix: %zu of %zu runs failed: cells are unequal\n",
			failed, total);
		ret = FLB_EXIT_FAIL;
	}
out:
	free(order);
	flb_matrix_free(&m);
	return ret;
}

/*
 * report --matrix FILE: the file's cells' labels and its baseline
 * (analysis/mreport.h's loader; errors as file:line:column on stderr).
 */
int flb_matrix_labels(const char *path, char ***labels, size_t *n,
		      char **baseline)
{
	struct flb_matrix m;
	int rc = -1;

	memset(&m, 0, sizeof(m));
	*labels = NULL;
	*n = 0;
	*baseline = NULL;
	if (flb_matrix_load(&m, path, stderr))
		goto out;
	*labels = calloc(m.ncells + 1, sizeof(**labels));
	if (!*labels)
		goto out;
	for (size_t i = 0; i < m.ncells; i++) {
		(*labels)[i] = strdup(m.cells[i].label);
		if (!(*labels)[i])
			goto out;
		*n = i + 1;
	}
	if (m.top.baseline[0])
		*baseline = strdup(m.top.baseline);
	rc = 0;
out:
	flb_matrix_free(&m);
	return rc;
}
