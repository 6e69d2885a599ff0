// SPDX-License-Identifier: GPL-2.0
/* The console transport of `flushbench vm`: SHA-256 and frame parsing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "guest/vm.h"

static void hex(const uint8_t *s, char *out)
{
	for (int i = 0; i < 32; i++)
		sprintf(out + 2 * i, "%02x", s[i]);
}

static void test_sha256_vectors(void **state)
{
	uint8_t d[32];
	char h[65];
	char *big = malloc(1000000);

	(void)state;
	flb_sha256("abc", 3, d);
	hex(d, h);
	assert_string_equal(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	flb_sha256("", 0, d);
	hex(d, h);
	assert_string_equal(h, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	/* 56 bytes: the padding spills into a second block */
	flb_sha256("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56, d);
	hex(d, h);
	assert_string_equal(h, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	memset(big, 'a', 1000000);
	flb_sha256(big, 1000000, d);
	hex(d, h);
	assert_string_equal(h, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	free(big);
}

#define SUM "a948904f2f0f479b8f8197694b30184b0d2ed1c1cd2a1ec0fb85d299a192a447"

static int unframe(const char *log, unsigned char **d, size_t *n, char *why)
{
	return flb_vm_unframe(log, strlen(log), d, n, why, 256);
}

static void test_frame_ok(void **state)
{
	const char *log = "[    1.0] boot noise\r\nFB-INIT: start\r\n"
			  "FB-VM-DB: begin 12 " SUM "\r\naGVsbG8g\r\nd29ybGQK\r\n"
			  "FB-VM-DB: end\r\nFB-INIT: done rc=0\r\n";
	unsigned char *d = NULL;
	size_t n = 0;
	char why[256] = "";

	(void)state;
	assert_int_equal(unframe(log, &d, &n, why), 0);
	assert_int_equal(n, 12);
	assert_memory_equal(d, "hello world\n", 12);
	free(d);
}

static void test_frame_broken(void **state)
{
	static const char *const cases[][2] = {
		{ "nothing here\n", "no results frame" },
		{ "FB-VM-DB: begin 12 " SUM "\naGVsbG8g\n", "truncated" },
		{ "FB-VM-DB: begin 12 " SUM "\naGVsbG8g\nd29ybGQL\nFB-VM-DB: end\n",
		  "the results frame's SHA-256 does not match: 8150c43a165dce02... of its 12 bytes, a948904f2f0f479b... on its begin line" },
		/* a frame cut short, then the guest's other lines: truncated */
		{ "FB-VM-DB: begin 12 " SUM "\r\naGVsbG8g\r\nFB-INIT: done rc=0\r\n",
		  "truncated frame: 6 of 12 bytes, then 'FB-INIT: done rc=0' and no end marker" },
		/* a good frame twice (or any two begin lines): ambiguous */
		{ "FB-VM-DB: begin 12 " SUM "\naGVsbG8gd29ybGQK\nFB-VM-DB: end\n"
		  "FB-VM-DB: begin 12 " SUM "\naGVsbG8gd29ybGQK\nFB-VM-DB: end\n",
		  "two results frames on the console: refusing to guess which is the guest's" },
		{ "FB-VM-DB: begin 1 0000\nFB-VM-DB: begin 1 0000\n"
		  "FB-VM-DB: begin 12 " SUM "\naGVsbG8gd29ybGQK\nFB-VM-DB: end\n",
		  "3 results frames on the console" },
		{ "FB-VM-DB: begin 12 " SUM "\naGVsb[ 3.1] oops\nFB-VM-DB: end\n",
		  "not base64" },
		{ "FB-VM-DB: begin 9 " SUM "\naGVsbG8gd29ybGQK\nFB-VM-DB: end\n",
		  "longer" },
		/* 7 characters: two bits past the last whole byte */
		{ "FB-VM-DB: begin 5 " SUM "\naGVsbG8\nFB-VM-DB: end\n", "mid-group" },
	};
	unsigned char *d = NULL;
	size_t n;
	char why[256];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		why[0] = '\0';
		assert_int_equal(unframe(cases[i][0], &d, &n, why), -1);
		if (!strstr(why, cases[i][1]))
			fail_msg("case %zu: want '%s', got '%s'", i, cases[i][1], why);
	}
}

/* Bytes a hostile guest prints: quoted in messages as printable text. */
static void test_frame_garbage(void **state)
{
	static const char head[] = "FB-VM-DB: begin 12 " SUM "\n";
	static const char tail[] = "\nFB-VM-DB: end\n";
	const size_t big = 10 << 20;
	char *log = malloc(sizeof(head) + big + sizeof(tail));
	unsigned char *d = NULL;
	size_t n = 0, len;
	char why[256];
	unsigned int x = 1;

	(void)state;
	/* a line of NULs, escapes, high bytes and a backslash */
	len = sprintf(log, "%s", head);
	memcpy(log + len, "\0\x1b[2J\xff\\ok\x07\n", 11);
	len += 11;
	len += sprintf(log + len, "%s", tail);
	assert_int_equal(flb_vm_unframe(log, len, &d, &n, why, sizeof(why)), -1);
	assert_string_equal(why, "corrupt frame: its line 1 is not base64: '\\x00\\x1b[2J\\xff\\x5cok\\x07' (console noise?)");
	/* 10 MiB of noise (newlines too) in the frame, and with none */
	for (size_t i = 0; i < big; i++) {
		x = x * 1103515245 + 12345;
		log[i] = x >> 16;
	}
	assert_int_equal(flb_vm_unframe(log, big, &d, &n, why, sizeof(why)), -1);
	assert_string_equal(why, "the guest printed no results frame");
	memcpy(log, head, strlen(head));
	memcpy(log + big, tail, strlen(tail));
	len = big + strlen(tail);
	assert_int_equal(flb_vm_unframe(log, len, &d, &n, why, sizeof(why)), -1);
	if (strncmp(why, "corrupt frame: its line ", 24) || strlen(why) > 120)
		fail_msg("want a short 'corrupt frame' message, got '%s'", why);
	for (const char *c = why; *c; c++)
		if (*c < 0x20 || *c > 0x7e)
			fail_msg("byte 0x%02x in '%s'", (unsigned char)*c, why);
	free(log);
}

/* flb_vm_log_tail's text of len bytes of log, n lines, into out. */
static void tail_of(const char *log, size_t len, int n, char *out, size_t outlen)
{
	FILE *f = tmpfile();
	int saved = dup(2);
	size_t got;

	assert_non_null(f);
	fflush(stderr);
	dup2(fileno(f), 2);
	flb_vm_log_tail(log, len, n);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	rewind(f);
	got = fread(out, 1, outlen - 1, f);
	out[got] = '\0';
	fclose(f);
}

static void test_log_tail(void **state)
{
	static const char log[] = "one\r\ntwo\r\n\0\x1b[31mred\r\nlast";
	char *big = malloc(1 << 20), out[4096];

	(void)state;
	tail_of(log, sizeof(log) - 1, 2, out, sizeof(out));
	assert_string_equal(out, "  | \\x00\\x1b[31mred\n  | last\n");
	tail_of(log, sizeof(log) - 1, 20, out, sizeof(out));
	assert_string_equal(out, "  | one\n  | two\n  | \\x00\\x1b[31mred\n  | last\n");
	tail_of("a\nb\n", 4, 1, out, sizeof(out));
	assert_string_equal(out, "  | b\n");
	/* a line of 1 MiB: 160 characters of it */
	memset(big, 'x', 1 << 20);
	big[(1 << 20) - 1] = '\n';
	tail_of(big, 1 << 20, 20, out, sizeof(out));
	assert_int_equal(strlen(out), 4 + 160 + 1);
	assert_memory_equal(out + 4 + 157, "...\n", 4);
	free(big);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sha256_vectors),
		cmocka_unit_test(test_frame_ok),
		cmocka_unit_test(test_frame_broken),
		cmocka_unit_test(test_frame_garbage),
		cmocka_unit_test(test_log_tail),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
