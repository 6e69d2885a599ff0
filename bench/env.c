// SPDX-License-Identifier: GPL-2.0
/*
 * Environment of a run: what the kernel, the CPU and the hypervisor say
 * about themselves, captured once per run so that two results can be told
 * apart (a preemption model, a THP mode or a mitigation changes what a TLB
 * flush costs).  A file that is absent gives "unknown" or "none", never an
 * error: only running out of memory fails.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "env.h"
#include "util.h"

#ifndef FLB_GIT_REV
#define FLB_GIT_REV "unknown"
#endif

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* ---- key/value store ----------------------------------------------------- */

static struct flb_kv *env_find(const struct flb_env *env, const char *key)
{
	size_t i;

	for (i = 0; i < env->n; i++)
		if (!strcmp(env->kv[i].key, key))
			return &env->kv[i];
	return NULL;
}

int flb_env_set(struct flb_env *env, const char *key, const char *fmt, ...)
{
	struct flb_kv *kv;
	char *value;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&value, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -1;
	kv = env_find(env, key);
	if (kv) {
		free(kv->value);
		kv->value = value;
		return 0;
	}
	kv = realloc(env->kv, (env->n + 1) * sizeof(*kv));
	if (!kv)
		goto err_free_value;
	env->kv = kv;
	kv = &env->kv[env->n];
	kv->key = strdup(key);
	if (!kv->key)
		goto err_free_value;
	kv->value = value;
	env->n++;
	return 0;
err_free_value:
	free(value);
	return -1;
}

const char *flb_env_get(const struct flb_env *env, const char *key)
{
	const struct flb_kv *kv = env_find(env, key);

	return kv ? kv->value : NULL;
}

void flb_env_free(struct flb_env *env)
{
	size_t i;

	for (i = 0; i < env->n; i++) {
		free(env->kv[i].key);
		free(env->kv[i].value);
	}
	free(env->kv);
	env->kv = NULL;
	env->n = 0;
}

/* ---- parsers ------------------------------------------------------------- */

int flb_env_parse_active(const char *text, char open, char close, char *buf,
			size_t len)
{
	const char *s = text ? strchr(text, open) : NULL;
	const char *e = s ? strchr(s + 1, close) : NULL;

	if (!e || e == s + 1)
		return -1;
	snprintf(buf, len, "%.*s", (int)(e - s - 1), s + 1);
	return 0;
}

/* The value of "name=" among the kernel's own parameters of cmdline. */
static int cmdline_param(const char *cmdline, const char *name, char *buf,
			 size_t len)
{
	size_t nlen = strlen(name), wlen;
	const char *p = cmdline;

	while (*p) {
		p += strspn(p, " \t\n");
		wlen = strcspn(p, " \t\n");
		if (wlen == 2 && !strncmp(p, "--", 2))
			break;		/* the rest belongs to init */
		if (wlen > nlen && !strncmp(p, name, nlen) && p[nlen] == '=') {
			snprintf(buf, len, "%.*s", (int)(wlen - nlen - 1),
				 p + nlen + 1);
			return 0;
		}
		p += wlen;
	}
	return -1;
}

/* PREEMPT_RT, PREEMPT_DYNAMIC or PREEMPT from "#1 SMP PREEMPT_DYNAMIC ...". */
static const char *version_preempt(const char *version)
{
	const char *best = "unknown", *p = version;
	size_t wlen;
	bool after_preempt = false;

	while (p && *p) {
		p += strspn(p, " \t\n");
		wlen = strcspn(p, " \t\n");
#define WORD_IS(w)	(wlen == strlen(w) && !strncmp(p, w, wlen))
		if (WORD_IS("PREEMPT_RT") || (after_preempt && WORD_IS("RT")))
			return "PREEMPT_RT";	/* "PREEMPT RT" before 5.x */
		if (WORD_IS("PREEMPT_DYNAMIC"))
			best = "PREEMPT_DYNAMIC";
		else if (WORD_IS("PREEMPT") && strcmp(best, "PREEMPT_DYNAMIC"))
			best = "PREEMPT";
		after_preempt = WORD_IS("PREEMPT");
#undef WORD_IS
		p += wlen;
	}
	return best;
}

const char *flb_env_parse_preempt(const char *sched_preempt, const char *version,
				 const char *cmdline, char *buf, size_t len)
{
	const char *model;

	if (sched_preempt && !flb_env_parse_active(sched_preempt, '(', ')', buf, len))
		return "/sys/kernel/debug/sched/preempt";
	model = version_preempt(version);
	if (!strcmp(model, "PREEMPT_DYNAMIC") && cmdline &&
	    !cmdline_param(cmdline, "preempt", buf, len))
		return "/proc/cmdline preempt= (PREEMPT_DYNAMIC kernel)";
	snprintf(buf, len, "%s", model);
	return "kernel version string";
}

