// SPDX-License-Identifier: GPL-2.0
/*
 * Environment capture: the keys every run must carry, the key/value store,
 * and the parsers (preemption model, [active] choices, hypervisor names)
 * on sample strings from real kernels.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "env.h"

static void test_capture_required_keys(void **state)
{
	static const char *const keys[] = {
		"kernel.release", "kernel.version", "kernel.cmdline",
		"kernel.preempt", "kernel.preempt.source", "virt", "virt.source", "kmod.hypervisor",
		"kmod.clock", "iommu.units", "iommu.strict", "iommu.passthrough",
		"iommu.flushbench",
		"cpu.model", "cpu.count", "thp.enabled", "thp.defrag", "aslr",
		"cpufreq.governor", "hostname", "boot_id", "flushbench.rev",
	};
	struct flb_env env;
	const char *v;
	size_t i;

	(void)state;
	assert_int_equal(flb_env_capture(&env), 0);
	for (i = 0; i < env.n; i++)
		print_message("# %s = %s\n", env.kv[i].key, env.kv[i].value);
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		v = flb_env_get(&env, keys[i]);
		if (!v || !*v)
			fail_msg("key %s missing or empty", keys[i]);
	}
	/* the THP mode is the bracketed choice, not the whole list */
	assert_null(strchr(flb_env_get(&env, "thp.enabled"), '['));
	assert_true(strcmp(flb_env_get(&env, "cpu.count"), "0") != 0);
	flb_env_free(&env);
	assert_int_equal(env.n, 0);
}

static void test_set_get_replace(void **state)
{
	struct flb_env env = { 0 };

	(void)state;
	assert_null(flb_env_get(&env, "a"));
	assert_int_equal(flb_env_set(&env, "a", "%d", 1), 0);
	assert_int_equal(flb_env_set(&env, "b", "%s-%s", "x", "y"), 0);
	assert_string_equal(flb_env_get(&env, "a"), "1");
	assert_string_equal(flb_env_get(&env, "b"), "x-y");
	assert_int_equal(flb_env_set(&env, "a", "two"), 0);
	assert_string_equal(flb_env_get(&env, "a"), "two");
	assert_int_equal(env.n, 2);
	flb_env_free(&env);
}

static void test_parse_active(void **state)
{
	char buf[32];

	(void)state;
	assert_int_equal(flb_env_parse_active("always [madvise] never", '[', ']',
					     buf, sizeof(buf)), 0);
	assert_string_equal(buf, "madvise");
	assert_int_equal(flb_env_parse_active("always defer defer+madvise [madvise] never",
					     '[', ']', buf, sizeof(buf)), 0);
	assert_string_equal(buf, "madvise");
	assert_int_equal(flb_env_parse_active("always madvise never", '[', ']',
					     buf, sizeof(buf)), -1);
	assert_int_equal(flb_env_parse_active("[]", '[', ']', buf, sizeof(buf)), -1);
}

static void test_parse_preempt(void **state)
{
	static const struct {
		const char *sched, *version, *cmdline, *model, *source;
	} cases[] = {
		{ "none (voluntary) full", "#1 SMP PREEMPT_DYNAMIC", NULL,
		  "voluntary", "sched/preempt" },
		{ "none voluntary (full) lazy\n", "#1 SMP PREEMPT_DYNAMIC", NULL,
		  "full", "sched/preempt" },
		{ NULL, "#1 SMP PREEMPT_RT Debian 6.1.76-1 (2024-02-01)", NULL,
		  "PREEMPT_RT", "version" },
		{ NULL, "#1 SMP PREEMPT RT Mon Jan 1 2018", NULL,
		  "PREEMPT_RT", "version" },
		{ NULL, "#1 SMP PREEMPT_DYNAMIC Debian 6.1.0-18", NULL,
		  "PREEMPT_DYNAMIC", "version" },
		{ NULL, "#1 SMP PREEMPT_DYNAMIC", "quiet preempt=full ro",
		  "full", "cmdline" },
		{ NULL, "#1 SMP PREEMPT_DYNAMIC", "quiet -- preempt=full",
		  "PREEMPT_DYNAMIC", "version" },
		{ NULL, "#1 SMP PREEMPT Tue Mar 3", "preempt=none",
		  "PREEMPT", "version" },
		{ NULL, "#1 SMP Tue Mar 3", NULL, "unknown", "version" },
		{ "garbage", "#1 SMP PREEMPT_DYNAMIC", NULL,
		  "PREEMPT_DYNAMIC", "version" },
		{ NULL, NULL, NULL, "unknown", "version" },
	};
	const char *src;
	char buf[64];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		src = flb_env_parse_preempt(cases[i].sched, cases[i].version,
					   cases[i].cmdline, buf, sizeof(buf));
		if (strcmp(buf, cases[i].model) || !strstr(src, cases[i].source))
			fail_msg("case %zu (%s | %s | %s): got '%s' from '%s', wanted '%s' from %s",
				 i, cases[i].sched, cases[i].version, cases[i].cmdline,
				 buf, src, cases[i].model, cases[i].source);
	}
}

static void test_hypervisor_names(void **state)
{
	char kvm[13] = { 'K', 'V', 'M', 'K', 'V', 'M', 'K', 'V', 'M', 0, 0, 0, 0 };

	(void)state;
	assert_string_equal(flb_env_hypervisor_cpuid(kvm), "kvm");
	assert_string_equal(flb_env_hypervisor_cpuid("TCGTCGTCGTCG"), "qemu-tcg");
	assert_string_equal(flb_env_hypervisor_cpuid("Microsoft Hv"), "hyperv");
	assert_string_equal(flb_env_hypervisor_cpuid("XenVMMXenVMM"), "xen");
	assert_null(flb_env_hypervisor_cpuid("GenuineIntel"));
	assert_string_equal(flb_env_hypervisor_dmi("QEMU", "Standard PC (Q35 + ICH9, 2009)"), "qemu");
	assert_string_equal(flb_env_hypervisor_dmi("Microsoft Corporation", "Virtual Machine"), "hyperv");
	assert_string_equal(flb_env_hypervisor_dmi("VMware, Inc.", "VMware Virtual Platform"), "vmware");
	assert_string_equal(flb_env_hypervisor_dmi("Amazon EC2", "m7g.large"), "amazon");
	assert_null(flb_env_hypervisor_dmi("Amazon EC2", "m7g.metal"));
	assert_null(flb_env_hypervisor_dmi("Dell Inc.", "PowerEdge R750"));
	assert_null(flb_env_hypervisor_dmi(NULL, NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_capture_required_keys),
		cmocka_unit_test(test_set_get_replace),
		cmocka_unit_test(test_parse_active),
		cmocka_unit_test(test_parse_preempt),
		cmocka_unit_test(test_hypervisor_names),
	};

	return cmocka_run_group_tests_name("env", tests, NULL, NULL);
}
