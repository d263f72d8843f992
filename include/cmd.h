/*
 * cmd: one handler per mode (git's builtin/). This is the only layer that prints or decides
 * exit statuses; the modules below return values and diags.
 */
#ifndef RUN_CMD_H
#define RUN_CMD_H

#include "base.h"
#include "cli.h"
#include "diag.h"
#include "runfile.h"

struct buf;

struct cmd_ctx {
    const struct cli_opts *opts;
    const char *exe;  /* absolute path of this executable (/proc/self/exe) */
    const char *cwd;  /* absolute current directory */
    const char *home; /* home directory, or NULL */
};

typedef int cmd_fn(const struct cmd_ctx *ctx);

cmd_fn cmd_help;
cmd_fn cmd_version;
cmd_fn cmd_list;
cmd_fn cmd_inspect;
cmd_fn cmd_serve;
cmd_fn cmd_run;
cmd_fn cmd_file;
cmd_fn cmd_repl;
cmd_fn cmd_completion_generate;
cmd_fn cmd_completion_install;

/* The handler for a mode. */
cmd_fn *cmd_for_mode(enum cli_mode mode);

/* Print a usage error (already formatted by cli_parse) to stderr; returns 2. */
int cmd_usage_error(const struct buf *err);

/* Write all of 'len' bytes to fd; returns 0 or -1 (errno set). */
int cmd_write_all(int fd, const void *data, size_t len);

/*
 * printf to stderr in one write(), so lines from concurrent processes do not interleave. The
 * text carries its own "error: " prefix and newline. A failed write is ignored: stderr is
 * where failures are reported, so there is nowhere left to report that one.
 */
void cmd_say(const char *fmt, ...) PRINTF_LIKE(1, 2);

/* Render diags to stderr (colour when stderr is a terminal and NO_COLOR is unset). */
void cmd_print_diags(const struct diag_list *diags);

/*
 * Load the Runfile for the CLI modes (runfile_load with the context's cwd/home, --runfile and
 * the environment). Prints diagnostics. Returns the model, or NULL after printing
 * "error: No Runfile found..." (when 'need' is true) or the load's errors; '*status' gets the
 * exit status to use when NULL is returned (1), or 0. The caller frees the model with
 * runfile_free().
 */
struct runfile *cmd_load(const struct cmd_ctx *ctx, bool need, int *status);

#endif
