/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guests: `flushbench vm` runs a suite inside a QEMU guest and imports its
 * results; `flushbench matrix` runs suites over kernels x cmdlines x
 * {native, vm} x configs. See docs/vm.md.
 *
 * Transport: the guest prints its results.db on the serial console between
 *   FB-VM-DB: begin SIZE SHA256
 *   <base64, 76 columns>
 *   FB-VM-DB: end
 * and the host takes it from the console log only when both markers are
 * there and size and SHA-256 match.
 */
#ifndef FLB_VM_H
#define FLB_VM_H

#include <stddef.h>
#include <stdint.h>

/* The commands: each takes the arguments after its name, returns the exit status. */
int flb_cmd_vm(int argc, char **argv);		/* vm.c */
int flb_cmd_matrix(int argc, char **argv);	/* matrix.c */

/*
 * Run argv (a child process, PATH searched); its stdout into out (when not
 * NULL: NUL-terminated, truncated to len) or else to our stderr. Exit
 * status (128+signal when killed), or -1 when it could not start.
 */
int flb_vm_spawn(char *const argv[], char *out, size_t len);

/* The tree (scripts/, build/): FLUSHBENCH_TOP, else this binary's directory. */
int flb_vm_top(char *top, size_t len);
/* "x86_64", "arm64", ...: this machine, in the names --arch takes. */
const char *flb_vm_host_arch(void);
/*
 * Debian's kernel of a flavour (generic, rt, cloud) for arch, fetched and
 * unpacked by scripts/debian-kernel.sh (cached): image and headers paths.
 */
int flb_vm_debian_kernel(const char *arch, const char *flavour, char *kernel,
			char *headers, size_t len);

/* SHA-256 of len bytes into out[32]. */
void flb_sha256(const void *data, size_t len, uint8_t out[32]);

/*
 * Find the framed file in a console log (CR/LF line ends, other lines
 * around it). *data is malloc'd. 0; -1 with why (no frame, truncated,
 * size or checksum mismatch, bad base64).
 */
int flb_vm_unframe(const char *log, size_t loglen, unsigned char **data,
		  size_t *len, char *why, size_t whylen);

#endif
