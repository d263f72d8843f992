/*
 * cmd_list: `run --list` (cli.md §5.4). The format is read by the completion scripts, so it
 * is fixed: one name per line, sorted by byte order, with the merged form when both the
 * project Runfile and ~/.runfile were loaded.
 */
#include "cmd.h"

#include "base.h"
#include "buf.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int by_name(const void *a, const void *b)
{
    const struct runfile_fn *const *x = a, *const *y = b;
    return strcmp((*x)->name, (*y)->name);
}

int cmd_list(const struct cmd_ctx *ctx)
{
    struct runfile *rf;
    const struct runfile_fn **fns;
    struct buf out = BUF_INIT;
    size_t nproject = 0, nglobal = 0;
    int status;

    rf = cmd_load(ctx, true, &status);
    if (!rf)
        return status;
    fns = xcalloc(rf->nfns ? rf->nfns : 1, sizeof(*fns));
    for (size_t i = 0; i < rf->nfns; i++) {
        fns[i] = &rf->fns[i];
        if (rf->fns[i].in_project_tree)
            nproject++;
        else
            nglobal++;
    }
    qsort(fns, rf->nfns, sizeof(*fns), by_name);

    if (!rf->nfns) {
        buf_addstr(&out, "No functions defined in Runfile.\n");
    } else if (!rf->merged) {
        buf_addf(&out, "Available functions from %s:\n", rf->list_label);
        for (size_t i = 0; i < rf->nfns; i++)
            buf_addf(&out, "  %s\n", fns[i]->name);
    } else {
        buf_addstr(&out, "Available functions:\n");
        if (nproject) {
            buf_addf(&out, "\n  From %s:\n", rf->list_label);
            for (size_t i = 0; i < rf->nfns; i++)
                if (fns[i]->in_project_tree)
                    buf_addf(&out, "    %s%s\n", fns[i]->name,
                             fns[i]->in_global_tree ? " (overrides global)" : "");
        }
        if (nglobal) {
            buf_addstr(&out, "\n  From ~/.runfile:\n");
            for (size_t i = 0; i < rf->nfns; i++)
                if (!fns[i]->in_project_tree)
                    buf_addf(&out, "    %s\n", fns[i]->name);
        }
    }
    cmd_write_all(STDOUT_FILENO, out.buf, out.len);
    buf_release(&out);
    free(fns);
    runfile_free(rf);
    return 0;
}
