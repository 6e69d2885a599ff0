// SPDX-License-Identifier: GPL-2.0
/* flushbench: command dispatch. */
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "--help")) {
		printf("usage: flushbench COMMAND [ARGS]\n");
		return argc < 2 ? 2 : 0;
	}
	fprintf(stderr, "flushbench: unknown command '%s'\n", argv[1]);
	return 2;
}
