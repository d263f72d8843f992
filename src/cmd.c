/*
 * cmd: the mode table and what every handler shares (printing diags, loading the Runfile).
 */
#include "cmd.h"

#include "base.h"
#include "buf.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static cmd_fn *const handlers[] = {
    [CLI_HELP] = cmd_help,
    [CLI_VERSION] = cmd_version,
    [CLI_INSTALL_COMPLETION] = cmd_completion_install,
    [CLI_GENERATE_COMPLETION] = cmd_completion_generate,
    [CLI_LIST] = cmd_list,
    [CLI_INSPECT] = cmd_inspect,
    [CLI_SERVE] = cmd_serve,
    [CLI_FILE] = cmd_file,
    [CLI_RUN] = cmd_run,
    [CLI_REPL] = cmd_repl,
};

cmd_fn *cmd_for_mode(enum cli_mode mode)
{
    if ((size_t)mode >= ARRAY_SIZE(handlers) || !handlers[mode])
        BUG("no handler for mode %d", (int)mode);
    return handlers[mode];
}

int cmd_write_all(int fd, const void *data, size_t len)
{
    const char *p = data;

    while (len) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

void cmd_say(const char *fmt, ...)
{
    struct buf b = BUF_INIT;
    va_list ap;

    va_start(ap, fmt);
    buf_vaddf(&b, fmt, ap);
    va_end(ap);
    cmd_write_all(STDERR_FILENO, b.buf, b.len);
    buf_release(&b);
}

int cmd_usage_error(const struct buf *err)
{
    cmd_write_all(STDERR_FILENO, err->buf, err->len);
    return 2;
}

int cmd_help(const struct cmd_ctx *ctx)
{
    struct buf out = BUF_INIT;

    (void)ctx;
    cli_help(&out);
    cmd_write_all(STDOUT_FILENO, out.buf, out.len);
    buf_release(&out);
    return 0;
}

int cmd_version(const struct cmd_ctx *ctx)
{
    static const char line[] = "run " RUN_VERSION "\n";

    (void)ctx;
    cmd_write_all(STDOUT_FILENO, line, sizeof(line) - 1);
    return 0;
}

void cmd_print_diags(const struct diag_list *diags)
{
    struct buf out = BUF_INIT;
    bool color = isatty(STDERR_FILENO) && !getenv("NO_COLOR");

    diag_list_render(&out, diags, color);
    cmd_write_all(STDERR_FILENO, out.buf, out.len);
    buf_release(&out);
}
