// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of `flushbench matrix` without QEMU: the loader (cells of
 * valid files; file:line:col and the message of each kind of bad input)
 * and the schedule (seeded rounds, each a permutation of the cells) and
 * the plan --dry-run prints.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "guest/matrix.h"
#include "guest/vm.h"

static char dir[64], top[PATH_MAX];

/* A directory holding a kernel image and two configs, made the cwd. */
static int setup(void **state)
{
	static const char *const files[] = { "bzImage", "a.yaml", "b.yaml" };

	(void)state;
	if (!getcwd(top, sizeof(top)))
		return -1;
	snprintf(dir, sizeof(dir), "/tmp/fbmx.XXXXXX");
	if (!mkdtemp(dir) || chdir(dir))
		return -1;
	for (size_t i = 0; i < 3; i++) {
		FILE *f = fopen(files[i], "w");

		if (!f)
			return -1;
		fputs("jobs: []\n", f);
		fclose(f);
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unlink("bzImage");
	unlink("a.yaml");
	unlink("b.yaml");
	unlink("m.yaml");
	if (chdir(top))
		return -1;
	return rmdir(dir);
}

/* Load body as m.yaml; its messages into msg. */
static int load(const char *body, struct flb_matrix *m, char *msg, size_t len)
{
	FILE *f = fopen("m.yaml", "w"), *err;
	int rc;

	assert_non_null(f);
	fputs(body, f);
	fclose(f);
	memset(m, 0, sizeof(*m));
	memset(msg, 0, len);
	err = fmemopen(msg, len, "w");
	assert_non_null(err);
	rc = flb_matrix_load(m, "m.yaml", err);
	fclose(err);
	return rc;
}

static void test_valid(void **state)
{
	static const char *const want[] = {
		"t/host/default/native/a", "t/host/default/native/b",
		"t/k/none/vm/a", "t/k/none/vm/b",
		"t/k/preempt=full/vm/a", "t/k/preempt=full/vm/b",
		"t/rt/none/vm/a", "t/rt/none/vm/b",
		"t/rt/preempt=full/vm/a", "t/rt/preempt=full/vm/b",
	};
	struct flb_matrix m;
	char msg[1024];

	(void)state;
	assert_int_equal(load("name: t\nrepeat: 2\nseed: 5\n"
			      "modes: [native, vm]\nconfigs: [a.yaml, b.yaml]\n"
			      "kernels:\n"
			      "  - {name: host, running: true}\n"
			      "  - {name: k, kernel: bzImage, headers: /h}\n"
			      "  - {debian: rt, arch: arm64}\n"
			      "cmdlines:\n"
			      "  - {name: none, append: preempt=none}\n"
			      "  - {append: preempt=full}\n"
			      "vm: {smp: 4, mem: 2G, timeout: 100, accel: tcg}\n",
			      &m, msg, sizeof(msg)), 0);
	assert_string_equal(msg, "");
	assert_int_equal(m.ncells, 10);
	for (size_t i = 0; i < m.ncells; i++)
		assert_string_equal(m.cells[i].label, want[i]);
	assert_true(m.cells[0].native);
	assert_false(m.cells[2].native);
	assert_string_equal(m.cells[9].config, "b.yaml");
	assert_string_equal(m.cells[9].c->append, "preempt=full");
	assert_string_equal(m.kernels[1].path, "bzImage");
	assert_string_equal(m.kernels[1].headers, "/h");
	assert_int_equal(m.kernels[2].debian, 2);	/* rt */
	assert_int_equal(m.kernels[2].arch, 2);		/* arm64 */
	assert_true(m.seeded);
	assert_int_equal(m.top.repeat, 2);
	assert_int_equal(m.top.seed, 5);
	assert_int_equal(m.top.smp, 4);
	assert_string_equal(m.top.mem, "2G");
	assert_int_equal(m.top.timeout, 100);
	assert_int_equal(m.top.accel, 2);		/* tcg */
	flb_matrix_free(&m);

	/*
	 * one image with and without an IOMMU: two kernels, two cells; the
	 * default name says which; direct on any arch (here this machine's)
	 */
	assert_int_equal(load("kernels:\n  - {debian: generic, arch: arm64}\n"
			      "  - {debian: generic, arch: arm64, iommu: smmuv3}\n"
			      "  - {name: d, kernel: bzImage, iommu: direct}\n"
			      "  - {debian: generic, arch: x86_64, iommu: intel}\n",
			      &m, msg, sizeof(msg)), 0);
	assert_string_equal(msg, "");
	assert_int_equal(m.ncells, 4);
	assert_string_equal(m.cells[0].label, "m/generic/default/vm/quick");
	assert_string_equal(m.cells[1].label, "m/generic+smmuv3/default/vm/quick");
	assert_string_equal(m.cells[2].label, "m/d/default/vm/quick");
	assert_string_equal(m.cells[3].label, "m/generic+intel/default/vm/quick");
	assert_string_equal(flb_vm_iommus[m.kernels[0].iommu], "none");
	assert_string_equal(flb_vm_iommus[m.kernels[1].iommu], "smmuv3");
	assert_string_equal(flb_vm_iommus[m.kernels[2].iommu], "direct");
	assert_string_equal(flb_vm_iommus[m.kernels[3].iommu], "intel");
	flb_matrix_free(&m);

	/* the defaults: name from the file, vm cells, configs/quick.yaml */
	assert_int_equal(load("kernels: [{debian: generic}]\n", &m, msg,
			      sizeof(msg)), 0);
	assert_int_equal(m.ncells, 1);
	assert_string_equal(m.cells[0].label, "m/generic/default/vm/quick");
	assert_false(m.seeded);
	assert_int_equal(m.top.repeat, 3);
	assert_int_equal(m.top.smp, 2);
	assert_string_equal(m.top.mem, "1G");
	flb_matrix_free(&m);
}

struct bad {
	const char *body, *want;
};

static void test_bad_input(void **state)
{
	static const struct bad cases[] = {
		{ "kernels: [{debian: generic}\n", "m.yaml:2:1: YAML syntax error: " },
		{ "", "m.yaml:1:1: empty matrix" },
		{ "- a\n", "m.yaml:1:1: a matrix is a mapping" },
		{ "repet: 3\nkernels: [{debian: generic}]\n",
		  "m.yaml:1:1: unknown key 'repet' in the matrix (did you mean 'repeat'?)" },
		{ "kernel: [{debian: generic}]\n",
		  "m.yaml:1:1: unknown key 'kernel' in the matrix (did you mean 'kernels'?)" },
		{ "kernels:\n  - {name: a, debain: generic}\n",
		  "m.yaml:2:15: unknown key 'debain' in a kernel (did you mean 'debian'?)" },
		{ "vm: {smpp: 2}\nkernels: [{debian: generic}]\n",
		  "m.yaml:1:6: unknown key 'smpp' in vm (did you mean 'smp'?)" },
		{ "cmdlines: [{apend: x}]\nkernels: [{debian: generic}]\n",
		  "m.yaml:1:13: unknown key 'apend' in a cmdline (did you mean 'append'?)" },
		{ "repeat: 0\nkernels: [{debian: generic}]\n",
		  "m.yaml:1:9: repeat: 0 is out of range [1, 1000]" },
		{ "repeat: [1]\nkernels: [{debian: generic}]\n",
		  "m.yaml:1:9: repeat: expected a whole number, found a list" },
		{ "kernels:\n  - {debian: generix}\n",
		  "m.yaml:2:14: debian: unknown value 'generix' (did you mean 'generic'?)" },
		{ "kernels: [{debian: generic}]\nkernels: [{debian: rt}]\n",
		  "m.yaml:2:1: duplicate key 'kernels' (first at line 1)" },
		{ "kernels:\n  - {debian: rt, debian: generic}\n",
		  "m.yaml:2:18: duplicate key 'debian' (first at line 2)" },
		{ "[a]: 1\n", "m.yaml:1:1: keys must be plain names, found a list" },
		{ "kernels: {debian: generic}\n", "m.yaml:1:10: kernels: expected a list" },
		{ "kernels: []\n", "m.yaml:1:10: kernels: empty list" },
		{ "vm: 3\nkernels: [{debian: generic}]\n",
		  "m.yaml:1:5: vm: expected a mapping, found a value" },
		{ "modes: [vn]\nkernels: [{debian: generic}]\n",
		  "m.yaml:1:9: modes: unknown mode 'vn' (native or vm)" },
		{ "configs: [[a.yaml]]\nkernels: [{debian: generic}]\n",
		  "m.yaml:1:11: configs: expected a value" },
		{ "kernels:\n  - {name: a}\n",
		  "m.yaml:2:5: a kernel wants exactly one of kernel: PATH, debian: FLAVOUR, build: ARGS or running: true" },
		{ "kernels:\n  - {build: --debian-source}\n",
		  "m.yaml:2:5: a kernel with build: needs a name:" },
		{ "kernels:\n  - {name: a/b, debian: rt}\n",
		  "m.yaml:2:5: kernel name 'a/b': no '/' or '@'" },
		{ "kernels:\n  - {name: a, build: \"--patch 'x y'\"}\n",
		  "m.yaml:2:5: build: arguments are split at spaces: no quotes" },
		{ "modes: [native]\nkernels:\n  - {running: true, append: x=1}\n",
		  "m.yaml:3:5: append: the running kernel's command line is the one it booted with" },
		/* iommu: a model QEMU has, on the machine type of the kernel's arch */
		{ "kernels:\n  - {debian: generic, arch: x86_64, iommu: vtd}\n",
		  "m.yaml:2:44: iommu: unknown value 'vtd'; one of: none smmuv3 intel direct" },
		{ "kernels:\n  - {debian: generic, arch: x86_64, iommu: smmuv}\n",
		  "m.yaml:2:44: iommu: unknown value 'smmuv' (did you mean 'smmuv3'?)" },
		{ "kernels:\n  - {debian: generic, arch: x86_64, iommu: smmuv3}\n",
		  "m.yaml:2:44: iommu: smmuv3 is an IOMMU of arm64 guests, and this kernel's arch is x86_64: give arch: arm64, or iommu: direct" },
		{ "kernels:\n  - {debian: generic, arch: arm64,\n     iommu: intel}\n",
		  "m.yaml:3:13: iommu: intel is an IOMMU of x86_64 guests, and this kernel's arch is arm64: give arch: x86_64, or iommu: direct" },
		{ "modes: [native]\nkernels:\n  - {running: true, iommu: direct}\n",
		  "m.yaml:3:28: iommu: the running kernel has this machine's devices, not a guest's" },
		{ "kernels:\n  - {name: k, debian: generic}\n  - {name: k, debian: generic, iommu: direct}\n",
		  "m.yaml:3:5: two kernels named 'k'" },
		/* the duet design */
		{ "design: duel\nkernels: [{debian: rt}]\n",
		  "m.yaml:1:9: design: unknown value 'duel' (did you mean 'duet'?)" },
		{ "design: duet\nkernels: [{debian: rt}, {debian: generic}]\n",
		  "m.yaml:1:1: design: duet needs baseline: KERNEL" },
		{ "design: duet\nbaseline: bse\nkernels: [{name: base, debian: rt}, {debian: generic}]\n",
		  "m.yaml:2:11: baseline: no kernel named 'bse'" },
		{ "baseline: rt2\nkernels: [{debian: rt}, {debian: generic}]\n",
		  "m.yaml:1:11: baseline: no kernel named 'rt2'" },
		{ "design: duet\nbaseline: rt\nkernels: [{debian: rt}]\n",
		  "m.yaml:2:11: design: duet needs a kernel besides the baseline" },
		{ "design: duet\nbaseline: rt\nmodes: [native, vm]\nkernels: [{debian: rt}, {debian: generic}]\n",
		  "m.yaml:1:1: design: duet runs guests: modes: [vm] only" },
		{ "design: duet\nbaseline: rt\nkernels:\n  - {debian: rt, arch: arm64}\n  - {debian: generic, arch: x86_64}\n",
		  "m.yaml:5:5: kernel 'generic': arch x86_64, the baseline's is arm64" },
		{ "design: duet\nbaseline: rt\nkernels:\n  - {debian: rt}\n  - {running: true}\n",
		  "m.yaml:5:5: kernel 'running': design: duet runs guests, not the running kernel" },
		{ "kernels:\n  - {kernel: bzImage, debian: rt}\n",
		  "m.yaml:2:5: a kernel wants exactly one of" },
		{ "kernels:\n  - {kernel: nosuch}\n",
		  "m.yaml:2:5: kernel nosuch: No such file or directory" },
		{ "configs: [nosuch.yaml]\nkernels: [{debian: generic}]\n",
		  "m.yaml:1:11: config nosuch.yaml: No such file or directory" },
		{ "kernels:\n  - {debian: generic}\n  - {debian: generic}\n",
		  "m.yaml:3:5: two kernels named 'generic'" },
		{ "kernels: [{debian: rt}]\ncmdlines: [{append: x}, {name: x}]\n",
		  "m.yaml:2:25: two cmdlines named 'x'" },
		{ "name: x\n", "m.yaml:1:1: no kernels: list at least one under 'kernels:'" },
		{ "modes: [native]\nkernels: [{debian: generic}]\n",
		  "m.yaml:1:1: no cells: native cells need a kernel with 'running: true'" },
		{ "kernels: [{debian: generic}]\nconfigs: [a.yaml, ./a.yaml]\n",
		  "m.yaml:1:1: two cells would share the label 'm/generic/default/vm/a'" },
	};
	struct flb_matrix m;
	char msg[2048], many[1024] = "kernels: [{debian: rt}]\nconfigs: [";

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = load(cases[i].body, &m, msg, sizeof(msg));

		if (rc != -1 || !strstr(msg, cases[i].want))
			fail_msg("case %zu: rc %d, want '%s', got '%s'", i, rc,
				 cases[i].want, msg);
		flb_matrix_free(&m);
	}
	/* more entries than a dimension holds */
	for (int i = 0; i < FLB_MX_MAX + 1; i++)
		strcat(many, i ? ", a.yaml" : "a.yaml");
	strcat(many, "]\n");
	assert_int_equal(load(many, &m, msg, sizeof(msg)), -1);
	assert_non_null(strstr(msg, "m.yaml:2:10: configs: more than 32 entries"));
	flb_matrix_free(&m);
	/* a file that is not there */
	memset(&m, 0, sizeof(m));
	memset(msg, 0, sizeof(msg));
	{
		FILE *err = fmemopen(msg, sizeof(msg), "w");

		assert_int_equal(flb_matrix_load(&m, "nosuch.yaml", err), -1);
		fclose(err);
	}
	assert_non_null(strstr(msg, "nosuch.yaml: cannot read: No such file"));
	flb_matrix_free(&m);
}

