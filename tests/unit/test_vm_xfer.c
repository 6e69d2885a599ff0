// SPDX-License-Identifier: GPL-2.0
/* The console transport of `flushbench vm`: SHA-256 and frame parsing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
		  "checksum" },
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sha256_vectors),
		cmocka_unit_test(test_frame_ok),
		cmocka_unit_test(test_frame_broken),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
