/*
 * mcp: message classification (§3), lifecycle (§4), the method table (§5), tools/list (§6),
 * the front of tools/call (§7.1 steps 1–4), the built-in tools (§14) and shutdown (§12).
 *
 * Invariants: every request gets exactly one answer, except tool calls that are cancelled
 * or stopped by shutdown, which get none; notifications never get one. Nothing but protocol
 * messages goes to stdout.
 */
#include "mcp.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base.h"
#include "buf.h"
#include "embedded.h"
#include "log.h"
#include "mcp_int.h"
#include "report.h"
#include "runfile.h"
#include "schema.h"

/* ---- messages ---------------------------------------------------------------------------- */

json_t *mcp_json_text(const char *text, size_t len)
{
    struct buf repaired = BUF_INIT;
    json_t *v;

    report_utf8_repair(&repaired, text, len);
    v = json_stringn(repaired.buf, repaired.len);
    buf_release(&repaired);
    return v;
}

json_t *mcp_text_result(const char *text, bool is_error)
{
    return mcp_text_resultn(text, strlen(text), is_error);
}

json_t *mcp_text_resultn(const char *text, size_t len, bool is_error)
{
    json_t *item = json_object(), *r = json_object(), *content = json_array();

    json_object_set_new(item, "type", json_string("text"));
    json_object_set_new(item, "text", mcp_json_text(text, len));
    json_array_append_new(content, item);
    json_object_set_new(r, "content", content);
    json_object_set_new(r, "isError", json_boolean(is_error));
    return r;
}

bool mcp_is_text(const json_t *v)
{
    return json_is_string(v) && strlen(json_string_value(v)) == json_string_length(v);
}

json_t *mcp_error_with(json_t *id, int code, const char *prefix, const json_t *str)
{
    json_t *m = jsonrpc_error(id, code, "%s", prefix);
    struct buf text = BUF_INIT;

    buf_addstr(&text, prefix);
    buf_add(&text, json_string_value(str), json_string_length(str));
    json_object_set_new(json_object_get(m, "error"), "message", json_stringn(text.buf, text.len));
    buf_release(&text);
    return m;
}

void mcp_send(struct mcp_server *s, json_t *msg)
{
    if (s->state != MCP_CLOSING)
        jsonrpc_conn_send(s->conn, msg);
    json_decref(msg);
}

void mcp_reply(struct mcp_server *s, const struct mcp_req *req, json_t *msg)
{
    if (req->batch)
        json_array_append_new(req->batch->responses, msg);
    else
        mcp_send(s, msg);
}

void mcp_batch_done(struct mcp_server *s, struct mcp_batch *b)
{
    if (--b->pending)
        return;
    if (json_array_size(b->responses))
        mcp_send(s, b->responses);
    else
        json_decref(b->responses);
    free(b);
}

const char *mcp_version(const struct mcp_server *s)
{
    return s->version ? s->version : MCP_V2024_11_05;
}

void mcp_reply_invalid_args(struct mcp_server *s, const struct mcp_req *req, const char *text)
{
    if (streq(mcp_version(s), MCP_V2025_11_25))
        mcp_reply(s, req, jsonrpc_result(req->id, mcp_text_result(text, true)));
    else
        mcp_reply(s, req, jsonrpc_error(req->id, JSONRPC_INVALID_PARAMS, "%s", text));
}

void mcp_send_list_changed(struct mcp_server *s)
{
    if (!s->list_changed)
        return;
    /* Before notifications/initialized a change is never announced, not even later. */
    s->list_changed = false;
    if (!s->initialized || s->state != MCP_SERVING)
        return;
    mcp_send(s, jsonrpc_notification("notifications/tools/list_changed", NULL));
}

/* ---- built-in tools (§14) ---------------------------------------------------------------- */

