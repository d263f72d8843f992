/*
 * cmd_run: run a function (cli.md §4, §5, §8) or a script file (cli.md §7), or print its
 * program with --show-script. The program comes from the script module; this file resolves
 * the name, starts one interpreter process and turns its end into an exit status and, in the
 * captured formats, a report.
 */
#include "cmd.h"

#include "base.h"
#include "buf.h"
#include "cmd_run.h"
#include "outstore.h"
#include "proc.h"
#include "report.h"
#include "script.h"

#include <errno.h>
#include <jansson.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <uv.h>

extern char **environ;

/* ---- name resolution (cli.md §4) ------------------------------------------------------- */

/* Each maximal run of ':', '_' and '-' becomes one ':'. */
static char *fold_name(const char *name)
{
    struct buf out = BUF_INIT;

    while (*name) {
        if (strchr(":_-", *name)) {
            buf_addch(&out, ':');
            while (*name && strchr(":_-", *name))
                name++;
        } else {
            buf_addch(&out, *name++);
        }
    }
    return buf_detach(&out, NULL);
}

/* Candidate k: W0 when k == 0, else W0:W1:…:Wk; NULL when a segment is not valid. */
static char *candidate(const char *w0, char *const *args, size_t k)
{
    struct buf name = BUF_INIT;
    size_t j;

    buf_addstr(&name, w0);
    for (j = 0; j < k; j++) {
        if (!runfile_is_name_segment(args[j], false)) {
            buf_release(&name);
            return NULL;
        }
        buf_addf(&name, ":%s", args[j]);
    }
    return buf_detach(&name, NULL);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Candidate lengths in the order of §4: 0, then n down to 1. */
static size_t candidate_k(size_t i, size_t nargs)
{
    return i == 0 ? 0 : nargs - (i - 1);
}

/*
 * Find the function for the words W0 (target) and args. Returns 0 with *fn and *used (how
 * many args the name took), or prints the error and returns its exit status (2 or 127).
 */
static int resolve(const struct runfile *rf, const char *w0, char *const *args, size_t nargs,
                   const struct runfile_fn **fn, size_t *used)
{
    char **folded = xcalloc(rf->nfns + 1, sizeof(*folded));
    size_t i, j;
    int rc = 127;

    for (i = 0; i <= nargs; i++) {
        size_t k = candidate_k(i, nargs);
        char *name = candidate(w0, args, k);

        *fn = name ? runfile_find(rf, name) : NULL;
        free(name);
        if (*fn) {
            *used = k;
            rc = 0;
            goto out;
        }
    }
    for (j = 0; j < rf->nfns; j++)
        folded[j] = fold_name(rf->fns[j].name);
    for (i = 0; i <= nargs; i++) {
        size_t k = candidate_k(i, nargs), nmatch = 0;
        char *name = candidate(w0, args, k), *f;
        const char **names;

        if (!name)
            continue;
        f = fold_name(name);
        free(name);
        for (j = 0; j < rf->nfns; j++)
            if (streq(folded[j], f))
                nmatch++;
        if (nmatch == 1) {
            for (j = 0; !streq(folded[j], f); j++)
                ;
            *fn = &rf->fns[j];
            *used = k;
            free(f);
            rc = 0;
            goto out;
        }
        if (nmatch > 1) {
            struct buf msg = BUF_INIT;
            size_t m = 0;

            names = xcalloc(nmatch, sizeof(*names));
            for (j = 0; j < rf->nfns; j++)
                if (streq(folded[j], f))
                    names[m++] = rf->fns[j].name;
            qsort(names, nmatch, sizeof(*names), cmp_str);
            buf_addf(&msg, "error: '%s' matches several functions: ", w0);
            for (m = 0; m < nmatch; m++)
                buf_addf(&msg, "%s%s", m ? ", " : "", names[m]);
            buf_addch(&msg, '\n');
            cmd_write_all(STDERR_FILENO, msg.buf, msg.len);
            buf_release(&msg);
            free(names);
            free(f);
            rc = 2;
            goto out;
        }
        free(f);
    }
    cmd_say("error: Function '%s' not found\nhint: run --list shows the available functions\n", w0);
out:
    for (j = 0; j < rf->nfns; j++)
        free(folded[j]);
    free(folded);
    return rc;
}

/* ---- what a run needs ---------------------------------------------------------------- */

struct call {
    const struct cmd_ctx *ctx;
    const struct runfile *rf;
    const char *name;    /* function name, or the file as typed */
    const char *command; /* body text (JSON `command`, SSH hint) */
    struct script s;
    char **values; /* argument values (normalised for functions) */
    size_t nvalues;
};

static void print_failure(const char *name, int status, int signo)
{
    if (signo == SIGINT || signo == SIGPIPE)
        return;
    if (signo)
        cmd_say("error: '%s' was killed by signal %s\n", name, report_signal_name(signo));
    else if (status)
        cmd_say("error: '%s' exited with status %d\n", name, status);
}

/* ---- stream mode ----------------------------------------------------------------------- */

static volatile sig_atomic_t child_pid;

static void forward_signal(int signo)
{
    int saved = errno;

    if (child_pid > 0)
        kill((pid_t)child_pid, signo);
    errno = saved;
}

/*
 * While the child runs, the terminal's SIGINT and SIGQUIT are the function's business, and a
 * SIGTERM or SIGHUP meant for `run` is passed on (execution.md §11).
 */
static void set_wait_signals(void)
{
    struct sigaction ign = { .sa_handler = SIG_IGN }, fwd = { .sa_handler = forward_signal };

    sigemptyset(&ign.sa_mask);
    sigemptyset(&fwd.sa_mask);
    fwd.sa_flags = SA_RESTART;
    sigaction(SIGINT, &ign, NULL);
    sigaction(SIGQUIT, &ign, NULL);
    sigaction(SIGTERM, &fwd, NULL);
    sigaction(SIGHUP, &fwd, NULL);
}

int cmd_run_stream(const struct script *s, char *const *values, size_t nvalues, const char *name,
                   bool report)
{
    posix_spawnattr_t attr;
    sigset_t block, old;
    struct sigaction saved[4];
    static const int sigs[4] = { SIGINT, SIGQUIT, SIGTERM, SIGHUP };
    char **argv = script_argv(s, values, nvalues);
    pid_t pid;
    int err, wstatus, rc, i;

    sigemptyset(&block);
    sigaddset(&block, SIGTERM);
    sigaddset(&block, SIGHUP);
    err = proc_spawnattr_init(&attr, false);

    /* Hold SIGTERM/SIGHUP until the child's pid is known, so none is lost in between. */
    sigprocmask(SIG_BLOCK, &block, &old);
    for (i = 0; i < 4; i++)
        sigaction(sigs[i], NULL, &saved[i]);
    set_wait_signals();
    if (!err) {
        err = posix_spawn(&pid, argv[0], NULL, &attr, argv, environ);
        posix_spawnattr_destroy(&attr);
    }
    if (!err)
        child_pid = pid;
    sigprocmask(SIG_SETMASK, &old, NULL);
    free(argv);
    if (err) {
        /* The program was found when the script was built: any failure now is 126. */
        cmd_say("error: cannot start %s for '%s': %s\n", s->label, name, strerror(err));
        rc = 126;
        goto out;
    }
    while (waitpid(pid, &wstatus, 0) < 0) {
        if (errno != EINTR) {
            cmd_say("error: cannot wait for '%s': %s\n", name, strerror(errno));
            rc = 1;
            goto out;
        }
    }
    if (WIFSIGNALED(wstatus)) {
        rc = 128 + WTERMSIG(wstatus);
        if (report)
            print_failure(name, rc, WTERMSIG(wstatus));
    } else {
        rc = WEXITSTATUS(wstatus);
        if (report)
            print_failure(name, rc, 0);
    }
out:
    child_pid = 0;
    for (i = 0; i < 4; i++)
        sigaction(sigs[i], &saved[i], NULL);
    return rc;
}

/* ---- captured mode (cli.md §8.2-§8.4) -------------------------------------------------- */

struct capture {
    struct proc_call *proc;
    uv_signal_t sigterm, sighup;
    bool finished;
    int status, signo;
    uint64_t duration_ms;
    int64_t started_ms;
};

static void on_signal(uv_signal_t *h, int signo)
{
    struct capture *cap = h->data;

    if (cap->proc && !cap->finished)
        proc_kill(cap->proc, signo);
}

static void on_done(struct proc_call *p, void *arg)
{
    struct capture *cap = arg;

    cap->finished = true;
    cap->status = proc_status(p);
    cap->signo = proc_signal(p);
    cap->duration_ms = proc_duration_ms(p);
    cap->started_ms = proc_started_ms(p);
    uv_close((uv_handle_t *)&cap->sigterm, NULL);
    uv_close((uv_handle_t *)&cap->sighup, NULL);
}

static json_t *json_text(const char *data, size_t len)
{
    struct buf b = BUF_INIT;
    json_t *s;

    report_utf8_repair(&b, data ? data : "", data ? len : 0);
    s = json_stringn(b.buf, b.len);
    buf_release(&b);
    return s;
}

static json_t *json_stream(const struct outstore *o)
{
    size_t len = 0;
    const char *data = o ? outstore_data(o, &len) : NULL;

    return json_text(data, len);
}

static void print_json(const struct call *c, const struct capture *cap, const struct outstore *out,
                       const struct outstore *err, const char *error)
{
    char *user = NULL, *host = NULL;
    json_t *root, *ctxo, *o, *outputs;
    char *text;
    bool ok = !error && !cap->signo && cap->status == 0;

    report_ssh_hint(c->command, &user, &host);
    ctxo = json_object();
    json_object_set_new(ctxo, "function_name", json_text(c->name, strlen(c->name)));
    json_object_set_new(ctxo, "remote_host", host ? json_text(host, strlen(host)) : json_null());
    json_object_set_new(ctxo, "remote_user", user ? json_text(user, strlen(user)) : json_null());
    json_object_set_new(ctxo, "interpreter", json_text(c->s.label, strlen(c->s.label)));
    json_object_set_new(ctxo, "working_directory", json_text(c->ctx->cwd, strlen(c->ctx->cwd)));
    o = json_object();
    json_object_set_new(o, "command", json_text(c->command, c->command ? strlen(c->command) : 0));
    json_object_set_new(o, "stdout", json_stream(out));
    if (error)
        json_object_set_new(o, "stderr", json_text(error, strlen(error)));
    else
        json_object_set_new(o, "stderr", json_stream(err));
    json_object_set_new(o, "exit_code", cap->signo ? json_null() : json_integer(cap->status));
    json_object_set_new(o, "duration_ms", json_integer((json_int_t)cap->duration_ms));
    json_object_set_new(o, "started_at", json_integer((json_int_t)cap->started_ms));
    outputs = json_array();
    json_array_append_new(outputs, o);
    root = json_object();
    json_object_set_new(root, "context", ctxo);
    json_object_set_new(root, "outputs", outputs);
    json_object_set_new(root, "success", json_boolean(ok));
    json_object_set_new(root, "total_duration_ms", json_integer((json_int_t)cap->duration_ms));
    {
        struct buf sum = BUF_INIT;

        if (ok)
            buf_addf(&sum, "Successfully executed %s with 1 command(s)", c->name);
        else
            buf_addf(&sum, "Execution of %s failed", c->name);
        json_object_set_new(root, "summary", json_text(sum.buf, sum.len));
        buf_release(&sum);
    }
    text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    if (text) {
        cmd_write_all(STDOUT_FILENO, text, strlen(text));
        cmd_write_all(STDOUT_FILENO, "\n", 1);
        free(text);
    }
    json_decref(root);
    free(user);
    free(host);
}

static void print_markdown(const struct call *c, const struct capture *cap,
                           const struct outstore *out, const struct outstore *err,
                           const char *error)
{
    struct report r = { .fn_name = c->name,
                        .body = c->command,
                        .status = cap->status,
                        .signo = cap->signo,
                        .duration_ms = cap->duration_ms,
                        .out = out,
                        .err = err,
                        .error = error };
    struct buf text = BUF_INIT;

    report_markdown(&r, false, &text);
    buf_addch(&text, '\n');
    cmd_write_all(STDOUT_FILENO, text.buf, text.len);
    buf_release(&text);
}

static int run_captured(struct call *c)
{
    struct outstore *out = outstore_new(&(struct outstore_opts){ .stream = "stdout" });
    struct outstore *err = outstore_new(&(struct outstore_opts){ .stream = "stderr" });
    struct capture cap = { 0 };
    struct diag_list diags = DIAG_LIST_INIT;
    char **argv = script_argv(&c->s, c->values, c->nvalues);
    struct proc_opts o = { .argv = argv, .out = out, .err = err, .done = on_done, .arg = &cap };
    const char *error = NULL;
    uv_loop_t loop;
    int rc;

    (void)signal(SIGINT, SIG_IGN);
    (void)signal(SIGQUIT, SIG_IGN);
    uv_loop_init(&loop);
    uv_signal_init(&loop, &cap.sigterm);
    uv_signal_init(&loop, &cap.sighup);
    cap.sigterm.data = cap.sighup.data = &cap;
    uv_signal_start(&cap.sigterm, on_signal, SIGTERM);
    uv_signal_start(&cap.sighup, on_signal, SIGHUP);
    cap.proc = proc_start(&loop, &o, &diags, NULL);
    if (!cap.proc) {
        uv_close((uv_handle_t *)&cap.sigterm, NULL);
        uv_close((uv_handle_t *)&cap.sighup, NULL);
    }
    uv_run(&loop, UV_RUN_DEFAULT);
    uv_loop_close(&loop);
    free(argv);

    if (!cap.proc) {
        error = diags.n ? diags.items[0].msg : "cannot start the interpreter";
        cmd_say("error: cannot start %s for '%s': %s\n", c->s.label, c->name, error);
        /* The program was found when the script was built: any failure now is 126. */
        cap.status = rc = 126;
        cap.started_ms = unix_time_ms();
    } else {
        rc = cap.status;
        print_failure(c->name, cap.status, cap.signo);
    }
    if (c->ctx->opts->format == CLI_FORMAT_JSON)
        print_json(c, &cap, out, err, error);
    else
        print_markdown(c, &cap, out, err, error);
    diag_list_release(&diags);
    outstore_free(out);
    outstore_free(err);
    return rc;
}

/* ---- the two modes ----------------------------------------------------------------------- */

static void fill_env(const struct cmd_ctx *ctx, struct script_env *env)
{
    const char *shell = getenv("RUN_SHELL");

    *env = (struct script_env){
        .exe = ctx->exe,
        .shell = shell && *shell ? shell : NULL,
        .no_prelude = ctx->opts->no_prelude,
    };
}

/* Print the build error, show the script, or run it. Takes over nothing; returns the status. */
static int finish(struct call *c, int build_rc, struct diag_list *diags)
{
    if (build_rc) {
        cmd_print_diags(diags);
        return build_rc;
    }
    if (c->ctx->opts->show_script) {
        if (cmd_write_all(STDOUT_FILENO, c->s.text, strlen(c->s.text)) < 0)
            return 1;
        return 0;
    }
    /* __RUNFILE_DIR__ reaches every interpreter through the environment (§12.1). */
    if (c->rf->dir)
        setenv("__RUNFILE_DIR__", c->rf->dir, 1);
    if (c->ctx->opts->format == CLI_FORMAT_STREAM)
        return cmd_run_stream(&c->s, c->values, c->nvalues, c->name, true);
    return run_captured(c);
}

int cmd_run(const struct cmd_ctx *ctx)
{
    const struct cli_opts *o = ctx->opts;
    struct call c = { .ctx = ctx };
    struct diag_list diags = DIAG_LIST_INIT;
    struct script_env env;
    struct runfile *rf;
    const struct runfile_fn *fn;
    struct buf err = BUF_INIT;
    size_t used = 0;
    int rc;

    rf = cmd_load(ctx, true, &rc);
    if (!rf)
        return rc;
    c.rf = rf;
    rc = resolve(rf, o->target, o->args, o->nargs, &fn, &used);
    if (rc)
        goto out;
    c.name = fn->name;
    c.command = fn->body;
    c.nvalues = o->nargs - used;
    if (o->show_script) {
        c.values = NULL;
    } else {
        rc = script_check_args(fn, o->args + used, c.nvalues, &c.values, &err);
        if (rc) {
            cmd_write_all(STDERR_FILENO, err.buf, err.len);
            goto out;
        }
    }
    fill_env(ctx, &env);
    rc = script_build(rf, fn, &env, &c.s, &diags);
    rc = finish(&c, rc, &diags);
out:
    script_free_values(c.values, c.nvalues);
    script_release(&c.s);
    buf_release(&err);
    diag_list_release(&diags);
    runfile_free(rf);
    return rc;
}

/* The text of the script file itself: the root file of the load. */
static const char *script_text(const struct runfile *rf)
{
    size_t i;

    for (i = 0; i < rf->nfiles; i++)
        if (!rf->files[i]->sourced_at.file && rf->files[i]->text)
            return rf->files[i]->text;
    return "";
}

int cmd_file(const struct cmd_ctx *ctx)
{
    const struct cli_opts *o = ctx->opts;
    struct call c = { .ctx = ctx };
    struct diag_list diags = DIAG_LIST_INIT;
    struct script_env env;
    struct runfile *rf;
    size_t i;
    int rc;

    rf = cmd_load(ctx, true, &rc);
    if (!rf)
        return rc;
    c.rf = rf;
    c.name = o->target;
    c.command = script_text(rf);
    c.nvalues = o->nargs;
    c.values = xcalloc(o->nargs + 1, sizeof(*c.values));
    for (i = 0; i < o->nargs; i++)
        c.values[i] = xstrdup(o->args[i]);
    fill_env(ctx, &env);
    env.no_prelude = false; /* there is no separate prelude in file mode (§13) */
    rc = script_build_file(rf, o->target, &env, &c.s, &diags);
    rc = finish(&c, rc, &diags);
    script_free_values(c.values, c.nvalues);
    script_release(&c.s);
    diag_list_release(&diags);
    runfile_free(rf);
    return rc;
}
