/*
 * mcp_call: tools/call for Runfile tools (§7.1 steps 5–8, §8, §9, §10).
 *
 * A call is validated and its program built when the request arrives, so it owns a snapshot
 * (argv, environment, working directory, output directory) that no later set_cwd or reload
 * can touch. At most max_concurrency calls run; the others wait in arrival order. A call is
 * answered from proc's 'done', so answers may come out of order; a cancelled call (or one
 * stopped by shutdown) is never answered and its output files are deleted.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base.h"
#include "buf.h"
#include "log.h"
#include "mcp_int.h"
#include "outstore.h"
#include "proc.h"
#include "report.h"
#include "runfile.h"
#include "schema.h"
#include "script.h"

extern char **environ;

#define PROGRESS_MESSAGE_MAX 200

struct mcp_call {
    struct mcp_call *next;
    struct mcp_server *server;
    json_t *id; /* the request id (own reference) */
    struct mcp_batch *batch;
    json_t *progress_token; /* own reference, or NULL */

    /* The snapshot. */
    char **argv;
    char **env;
    char *cwd;
    char *out_dir;
    char *tool;
    char *fn_name;
    char *body;
    char *interp; /* the interpreter's label ("bash", "python3") for messages */
    uint64_t timeout_s;

    struct proc_call *proc; /* while running */
    struct outstore *out, *err;
    uv_timer_t progress;
    bool has_timer;
    uint64_t seconds;
    bool cancelled; /* no answer, output files deleted */
};

static char **copy_strv(char *const *v)
{
    size_t n = 0;
    char **c;

    while (v[n])
        n++;
    c = xcalloc(n + 1, sizeof(*c));
    for (size_t i = 0; i < n; i++)
        c[i] = xstrdup(v[i]);
    return c;
}

static void free_strv(char **v)
{
    if (!v)
        return;
    for (size_t i = 0; v[i]; i++)
        free(v[i]);
    free(v);
}

/* The server's environment plus __RUNFILE_DIR__ (execution.md §11). */
static char **child_env(const char *runfile_dir)
{
    size_t n = 0, k = 0;
    char **env;

    while (environ[n])
        n++;
    env = xcalloc(n + 2, sizeof(*env));
    for (size_t i = 0; i < n; i++)
        if (!starts_with(environ[i], "__RUNFILE_DIR__="))
            env[k++] = xstrdup(environ[i]);
    env[k] = xasprintf("__RUNFILE_DIR__=%s", runfile_dir);
    return env;
}

/*
 * Append the absolute path 'path' to 'out' without empty and "." components and with each
 * ".." removing the component before it (lexically, as clients resolve paths), so that
 * "./out" or "out/" name the same files as "out" in the results (§10.2 "absolute path").
 */
static void add_clean_path(struct buf *out, const char *path)
{
    size_t start = out->len;

    while (*path) {
        size_t n = strcspn(path, "/");

        if (n == 2 && path[0] == '.' && path[1] == '.') {
            while (out->len > start && out->buf[out->len - 1] != '/')
                buf_setlen(out, out->len - 1);
            if (out->len > start)
                buf_setlen(out, out->len - 1);
        } else if (n && !(n == 1 && path[0] == '.')) {
            buf_addch(out, '/');
            buf_add(out, path, n);
        }
        path += n;
        if (*path == '/')
            path++;
    }
    if (out->len == start)
        buf_addch(out, '/');
}

/* §10.3: RUN_MCP_OUTPUT_DIR (relative to the session cwd) or the Runfile directory, then
 * "/.run-output" unless the last component already is ".run-output". */
static char *output_dir(const struct mcp_server *s, const char *runfile_dir)
{
    struct buf joined = BUF_INIT, d = BUF_INIT;
    const char *base = s->output_dir ? s->output_dir : runfile_dir;
    const char *last;

    if (base[0] != '/')
        buf_addf(&joined, "%s/", s->cwd);
    buf_addstr(&joined, base);
    add_clean_path(&d, joined.buf);
    buf_release(&joined);
    last = strrchr(d.buf, '/');
    if (!streq(last + 1, ".run-output"))
        buf_addstr(&d, d.len == 1 ? ".run-output" : "/.run-output");
    return buf_detach(&d, NULL);
}

static void free_call(struct mcp_call *c)
{
    json_decref(c->id);
    json_decref(c->progress_token);
    free_strv(c->argv);
    free_strv(c->env);
    free(c->cwd);
    free(c->out_dir);
    free(c->tool);
    free(c->fn_name);
    free(c->body);
    free(c->interp);
    outstore_free(c->out);
    outstore_free(c->err);
    free(c);
}

static void unlink_call(struct mcp_server *s, struct mcp_call *c)
{
    for (struct mcp_call **pp = &s->calls; *pp; pp = &(*pp)->next) {
        if (*pp == c) {
            *pp = c->next;
            return;
        }
    }
}

