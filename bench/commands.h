/* SPDX-License-Identifier: GPL-2.0 */
/* The runner's commands: each takes the arguments after its name, returns the exit status. */
#ifndef FLB_COMMANDS_H
#define FLB_COMMANDS_H

int flb_cmd_run(int argc, char **argv);		/* runner.c */
int flb_cmd_list(int argc, char **argv);	/* cmd_info.c */
int flb_cmd_env(int argc, char **argv);
int flb_cmd_runs(int argc, char **argv);

#endif
