/*
 * cmd_inspect: `run --inspect` prints the MCP tool list of the Runfile as pretty JSON
 * (cli.md §6). The list comes from the schema module, exactly as tools/list builds it minus
 * the built-ins, so the two cannot disagree; it is written as text straight from the model,
 * without a jansson tree. Nothing is executed.
 */
#include "cmd.h"

#include "base.h"
#include "buf.h"
#include "schema.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

int cmd_inspect(const struct cmd_ctx *ctx)
{
    struct diag_list warnings = DIAG_LIST_INIT;
    struct schema_index *ix = NULL;
    struct buf text = BUF_INIT;
    struct runfile *rf;
    int status = 0, rc = 1;

    rf = cmd_load(ctx, false, &status);
    if (!rf && status)
        return status; /* a parse error: cmd_load printed it; nothing goes to stdout */

    /* No Runfile is not an error here: the tool list is simply empty (a NULL index). */
    if (rf)
        ix = schema_index_new(rf, &warnings);
    if (warnings.n)
        cmd_print_diags(&warnings);
    schema_write_list(ix, NULL, SCHEMA_PRETTY, &text);
    buf_addch(&text, '\n');
    if (cmd_write_all(STDOUT_FILENO, text.buf, text.len)) {
        cmd_say("error: cannot write to stdout: %s\n", strerror(errno));
        goto out;
    }
    rc = 0;
out:
    buf_release(&text);
    schema_index_free(ix);
    diag_list_release(&warnings);
    if (rf)
        runfile_free(rf);
    return rc;
}