static void on_progress_closed(uv_handle_t *h)
{
    free_call(container_of((uv_timer_t *)h, struct mcp_call, progress));
}

/* Unlink, answer nothing more, and free (after the progress timer is closed). */
static void finish_call(struct mcp_server *s, struct mcp_call *c)
{
    struct mcp_batch *b = c->batch;

    unlink_call(s, c);
    if (c->has_timer)
        uv_close((uv_handle_t *)&c->progress, on_progress_closed);
    else
        free_call(c);
    if (b)
        mcp_batch_done(s, b);
}

static void reply_call(struct mcp_server *s, struct mcp_call *c, json_t *result)
{
    struct mcp_req req = { c->id, c->batch };

    mcp_reply(s, &req, jsonrpc_result(c->id, result));
}

static void on_progress(uv_timer_t *t)
{
    struct mcp_call *c = container_of(t, struct mcp_call, progress);
    struct mcp_server *s = c->server;
    json_t *params;
    struct buf line = BUF_INIT, text = BUF_INIT;

    if (c->cancelled || !c->proc || s->state != MCP_SERVING)
        return;
    c->seconds++;
    params = json_object();
    json_object_set(params, "progressToken", c->progress_token);
    json_object_set_new(params, "progress", json_integer((json_int_t)c->seconds));
    if (strcmp(mcp_version(s), MCP_V2025_03_26) >= 0) {
        proc_last_line(c->proc, &line);
        if (line.len) {
            report_utf8_repair(&text, line.buf, line.len);
            json_object_set_new(params, "message",
                                mcp_json_text(text.buf, report_utf8_prefix(text.buf, text.len,
                                                                           PROGRESS_MESSAGE_MAX)));
        }
    }
    mcp_send(s, jsonrpc_notification("notifications/progress", params));
    buf_release(&line);
    buf_release(&text);
}

static void start_waiting(struct mcp_server *s);

static void on_proc_done(struct proc_call *pc, void *arg)
{
    struct mcp_call *c = arg;
    struct mcp_server *s = c->server;

    if (c->has_timer)
        uv_timer_stop(&c->progress);
    outstore_finish(c->out);
    outstore_finish(c->err);
    if (c->cancelled || s->state != MCP_SERVING) {
        outstore_discard(c->out);
        outstore_discard(c->err);
    } else {
        struct report r = {
            .fn_name = c->fn_name,
            .body = c->body,
            .status = proc_status(pc),
            .signo = proc_signal(pc),
            .timed_out = proc_timed_out(pc),
            .escalated = proc_escalated(pc),
            .timeout_s = c->timeout_s,
            .duration_ms = proc_duration_ms(pc),
            .out = c->out,
            .err = c->err,
        };
        struct buf text = BUF_INIT;
        bool ok = r.status == 0 && !r.timed_out;

        report_markdown(&r, true, &text);
        reply_call(s, c, mcp_text_resultn(text.buf, text.len, !ok));
        buf_release(&text);
    }
    c->proc = NULL;
    s->nrunning--;
    finish_call(s, c);
    start_waiting(s);
    mcp_check_stopped(s);
}

/* §8.4: the interpreter could not be started. */
static void reply_start_failure(struct mcp_server *s, struct mcp_call *c, const char *message)
{
    struct report r = { .fn_name = c->fn_name, .error = message };
    struct buf text = BUF_INIT;

    report_markdown(&r, true, &text);
    reply_call(s, c, mcp_text_result(text.buf, true));
    buf_release(&text);
}

static void run_call(struct mcp_server *s, struct mcp_call *c)
{
    struct diag_list diags = DIAG_LIST_INIT;
    struct proc_opts o;

    c->out = outstore_new(
        &(struct outstore_opts){ .dir = c->out_dir, .tool = c->tool, .stream = "stdout" });
    c->err = outstore_new(
        &(struct outstore_opts){ .dir = c->out_dir, .tool = c->tool, .stream = "stderr" });
    o = (struct proc_opts){
        .argv = c->argv,
        .env = c->env,
        .cwd = c->cwd,
        .flags = PROC_NEW_SESSION,
        .timeout_ms = c->timeout_s * 1000,
        .out = c->out,
        .err = c->err,
        .done = on_proc_done,
        .arg = c,
    };
    c->proc = proc_start(s->loop, &o, &diags, NULL);
    if (!c->proc) {
        char *msg = xasprintf("cannot start %s for '%s': %s", c->interp, c->fn_name,
                              diags.n ? diags.items[0].msg : "unknown error");

        log_error("%s", msg);
        reply_start_failure(s, c, msg);
        free(msg);
        diag_list_release(&diags);
        finish_call(s, c);
        return;
    }
    diag_list_release(&diags);
    s->nrunning++;
    if (c->progress_token) {
        uv_timer_init(s->loop, &c->progress);
        c->has_timer = true;
        uv_timer_start(&c->progress, on_progress, 1000, 1000);
    }
}

