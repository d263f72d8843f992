/*
 * cmd_inspect: `run --inspect` prints the MCP tool list of the Runfile as pretty JSON
 * (cli.md §6). The list comes from the schema module, exactly as tools/list builds it minus
 * the built-ins, so the two cannot disagree. Nothing is executed.
 */
#include "cmd.h"

#include "base.h"
#include "buf.h"
#include "schema.h"

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int cmd_inspect(const struct cmd_ctx *ctx)
{
    struct diag_list warnings = DIAG_LIST_INIT;
    struct runfile *rf;
    json_t *doc;
    char *text = NULL;
    int status = 0, rc = 1;

    rf = cmd_load(ctx, false, &status);
    if (!rf && status)
        return status; /* a parse error: cmd_load printed it; nothing goes to stdout */

    /* No Runfile is not an error here: the tool list is simply empty. */
    doc = json_pack("{s:o}", "tools", rf ? schema_tools(rf, &warnings) : json_array());
    if (warnings.n)
        cmd_print_diags(&warnings);
    text = json_dumps(doc, JSON_INDENT(2) | SCHEMA_JSON_FLAGS);
    if (!text)
        BUG("cannot serialise the tool list");
    if (cmd_write_all(STDOUT_FILENO, text, strlen(text)) || cmd_write_all(STDOUT_FILENO, "\n", 1)) {
        cmd_say("error: cannot write to stdout: %s\n", strerror(errno));
        goto out;
    }
    rc = 0;
out:
    free(text);
    json_decref(doc);
    diag_list_release(&warnings);
    if (rf)
        runfile_free(rf);
    return rc;
}