static const char five[] =
	"kernels: [{debian: generic}]\nrepeat: 20\n"
	"cmdlines: [{append: a}, {append: b}, {append: c}, {append: d}, {append: e}]\n";

static void test_schedule(void **state)
{
	struct flb_matrix m;
	char msg[512];
	size_t *o1, *o2, *o3, n, r;
	bool shuffled = false;

	(void)state;
	assert_int_equal(load(five, &m, msg, sizeof(msg)), 0);
	n = m.ncells;
	r = m.top.repeat;
	assert_int_equal(n, 5);
	m.top.seed = 42;
	o1 = flb_matrix_schedule(&m);
	o2 = flb_matrix_schedule(&m);
	m.top.seed = 43;
	o3 = flb_matrix_schedule(&m);
	assert_non_null(o1);
	assert_non_null(o2);
	assert_non_null(o3);
	/* the same seed, the same order; another seed, another */
	assert_memory_equal(o1, o2, n * r * sizeof(*o1));
	assert_memory_not_equal(o1, o3, n * r * sizeof(*o1));
	/* every cell once per round, and the rounds are shuffled */
	for (size_t k = 0; k < r; k++) {
		unsigned int seen = 0;

		for (size_t i = 0; i < n; i++) {
			size_t c = o1[k * n + i];

			assert_true(c < n);
			seen |= 1u << c;
			shuffled |= c != i;
		}
		assert_int_equal(seen, (1u << n) - 1);
	}
	assert_true(shuffled);
	free(o1);
	free(o2);
	free(o3);
	flb_matrix_free(&m);
}