static const char builtin_tools_json[] =
    "[{\"name\":\"set_cwd\",\"description\":\"Change the working directory used by the "
    "following tool calls of this session. A relative path is resolved against the current "
    "working directory. The Runfile is looked up again from the new directory (unless the "
    "server was started with --runfile).\",\"inputSchema\":{\"type\":\"object\",\"properties\":"
    "{\"path\":{\"type\":\"string\",\"description\":\"Directory to switch to, absolute or "
    "relative to the current working directory.\"}},\"required\":[\"path\"]}},"
    "{\"name\":\"get_cwd\",\"description\":\"Return the working directory that tool calls of "
    "this session use.\",\"inputSchema\":{\"type\":\"object\",\"properties\":{},\"required\":"
    "[]}},"
    "{\"name\":\"run_docs\",\"description\":\"Read the documentation of run and of the Runfile "
    "format. Call it without a topic (or with \\\"index\\\") to list the topics.\","
    "\"inputSchema\":{\"type\":\"object\",\"properties\":{\"topic\":{\"type\":\"string\","
    "\"description\":\"Topic slug: getting-started, runfile-syntax, arguments, variables, "
    "attributes-and-interpreters, command-composition, polyglot-commands, mcp, cli, "
    "bash-differences, recipes, faq, reference. Omit it or use \\\"index\\\" for the list.\"}},"
    "\"required\":[]}}]";

static const struct topic {
    const char *slug, *title;
} topics[] = {
    { "getting-started", "Getting started with run" },
    { "runfile-syntax", "Runfile syntax reference" },
    { "arguments", "Function arguments and parameters" },
    { "variables", "Variables" },
    { "attributes-and-interpreters", "Attributes and interpreters (@shell, @os, @desc)" },
    { "command-composition", "Command composition and piping" },
    { "polyglot-commands", "Polyglot commands (Python, Node, Ruby)" },
    { "mcp", "MCP integration" },
    { "cli", "CLI reference" },
    { "bash-differences", "Differences from plain bash" },
    { "recipes", "Recipes and examples" },
    { "faq", "FAQ" },
    { "reference", "Full reference" },
};

/* The compact JSON of 'v', cut to 100 bytes at a character boundary (§7.3 <json>). */
static void add_json_excerpt(struct buf *out, json_t *v)
{
    char *text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | SCHEMA_JSON_FLAGS);
    size_t len = strlen(text);

    if (len > 100) {
        len = 100;
        while (len && ((unsigned char)text[len] & 0xC0) == 0x80)
            len--;
    }
    buf_add(out, text, len);
    free(text);
}

/* A string argument of a built-in: 0 and *value, 1 when absent, -1 after replying. */
static int builtin_string_arg(struct mcp_server *s, const struct mcp_req *req, const char *tool,
                              json_t *args, const char *name, bool required, const char **value)
{
    json_t *v = args ? json_object_get(args, name) : NULL;
    struct buf text = BUF_INIT;

    *value = NULL;
    if (!v || json_is_null(v)) {
        if (!required)
            return 1;
        buf_addf(&text, "Invalid arguments for tool '%s': missing required argument '%s'", tool,
                 name);
    } else if (!mcp_is_text(v) || (required && !json_string_length(v))) {
        buf_addf(&text, "Invalid arguments for tool '%s': '%s' must be a %sstring, got ", tool,
                 name, json_is_string(v) ? "non-empty " : "");
        add_json_excerpt(&text, v);
    } else {
        *value = json_string_value(v);
        return 0;
    }
    mcp_reply_invalid_args(s, req, text.buf);
    buf_release(&text);
    return -1;
}

static void tool_set_cwd(struct mcp_server *s, const struct mcp_req *req, json_t *args)
{
    const char *path, *root;
    char *joined = NULL, *canon = NULL;
    struct buf text = BUF_INIT;
    struct stat st;
    int err = 0;

    if (builtin_string_arg(s, req, "set_cwd", args, "path", true, &path))
        return;
    joined = path[0] == '/' ? xstrdup(path) : xasprintf("%s/%s", s->cwd, path);
    canon = realpath(joined, NULL);
    /* Not there, not a directory, or not enterable (no search permission). */
    if (!canon || stat(canon, &st) < 0 || (S_ISDIR(st.st_mode) && access(canon, X_OK) < 0))
        err = errno;
    else if (!S_ISDIR(st.st_mode))
        err = ENOTDIR;
    if (err) {
        buf_addf(&text, "Cannot change the working directory to '%s': %s", path, strerror(err));
        mcp_reply(s, req, jsonrpc_result(req->id, mcp_text_result(text.buf, true)));
        goto out;
    }
    free(s->cwd);
    s->cwd = canon;
    canon = NULL;
    mcp_project_refresh(s);
    root = mcp_project_root(&s->project);
    buf_addf(&text, "Working directory changed to %s\n", s->cwd);
    if (s->pinned)
        buf_addf(&text, "Runfile: %s (fixed by --runfile)", root ? root : s->pinned);
    else if (root)
        buf_addf(&text, "Runfile: %s", root);
    else
        buf_addstr(&text, "No Runfile found from this directory; only the built-in tools are "
                          "available.");
    mcp_reply(s, req, jsonrpc_result(req->id, mcp_text_result(text.buf, false)));
    /* The notification follows the result (§14.1). */
    mcp_send_list_changed(s);
out:
    free(joined);
    free(canon);
    buf_release(&text);
}

