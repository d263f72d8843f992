/*
 * cmd_repl: not implemented yet; the issue that builds it replaces this file.
 */
#include <stdio.h>

#include "cmd.h"

static int not_yet(const char *what)
{
    fprintf(stderr, "error: %s is not implemented yet\n", what);
    return 1;
}

int cmd_repl(const struct cmd_ctx *ctx)
{
    (void)ctx;
    return not_yet("the REPL");
}