/* design: duet: every other kernel's cell, then the baseline's as its side a */
static void test_duet(void **state)
{
	static const char *const want[] = {
		"d/v2/none/vm/a", "d/base@v2/none/vm/a",
		"d/v2/full/vm/a", "d/base@v2/full/vm/a",
		"d/off/none/vm/a", "d/base@off/none/vm/a",
		"d/off/full/vm/a", "d/base@off/full/vm/a",
	};
	struct flb_matrix m;
	char msg[1024], *out = NULL;
	size_t len = 0, *o;
	FILE *f;

	(void)state;
	assert_int_equal(load("name: d\ndesign: duet\nbaseline: base\nrepeat: 3\n"
			      "rounds: 4\nruns: 1\nseed: 7\nconfigs: [a.yaml]\n"
			      "kernels:\n"
			      "  - {name: base, build: --debian-source, arch: arm64}\n"
			      "  - {name: v2, build: --debian-source --patch p, arch: arm64,\n"
			      "     append: tlbflush_local=v2}\n"
			      "  - {name: off, kernel: bzImage, arch: arm64, append: tlbflush_local=off,\n"
			      "     iommu: smmuv3}\n"
			      "cmdlines:\n"
			      "  - {name: none, append: preempt=none}\n"
			      "  - {name: full, append: preempt=full}\n",
			      &m, msg, sizeof(msg)), 0);
	assert_string_equal(msg, "");
	assert_int_equal(m.top.design, FLB_MX_DUET);
	assert_int_equal(m.top.rounds, 4);
	assert_int_equal(m.top.runs, 1);
	assert_int_equal(m.ncells, 8);
	for (size_t i = 0; i < m.ncells; i++)
		assert_string_equal(m.cells[i].label, want[i]);
	assert_int_equal(m.nduets, 4);
	assert_int_equal(flb_matrix_units(&m), 4);
	for (size_t i = 0; i < m.nduets; i++) {
		const struct flb_mx_cell *a = &m.cells[m.duets[i].a];
		const struct flb_mx_cell *b = &m.cells[m.duets[i].b];

		/* side a: the baseline, the same cmdline and config as side b */
		assert_string_equal(a->k->name, "base");
		assert_ptr_equal(a->c, b->c);
		assert_ptr_equal(a->config, b->config);
		assert_string_not_equal(b->k->name, "base");
	}
	assert_string_equal(m.cells[m.duets[0].b].k->append, "tlbflush_local=v2");
	assert_string_equal(m.kernels[1].build, "--debian-source --patch p");
	/* the schedule permutes the duets, round by round */
	o = flb_matrix_schedule(&m);
	assert_non_null(o);
	for (size_t r = 0; r < 3; r++) {
		unsigned int seen = 0;

		for (size_t i = 0; i < 4; i++)
			seen |= 1u << o[r * 4 + i];
		assert_int_equal(seen, 0xf);
	}
	f = open_memstream(&out, &len);
	flb_matrix_plan(&m, o, f);
	fclose(f);
	assert_non_null(strstr(out, "matrix d: 4 duets x 3 slots of 4 rounds (1 runs a guest each), seed 7\n"
				"  duet 0: a d/base@v2/none/vm/a | b d/v2/none/vm/a\n"));
	assert_non_null(strstr(out, "  kernel v2: flushbench kernel build --arch arm64 --debian-source --patch p\n"));
	/* a side's IOMMU: its kernel's, in the plan too */
	assert_string_equal(flb_vm_iommus[m.cells[m.duets[2].b].k->iommu], "smmuv3");
	assert_string_equal(flb_vm_iommus[m.cells[m.duets[2].a].k->iommu], "none");
	assert_non_null(strstr(out, "  kernel off: --iommu smmuv3\n"));
	free(out);
	free(o);
	flb_matrix_free(&m);
}

