/*
 * fuzz_runfile: the Runfile parser must never crash, hang or leak on any bytes, and every
 * diagnostic it produces must render. Inputs are parsed both as a Runfile and as a script.
 * The tool list written straight from the model (schema_write_list) must also be exactly
 * what json_dumps() makes of the jansson tree of the same list, in both layouts: the
 * differential check aborts on the first difference.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "diag.h"
#include "runfile.h"
#include "schema.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Stands for the built-in tools that follow the Runfile tools in tools/list. */
static json_t *extra_tools(void)
{
    static json_t *extra;

    if (!extra)
        extra = json_loads("[{\"name\":\"b\",\"inputSchema\":{\"properties\":{},\"required\":[]},"
                           "\"d\":\"\\u0001\\u00e9\"}]",
                           0, NULL);
    if (!extra)
        abort();
    return extra;
}

static void check_writer(const struct runfile *rf)
{
    struct schema_index *ix = schema_index_new(rf, NULL);

    for (int pretty = 0; pretty < 2; pretty++) {
        for (int with_extra = 0; with_extra < 2; with_extra++) {
            const json_t *extra = with_extra ? extra_tools() : NULL;
            json_t *tools = schema_index_tools(ix), *doc = json_object();
            struct buf text = BUF_INIT;
            char *want;

            for (size_t i = 0; i < json_array_size(extra); i++)
                json_array_append(tools, json_array_get(extra, i));
            json_object_set_new(doc, "tools", tools);
            want = json_dumps(doc, (pretty ? JSON_INDENT(2) : JSON_COMPACT) | SCHEMA_JSON_FLAGS);
            schema_write_list(ix, extra, pretty ? SCHEMA_PRETTY : SCHEMA_COMPACT, &text);
            if (!want || text.len != strlen(want) || memcmp(text.buf, want, text.len)) {
                fprintf(stderr,
                        "writer and tree differ (pretty %d, extra %d)\ntree:\n%s\nwriter:\n%s\n",
                        pretty, with_extra, want ? want : "(null)", text.buf);
                abort();
            }
            free(want);
            buf_release(&text);
            json_decref(doc);
        }
    }
    schema_index_free(ix);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    for (int script = 0; script < 2; script++) {
        struct diag_list diags = DIAG_LIST_INIT;
        struct buf out = BUF_INIT;
        struct runfile *rf =
            runfile_parse("Runfile", NULL, (const char *)data, size, script, &diags);

        for (size_t i = 0; i < rf->nfns; i++) {
            const struct runfile_fn *fn = &rf->fns[i];
            if (runfile_find(rf, fn->name) != fn)
                abort(); /* the index must find every function it lists */
        }
        check_writer(rf);
        diag_list_render(&out, &diags, false);
        buf_release(&out);
        runfile_free(rf);
        diag_list_release(&diags);
    }
    return 0;
}
