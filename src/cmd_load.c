/*
 * cmd_load: load the Runfile for a CLI mode and print what the load has to say
 * (cli.md §5.1, §12).
 */
#include "cmd.h"

#include "base.h"
#include "buf.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct runfile *cmd_load(const struct cmd_ctx *ctx, bool need, int *status)
{
    const struct cli_opts *co = ctx->opts;
    struct runfile_load_opts o = {
        .cwd = ctx->cwd,
        .home = ctx->home,
        .runfile = co->runfile,
        .no_global_merge = getenv("RUN_NO_GLOBAL_MERGE") != NULL,
        .runfile_dir = getenv("RUN_RUNFILE_DIR"),
        /* --list and --inspect show no body: the dedented copies were a tenth of their cost. */
        .no_bodies = co->mode == CLI_LIST || co->mode == CLI_INSPECT,
    };
    struct diag_list diags = DIAG_LIST_INIT;
    struct runfile *rf;
    int err = 0;

    if (o.runfile_dir && !*o.runfile_dir)
        o.runfile_dir = NULL;
    /* File mode loads the script itself (execution.md §13). */
    if (co->mode == CLI_FILE && co->target) {
        o.script = co->target;
        o.runfile = NULL;
    }
    *status = 0;
    rf = runfile_load(&o, &diags, &err);
    if (!rf) {
        if (o.script)
            cmd_say("error: cannot read '%s': %s\n", o.script, strerror(err ? err : ENOENT));
        else if (!need)
            goto out;
        else if (co->runfile)
            cmd_say("error: No Runfile found at '%s'\n", co->runfile);
        else
            cmd_say("error: No Runfile found. Create ./Runfile or ~/.runfile to define "
                    "functions.\n");
        *status = o.script || need ? 1 : 0;
        goto out;
    }
    if (diags.n)
        cmd_print_diags(&diags);
    if (diags.nerrors) {
        runfile_free(rf);
        rf = NULL;
        *status = 1;
    }
out:
    diag_list_release(&diags);
    return rf;
}
