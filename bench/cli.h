/* SPDX-License-Identifier: GPL-2.0 */
/* Subcommands: each takes the arguments after its name, returns the exit status. */
#ifndef FB_CLI_H
#define FB_CLI_H

/* exit statuses shared by every command */
#define FB_EXIT_OK	0
#define FB_EXIT_FAIL	1	/* the run or the gate found a problem */
#define FB_EXIT_USAGE	2	/* bad input: usage, config, data */
#define FB_EXIT_INCONCLUSIVE 3	/* ci: the design cannot detect the regression */

int fb_cmd_run(int argc, char **argv);
int fb_cmd_list(int argc, char **argv);
int fb_cmd_env(int argc, char **argv);
int fb_cmd_runs(int argc, char **argv);
int fb_cmd_vm(int argc, char **argv);		/* bench/vm.c */
int fb_cmd_matrix(int argc, char **argv);	/* bench/matrix.c */

#endif