static const struct {
	const char *sig;	/* up to 12 bytes, NUL-padded */
	const char *name;
} cpuid_hypervisors[] = {
	{ "KVMKVMKVM",		"kvm" },
	{ "TCGTCGTCGTCG",	"qemu-tcg" },
	{ "Microsoft Hv",	"hyperv" },
	{ "VMwareVMware",	"vmware" },
	{ "XenVMMXenVMM",	"xen" },
	{ "VBoxVBoxVBox",	"virtualbox" },
	{ "ACRNACRNACRN",	"acrn" },
	{ "bhyve bhyve ",	"bhyve" },
	{ " lrpepyh  vr",	"parallels" },
	{ "QNXQVMBSQG",		"qnx" },
	{ "Jailhouse",		"jailhouse" },
};

const char *flb_env_hypervisor_cpuid(const char *sig)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cpuid_hypervisors); i++)
		if (!strncmp(sig, cpuid_hypervisors[i].sig, 12))
			return cpuid_hypervisors[i].name;
	return NULL;
}

static const struct {
	const char *vendor;	/* substring of sys_vendor, or NULL */
	const char *product;	/* substring of product_name, or NULL */
	const char *name;
} dmi_hypervisors[] = {
	{ NULL,			"KVM",			"kvm" },
	{ "QEMU",		NULL,			"qemu" },
	{ "VMware",		NULL,			"vmware" },
	{ "Microsoft",		"Virtual Machine",	"hyperv" },
	{ "innotek",		NULL,			"virtualbox" },
	{ NULL,			"VirtualBox",		"virtualbox" },
	{ "Xen",		NULL,			"xen" },
	{ "Parallels",		NULL,			"parallels" },
	{ "BHYVE",		NULL,			"bhyve" },
	{ "Google",		"Compute Engine",	"google" },
	{ "OpenStack",		NULL,			"openstack" },
	{ "Amazon EC2",		NULL,			"amazon" },
	{ "Apple Inc.",		"Virtual",		"apple-virtualization" },
};

const char *flb_env_hypervisor_dmi(const char *vendor, const char *product)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(dmi_hypervisors); i++) {
		const char *v = dmi_hypervisors[i].vendor;
		const char *p = dmi_hypervisors[i].product;

		if (v && (!vendor || !strcasestr(vendor, v)))
			continue;
		if (p && (!product || !strcasestr(product, p)))
			continue;
		/* an EC2 bare-metal instance is no guest */
		if (!strcmp(dmi_hypervisors[i].name, "amazon") && product &&
		    strstr(product, "metal"))
			continue;
		return dmi_hypervisors[i].name;
	}
	return NULL;
}

/* ---- reading the machine ------------------------------------------------- */

/* Content of path without trailing white space (malloc'ed), or NULL. */
static char *slurp(const char *path, size_t *lenp)
{
	size_t len;
	char *buf = flb_slurp(path, &len);

	if (!buf)
		return NULL;
	if (lenp)
		*lenp = len;
	while (len && isspace((unsigned char)buf[len - 1]))
		len--;
	buf[len] = '\0';
	return buf;
}

/* key = first line of path, or dflt when it cannot be read. */
static int set_from_file(struct flb_env *env, const char *key, const char *path,
			 const char *dflt)
{
	char *s = slurp(path, NULL);
	int err;

	if (s)
		s[strcspn(s, "\n")] = '\0';
	err = flb_env_set(env, key, "%s", s && *s ? s : dflt);
	free(s);
	return err;
}

/* key = the [active] choice of a sysfs list. */
static int set_active(struct flb_env *env, const char *key, const char *path)
{
	char *s = slurp(path, NULL), buf[64];
	int err;

	if (!s)
		return flb_env_set(env, key, "%s", access(path, F_OK) ? "none" : "unknown");
	err = flb_env_set(env, key, "%s",
			 flb_env_parse_active(s, '[', ']', buf, sizeof(buf)) ? s : buf);
	free(s);
	return err;
}

static int capture_preempt(struct flb_env *env, const char *version)
{
	char *sched = slurp("/sys/kernel/debug/sched/preempt", NULL);
	char *cmdline = slurp("/proc/cmdline", NULL);
	char model[64];
	const char *src;
	int err;

	src = flb_env_parse_preempt(sched, version, cmdline, model, sizeof(model));
	err = flb_env_set(env, "kernel.preempt", "%s", model);
	err |= flb_env_set(env, "kernel.preempt.source", "%s", src);
	free(sched);
	free(cmdline);
	return err;
}

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>

