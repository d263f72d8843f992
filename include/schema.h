/*
 * schema: a Runfile's functions as MCP tools (spec/mcp.md §6, §7.3, §7.4; cli.md §6).
 *
 * One module decides which functions are offered, under which tool names, with which input
 * schemas, and how a tools/call `arguments` object becomes argv values, so `run --inspect`,
 * `tools/list` and `tools/call` can never disagree. Pure: no I/O, no libuv; problems are
 * diags or text for the caller to report.
 *
 * Calling sequence (a server keeps one index per loaded Runfile):
 *   struct diag_list warnings = DIAG_LIST_INIT;
 *   struct schema_index *ix = schema_index_new(rf, &warnings);   // §6.4 warnings
 *   schema_write_list(ix, builtins, SCHEMA_COMPACT, &text);      // {"tools":[...]} as text
 *   const struct runfile_fn *fn = schema_index_find(ix, "docker__build");
 *   char **argv; size_t n; uint64_t timeout; struct buf problem = BUF_INIT;
 *   if (fn && schema_map_arguments(fn, "docker__build", args, &argv, &n, &timeout, &problem))
 *       report(problem.buf);                                    // validation failure
 *   ...
 *   schema_free_values(argv);
 *   schema_index_free(ix);
 *
 * Tool lists are written as text by schema_write_list, straight from the model. A tree from
 * schema_index_tools gives the same text when serialised with SCHEMA_JSON_FLAGS added to the
 * layout flags (JSON_COMPACT for the wire, JSON_INDENT(2) for --inspect): number defaults must
 * print with at most 15 significant digits (execution.md §4), which jansson does only when
 * asked.
 */
#ifndef RUN_SCHEMA_H
#define RUN_SCHEMA_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "runfile.h"

struct buf;

/* Add to every json_dumps of a tool list or schema: JSON_REAL_PRECISION(15). */
#define SCHEMA_JSON_FLAGS JSON_REAL_PRECISION(15)

/* The longest tool name (mcp.md §6.2). */
#define SCHEMA_MAX_TOOL_NAME 64

/* The description of the `timeout` property every Runfile tool gets (mcp.md §6.3). */
#define SCHEMA_TIMEOUT_DESC                                                               \
    "Optional time limit in seconds for this call. When it is exceeded, the command and " \
    "everything it started are stopped and the call fails. Omit it (or use 0) for no limit."

/* The offered tools of one Runfile, built once: the tool list and a tool-name lookup. */
struct schema_index;

/*
 * Decide which functions are offered (mcp.md §6.4) and build their tool objects. Functions
 * with a non-empty @desc are candidates; a candidate is left out, with one warning at its
 * definition appended to 'warnings' (may be NULL), when it has a parameter named `timeout`,
 * its tool name is longer than 64 characters, its tool name is a built-in's, or another
 * candidate with the same tool name wins (own name equal to the tool name first, else the
 * later definition). Warnings come in Runfile order. 'rf' must outlive the index.
 */
struct schema_index *schema_index_new(const struct runfile *rf, struct diag_list *warnings);
void schema_index_free(struct schema_index *ix); /* NULL-safe */

/*
 * The tool list in Runfile order, built-ins not included, as a jansson tree: only for callers
 * that need the tree (a batch response); text goes through schema_write_list. Returns a new
 * reference to a new array of new objects. 'ix' may be NULL (an empty array).
 */
json_t *schema_index_tools(const struct schema_index *ix);

/* The two layouts of a written tool list. */
enum schema_layout {
    SCHEMA_COMPACT, /* JSON_COMPACT: the tools/list result on the wire */
    SCHEMA_PRETTY,  /* JSON_INDENT(2): run --inspect */
};

/*
 * Append {"tools":[...]} to 'out': the offered tools of 'ix' (NULL: none) in Runfile order,
 * then the elements of the array 'extra' (NULL: none; the built-in tools). Written straight
 * from the model, byte for byte what json_dumps() with the layout's flags plus
 * SCHEMA_JSON_FLAGS gives for {"tools": schema_index_tools(ix) + extra}, at a fraction of
 * its cost. No newline at the end.
 */
void schema_write_list(const struct schema_index *ix, const json_t *extra,
                       enum schema_layout layout, struct buf *out);

/*
 * The offered function whose tool name is exactly 'tool_name', or NULL. A hash lookup.
 * Borrowed from the index's Runfile.
 */
const struct runfile_fn *schema_index_find(const struct schema_index *ix, const char *tool_name);

/* One-shot forms of the two above (each builds and frees an index); same ownership. */
json_t *schema_tools(const struct runfile *rf, struct diag_list *warnings); /* new reference */
const struct runfile_fn *schema_find_tool(const struct runfile *rf, const char *tool_name);

/* The tool name of a function name: every ':' becomes "__". The caller frees. */
char *schema_tool_name(const char *fn_name);

/*
 * The tool object {name, description, inputSchema} of 'fn' under 'tool_name' (mcp.md §6.2,
 * §6.3), whether or not it is offered. Returns a new reference.
 */
json_t *schema_tool_json(const struct runfile_fn *fn, const char *tool_name);

/*
 * Validate a tools/call `arguments` object for 'fn' (mcp.md §7.3) and map it to argv values
 * (§7.4). 'arguments' may be NULL (no arguments). On success returns 0, sets '*values' to a
 * new NULL-terminated array of '*nvalues' strings (free with schema_free_values) and
 * '*timeout_s' to the time limit in seconds (0: none); 'problem' is untouched. On failure
 * returns -1, sets nothing else, and replaces the contents of 'problem' with the whole text
 * "Invalid arguments for tool '<tool_name>': <problem>; <problem>...".
 *
 * Choices the spec leaves open: an empty string for an optional parameter (also the rest
 * parameter) counts as absent; a `null` element of a rest array is passed as the text
 * "null"; a rest value that is neither an array nor a string is "must be an array"; an
 * integral real is an integer only within the 64-bit range; `<json>` is cut to 100 bytes
 * without splitting a UTF-8 sequence.
 */
int schema_map_arguments(const struct runfile_fn *fn, const char *tool_name, json_t *arguments,
                         char ***values, size_t *nvalues, uint64_t *timeout_s, struct buf *problem);

/* Free an array from schema_map_arguments (NULL-safe). */
void schema_free_values(char **values);

/*
 * A JSON number as argv text (mcp.md §7.3): an integer as decimal digits; an integral real
 * below 2^53 in magnitude as an integer (2.0 -> "2"); any other real with at most 15
 * significant digits, shortest form ("1.5", "0.1", "1e+21"). Appends to 'out'.
 */
void schema_number_text(struct buf *out, const json_t *number);

#endif