/* interleaved with a baseline: every other kernel's cell paired with it */
static void test_baseline_pairs(void **state)
{
	struct flb_matrix m;
	char msg[512];

	(void)state;
	assert_int_equal(load("baseline: b\nconfigs: [a.yaml, b.yaml]\n"
			      "kernels: [{name: k, debian: rt}, {name: b, debian: generic},\n"
			      "          {name: j, kernel: bzImage}]\n"
			      "cmdlines: [{append: x}, {append: y}]\n", &m, msg, sizeof(msg)), 0);
	assert_string_equal(msg, "");
	assert_int_equal(m.top.design, FLB_MX_INTERLEAVED);
	assert_int_equal(m.ncells, 12);
	assert_int_equal(flb_matrix_units(&m), 12);
	assert_int_equal(m.nduets, 8);		/* k and j x 2 cmdlines x 2 configs */
	for (size_t i = 0; i < m.nduets; i++) {
		const struct flb_mx_cell *a = &m.cells[m.duets[i].a];
		const struct flb_mx_cell *b = &m.cells[m.duets[i].b];

		assert_string_equal(a->k->name, "b");
		assert_string_not_equal(b->k->name, "b");
		assert_ptr_equal(a->c, b->c);
		assert_ptr_equal(a->config, b->config);
	}
	flb_matrix_free(&m);
	/* --design overrides the file's */
	memset(&m, 0, sizeof(m));
	m.design = "duet";
	{
		FILE *f = fopen("m.yaml", "w"), *err = fopen("/dev/null", "w");

		assert_non_null(f);
		fputs("baseline: b\nkernels: [{name: k, debian: rt}, {name: b, debian: generic}]\n", f);
		fclose(f);
		assert_int_equal(flb_matrix_load(&m, "m.yaml", err), 0);
		fclose(err);
	}
	assert_int_equal(m.top.design, FLB_MX_DUET);
	assert_int_equal(m.nduets, 1);
	assert_string_equal(m.cells[m.duets[0].a].label, "m/b@k/default/vm/quick");
	flb_matrix_free(&m);
}