static void add_page(struct buf *out, const char *slug)
{
    char name[128];
    const struct embedded_file *f;

    (void)snprintf(name, sizeof(name), "man/topics/%s.md", slug);
    f = embedded_find(name);
    if (f)
        buf_add(out, f->data, f->len);
    else
        buf_addf(out, "# %s\n\nThis page is missing from this build of run.\n", slug);
}

static void tool_run_docs(struct mcp_server *s, const struct mcp_req *req, json_t *args)
{
    const char *topic;
    struct buf text = BUF_INIT;
    size_t i;
    int rc = builtin_string_arg(s, req, "run_docs", args, "topic", false, &topic);

    if (rc < 0)
        return;
    if (rc > 0 || !*topic || streq(topic, "index")) {
        buf_addstr(&text, "# run documentation topics\n\nCall run_docs with a topic to read it, "
                          "for example {\"topic\": \"runfile-syntax\"}.\n\n");
        for (i = 0; i < ARRAY_SIZE(topics); i++)
            buf_addf(&text, "%s- **%s**: %s", i ? "\n" : "", topics[i].slug, topics[i].title);
    } else if (streq(topic, "reference")) {
        /* The other twelve pages, in index order, one empty line between them. */
        for (i = 0; i + 1 < ARRAY_SIZE(topics); i++) {
            if (i)
                buf_addch(&text, '\n');
            add_page(&text, topics[i].slug);
            buf_rtrim(&text);
            buf_addch(&text, '\n');
        }
    } else {
        for (i = 0; i < ARRAY_SIZE(topics); i++)
            if (streq(topic, topics[i].slug))
                break;
        if (i < ARRAY_SIZE(topics)) {
            add_page(&text, topics[i].slug);
        } else {
            buf_addf(&text, "Unknown topic `%s`. Available topics: ", topic);
            for (i = 0; i < ARRAY_SIZE(topics); i++)
                buf_addf(&text, "%s%s", i ? ", " : "", topics[i].slug);
        }
    }
    mcp_reply(s, req, jsonrpc_result(req->id, mcp_text_result(text.buf, false)));
    buf_release(&text);
}

/* Handle a built-in tool; false when 'name' is none. */
static bool call_builtin(struct mcp_server *s, const struct mcp_req *req, const char *name,
                         json_t *args)
{
    if (streq(name, "set_cwd"))
        tool_set_cwd(s, req, args);
    else if (streq(name, "get_cwd"))
        mcp_reply(s, req, jsonrpc_result(req->id, mcp_text_result(s->cwd, false)));
    else if (streq(name, "run_docs"))
        tool_run_docs(s, req, args);
    else
        return false;
    return true;
}

/* ---- methods (§5) ------------------------------------------------------------------------ */

typedef void method_fn(struct mcp_server *s, const struct mcp_req *req, json_t *params);

static const char *const versions[] = { MCP_V2025_11_25, MCP_V2025_06_18, MCP_V2025_03_26,
                                        MCP_V2024_11_05 };

