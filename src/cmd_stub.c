/*
 * Modes that later issues build. Each says so honestly and fails; this file shrinks as they
 * land.
 */
#include <stdio.h>

#include "cmd.h"

static int not_yet(const char *what)
{
    fprintf(stderr, "error: %s is not implemented yet\n", what);
    return 1;
}

int cmd_list(const struct cmd_ctx *ctx)
{
    (void)ctx;
    return not_yet("--list");
}

int cmd_inspect(const struct cmd_ctx *ctx)
{
    (void)ctx;
    return not_yet("--inspect");
}

int cmd_serve(const struct cmd_ctx *ctx)
{
    (void)ctx;
    return not_yet("--serve-mcp");
}

int cmd_run(const struct cmd_ctx *ctx)
{
    (void)ctx;
    return not_yet("running a function");
}

int cmd_file(const struct cmd_ctx *ctx)
{
    (void)ctx;
    return not_yet("file mode");
}

int cmd_repl(const struct cmd_ctx *ctx)
{
    (void)ctx;
    return not_yet("the REPL");
}

int cmd_completion_generate(const struct cmd_ctx *ctx)
{
    (void)ctx;
    return not_yet("--generate-completion");
}

int cmd_completion_install(const struct cmd_ctx *ctx)
{
    (void)ctx;
    return not_yet("--install-completion");
}