static void test_plan(void **state)
{
	struct flb_matrix m;
	char msg[512], *out = NULL, want[1024];
	size_t len = 0, *o;
	FILE *f;
	int w;

	(void)state;
	assert_int_equal(load("name: p\nrepeat: 2\nseed: 9\n"
			      "kernels: [{debian: generic}]\nconfigs: [a.yaml, b.yaml]\n",
			      &m, msg, sizeof(msg)), 0);
	o = flb_matrix_schedule(&m);
	assert_non_null(o);
	f = open_memstream(&out, &len);
	flb_matrix_plan(&m, o, f);
	fclose(f);
	w = snprintf(want, sizeof(want),
		     "matrix p: 2 cells x 2 runs, seed 9\n"
		     "  cell 0: p/generic/default/vm/a\n"
		     "  cell 1: p/generic/default/vm/b\n"
		     "order:");
	for (size_t i = 0; i < 4; i++)
		w += snprintf(want + w, sizeof(want) - w, " %zu", o[i]);
	snprintf(want + w, sizeof(want) - w, "\n");
	assert_string_equal(out, want);
	free(out);
	free(o);
	flb_matrix_free(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_schedule),
		cmocka_unit_test(test_plan),
		cmocka_unit_test(test_duet),
		cmocka_unit_test(test_baseline_pairs),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
