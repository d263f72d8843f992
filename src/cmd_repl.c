/*
 * cmd_repl: the interactive session of cli.md §9. Each complete input is Runfile text:
 * definitions add to the session, assignments extend its prelude, commands and calls run at
 * once as a file-mode script (execution.md §13) built from the session.
 */
#include "cmd.h"

#include "base.h"
#include "buf.h"
#include "cmd_run.h"
#include "diag.h"
#include "script.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define REPL_LABEL "<repl>"

struct session {
    const struct cmd_ctx *ctx;
    struct runfile *loaded;  /* the Runfile of the directory, or NULL */
    struct runfile **chunks; /* every complete input that defined or assigned something */
    size_t nchunks, alloc_chunks;
};

static void out(const char *s)
{
    cmd_write_all(STDOUT_FILENO, s, strlen(s));
}

/* The default shell's label for the banner (execution.md §2.1). */
static char *shell_label(void)
{
    const char *rs = getenv("RUN_SHELL");
    char *bash;
    bool found;

    if (rs && *rs) {
        const char *slash = strrchr(rs, '/');

        return xstrdup(slash && slash[1] ? slash + 1 : rs);
    }
    bash = script_which("bash", NULL);
    found = bash != NULL;
    free(bash);
    return xstrdup(found ? "bash" : "sh");
}

/*
 * Is 'text' the start of a statement that goes on (an open block, quote, heredoc, signature,
 * or a trailing backslash)? Then the REPL reads more lines before running anything.
 */
static bool is_open(const char *text, size_t len, const struct diag_list *d)
{
    size_t i, end = len;

    while (end && (text[end - 1] == '\n' || text[end - 1] == ' ' || text[end - 1] == '\t'))
        end--;
    if (end && text[end - 1] == '\\')
        return true;
    for (i = 0; i < d->n; i++) {
        const struct diag *g = &d->items[i];

        if (g->level != DIAG_ERROR)
            continue;
        if (starts_with(g->msg, "unclosed '{'") || starts_with(g->msg, "unterminated heredoc") ||
            (starts_with(g->msg, "unterminated ") && !strstr(g->msg, "default value")))
            return true;
        if (g->offset >= end) /* the error is at the end of the input: it is cut short */
            return true;
    }
    return false;
}

/* Add 'fn' to the table, replacing an earlier function of the same name (runfile.md §9). */
static void put_fn(struct runfile_fn **fns, size_t *n, size_t *alloc, const struct runfile_fn *fn)
{
    size_t i;

    for (i = 0; i < *n; i++) {
        if (streq((*fns)[i].name, fn->name)) {
            memmove(&(*fns)[i], &(*fns)[i + 1], (*n - i - 1) * sizeof(**fns));
            (*n)--;
            break;
        }
    }
    ALLOC_GROW(*fns, *n + 1, *alloc);
    (*fns)[(*n)++] = *fn;
}

static void put_stmt(struct runfile_stmt **st, size_t *n, size_t *alloc,
                     const struct runfile_stmt *s)
{
    ALLOC_GROW(*st, *n + 1, *alloc);
    (*st)[(*n)++] = *s;
}

/*
 * Run the commands and calls of 'input' as one file-mode script made of the session's
 * prelude, the functions it reaches, and the statements. The combined model borrows every
 * string from the loaded Runfile and the chunks.
 */
