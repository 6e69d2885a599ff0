// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz target: the suite loader, bench/config.h flb_config_load, on any
 * bytes as a suite file. Either a suite with jobs, resolved text and its
 * hash and no message, or -1 with messages that each name the file and a
 * :LINE:COL: (the loader's contract, bench/config.h), the suite zeroed;
 * nothing leaked either way (LeakSanitizer).
 *
 * The loader's messages without a position, which this target does not
 * reach and config_errors.sh accepts as they are: "PATH: cannot read:
 * ..." (no file, so no line), "PATH: out of memory", and those of --only
 * (command-line names, not the file's; only is NULL here).
 */
#include "config.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_load l;
	struct flb_suite s;
	int rc;

	fz_load_begin(&l, ".yaml", data, size);
	rc = flb_config_load(l.path, NULL, 0, &s, l.err);
	fflush(l.err);
	if (rc == 0) {
		if (!s.njobs || !s.jobs || !s.resolved || strlen(s.hash) != 16)
			fz_fail("config: loaded a suite without jobs or resolved text");
		for (size_t i = 0; i < s.njobs; i++)
			if (!s.jobs[i].wl || !s.jobs[i].params_text)
				fz_fail("config: job %zu has no workload or params", i);
		flb_config_free(&s);
	} else {
		if (rc != -1)
			fz_fail("config: returned %d", rc);
		fz_check_positions("config", l.path, l.msgs);
		if (s.jobs || s.njobs || s.resolved || s.path)
			fz_fail("config: a failed load left the suite filled");
	}
	fz_load_end(&l);
	return 0;
}