/* The hypervisor's cpuid signature, if cpuid says there is one. */
static bool cpuid_signature(char sig[13])
{
	unsigned int a, b, c, d;

	if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & (1u << 31)))
		return false;
	__cpuid(0x40000000, a, b, c, d);
	memcpy(sig, &b, 4);
	memcpy(sig + 4, &c, 4);
	memcpy(sig + 8, &d, 4);
	sig[12] = '\0';
	return true;
}
#else
static bool cpuid_signature(char sig[13])
{
	(void)sig;
	return false;
}
#endif

/* Does a device-tree "compatible" list hold what (NULL: anything)? */
static bool dt_compatible(const char *path, const char *what)
{
	size_t len, off;
	char *s = slurp(path, &len);
	bool found = false;

	for (off = 0; s && off < len; off += strlen(s + off) + 1)
		if (what ? !strcmp(s + off, what) : !!s[off])
			found = true;
	free(s);
	return found;
}

static int capture_virt(struct flb_env *env)
{
	char sig[13], *vendor, *product, *type;
	const char *name = NULL, *src = NULL;
	char srcbuf[128];
	size_t i;
	int err;

	if (cpuid_signature(sig)) {
		for (i = 0; i < 12; i++)
			if (sig[i] && !isprint((unsigned char)sig[i]))
				sig[i] = '?';
		name = flb_env_hypervisor_cpuid(sig);
		snprintf(srcbuf, sizeof(srcbuf), "cpuid 0x40000000 '%s'", sig);
		return flb_env_set(env, "virt", "%s", name ? name : sig) |
		       flb_env_set(env, "virt.source", "%s", srcbuf);
	}
	type = slurp("/sys/hypervisor/type", NULL);
	if (type && *type) {
		err = flb_env_set(env, "virt", "%s", type) |
		      flb_env_set(env, "virt.source", "/sys/hypervisor/type");
		free(type);
		return err;
	}
	free(type);
	vendor = slurp("/sys/class/dmi/id/sys_vendor", NULL);
	product = slurp("/sys/class/dmi/id/product_name", NULL);
	name = flb_env_hypervisor_dmi(vendor, product);
	if (name) {
		snprintf(srcbuf, sizeof(srcbuf), "DMI '%.48s' '%.48s'",
			 vendor ? vendor : "", product ? product : "");
		src = srcbuf;
	} else if (dt_compatible("/proc/device-tree/hypervisor/compatible", NULL)) {
		name = dt_compatible("/proc/device-tree/hypervisor/compatible",
				     "xen,xen") ? "xen" : "unknown hypervisor";
		src = "/proc/device-tree/hypervisor";
	} else if (dt_compatible("/proc/device-tree/compatible", "linux,dummy-virt")) {
		name = "qemu";
		src = "/proc/device-tree/compatible 'linux,dummy-virt'";
	}
	err = flb_env_set(env, "virt", "%s", name ? name : "native") |
	      flb_env_set(env, "virt.source", "%s", src ? src :
			 "no hypervisor signature (cpuid, /sys/hypervisor, DMI, device tree)");
	free(vendor);
	free(product);
	return err;
}

static const struct {
	unsigned int implementer, part;
	const char *name;
} arm_parts[] = {
	{ 0x41, 0xd03, "Arm Cortex-A53" },	{ 0x41, 0xd05, "Arm Cortex-A55" },
	{ 0x41, 0xd07, "Arm Cortex-A57" },	{ 0x41, 0xd08, "Arm Cortex-A72" },
	{ 0x41, 0xd0b, "Arm Cortex-A76" },	{ 0x41, 0xd0c, "Arm Neoverse-N1" },
	{ 0x41, 0xd40, "Arm Neoverse-V1" },	{ 0x41, 0xd49, "Arm Neoverse-N2" },
	{ 0x41, 0xd4f, "Arm Neoverse-V2" },	{ 0x41, 0xd84, "Arm Neoverse-V3" },
	{ 0x41, 0xd8e, "Arm Neoverse-N3" },	{ 0xc0, 0xac3, "Ampere-1" },
	{ 0x61, 0x022, "Apple M1 Icestorm" },	{ 0x61, 0x023, "Apple M1 Firestorm" },
};

/* "model name" on x86; implementer and part on arm64. */
/*
 * board: the device tree's model (arm64 boards, QEMU's virt), else the
 * DMI vendor and product ("QEMU Standard PC (Q35 + ICH9, 2009)").
 */