/* Start waiting calls, in arrival order, while slots are free. */
static void start_waiting(struct mcp_server *s)
{
    struct mcp_call *c = s->calls, *next;

    for (; c && s->state == MCP_SERVING && s->nrunning < s->opts.max_concurrency; c = next) {
        next = c->next;
        if (!c->proc && !c->cancelled)
            run_call(s, c);
    }
}

void mcp_call_start(struct mcp_server *s, const struct mcp_req *req, const char *tool,
                    json_t *arguments, json_t *params)
{
    struct mcp_project *p;
    const struct runfile_fn *fn;
    char **values = NULL, **argv = NULL;
    size_t nvalues = 0;
    uint64_t timeout_s = 0;
    struct buf problem = BUF_INIT;
    struct diag_list diags = DIAG_LIST_INIT;
    struct script script;
    struct script_env env = { .exe = s->exe, .shell = s->shell, .no_prelude = s->opts.no_prelude };
    struct mcp_call *c, **tail;
    json_t *meta, *token, *name;
    bool built = false;

    mcp_project_refresh(s);
    p = &s->project;
    if (p->errors_text) {
        struct buf text = BUF_INIT;

        buf_addstr(&text, "The Runfile has errors, so its tools cannot run:\n\n");
        buf_addstr(&text, p->errors_text);
        buf_addstr(&text, "\nFix the Runfile (run_docs topic \"runfile-syntax\" describes the "
                          "syntax) and call the tool again.");
        mcp_reply(s, req, jsonrpc_result(req->id, mcp_text_result(text.buf, true)));
        buf_release(&text);
        goto out;
    }
    name = json_object_get(params, "name");
    fn = p->ix && mcp_is_text(name) ? schema_index_find(p->ix, tool) : NULL;
    if (!fn) {
        mcp_reply(s, req,
                  mcp_error_with(req->id, JSONRPC_INVALID_PARAMS, "Tool not found: ", name));
        goto out;
    }
    if (schema_map_arguments(fn, tool, arguments, &values, &nvalues, &timeout_s, &problem)) {
        mcp_reply_invalid_args(s, req, problem.buf);
        goto out;
    }

    c = xcalloc(1, sizeof(*c));
    c->server = s;
    c->id = json_incref(req->id);
    c->batch = req->batch;
    c->fn_name = xstrdup(fn->name);
    c->body = fn->body ? xstrdup(fn->body) : NULL;
    c->tool = xstrdup(tool);
    c->timeout_s = timeout_s;
    meta = json_object_get(params, "_meta");
    token = json_is_object(meta) ? json_object_get(meta, "progressToken") : NULL;
    if (json_is_string(token) || json_is_integer(token))
        c->progress_token = json_incref(token);

    if (script_build(p->rf, fn, &env, &script, &diags)) {
        const char *msg = diags.n ? diags.items[0].msg : "cannot build the program";

        log_error("%s", msg);
        reply_start_failure(s, c, msg);
        free_call(c);
        goto out;
    }
    built = true;
    argv = script_argv(&script, values, nvalues);
    c->argv = copy_strv(argv);
    c->interp = xstrdup(script.label);
    c->env = child_env(p->rf->dir);
    c->cwd = xstrdup(s->cwd);
    c->out_dir = output_dir(s, p->rf->dir);

    if (c->batch)
        c->batch->pending++;
    for (tail = &s->calls; *tail; tail = &(*tail)->next)
        ;
    *tail = c;
    start_waiting(s);
out:
    free(argv);
    if (built)
        script_release(&script);
    schema_free_values(values);
    diag_list_release(&diags);
    buf_release(&problem);
}

static bool same_id(json_t *a, json_t *b)
{
    /* Same value and same type: 1 and "1" differ (json_equal compares types too). */
    return json_equal(a, b);
}

bool mcp_call_id_in_use(const struct mcp_server *s, json_t *id)
{
    for (const struct mcp_call *c = s->calls; c; c = c->next)
        if (!c->cancelled && same_id(c->id, id))
            return true;
    return false;
}

static void stop_call(struct mcp_server *s, struct mcp_call *c)
{
    c->cancelled = true;
    if (c->proc)
        proc_cancel(c->proc); /* answered by nobody: on_proc_done sees 'cancelled' */
    else
        finish_call(s, c);
}

void mcp_call_cancel(struct mcp_server *s, json_t *request_id)
{
    for (struct mcp_call *c = s->calls; c; c = c->next) {
        if (!c->cancelled && same_id(c->id, request_id)) {
            stop_call(s, c);
            return;
        }
    }
}

void mcp_call_stop_all(struct mcp_server *s)
{
    struct mcp_call *c = s->calls, *next;

    for (; c; c = next) {
        next = c->next;
        if (!c->cancelled)
            stop_call(s, c);
    }
}
