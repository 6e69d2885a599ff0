/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The analysis commands: each takes the arguments after its own name
 * (argv[0] is the command name) and returns the exit status: 0, 1 (ci:
 * a regression; compare/report: never), 2 (usage or data error) or 3
 * (ci: inconclusive, some gated rows cannot detect the regression).
 * Databases are opened read-only and never modified.
 */
#ifndef FLB_ANALYSIS_H
#define FLB_ANALYSIS_H

int flb_cmd_compare(int argc, char **argv);
int flb_cmd_plot(int argc, char **argv);
int flb_cmd_report(int argc, char **argv);
int flb_cmd_ci(int argc, char **argv);
int flb_cmd_calibrate(int argc, char **argv);
int flb_cmd_plan(int argc, char **argv);
int flb_cmd_export(int argc, char **argv);

#endif
