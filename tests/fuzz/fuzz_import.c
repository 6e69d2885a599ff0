// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz target: what `flushbench import` makes of a source's bytes,
 * guest/import.h flb_import_check_bytes (the function check_source
 * calls): the store / text log / binary data classification, a LAVA job
 * log's target lines (libyaml events), the FB-LAVA keys and the frame's
 * decoding. A success is a store (SQLite's header) or a log with a store
 * in it; the keys are lab.* and at most FLB_IMPORT_KEYS; a rejection says
 * why and holds nothing (LeakSanitizer).
 */
#include "import.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* NUL-terminated, as flb_slurp leaves a file */
	char *buf = fz_strndup(data, size), why[1024] = "";
	struct flb_import_bytes b;
	int rc = flb_import_check_bytes(buf, size, &b, why, sizeof(why));

	if (b.extra.n > FLB_IMPORT_KEYS)
		fz_fail("import: %zu keys", b.extra.n);
	for (size_t i = 0; i < b.extra.n; i++)
		if (strncmp(b.extra.kv[i].key, "lab.", 4) || !b.extra.kv[i].value[0])
			fz_fail("import: key '%s' = '%s'", b.extra.kv[i].key,
				b.extra.kv[i].value);
	if (rc == 0) {
		bool store = !strcmp(b.kind, "store");

		if (store != (size >= 16 && !memcmp(data, "SQLite format 3", 16)))
			fz_fail("import: kind '%s' for bytes that %s SQLite's header",
				b.kind, store ? "lack" : "have");
		if (store != !b.store)
			fz_fail("import: kind '%s' %s a decoded store", b.kind,
				b.store ? "with" : "without");
		if (!store && strcmp(b.kind, "LAVA log") && strcmp(b.kind, "console log"))
			fz_fail("import: kind '%s'", b.kind);
		free(b.store);
	} else {
		if (rc != -1 && rc != -2)
			fz_fail("import: returned %d", rc);
		if (b.store)
			fz_fail("import: a rejection kept a decoded store");
		if (!why[0])
			fz_fail("import: a rejection without a reason");
	}
	free(buf);
	return 0;
}