static void instructions(struct mcp_server *s, struct buf *out)
{
    const struct mcp_project *p = &s->project;

    buf_addstr(
        out,
        "This server runs the functions of a Runfile, the task file of the `run` tool. The "
        "Runfile is found from the working directory: a file named Runfile there or in the "
        "nearest parent directory (plus ~/.runfile, if present). Each function that has a "
        "`# @desc` comment is a tool; the tool's parameters are the function's arguments. "
        "Every such tool also accepts an optional `timeout` argument: a time limit in seconds "
        "for that call. Tools run in the session's working directory, which the `get_cwd` tool "
        "shows and the `set_cwd` tool changes (the Runfile is then looked up again from the "
        "new directory). Long output is shortened to its last lines in the result, and the "
        "full output is saved to a file whose path the result names. If a call reports a "
        "Runfile syntax error, the Runfile must be fixed: the `run_docs` tool (topic "
        "`runfile-syntax`) explains the syntax, and `run_docs` without a topic lists every "
        "documentation topic.");
    if (p->rf && p->rf->ninstructions) {
        buf_addstr(out, "\n\nRunfile instructions:");
        for (size_t i = 0; i < p->rf->ninstructions; i++)
            buf_addf(out, "\n- %s", p->rf->instructions[i]);
    }
    if (!p->rf && s->pinned)
        buf_addf(out,
                 "\n\nThe Runfile given with --runfile (%s) cannot be read (%s), so only the "
                 "built-in tools are available.",
                 s->pinned, strerror(p->load_errno ? p->load_errno : ENOENT));
    else if (!p->rf)
        buf_addf(out,
                 "\n\nNo Runfile was found from the current working directory (%s), so only "
                 "the built-in tools are available. Use `set_cwd` to switch to a project "
                 "directory that has a Runfile.",
                 s->cwd);
    else if (p->diags.nerrors)
        buf_addstr(out, "\n\nThe Runfile has errors, so only the built-in tools are available. "
                        "Calling any Runfile tool name returns the diagnostics; fix the "
                        "Runfile and the tools come back.");
}

static void m_initialize(struct mcp_server *s, const struct mcp_req *req, json_t *params)
{
    json_t *pv = params ? json_object_get(params, "protocolVersion") : NULL;
    const char *v = versions[0];
    json_t *r, *caps, *tools, *info;
    struct buf text = BUF_INIT;

    for (size_t i = 0; mcp_is_text(pv) && i < ARRAY_SIZE(versions); i++)
        if (streq(json_string_value(pv), versions[i]))
            v = versions[i];
    s->version = v;
    mcp_project_refresh(s);
    instructions(s, &text);

    r = json_object();
    caps = json_object();
    tools = json_object();
    info = json_object();
    json_object_set_new(r, "protocolVersion", json_string(v));
    json_object_set_new(tools, "listChanged", json_true());
    json_object_set_new(caps, "tools", tools);
    json_object_set_new(r, "capabilities", caps);
    json_object_set_new(info, "name", json_string("run"));
    json_object_set_new(info, "version", json_string(RUN_VERSION));
    json_object_set_new(r, "serverInfo", info);
    json_object_set_new(r, "instructions", json_string(text.buf));
    mcp_reply(s, req, jsonrpc_result(req->id, r));
    buf_release(&text);
    mcp_send_list_changed(s);
}

static void m_ping(struct mcp_server *s, const struct mcp_req *req, json_t *params)
{
    (void)params;
    mcp_reply(s, req, jsonrpc_result(req->id, json_object()));
}

static void m_tools_list(struct mcp_server *s, const struct mcp_req *req, json_t *params)
{
    json_t *cursor = params ? json_object_get(params, "cursor") : NULL;

    if (cursor && !json_is_null(cursor)) {
        mcp_reply(s, req,
                  jsonrpc_error(req->id, JSONRPC_INVALID_PARAMS, "Invalid params: unknown cursor"));
        return;
    }
    mcp_project_refresh(s);
    /* The list is written once per load (list_text, what the connection's flags would give):
     * re-serialising it per request cost ~37M instructions at 1,000 tools. A batch needs a
     * tree, as its responses are sent as one array: that is built only then. */
    if (req->batch)
        mcp_reply(s, req, jsonrpc_result(req->id, json_incref(mcp_project_list(s))));
    else if (s->state != MCP_CLOSING)
        jsonrpc_conn_send_result_text(s->conn, req->id, s->project.list_text);
    mcp_send_list_changed(s);
}