static void run_input(struct session *ss, const struct runfile *input)
{
    struct runfile view = { .source = RUNFILE_FROM_SCRIPT };
    size_t afns = 0, astmts = 0, i, j;
    struct script_env env = { .exe = ss->ctx->exe };
    struct diag_list diags = DIAG_LIST_INIT;
    struct script s;
    const char *rs = getenv("RUN_SHELL");
    int rc;

    env.shell = rs && *rs ? rs : NULL;
    if (ss->loaded) {
        for (i = 0; i < ss->loaded->nfns; i++)
            put_fn(&view.fns, &view.nfns, &afns, &ss->loaded->fns[i]);
        for (i = 0; i < ss->loaded->nstmts; i++)
            if (ss->loaded->stmts[i].kind != RUNFILE_CALL)
                put_stmt(&view.stmts, &view.nstmts, &astmts, &ss->loaded->stmts[i]);
        view.dir = ss->loaded->dir;
        view.files = ss->loaded->files;
        view.nfiles = ss->loaded->nfiles;
    } else {
        view.dir = (char *)ss->ctx->cwd;
    }
    for (i = 0; i < ss->nchunks; i++) {
        for (j = 0; j < ss->chunks[i]->nfns; j++)
            put_fn(&view.fns, &view.nfns, &afns, &ss->chunks[i]->fns[j]);
        for (j = 0; j < ss->chunks[i]->nstmts; j++)
            if (ss->chunks[i]->stmts[j].kind == RUNFILE_ASSIGN)
                put_stmt(&view.stmts, &view.nstmts, &astmts, &ss->chunks[i]->stmts[j]);
    }
    for (j = 0; j < input->nstmts; j++)
        if (input->stmts[j].kind != RUNFILE_ASSIGN)
            put_stmt(&view.stmts, &view.nstmts, &astmts, &input->stmts[j]);
    for (i = 0; i < view.nfns; i++)
        view.fns[i].order = i;

    rc = script_build_file(&view, "run", &env, &s, &diags);
    if (rc) {
        cmd_print_diags(&diags);
    } else {
        if (view.dir)
            setenv("__RUNFILE_DIR__", view.dir, 1);
        rc = cmd_run_stream(&s, NULL, 0, "run", false);
        script_release(&s);
    }
    if (rc)
        cmd_say("[exit %d]\n", rc);
    diag_list_release(&diags);
    free(view.fns);
    free(view.stmts);
}

/* One complete input: remember what it defines or assigns, run what it commands. */
static void take_input(struct session *ss, struct runfile *input)
{
    bool keep = input->nfns > 0, runs = false;
    size_t i;

    for (i = 0; i < input->nstmts; i++) {
        if (input->stmts[i].kind == RUNFILE_ASSIGN)
            keep = true;
        else
            runs = true;
    }
    if (runs)
        run_input(ss, input);
    if (keep) {
        ALLOC_GROW(ss->chunks, ss->nchunks + 1, ss->alloc_chunks);
        ss->chunks[ss->nchunks++] = input;
    } else {
        runfile_free(input);
    }
}

static bool is_word(const char *line, const char *word)
{
    size_t n = strlen(word);

    while (*line == ' ' || *line == '\t')
        line++;
    if (strncmp(line, word, n) != 0)
        return false;
    line += n;
    while (*line == ' ' || *line == '\t' || *line == '\n')
        line++;
    return !*line;
}

int cmd_repl(const struct cmd_ctx *ctx)
{
    struct session ss = { .ctx = ctx };
    struct buf pending = BUF_INIT, banner = BUF_INIT;
    char *line = NULL, *label;
    size_t cap = 0, i;
    int status;

    ss.loaded = cmd_load(ctx, false, &status);
    if (!ss.loaded)
        cmd_say("warning: no Runfile loaded: %s\n",
                status ? "the Runfile has errors" : "no Runfile found");
    label = shell_label();
    buf_addf(&banner, "run %s REPL (shell: %s)\nType 'exit' or press Ctrl-D to quit.\n\n",
             RUN_VERSION, label);
    out(banner.buf);
    free(label);

    for (;;) {
        struct diag_list diags = DIAG_LIST_INIT;
        struct runfile *input;
        bool blank = true;
        ssize_t n;

        out(pending.len ? "...> " : "run> ");
        n = getline(&line, &cap, stdin);
        if (n < 0) {
            out("\nGoodbye!\n");
            break;
        }
        if (!pending.len && (is_word(line, "exit") || is_word(line, "quit"))) {
            out("Goodbye!\n");
            break;
        }
        buf_add(&pending, line, (size_t)n);
        for (i = 0; i < pending.len && blank; i++)
            blank = strchr(" \t\n", pending.buf[i]) != NULL;
        if (blank) {
            buf_reset(&pending);
            continue;
        }
        input = runfile_parse(REPL_LABEL, ctx->cwd, pending.buf, pending.len, false, &diags);
        if (diags.nerrors && is_open(pending.buf, pending.len, &diags)) {
            runfile_free(input);
            diag_list_release(&diags);
            continue;
        }
        if (diags.n)
            cmd_print_diags(&diags);
        if (diags.nerrors)
            runfile_free(input);
        else
            take_input(&ss, input);
        diag_list_release(&diags);
        buf_reset(&pending);
    }
    free(line);
    buf_release(&pending);
    buf_release(&banner);
    for (i = 0; i < ss.nchunks; i++)
        runfile_free(ss.chunks[i]);
    free(ss.chunks);
    runfile_free(ss.loaded);
    return 0;
}
