// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz target: the matrix loader, guest/matrix.h flb_matrix_load, on any
 * bytes as a matrix file (run from the tree: configs/ paths resolve).
 * Either cells and no message, and a schedule whose every round is a
 * permutation of the units; or -1 with messages that each name the file
 * and a :LINE:COL:. flb_matrix_free() after either; nothing leaked.
 */
#include "matrix.h"
#include "fuzz.h"

static void check_schedule(const struct flb_matrix *m)
{
	size_t n = flb_matrix_units(m), *order;
	unsigned char *seen;

	if (!n)
		fz_fail("matrix: loaded with no units to schedule");
	if (n * m->top.repeat > 1000000)	/* the fuzzer's memory */
		return;
	order = flb_matrix_schedule(m);
	seen = malloc(n);
	if (!order || !seen)
		abort();
	for (uint64_t r = 0; r < m->top.repeat; r++) {
		memset(seen, 0, n);
		for (size_t i = 0; i < n; i++) {
			size_t u = order[r * n + i];

			if (u >= n || seen[u]++)
				fz_fail("matrix: round %llu of the schedule is not a permutation",
					(unsigned long long)r);
		}
	}
	free(seen);
	free(order);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_load l;
	struct flb_matrix m;
	int rc;

	fz_load_begin(&l, ".yaml", data, size);
	memset(&m, 0, sizeof(m));
	rc = flb_matrix_load(&m, l.path, l.err);
	fflush(l.err);
	if (rc == 0) {
		if (!m.ncells || !m.cells || !m.nkernels)
			fz_fail("matrix: loaded without cells or kernels");
		if (l.mlen)
			fz_fail("matrix: loaded, but said: %s", l.msgs);
		for (size_t i = 0; i < m.ncells; i++)
			if (!m.cells[i].label[0])
				fz_fail("matrix: cell %zu has no label", i);
		check_schedule(&m);
	} else {
		if (rc != -1)
			fz_fail("matrix: returned %d", rc);
		fz_check_positions("matrix", l.path, l.msgs);
	}
	flb_matrix_free(&m);
	fz_load_end(&l);
	return 0;
}