static void m_tools_call(struct mcp_server *s, const struct mcp_req *req, json_t *params)
{
    json_t *name, *args;

    if (!json_is_object(params)) {
        mcp_reply(s, req,
                  jsonrpc_error(req->id, JSONRPC_INVALID_PARAMS,
                                "Invalid params: params must be an object"));
        return;
    }
    name = json_object_get(params, "name");
    if (!json_is_string(name) || !json_string_length(name)) {
        mcp_reply(s, req, jsonrpc_error(req->id, JSONRPC_INVALID_PARAMS, "Missing tool name"));
        return;
    }
    args = json_object_get(params, "arguments");
    if (json_is_null(args))
        args = NULL;
    if (args && !json_is_object(args)) {
        mcp_reply(s, req,
                  jsonrpc_error(req->id, JSONRPC_INVALID_PARAMS, "Arguments must be an object"));
        return;
    }
    if (mcp_is_text(name) && call_builtin(s, req, json_string_value(name), args))
        return;
    mcp_call_start(s, req, json_string_value(name), args, params);
    /* The request-time check may have reloaded a changed Runfile. */
    mcp_send_list_changed(s);
}

static const struct method {
    const char *name;
    method_fn *fn;
} methods[] = {
    { "initialize", m_initialize },
    { "ping", m_ping },
    { "tools/list", m_tools_list },
    { "tools/call", m_tools_call },
};

static void notification(struct mcp_server *s, const char *method, json_t *params)
{
    if (streq(method, "notifications/initialized")) {
        s->initialized = true;
    } else if (streq(method, "notifications/cancelled")) {
        json_t *id = json_is_object(params) ? json_object_get(params, "requestId") : NULL;
        json_t *reason = json_is_object(params) ? json_object_get(params, "reason") : NULL;

        if (!id)
            return;
        if (json_is_string(reason) && mcp_call_id_in_use(s, id))
            log_warn("request cancelled by the client: %s", json_string_value(reason));
        mcp_call_cancel(s, id);
    }
}

/* ---- classification (§3.1) --------------------------------------------------------------- */

static bool valid_id(json_t *id)
{
    return json_is_string(id) || json_is_integer(id);
}

/* Handle one message (alone, or an element of 'batch'). */
static void handle_one(struct mcp_server *s, json_t *msg, struct mcp_batch *batch)
{
    struct mcp_req req = { NULL, batch };
    json_t *id, *method, *version, *params;
    const struct method *m = NULL;
    const char *name;

    if (!json_is_object(msg)) {
        mcp_reply(s, &req,
                  jsonrpc_error(NULL, JSONRPC_INVALID_REQUEST,
                                "Invalid Request: a message must be a JSON object"));
        return;
    }
    id = json_object_get(msg, "id");
    method = json_object_get(msg, "method");
    version = json_object_get(msg, "jsonrpc");
    params = json_object_get(msg, "params");
    if (id && !valid_id(id)) {
        mcp_reply(s, &req,
                  jsonrpc_error(NULL, JSONRPC_INVALID_REQUEST,
                                "Invalid Request: id must be a string or an integer"));
        return;
    }
    if (!method && (json_object_get(msg, "result") || json_object_get(msg, "error")))
        return; /* a response from the client: the server sends no requests */
    if (!id) {
        if (mcp_is_text(version) && streq(json_string_value(version), "2.0") &&
            json_is_string(method)) {
            if (mcp_is_text(method)) /* a name with NUL is no notification we handle */
                notification(s, json_string_value(method), params);
        } else
            log_warn("ignoring a malformed notification");
        return;
    }
    req.id = id;
    if (!mcp_is_text(version) || !streq(json_string_value(version), "2.0")) {
        /* The details name the version as nihilok/run's message did, for clients that
         * look for "Invalid JSON-RPC version". */
        struct buf got = BUF_INIT;

        if (mcp_is_text(version))
            buf_addstr(&got, json_string_value(version));
        else if (version)
            add_json_excerpt(&got, version);
        else
            buf_addstr(&got, "missing");
        mcp_reply(s, &req,
                  jsonrpc_error(id, JSONRPC_INVALID_REQUEST,
                                "Invalid Request: Invalid JSON-RPC version: %s", got.buf));
        buf_release(&got);
        return;
    }
    if (!json_is_string(method)) {
        mcp_reply(
            s, &req,
            jsonrpc_error(id, JSONRPC_INVALID_REQUEST, "Invalid Request: method must be a string"));
        return;
    }
    if (mcp_call_id_in_use(s, id)) {
        mcp_reply(s, &req,
                  jsonrpc_error(id, JSONRPC_INVALID_REQUEST, "Invalid Request: id already in use"));
        return;
    }
    name = json_string_value(method);
    for (size_t i = 0; mcp_is_text(method) && i < ARRAY_SIZE(methods); i++)
        if (streq(name, methods[i].name))
            m = &methods[i];
    if (!m) {
        mcp_reply(s, &req,
                  mcp_error_with(id, JSONRPC_METHOD_NOT_FOUND, "Method not found: ", method));
        return;
    }
    if (params && !json_is_object(params) && !json_is_null(params)) {
        mcp_reply(
            s, &req,
            jsonrpc_error(id, JSONRPC_INVALID_PARAMS, "Invalid params: params must be an object"));
        return;
    }
    if (batch && m->fn == m_initialize) {
        mcp_reply(s, &req,
                  jsonrpc_error(id, JSONRPC_INVALID_REQUEST,
                                "Invalid Request: initialize cannot be part of a batch"));
        return;
    }
    m->fn(s, &req, json_is_null(params) ? NULL : params);
}