static int capture_board(struct flb_env *env)
{
	char *model = slurp("/proc/device-tree/model", NULL);
	char *vendor, *product;
	int err;

	if (model) {
		/* a device-tree string ends in a NUL */
		err = flb_env_set(env, "board", "%s", model);
		free(model);
		return err;
	}
	vendor = slurp("/sys/class/dmi/id/sys_vendor", NULL);
	product = slurp("/sys/class/dmi/id/product_name", NULL);
	if (vendor || product)
		err = flb_env_set(env, "board", "%s%s%s", vendor ? vendor : "",
				  vendor && product ? " " : "",
				  product ? product : "");
	else
		err = flb_env_set(env, "board", "unknown");
	free(vendor);
	free(product);
	return err;
}

static int capture_cpu_model(struct flb_env *env)
{
	char *s = slurp("/proc/cpuinfo", NULL), *p;
	unsigned int impl = 0, part = 0;
	bool have_impl = false, have_part = false;
	size_t i;
	int err;

	for (p = s; p && *p; p += strcspn(p, "\n"), p += !!*p) {
		char *colon = strchr(p, ':');
		size_t klen = strcspn(p, "\t:");

		if (!colon || colon > p + strcspn(p, "\n"))
			continue;
		if (klen == 10 && !strncmp(p, "model name", 10)) {
			err = flb_env_set(env, "cpu.model", "%.*s",
					 (int)strcspn(colon + 2, "\n"), colon + 2);
			free(s);
			return err;
		}
		if (!have_impl && !strncmp(p, "CPU implementer", 15))
			have_impl = sscanf(colon + 1, "%x", &impl) == 1;
		if (!have_part && !strncmp(p, "CPU part", 8))
			have_part = sscanf(colon + 1, "%x", &part) == 1;
	}
	free(s);
	if (!have_impl || !have_part)
		return flb_env_set(env, "cpu.model", "unknown");
	for (i = 0; i < ARRAY_SIZE(arm_parts); i++)
		if (arm_parts[i].implementer == impl && arm_parts[i].part == part)
			return flb_env_set(env, "cpu.model", "%s", arm_parts[i].name);
	return flb_env_set(env, "cpu.model", "implementer %#x part %#x", impl, part);
}

/* Is word one of the comma-separated words of list? */
static bool in_list(const char *list, const char *word)
{
	size_t len = strlen(word);
	const char *p;

	for (p = list; (p = strstr(p, word)); p += len)
		if ((p == list || p[-1] == ',') && (!p[len] || p[len] == ','))
			return true;
	return false;
}

static int is_cpu_dir(const struct dirent *de)
{
	return !strncmp(de->d_name, "cpu", 3) && isdigit((unsigned char)de->d_name[3]);
}

static int is_file(const struct dirent *de)
{
	return de->d_name[0] != '.';
}

/* The distinct scaling governors of the CPUs, "none" without cpufreq. */
static int capture_governor(struct flb_env *env)
{
	char path[320], list[256] = "", *g;
	struct dirent **de;
	size_t used = 0;
	int i, n = scandir("/sys/devices/system/cpu", &de, is_cpu_dir, versionsort);

	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path),
			 "/sys/devices/system/cpu/%s/cpufreq/scaling_governor",
			 de[i]->d_name);
		g = slurp(path, NULL);
		if (g && *g && !in_list(list, g) && used < sizeof(list))
			used += snprintf(list + used, sizeof(list) - used, "%s%s",
					 used ? "," : "", g);
		free(g);
		free(de[i]);
	}
	if (n > 0)
		free(de);
	return flb_env_set(env, "cpufreq.governor", "%s", used ? list : "none");
}

/* vuln.<name> for each file of /sys/devices/system/cpu/vulnerabilities. */
static int capture_vulnerabilities(struct flb_env *env)
{
	static const char dir[] = "/sys/devices/system/cpu/vulnerabilities";
	char path[320], key[300];
	struct dirent **de;
	int i, n = scandir(dir, &de, is_file, alphasort), err = 0;

	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, de[i]->d_name);
		snprintf(key, sizeof(key), "vuln.%s", de[i]->d_name);
		err |= set_from_file(env, key, path, "unknown");
		free(de[i]);
	}
	if (n > 0)
		free(de);
	return err;
}

/*
 * The IOMMU: iommu.units (the units under /sys/class/iommu, "none"),
 * iommu.strict and iommu.passthrough as the command line sets them
 * ("default" when it does not), and iommu.flushbench: each device bound
 * to the module's PCI driver as BDF=its group's type ("direct" without a
 * group), "none" when none is.
 */
