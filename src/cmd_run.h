/*
 * cmd_run.h: what cmd_run.c shares with the REPL (cmd_repl.c), the other command that runs
 * scripts in stream mode. Private to the cmd layer.
 */
#ifndef RUN_CMD_RUN_H
#define RUN_CMD_RUN_H

#include <stdbool.h>
#include <stddef.h>

#include "script.h"

/*
 * Run the program 's' with the argument values appended, stdin/stdout/stderr inherited
 * (execution.md §11, stream mode): the child starts with default signal dispositions and an
 * empty mask; while it runs, SIGINT and SIGQUIT are ignored and SIGTERM and SIGHUP are passed
 * on to it; the previous dispositions are restored afterwards. Returns the exit status
 * (128+N for signal N; 126 when it could not be started, after printing why). With 'report',
 * a failure prints the line of cli.md §5.2 naming 'name'.
 */
int cmd_run_stream(const struct script *s, char *const *values, size_t nvalues, const char *name,
                   bool report);

#endif
