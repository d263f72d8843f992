/*
 * fuzz_args: the tools/call argument validator and mapper (schema_map_arguments, mcp.md §7.3,
 * §7.4) must never crash, leak or hang on any `arguments` value for any function signature,
 * and must keep its contract: on success a NULL-terminated argv of exactly *nvalues strings
 * and 'problem' untouched; on failure the "Invalid arguments for tool '<tool>': " text and
 * nothing else set.
 *
 * Input: "<Runfile text>\n%%\n<JSON>" fuzzes signatures and arguments together; input without
 * the separator is the JSON alone, applied to every function of a fixed Runfile that has
 * every parameter type, defaults, rest parameters and the legacy @arg form.
 */
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "diag.h"
#include "runfile.h"
#include "schema.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char fixed_runfile[] =
    "# @desc all types\n"
    "all(s, i: int, n: float, b: bool, o: object, ...rest) echo \"$@\"\n"
    "# @desc defaults\n"
    "defs(s = \"x\", i: integer = -3, n: number = 2.5e3, b: boolean = yes,"
    " o: obj = '{\"a\": [1]}') echo \"$@\"\n"
    "# @desc optional then required\n"
    "mixed(a = 1, b, ...more) echo \"$@\"\n"
    "# @desc legacy\n"
    "# @arg name the name\n"
    "# @arg count? how many\n"
    "legacy() echo \"$@\"\n"
    "# @desc rest only\n"
    "ns:rest(...words) echo \"$@\"\n"
    "# @desc nothing\n"
    "none() echo\n";

#define SEPARATOR     "\n%%\n"
#define MAX_FUNCTIONS 16

static void check_one(const struct runfile_fn *fn, json_t *arguments)
{
    char *tool = schema_tool_name(fn->name);
    struct buf problem = BUF_INIT;
    char **values = (char **)(uintptr_t)1; /* must stay untouched on failure */
    size_t nvalues = SIZE_MAX;
    uint64_t timeout = UINT64_MAX;
    json_t *schema = schema_tool_json(fn, tool);
    char *text = json_dumps(schema, JSON_COMPACT | SCHEMA_JSON_FLAGS);

    if (!text)
        abort(); /* every tool object serialises */
    free(text);
    json_decref(schema);

    buf_addstr(&problem, "untouched");
    if (schema_map_arguments(fn, tool, arguments, &values, &nvalues, &timeout, &problem) == 0) {
        if (!values || values[nvalues] || strcmp(problem.buf, "untouched"))
            abort();
        for (size_t i = 0; i < nvalues; i++) {
            if (!values[i])
                abort();
        }
        schema_free_values(values);
    } else {
        static const char head[] = "Invalid arguments for tool '";

        if (values != (char **)(uintptr_t)1 || nvalues != SIZE_MAX || timeout != UINT64_MAX)
            abort();
        if (strncmp(problem.buf, head, sizeof(head) - 1) ||
            strncmp(problem.buf + sizeof(head) - 1, tool, strlen(tool)))
            abort();
    }
    buf_release(&problem);
    free(tool);
}

/* memmem is a GNU extension; the build is POSIX + _DEFAULT_SOURCE. */
static const uint8_t *find_separator(const uint8_t *data, size_t size)
{
    const size_t n = sizeof(SEPARATOR) - 1;

    for (size_t i = 0; i + n <= size; i++) {
        if (!memcmp(data + i, SEPARATOR, n))
            return data + i;
    }
    return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = fixed_runfile, *json = (const char *)data;
    size_t text_len = sizeof(fixed_runfile) - 1, json_len = size;
    const uint8_t *sep = find_separator(data, size);
    struct diag_list diags = DIAG_LIST_INIT;
    struct runfile *rf;
    json_error_t err;
    json_t *arguments;

    if (sep) {
        text = (const char *)data;
        text_len = (size_t)(sep - data);
        json = (const char *)sep + sizeof(SEPARATOR) - 1;
        json_len = size - text_len - (sizeof(SEPARATOR) - 1);
    }
    arguments = json_loadb(json, json_len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &err);
    /* The server answers non-objects itself (mcp.md §7.1 step 3); null means no arguments. */
    if (arguments && !json_is_object(arguments)) {
        bool null = json_is_null(arguments);

        json_decref(arguments);
        arguments = null ? NULL : json_object();
    }

    rf = runfile_parse("Runfile", NULL, text, text_len, false, &diags);
    for (size_t i = 0; i < rf->nfns && i < MAX_FUNCTIONS; i++)
        check_one(&rf->fns[i], arguments);
    runfile_free(rf);
    diag_list_release(&diags);
    json_decref(arguments);
    return 0;
}