static int capture_iommu(struct flb_env *env, const char *cmdline)
{
	static const char drv[] = "/sys/bus/pci/drivers/flushbench";
	char list[512] = "", path[400], val[64];
	struct dirent **de;
	size_t used = 0;
	int i, n, err = 0;

	n = scandir("/sys/class/iommu", &de, is_file, alphasort);
	for (i = 0; i < n; i++) {
		if (used < sizeof(list))
			used += snprintf(list + used, sizeof(list) - used, "%s%s",
					 used ? "," : "", de[i]->d_name);
		free(de[i]);
	}
	if (n > 0)
		free(de);
	err |= flb_env_set(env, "iommu.units", "%s", used ? list : "none");
	err |= flb_env_set(env, "iommu.strict", "%s", cmdline &&
			   !cmdline_param(cmdline, "iommu.strict", val, sizeof(val)) ?
			   val : "default");
	err |= flb_env_set(env, "iommu.passthrough", "%s", cmdline &&
			   !cmdline_param(cmdline, "iommu.passthrough", val, sizeof(val)) ?
			   val : "default");
	used = 0;
	list[0] = '\0';
	n = scandir(drv, &de, is_file, alphasort);
	for (i = 0; i < n; i++) {
		char *type;

		/* the devices are links named by their BDF: 0000:00:03.0 */
		if (strchr(de[i]->d_name, ':') && used < sizeof(list)) {
			snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/iommu_group/type",
				 de[i]->d_name);
			type = slurp(path, NULL);
			used += snprintf(list + used, sizeof(list) - used, "%s%s=%s",
					 used ? "," : "", de[i]->d_name,
					 type ? type : access(path, F_OK) ? "direct" : "unknown");
			free(type);
		}
		free(de[i]);
	}
	if (n > 0)
		free(de);
	err |= flb_env_set(env, "iommu.flushbench", "%s", used ? list : "none");
	return err;
}

int flb_env_capture(struct flb_env *env)
{
	struct utsname u;
	char host[256];
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	char *cmdline;
	int err = 0;

	env->kv = NULL;
	env->n = 0;
	if (uname(&u))
		memset(&u, 0, sizeof(u));
	err |= flb_env_set(env, "kernel.release", "%s", *u.release ? u.release : "unknown");
	err |= flb_env_set(env, "kernel.version", "%s", *u.version ? u.version : "unknown");
	err |= set_from_file(env, "kernel.cmdline", "/proc/cmdline", "unknown");
	err |= capture_preempt(env, u.version);
	cmdline = slurp("/proc/cmdline", NULL);
	err |= capture_iommu(env, cmdline);
	free(cmdline);
	err |= capture_virt(env);
	/* the module's view (FLB_IOC_INFO hypervisor), where it is loaded */
	err |= set_from_file(env, "kmod.hypervisor", "/sys/module/flushbench/parameters/hypervisor",
			     "no module");
	/* the clock of its batched timing: pmu-cycles, cntvct, tsc */
	err |= set_from_file(env, "kmod.clock", "/sys/module/flushbench/parameters/clock",
			     "no module");
	err |= flb_env_set(env, "arch", "%s", *u.machine ? u.machine : "unknown");
	err |= capture_cpu_model(env);
	err |= capture_board(env);
	err |= ncpu > 0 ? flb_env_set(env, "cpu.count", "%ld", ncpu) :
			  flb_env_set(env, "cpu.count", "unknown");
	err |= set_from_file(env, "cpu.online", "/sys/devices/system/cpu/online", "unknown");
	err |= set_active(env, "thp.enabled", "/sys/kernel/mm/transparent_hugepage/enabled");
	err |= set_active(env, "thp.defrag", "/sys/kernel/mm/transparent_hugepage/defrag");
	err |= set_from_file(env, "aslr", "/proc/sys/kernel/randomize_va_space", "unknown");
	err |= capture_governor(env);
	err |= capture_vulnerabilities(env);
	if (gethostname(host, sizeof(host)))
		strcpy(host, "unknown");
	host[sizeof(host) - 1] = '\0';
	err |= flb_env_set(env, "hostname", "%s", host);
	err |= set_from_file(env, "boot_id", "/proc/sys/kernel/random/boot_id", "unknown");
	err |= flb_env_set(env, "flushbench.rev", "%s", FLB_GIT_REV);
	if (err) {
		flb_env_free(env);
		return -1;
	}
	return 0;
}