static void handle_batch(struct mcp_server *s, json_t *arr)
{
    struct mcp_req none = { NULL, NULL };
    struct mcp_batch *b;
    size_t i;

    if (!streq(mcp_version(s), MCP_V2025_03_26)) {
        mcp_reply(s, &none,
                  jsonrpc_error(NULL, JSONRPC_INVALID_REQUEST,
                                "Invalid Request: batches are not supported in protocol "
                                "version %s",
                                mcp_version(s)));
        return;
    }
    if (!json_array_size(arr)) {
        mcp_reply(s, &none,
                  jsonrpc_error(NULL, JSONRPC_INVALID_REQUEST, "Invalid Request: empty batch"));
        return;
    }
    b = xcalloc(1, sizeof(*b));
    b->responses = json_array();
    b->pending = 1; /* held while the elements are handled */
    for (i = 0; i < json_array_size(arr); i++) {
        json_t *el = json_array_get(arr, i);

        if (s->state != MCP_SERVING)
            break;
        if (json_is_array(el)) {
            struct mcp_req req = { NULL, b };

            mcp_reply(s, &req,
                      jsonrpc_error(NULL, JSONRPC_INVALID_REQUEST,
                                    "Invalid Request: a batch element must be a JSON object"));
            continue;
        }
        handle_one(s, el, b);
    }
    mcp_batch_done(s, b);
}

static void on_frame(const char *line, size_t len, bool oversize, void *arg)
{
    struct mcp_server *s = arg;
    json_error_t err;
    json_t *msg;

    if (s->state != MCP_SERVING)
        return;
    if (oversize) {
        struct mcp_req none = { NULL, NULL };

        mcp_reply(s, &none,
                  jsonrpc_error(NULL, JSONRPC_INVALID_REQUEST,
                                "Invalid Request: message longer than %zu bytes",
                                s->opts.max_frame));
        return;
    }
    /* jansson rejects invalid UTF-8 as well as bad JSON. "\u0000" is valid JSON: strings may
     * hold NUL, so names are compared with mcp_is_text() first. */
    msg = json_loadb(line, len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &err);
    if (!msg) {
        mcp_send(s, jsonrpc_error(NULL, JSONRPC_PARSE_ERROR, "Parse error: %s", err.text));
        return;
    }
    if (json_is_array(msg))
        handle_batch(s, msg);
    else
        handle_one(s, msg, NULL);
    json_decref(msg);
}

/* ---- lifecycle of the server ------------------------------------------------------------- */

static void on_server_handle_closed(uv_handle_t *h)
{
    struct mcp_server *s = h->data;

    s->open_handles--;
}

static void close_all(struct mcp_server *s)
{
    if (s->state == MCP_CLOSING)
        return;
    s->state = MCP_CLOSING;
    jsonrpc_conn_close(s->conn);
    for (unsigned i = 0; i < s->nsigs; i++)
        uv_close((uv_handle_t *)&s->sigs[i], on_server_handle_closed);
    uv_close((uv_handle_t *)&s->flush_timer, on_server_handle_closed);
    uv_close((uv_handle_t *)&s->reload_timer, on_server_handle_closed);
    mcp_project_unwatch(s);
}

static void on_flushed(struct jsonrpc_conn *c, void *arg)
{
    (void)c;
    close_all(arg);
}

