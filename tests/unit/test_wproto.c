// SPDX-License-Identifier: GPL-2.0
/*
 * The worker protocol's words and lines (bench/wproto.c): escaping round
 * trips and what unescape must refuse, splitting, numbers, and reading
 * lines from a pipe: several in one read, one across reads, a deadline,
 * end of file clean and mid-line, a line longer than the protocol's.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "wproto.h"

static void roundtrip(const char *in)
{
	char esc[3 * 256 + 1], back[256];

	flb_wproto_escape(in, esc, sizeof(esc));
	/* one word: no space, no control character, nothing above 126 */
	for (const char *p = esc; *p; p++)
		assert_true(*p > ' ' && *p < 127);
	assert_true(esc[0] != '\0');
	assert_int_equal(flb_wproto_unescape(esc, back, sizeof(back)), 0);
	assert_string_equal(back, in);
}

static void test_escape(void **state)
{
	char esc[64];

	(void)state;
	roundtrip("");
	roundtrip("rss=64M");
	roundtrip("a b\tc\nd");
	roundtrip("100%");
	roundtrip("%");
	roundtrip("%41");
	roundtrip("caf\xc3\xa9 \x7f\x01");
	flb_wproto_escape("", esc, sizeof(esc));
	assert_string_equal(esc, "%");
	flb_wproto_escape("a b%", esc, sizeof(esc));
	assert_string_equal(esc, "a%20b%25");
	/* cut short safely, never mid-escape */
	flb_wproto_escape("a b c", esc, 5);
	assert_string_equal(esc, "a%20");
	flb_wproto_escape("a b c", esc, 4);
	assert_string_equal(esc, "a");
}

static void test_unescape_refuses(void **state)
{
	static const char *const bad[] = {
		"",		/* the empty word is "%" */
		"%2",		/* short escape */
		"%zz",
		"%2a",		/* lower-case hex is not what escape writes */
		"%00",		/* a NUL inside a word */
		"a b",		/* a raw space */
		"a\x7f",
		"caf\xc3\xa9",	/* raw bytes above 126 */
	};
	char out[16];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (!flb_wproto_unescape(bad[i], out, sizeof(out)))
			fail_msg("unescape accepted '%s'", bad[i]);
	/* too long for out */
	assert_int_equal(flb_wproto_unescape("abcdefgh", out, 8), -1);
	assert_int_equal(flb_wproto_unescape("abcdefg", out, 8), 0);
	assert_string_equal(out, "abcdefg");
	assert_int_equal(flb_wproto_unescape("%", out, sizeof(out)), 0);
	assert_string_equal(out, "");
}

static void test_split(void **state)
{
	char line[64], *w[4];

	(void)state;
	snprintf(line, sizeof(line), "result sample 3");
	assert_int_equal(flb_wproto_split(line, w, 4), 3);
	assert_string_equal(w[0], "result");
	assert_string_equal(w[2], "3");
	snprintf(line, sizeof(line), "a b c d e");
	assert_int_equal(flb_wproto_split(line, w, 4), -1);
	snprintf(line, sizeof(line), "a  b");
	assert_int_equal(flb_wproto_split(line, w, 4), -1);
	snprintf(line, sizeof(line), "a ");
	assert_int_equal(flb_wproto_split(line, w, 4), -1);
	snprintf(line, sizeof(line), " a");
	assert_int_equal(flb_wproto_split(line, w, 4), -1);
	line[0] = '\0';
	assert_int_equal(flb_wproto_split(line, w, 4), 0);
}

static void test_u64(void **state)
{
	static const char *const bad[] = {
		"", "-1", "+1", "01", "1x", " 1", "0x10", "18446744073709551616",
		"99999999999999999999",
	};
	uint64_t v;

	(void)state;
	assert_int_equal(flb_wproto_u64("0", &v), 0);
	assert_true(v == 0);
	assert_int_equal(flb_wproto_u64("18446744073709551615", &v), 0);
	assert_true(v == UINT64_MAX);
	assert_int_equal(flb_wproto_u64("4096", &v), 0);
	assert_true(v == 4096);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (!flb_wproto_u64(bad[i], &v))
			fail_msg("u64 accepted '%s'", bad[i]);
}

static void put_raw(int fd, const char *s)
{
	assert_int_equal(write(fd, s, strlen(s)), (ssize_t)strlen(s));
}

static void test_lines(void **state)
{
	static struct flb_wline l;
	static char line[FLB_WPROTO_LINE], big[FLB_WPROTO_LINE + 16];
	struct timespec t0, t1;
	int p[2];
	long ms;

	(void)state;
	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	l = (struct flb_wline){ .fd = p[0] };
	/* two lines in one write, then one in two writes */
	put_raw(p[1], "ready 1\nprep ok 5\nbye");
	assert_int_equal(flb_wline_get(&l, line, 1000), 0);
	assert_string_equal(line, "ready 1");
	assert_int_equal(flb_wline_get(&l, line, 1000), 0);
	assert_string_equal(line, "prep ok 5");
	/*
	 * The rest has not come: -EINTR every 200 ms slice (so the caller can
	 * pass a stop on), then -ETIMEDOUT at the deadline.
	 */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(flb_wline_get(&l, line, 300), -EINTR);
	assert_int_equal(flb_wline_get(&l, line, 100), -ETIMEDOUT);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
	assert_true(ms >= 290 && ms < 3000);
	put_raw(p[1], "\n");
	assert_int_equal(flb_wline_get(&l, line, 1000), 0);
	assert_string_equal(line, "bye");
	/* a put, read back; an empty line is a line */
	assert_int_equal(flb_wproto_put(p[1], "go %d", 7), 0);
	put_raw(p[1], "\n");
	assert_int_equal(flb_wline_get(&l, line, 1000), 0);
	assert_string_equal(line, "go 7");
	assert_int_equal(flb_wline_get(&l, line, 1000), 0);
	assert_string_equal(line, "");
	/* a line the protocol cannot hold: refused by put, -E2BIG by get */
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(flb_wproto_put(p[1], "%s", big), -E2BIG);
	assert_int_equal(write(p[1], big, FLB_WPROTO_LINE), FLB_WPROTO_LINE);
	assert_int_equal(flb_wline_get(&l, line, 1000), -E2BIG);
	close(p[0]);
	close(p[1]);

	/* end of file: mid-line is -EPROTO, clean is -EPIPE */
	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	l = (struct flb_wline){ .fd = p[0] };
	put_raw(p[1], "result sam");
	close(p[1]);
	assert_int_equal(flb_wline_get(&l, line, 1000), -EPROTO);
	close(p[0]);
	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	l = (struct flb_wline){ .fd = p[0] };
	put_raw(p[1], "bye\n");
	close(p[1]);
	assert_int_equal(flb_wline_get(&l, line, -1), 0);
	assert_int_equal(flb_wline_get(&l, line, -1), -EPIPE);
	close(p[0]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_unescape_refuses),
		cmocka_unit_test(test_split),
		cmocka_unit_test(test_u64),
		cmocka_unit_test(test_lines),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