static void on_flush_timeout(uv_timer_t *t)
{
    close_all(t->data);
}

void mcp_check_stopped(struct mcp_server *s)
{
    if (s->state != MCP_STOPPING || s->nrunning || s->flushing)
        return;
    s->flushing = true;
    uv_timer_start(&s->flush_timer, on_flush_timeout, MCP_FLUSH_MS, 0);
    jsonrpc_conn_flush(s->conn, on_flushed, s);
}

void mcp_server_stop(struct mcp_server *s)
{
    if (s->state != MCP_SERVING)
        return;
    s->state = MCP_STOPPING;
    jsonrpc_conn_stop_reading(s->conn);
    uv_timer_stop(&s->reload_timer);
    mcp_call_stop_all(s);
    mcp_check_stopped(s);
}

static void on_conn_end(struct jsonrpc_conn *c, enum jsonrpc_end why, void *arg)
{
    struct mcp_server *s = arg;

    (void)c;
    (void)why;
    mcp_server_stop(s);
}

static void on_signal(uv_signal_t *h, int signum)
{
    (void)signum;
    mcp_server_stop(h->data);
}

static char *dup_or_null(const char *s)
{
    return s && *s ? xstrdup(s) : NULL;
}

struct mcp_server *mcp_server_new(uv_loop_t *loop, const struct mcp_opts *opts)
{
    static const int signals[] = { SIGTERM, SIGINT, SIGHUP };
    struct mcp_server *s = xcalloc(1, sizeof(*s));
    json_error_t err;

    s->loop = loop;
    s->opts = *opts;
    s->cwd = xstrdup(opts->cwd);
    s->home = dup_or_null(opts->home);
    s->exe = dup_or_null(opts->exe);
    s->runfile_dir = dup_or_null(opts->runfile_dir);
    s->shell = dup_or_null(opts->shell);
    s->output_dir = dup_or_null(opts->output_dir);
    /* The pinned Runfile is relative to the first cwd, never to a later session cwd. */
    if (opts->runfile && *opts->runfile)
        s->pinned = opts->runfile[0] == '/' ? xstrdup(opts->runfile)
                                            : xasprintf("%s/%s", opts->cwd, opts->runfile);
    s->opts.cwd = s->cwd;
    s->opts.home = s->home;
    s->opts.exe = s->exe;
    s->opts.runfile = s->pinned;
    s->opts.runfile_dir = s->runfile_dir;
    s->opts.shell = s->shell;
    s->opts.output_dir = s->output_dir;
    if (!s->opts.max_concurrency)
        s->opts.max_concurrency = MCP_MAX_CONCURRENCY;
    if (!s->opts.max_frame)
        s->opts.max_frame = JSONRPC_MAX_FRAME;

    s->builtins = json_loads(builtin_tools_json, 0, &err);
    if (!s->builtins)
        BUG("built-in tool list: %s", err.text);

    uv_timer_init(loop, &s->flush_timer);
    s->flush_timer.data = s;
    uv_timer_init(loop, &s->reload_timer);
    s->reload_timer.data = s;
    s->open_handles = 2;
    if (opts->handle_signals) {
        for (unsigned i = 0; i < ARRAY_SIZE(signals); i++) {
            uv_signal_init(loop, &s->sigs[i]);
            s->sigs[i].data = s;
            s->open_handles++;
            s->nsigs++;
            uv_signal_start(&s->sigs[i], on_signal, signals[i]);
        }
    }
    s->conn = jsonrpc_conn_new(loop, &(struct jsonrpc_conn_opts){ .in_fd = opts->in_fd,
                                                                  .out_fd = opts->out_fd,
                                                                  .max_frame = s->opts.max_frame,
                                                                  .dump_flags = SCHEMA_JSON_FLAGS,
                                                                  .frame = on_frame,
                                                                  .end = on_conn_end,
                                                                  .arg = s });
    return s;
}

void mcp_server_free(struct mcp_server *s)
{
    if (!s)
        return;
    if (s->open_handles || s->calls)
        BUG("mcp server freed while it still has handles or calls");
    mcp_project_release(&s->project);
    json_decref(s->builtins);
    free(s->cwd);
    free(s->home);
    free(s->exe);
    free(s->pinned);
    free(s->runfile_dir);
    free(s->shell);
    free(s->output_dir);
    free(s);
}
