/*
 * script: turn one function (or a file-mode Runfile) into the exact program text and argv
 * that run it (spec/execution.md). Pure: it looks at PATH but starts nothing.
 */
#include "script.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base.h"
#include "buf.h"
#include "diag.h"

/* The interpreter an entry function (or a file-mode script) is started with. */
struct interp {
    enum script_family family;
    char *label; /* owned */
    char *path;  /* owned; NULL when not found */
};

/* Everything one build needs; lives for the duration of script_build*(). */
struct builder {
    const struct runfile *rf;
    const struct script_env *env;
    struct diag_list *diags;
    struct interp dsh; /* the default shell (§2.1) */

    enum script_family fam; /* family of the shell script being written */
    bool errexit;           /* the script-level errexit setting */

    bool *member;  /* per function index: in the closure */
    bool *wrapper; /* per function index: written as a wrapper */
    char **shname; /* per function index: the name used in the script */
    size_t *queue;
    size_t nqueue;
};

static size_t fn_index(const struct builder *b, const struct runfile_fn *fn)
{
    return (size_t)(fn - b->rf->fns);
}

/* The first 'c' in 's', or the terminating NUL (GNU strchrnul). */
static const char *find_or_end(const char *s, int c)
{
    const char *p = strchr(s, c);

    return p ? p : s + strlen(s);
}

/* ---- PATH lookup ---------------------------------------------------------------------- */

static bool is_exec_file(const char *path)
{
    struct stat st;

    return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

char *script_which(const char *name, const char *path)
{
    const char *p, *end;
    struct buf cand = BUF_INIT;

    if (!name || !*name)
        return NULL;
    /* A path that exists is the interpreter even when it is not executable: starting it
     * then fails with 126 "cannot start" (cli.md §11), which says more than "not found". */
    if (strchr(name, '/')) {
        struct stat st;

        return stat(name, &st) == 0 && !S_ISDIR(st.st_mode) ? xstrdup(name) : NULL;
    }
    if (!path)
        path = getenv("PATH");
    if (!path)
        path = "/usr/local/bin:/usr/bin:/bin";
    for (p = path;; p = end + 1) {
        end = find_or_end(p, ':');
        buf_reset(&cand);
        /* An empty PATH entry means the current directory, as in the shell. */
        if (end == p)
            buf_addstr(&cand, ".");
        else
            buf_add(&cand, p, (size_t)(end - p));
        buf_addf(&cand, "/%s", name);
        if (is_exec_file(cand.buf))
            return buf_detach(&cand, NULL);
        if (!*end)
            break;
    }
    buf_release(&cand);
    return NULL;
}

/*
 * Interpreters are looked up once per process (execution.md §2.1): a long-running server
 * answers every call with the same interpreter, and does not stat PATH for each call. The
 * cache is keyed by name and PATH value, so a different PATH is a different lookup.
 */
#define WHICH_CACHE_SIZE 32

struct which_entry {
    char *name, *path, *found; /* found: NULL when not in PATH */
};

static struct which_entry which_cache[WHICH_CACHE_SIZE];
static size_t which_used;

/* A new string with the full path of 'name' (NULL when not found), as script_which(). */
static char *find_program(const char *name, const char *path)
{
    const char *key = path ? path : getenv("PATH");
    char *found;
    size_t i;

    if (!key)
        key = "";
    for (i = 0; i < which_used; i++) {
        struct which_entry *e = &which_cache[i];

        if (streq(e->name, name) && streq(e->path, key))
            return e->found ? xstrdup(e->found) : NULL;
    }
    found = script_which(name, path);
    if (which_used < WHICH_CACHE_SIZE) {
        which_cache[which_used++] =
            (struct which_entry){ xstrdup(name), xstrdup(key), found ? xstrdup(found) : NULL };
    }
    return found;
}

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');

    return s ? s + 1 : path;
}

static void interp_release(struct interp *in)
{
    free(in->label);
    free(in->path);
    memset(in, 0, sizeof(*in));
}

/* The default shell: $RUN_SHELL, else bash when in PATH, else sh (§2.1). */
static void find_default_shell(struct builder *b)
{
    const char *rs = b->env->shell;
    struct interp *d = &b->dsh;

    if (rs && *rs) {
        d->label = xstrdup(base_name(rs));
        d->family = streq(d->label, "bash") ? SCRIPT_BASH : SCRIPT_SH;
        d->path = find_program(rs, b->env->path);
        if (!*d->label) { /* RUN_SHELL=/some/dir/ */
            free(d->label);
            d->label = xstrdup(rs);
        }
        return;
    }
    d->path = find_program("bash", b->env->path);
    if (d->path) {
        d->label = xstrdup("bash");
        d->family = SCRIPT_BASH;
        return;
    }
    d->label = xstrdup("sh");
    d->family = SCRIPT_SH;
    d->path = find_program("sh", b->env->path);
}

/* How messages name the default shell: $RUN_SHELL as given, else its label. */
static const char *dsh_name(const struct builder *b)
{
    return b->env->shell && *b->env->shell ? b->env->shell : b->dsh.label;
}

static int missing_interp(struct builder *b, const char *label, const char *fn)
{
    diag_add(b->diags, DIAG_ERROR, NULL, "interpreter '%s' not found in PATH (needed by '%s')",
             label, fn);
    return 127;
}

static bool is_shell_family(enum script_family f)
{
    return f == SCRIPT_BASH || f == SCRIPT_SH;
}

/*
 * Resolve the interpreter of the entry function 'fn' into 'in'. Returns 0, or an exit status
 * with a diag.
 */
static int entry_interp(struct builder *b, const struct runfile_fn *fn, struct interp *in)
{
    const char *name = NULL, *label = NULL;

    memset(in, 0, sizeof(*in));
    switch (fn->interp) {
    case RUNFILE_INTERP_DEFAULT:
        if (!b->dsh.path)
            return missing_interp(b, dsh_name(b), fn->name);
        in->family = b->dsh.family;
        in->label = xstrdup(b->dsh.label);
        in->path = xstrdup(b->dsh.path);
        return 0;
    case RUNFILE_INTERP_BASH:
        name = label = "bash";
        in->family = SCRIPT_BASH;
        break;
    case RUNFILE_INTERP_SH:
        name = label = "sh";
        in->family = SCRIPT_SH;
        break;
    case RUNFILE_INTERP_PYTHON:
        /* `python` means python3 when there is one (§2.1). */
        label = "python";
        in->family = SCRIPT_PYTHON;
        in->path = find_program("python3", b->env->path);
        name = in->path ? NULL : "python";
        break;
    case RUNFILE_INTERP_PYTHON3:
        name = label = "python3";
        in->family = SCRIPT_PYTHON;
        break;
    case RUNFILE_INTERP_NODE:
        name = label = "node";
        in->family = SCRIPT_NODE;
        break;
    case RUNFILE_INTERP_RUBY:
        name = label = "ruby";
        in->family = SCRIPT_RUBY;
        break;
    case RUNFILE_INTERP_PWSH:
        diag_add(b->diags, DIAG_ERROR, NULL,
                 "the pwsh interpreter is not supported yet (needed by '%s')", fn->name);
        return 126;
    }
    if (name)
        in->path = find_program(name, b->env->path);
    if (!in->path)
        return missing_interp(b, label, fn->name);
    in->label = xstrdup(label);
    return 0;
}

/* ---- literals (§4) --------------------------------------------------------------------- */

void script_quote_sh(struct buf *out, const char *text)
{
    buf_addch(out, '\'');
    for (; *text; text++) {
        if (*text == '\'')
            buf_addstr(out, "'\\''");
        else
            buf_addch(out, *text);
    }
    buf_addch(out, '\'');
}

/* Python and Node single-quoted literal. */
static void quote_c_like(struct buf *out, const char *text)
{
    const unsigned char *p;

    buf_addch(out, '\'');
    for (p = (const unsigned char *)text; *p; p++) {
        if (*p == '\\')
            buf_addstr(out, "\\\\");
        else if (*p == '\'')
            buf_addstr(out, "\\'");
        else if (*p == '\t')
            buf_addstr(out, "\\t");
        else if (*p < 0x20 || *p == 0x7f)
            buf_addf(out, "\\x%02x", *p);
        else
            buf_addch(out, *p);
    }
    buf_addch(out, '\'');
}

static void quote_ruby(struct buf *out, const char *text)
{
    buf_addch(out, '\'');
    for (; *text; text++) {
        if (*text == '\\' || *text == '\'')
            buf_addch(out, '\\');
        buf_addch(out, *text);
    }
    buf_addch(out, '\'');
}

/*
 * Normalised forms of typed defaults (§4). They are applied again here, although the parser
 * already normalises, so that a default always reaches program text in one canonical form.
 */
static void norm_integer(struct buf *out, const char *text)
{
    const char *p = text;
    bool neg = false;

    if (*p == '+' || *p == '-')
        neg = *p++ == '-';
    while (*p == '0' && p[1])
        p++;
    if (neg && !streq(p, "0"))
        buf_addch(out, '-');
    buf_addstr(out, p);
}

static void format_double(struct buf *out, double v)
{
    char tmp[64];
    size_t i, n;
    bool integral = true;

    (void)snprintf(tmp, sizeof(tmp), "%.15g", v);
    n = strlen(tmp);
    for (i = 0; i < n; i++)
        if (tmp[i] != '-' && (tmp[i] < '0' || tmp[i] > '9'))
            integral = false;
    buf_addstr(out, tmp);
    if (integral)
        buf_addstr(out, ".0");
}

static void norm_number(struct buf *out, const char *text)
{
    char *end;
    double v;

    errno = 0;
    v = strtod(text, &end);
    if (end == text || *end) {
        buf_addstr(out, text); /* cannot happen for a parsed default; keep the text */
        return;
    }
    format_double(out, v);
}

static bool is_true_word(const char *text)
{
    static const char *const yes[] = { "true", "1", "yes", "on" };
    size_t i;

    for (i = 0; i < ARRAY_SIZE(yes); i++)
        if (!strcasecmp(text, yes[i]))
            return true;
    return false;
}

/* Compact JSON text of an object default (§4). */
static char *norm_object(const char *text)
{
    json_t *v = json_loads(text, JSON_DECODE_ANY, NULL);
    char *s, *copy;

    if (!v)
        return xstrdup(text);
    s = json_dumps(v, JSON_COMPACT | JSON_REAL_PRECISION(15));
    json_decref(v);
    if (!s)
        return xstrdup(text);
    copy = xstrdup(s);
    free(s);
    return copy;
}

/* The default of 'p' as normalised text ("" when there is none). The caller frees. */
static char *default_text(const struct runfile_param *p)
{
    struct buf out = BUF_INIT;
    const char *d = p->default_value ? p->default_value : "";

    if (!p->default_value)
        return xstrdup("");
    switch (p->type) {
    case RUNFILE_INTEGER:
        norm_integer(&out, d);
        break;
    case RUNFILE_NUMBER:
        norm_number(&out, d);
        break;
    case RUNFILE_BOOLEAN:
        buf_addstr(&out, is_true_word(d) ? "true" : "false");
        break;
    case RUNFILE_OBJECT:
        return norm_object(d);
    case RUNFILE_STRING:
        buf_addstr(&out, d);
        break;
    }
    return buf_detach(&out, NULL);
}

/* ---- name index and the closure (§8) -------------------------------------------------- */

/* The function named by the 'len' bytes at 'name': the loader's hash index, so a build costs
 * the size of its closure rather than a sort of every name. */
static const struct runfile_fn *lookup(const struct builder *b, const char *name, size_t len)
{
    return runfile_findn(b->rf, name, len);
}

/*
 * Can the script being written define 'fn' itself (rather than through a wrapper)? A bash
 * script can define bash and sh functions, an sh script only sh functions (§8).
 */
static bool can_inline(const struct builder *b, const struct runfile_fn *fn)
{
    enum script_family f;

    switch (fn->interp) {
    case RUNFILE_INTERP_DEFAULT:
        f = b->dsh.family;
        break;
    case RUNFILE_INTERP_BASH:
        f = SCRIPT_BASH;
        break;
    case RUNFILE_INTERP_SH:
        f = SCRIPT_SH;
        break;
    default:
        return false; /* polyglot and pwsh functions are never defined in a shell script */
    }
    return b->fam == SCRIPT_BASH || f == SCRIPT_SH;
}

static void add_member(struct builder *b, const struct runfile_fn *fn)
{
    size_t i = fn_index(b, fn);

    if (b->member[i])
        return;
    b->member[i] = true;
    b->wrapper[i] = !can_inline(b, fn);
    if (!b->wrapper[i])
        b->queue[b->nqueue++] = i;
}

static bool is_word_char(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
           c == ':' || c == '-';
}

/* Add every function named by a word of 'text' (§8 step 2). */
static void add_words(struct builder *b, const char *text)
{
    const char *p = text;

    while (*p) {
        const char *w;
        const struct runfile_fn *g;

        if (!is_word_char((unsigned char)*p)) {
            p++;
            continue;
        }
        for (w = p; is_word_char((unsigned char)*p); p++)
            ;
        g = lookup(b, w, (size_t)(p - w));
        if (g)
            add_member(b, g);
    }
}

static void close_over(struct builder *b)
{
    while (b->nqueue) {
        const struct runfile_fn *fn = &b->rf->fns[b->queue[--b->nqueue]];

        if (fn->code)
            add_words(b, fn->code);
    }
}

/* ---- sh names (§5.2) ------------------------------------------------------------------- */

static char *sh_name(const char *name)
{
    struct buf out = BUF_INIT;

    for (; *name; name++) {
        if (*name == ':')
            buf_addstr(&out, "__");
        else if (*name == '-')
            buf_addch(&out, '_');
        else
            buf_addch(&out, *name);
    }
    return buf_detach(&out, NULL);
}

struct named {
    const char *name;
    size_t idx;
};

static int cmp_named(const void *a, const void *b)
{
    const struct named *x = a, *y = b;
    int c = strcmp(x->name, y->name);

    if (c)
        return c;
    return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* Give every member its script name; in sh, two members with one sh name are an error. */
static int assign_names(struct builder *b)
{
    size_t i, n = 0;
    struct named *v;
    int rc = 0;

    for (i = 0; i < b->rf->nfns; i++) {
        if (!b->member[i])
            continue;
        b->shname[i] =
            b->fam == SCRIPT_SH ? sh_name(b->rf->fns[i].name) : xstrdup(b->rf->fns[i].name);
        n++;
    }
    if (b->fam != SCRIPT_SH || n < 2)
        return 0;
    v = xcalloc(n, sizeof(*v));
    n = 0;
    for (i = 0; i < b->rf->nfns; i++)
        if (b->member[i])
            v[n++] = (struct named){ b->shname[i], i };
    qsort(v, n, sizeof(*v), cmp_named);
    for (i = 1; i < n; i++) {
        if (streq(v[i - 1].name, v[i].name)) {
            diag_add(b->diags, DIAG_ERROR, NULL,
                     "functions '%s' and '%s' have the same name in sh; rename one or use bash",
                     b->rf->fns[v[i - 1].idx].name, b->rf->fns[v[i].idx].name);
            rc = 1;
            break;
        }
    }
    free(v);
    return rc;
}

/* ---- sh call-site rewriting (§5.6) ----------------------------------------------------- */

enum cx_kind {
    CX_CODE,  /* top level, or inside $( ) when 'subst' */
    CX_BT,    /* inside `...` (code) */
    CX_DQ,    /* "..." */
    CX_SQ,    /* '...' */
    CX_ESQ,   /* $'...' */
    CX_PARAM, /* ${...} */
    CX_ARITH, /* $(( ... )) */
};

struct cx {
    enum cx_kind kind;
    bool subst;
    int depth;
};

/* The scanner state that carries from one body line to the next. */
struct rewriter {
    const struct builder *b;
    struct cx *stack;
    size_t n, alloc;
    bool at_cmd;   /* the next word starts a simple command */
    bool redirect; /* the next word is the target of a redirection */
};

static void rw_push(struct rewriter *r, enum cx_kind kind, bool subst, int depth)
{
    ALLOC_GROW(r->stack, r->n + 1, r->alloc);
    r->stack[r->n++] = (struct cx){ kind, subst, depth };
}

static struct cx *rw_top(struct rewriter *r)
{
    return &r->stack[r->n - 1];
}

static void rw_pop(struct rewriter *r)
{
    if (r->n > 1)
        r->n--;
}

static bool is_blank(char c)
{
    return c == ' ' || c == '\t';
}

/* Characters that end an unquoted word. */
static bool ends_word(char c)
{
    return !c || is_blank(c) || strchr(";&|()<>\n", c);
}

static bool is_reserved_cmd_word(const char *w, size_t n)
{
    static const char *const words[] = { "then",  "do",    "else", "elif", "if",
                                         "while", "until", "!",    "{",    "time" };
    size_t i;

    for (i = 0; i < ARRAY_SIZE(words); i++)
        if (strlen(words[i]) == n && !memcmp(words[i], w, n))
            return true;
    return false;
}

static bool is_assignment(const char *w, size_t n)
{
    size_t i;

    if (!n || !((w[0] >= 'A' && w[0] <= 'Z') || (w[0] >= 'a' && w[0] <= 'z') || w[0] == '_'))
        return false;
    for (i = 1; i < n; i++) {
        if (w[i] == '=' || (w[i] == '+' && i + 1 < n && w[i + 1] == '='))
            return true;
        if (!((w[i] >= 'A' && w[i] <= 'Z') || (w[i] >= 'a' && w[i] <= 'z') ||
              (w[i] >= '0' && w[i] <= '9') || w[i] == '_'))
            return false;
    }
    return false;
}

/* The script name replacing the command word w[0..n), or NULL to keep the word. */
static const char *rename_of(const struct builder *b, const char *w, size_t n)
{
    const struct runfile_fn *g = lookup(b, w, n);
    size_t i;

    if (!g)
        return NULL;
    i = fn_index(b, g);
    if (!b->member[i] || streq(b->shname[i], g->name))
        return NULL;
    return b->shname[i];
}

static bool is_fd_digit(const char *s, size_t i, size_t n)
{
    return s[i] >= '0' && s[i] <= '9' && i + 1 < n && (s[i + 1] == '<' || s[i + 1] == '>') &&
           (i == 0 || ends_word(s[i - 1]));
}

/* Handle a plain word starting at s[i] in code context; returns the index after it. */
static size_t rw_word(struct rewriter *r, const char *s, size_t i, size_t n, struct buf *out)
{
    size_t j = i;
    const char *to = NULL;
    bool whole;

    if (s[j] == '$')
        j++; /* $x, $1: an expansion, never a plain name */
    while (j < n && !ends_word(s[j]) && !strchr("'\"`\\$", s[j]))
        j++;
    if (j == i)
        j++;
    /* A word that goes on with a quote, a backslash or an expansion is not a plain name. */
    whole = s[i] != '$' && (j >= n || ends_word(s[j]) || (s[j] == '`' && rw_top(r)->kind == CX_BT));
    if (r->redirect) {
        r->redirect = false;
    } else if (r->at_cmd) {
        if (is_assignment(s + i, j - i)) {
            r->at_cmd = whole;
        } else if (whole && is_reserved_cmd_word(s + i, j - i)) {
            r->at_cmd = true;
        } else {
            if (whole)
                to = rename_of(r->b, s + i, j - i);
            r->at_cmd = false;
        }
    }
    if (to)
        buf_addstr(out, to);
    else
        buf_add(out, s + i, j - i);
    return j;
}

/* Scan one line (without its '\n') in code state, appending it rewritten to 'out'. */
static void rw_line(struct rewriter *r, const char *s, size_t n, struct buf *out)
{
    size_t i = 0;
    bool continued = false;

    while (i < n) {
        struct cx *top = rw_top(r);
        char c = s[i];

        switch (top->kind) {
        case CX_SQ:
            buf_addch(out, c);
            i++;
            if (c == '\'')
                rw_pop(r);
            continue;
        case CX_ESQ:
            if (c == '\\' && i + 1 < n) {
                buf_add(out, s + i, 2);
                i += 2;
                continue;
            }
            buf_addch(out, c);
            i++;
            if (c == '\'')
                rw_pop(r);
            continue;
        case CX_ARITH:
            if (c == '(')
                top->depth++;
            else if (c == ')' && --top->depth == 0)
                rw_pop(r);
            buf_addch(out, c);
            i++;
            continue;
        case CX_DQ:
        case CX_PARAM:
            if (c == '\\') {
                buf_add(out, s + i, i + 1 < n ? 2 : 1);
                i += i + 1 < n ? 2 : 1;
                continue;
            }
            if (top->kind == CX_DQ && c == '"') {
                rw_pop(r);
            } else if (top->kind == CX_PARAM && c == '}') {
                if (--top->depth == 0)
                    rw_pop(r);
            } else if (top->kind == CX_PARAM && c == '\'') {
                rw_push(r, CX_SQ, false, 0);
            } else if (top->kind == CX_PARAM && c == '"') {
                rw_push(r, CX_DQ, false, 0);
            } else if (c == '$' && i + 1 < n && s[i + 1] == '(') {
                if (i + 2 < n && s[i + 2] == '(') {
                    rw_push(r, CX_ARITH, false, 2);
                    buf_add(out, s + i, 3);
                    i += 3;
                    continue;
                }
                rw_push(r, CX_CODE, true, 0);
                r->at_cmd = true;
                r->redirect = false;
                buf_add(out, s + i, 2);
                i += 2;
                continue;
            } else if (c == '$' && i + 1 < n && s[i + 1] == '{') {
                rw_push(r, CX_PARAM, false, 1);
                buf_add(out, s + i, 2);
                i += 2;
                continue;
            } else if (c == '`') {
                rw_push(r, CX_BT, false, 0);
                r->at_cmd = true;
                r->redirect = false;
            }
            buf_addch(out, c);
            i++;
            continue;
        case CX_CODE:
        case CX_BT:
            break;
        }

        /* Code: top level, $( ) or backticks. A digit before < or > is an fd (2>file). */
        if (is_blank(c) || is_fd_digit(s, i, n)) {
            buf_addch(out, c);
            i++;
        } else if (c == '\\') {
            if (i + 1 == n) {
                continued = true; /* line continuation: the command goes on */
                buf_addch(out, c);
                i++;
            } else {
                r->at_cmd = false;
                r->redirect = false;
                buf_add(out, s + i, 2);
                i += 2;
                /* the rest of the word, if any */
                if (i < n && !ends_word(s[i]))
                    i = rw_word(r, s, i, n, out);
            }
        } else if (c == '#' && (i == 0 || is_blank(s[i - 1]) || strchr(";&|()<>", s[i - 1]))) {
            buf_add(out, s + i, n - i); /* a comment: nothing in it is rewritten */
            i = n;
        } else if (c == '\'' || c == '"') {
            rw_push(r, c == '\'' ? CX_SQ : CX_DQ, false, 0);
            r->at_cmd = false;
            r->redirect = false;
            buf_addch(out, c);
            i++;
        } else if (c == '`') {
            if (top->kind == CX_BT) {
                rw_pop(r);
                r->at_cmd = false;
            } else {
                rw_push(r, CX_BT, false, 0);
                r->at_cmd = true;
            }
            r->redirect = false;
            buf_addch(out, c);
            i++;
        } else if (c == '$' && i + 1 < n &&
                   (s[i + 1] == '(' || s[i + 1] == '{' || s[i + 1] == '\'')) {
            if (s[i + 1] == '(' && i + 2 < n && s[i + 2] == '(') {
                rw_push(r, CX_ARITH, false, 2);
                buf_add(out, s + i, 3);
                i += 3;
                r->at_cmd = false;
                continue;
            }
            if (s[i + 1] == '(') {
                rw_push(r, CX_CODE, true, 0);
                r->at_cmd = true;
            } else {
                rw_push(r, s[i + 1] == '{' ? CX_PARAM : CX_ESQ, false, 1);
                r->at_cmd = false;
            }
            r->redirect = false;
            buf_add(out, s + i, 2);
            i += 2;
        } else if (c == ';' || c == '&' || c == '|') {
            r->at_cmd = true;
            r->redirect = false;
            buf_addch(out, c);
            i++;
        } else if (c == '(') {
            if (top->subst)
                top->depth++;
            r->at_cmd = true;
            buf_addch(out, c);
            i++;
        } else if (c == ')') {
            if (top->subst && top->depth == 0) {
                rw_pop(r);
                r->at_cmd = false;
            } else {
                if (top->subst)
                    top->depth--;
                r->at_cmd = true; /* after a subshell or a case pattern */
            }
            buf_addch(out, c);
            i++;
        } else if (c == '<' || c == '>') {
            /* A redirection operator; the word after it is a file, not a command. */
            while (i < n && strchr("<>&|-", s[i]))
                buf_addch(out, s[i++]);
            r->redirect = true;
        } else {
            i = rw_word(r, s, i, n, out);
        }
    }
    if (!continued && rw_top(r)->kind != CX_SQ && rw_top(r)->kind != CX_DQ &&
        rw_top(r)->kind != CX_ESQ && rw_top(r)->kind != CX_PARAM) {
        r->at_cmd = true;
        r->redirect = false;
    }
}

/* ---- shell script parts (§5) ----------------------------------------------------------- */

static void add_errexit_line(struct buf *out, enum script_family fam)
{
    buf_addstr(out, fam == SCRIPT_BASH ? "set -eo pipefail\n" : "set -e\n");
}

static void add_dir_line(struct builder *b, struct buf *out)
{
    buf_addstr(out, "export __RUNFILE_DIR__=");
    script_quote_sh(out, b->rf->dir ? b->rf->dir : "");
    buf_addch(out, '\n');
}

static void add_text_line(struct buf *out, const char *text)
{
    buf_addstr(out, text);
    if (!*text || text[strlen(text) - 1] != '\n')
        buf_addch(out, '\n');
}

static bool has_prelude(const struct builder *b)
{
    size_t i;

    if (b->env->no_prelude)
        return false;
    for (i = 0; i < b->rf->nstmts; i++)
        if (b->rf->stmts[i].kind != RUNFILE_CALL)
            return true;
    return false;
}

static void add_prelude(const struct builder *b, struct buf *out)
{
    size_t i;

    if (b->env->no_prelude)
        return;
    for (i = 0; i < b->rf->nstmts; i++)
        if (b->rf->stmts[i].kind != RUNFILE_CALL)
            add_text_line(out, b->rf->stmts[i].text);
}

static void add_positional(struct buf *out, unsigned pos)
{
    if (pos < 10)
        buf_addf(out, "\"$%u\"", pos);
    else
        buf_addf(out, "\"${%u}\"", pos);
}

static void add_shell_bindings(const struct builder *b, const struct runfile_fn *fn,
                               struct buf *out)
{
    size_t i;

    if (!fn->has_signature)
        return;
    for (i = 0; i < fn->nparams; i++) {
        const struct runfile_param *p = &fn->params[i];
        unsigned pos = p->position ? p->position : (unsigned)i + 1;

        if (p->is_rest && b->fam == SCRIPT_BASH) {
            buf_addf(out, "    local %s=\"${*:%u}\"\n", p->name, pos);
        } else if (p->is_rest) {
            buf_addf(out, "    __run_rest %u \"$@\"\n", pos - 1);
            buf_addf(out, "    local %s=\"$__run_r\"\n", p->name);
        } else if (p->required) {
            buf_addf(out, "    local %s=", p->name);
            add_positional(out, pos);
            buf_addch(out, '\n');
        } else {
            char *d = default_text(p);

            buf_addf(out, "    local %s=", p->name);
            script_quote_sh(out, d);
            buf_addf(out, "\n    [ -z \"${%u-}\" ] || %s=", pos, p->name);
            add_positional(out, pos);
            buf_addch(out, '\n');
            free(d);
        }
    }
}

/* Call 'line' for every line of 'code' with its kind (§4.6 step 3). */
static enum runfile_line_kind kind_of(const struct runfile_fn *fn, size_t line)
{
    if (!fn->line_kinds || line >= fn->nlines)
        return RUNFILE_LINE_CODE;
    return fn->line_kinds[line];
}

/* Append body text (the lines of 'code'), indented and rewritten as §5.3 and §5.6 say. */
static void add_body(const struct builder *b, const char *code, const struct runfile_fn *kinds_of,
                     const char *indent, struct buf *out)
{
    struct rewriter r = { .b = b, .at_cmd = true };
    const char *p = code, *nl;
    size_t line = 0;

    rw_push(&r, CX_CODE, false, 0);
    while (*p) {
        enum runfile_line_kind k = kinds_of ? kind_of(kinds_of, line) : RUNFILE_LINE_CODE;
        size_t len;

        nl = find_or_end(p, '\n');
        len = (size_t)(nl - p);
        if (k == RUNFILE_LINE_HEREDOC || k == RUNFILE_LINE_TERMINATOR) {
            buf_add(out, p, len);
        } else {
            if (k == RUNFILE_LINE_CODE && len)
                buf_addstr(out, indent);
            if (b->fam == SCRIPT_SH)
                rw_line(&r, p, len, out);
            else
                buf_add(out, p, len);
        }
        buf_addch(out, '\n');
        line++;
        if (!*nl)
            break;
        p = nl + 1;
    }
    free(r.stack);
}

static bool body_is_empty(const char *code)
{
    return !code || !*code;
}

static void add_wrapper(const struct builder *b, const struct runfile_fn *fn, struct buf *out)
{
    const char *root = NULL;

    if (fn->root)
        root = fn->root->path;
    else if (b->rf->nfiles)
        root = b->rf->files[0]->path;
    buf_addf(out, "%s() {\n    ", b->shname[fn_index(b, fn)]);
    script_quote_sh(out, b->env->exe ? b->env->exe : "run");
    buf_addstr(out, " --runfile ");
    script_quote_sh(out, root ? root : "");
    buf_addstr(out, " --no-prelude -- ");
    script_quote_sh(out, fn->name);
    buf_addstr(out, " \"$@\"\n}\n");
}

static void add_function(const struct builder *b, const struct runfile_fn *fn, struct buf *out)
{
    bool errexit = !fn->noerrexit;
    bool sub = errexit != b->errexit;

    if (b->wrapper[fn_index(b, fn)]) {
        add_wrapper(b, fn, out);
        return;
    }
    buf_addf(out, "%s() %c\n", b->shname[fn_index(b, fn)], sub ? '(' : '{');
    add_shell_bindings(b, fn, out);
    if (sub && b->fam == SCRIPT_BASH)
        buf_addstr(out, errexit ? "    set -eo pipefail\n" : "    set +e +o pipefail\n");
    else if (sub)
        buf_addstr(out, errexit ? "    set -e\n" : "    set +e\n");
    if (body_is_empty(fn->code))
        buf_addstr(out, "    :\n");
    else
        add_body(b, fn->code, fn, "    ", out);
    buf_addstr(out, sub ? ")\n" : "}\n");
}

static bool needs_rest_helper(const struct builder *b)
{
    size_t i;

    if (b->fam != SCRIPT_SH)
        return false;
    for (i = 0; i < b->rf->nfns; i++) {
        const struct runfile_fn *fn = &b->rf->fns[i];
        size_t j;

        if (!b->member[i] || b->wrapper[i] || !fn->has_signature)
            continue;
        for (j = 0; j < fn->nparams; j++)
            if (fn->params[j].is_rest)
                return true;
    }
    return false;
}

static const char rest_helper[] = "__run_rest() {\n"
                                  "    __run_skip=$(( $1 + 1 ))\n"
                                  "    __run_r=''\n"
                                  "    if [ \"$#\" -gt \"$__run_skip\" ]; then\n"
                                  "        shift \"$__run_skip\"\n"
                                  "        __run_r=\"$*\"\n"
                                  "    fi\n"
                                  "}\n";

/* The helper (if needed) and the members, each after one empty line, in Runfile order. */
static void add_functions(const struct builder *b, struct buf *out)
{
    size_t i;

    if (needs_rest_helper(b)) {
        buf_addch(out, '\n');
        buf_addstr(out, rest_helper);
    }
    for (i = 0; i < b->rf->nfns; i++) {
        if (!b->member[i])
            continue;
        buf_addch(out, '\n');
        add_function(b, &b->rf->fns[i], out);
    }
}

/* ---- polyglot programs (§9) ------------------------------------------------------------ */

static void add_lang_literal(struct buf *out, enum script_family fam, const char *text)
{
    if (fam == SCRIPT_RUBY)
        quote_ruby(out, text);
    else
        quote_c_like(out, text);
}

/* The default of 'p' as a literal of the language. */
static void add_lang_default(struct buf *out, enum script_family fam, const struct runfile_param *p)
{
    char *d = default_text(p);

    switch (p->default_value ? p->type : RUNFILE_STRING) {
    case RUNFILE_INTEGER:
    case RUNFILE_NUMBER:
        buf_addstr(out, d);
        break;
    case RUNFILE_BOOLEAN:
        if (fam == SCRIPT_PYTHON)
            buf_addstr(out, streq(d, "true") ? "True" : "False");
        else
            buf_addstr(out, d);
        break;
    case RUNFILE_OBJECT:
        buf_addstr(out, fam == SCRIPT_PYTHON ? "json.loads(" : "JSON.parse(");
        add_lang_literal(out, fam, d);
        buf_addch(out, ')');
        break;
    case RUNFILE_STRING:
        add_lang_literal(out, fam, d);
        break;
    }
    free(d);
}

/* C(x) of §9.2 around the argv element expression 'x'. */
static void add_conversion(struct buf *out, enum script_family fam, enum runfile_type type,
                           const char *x)
{
    static const char *const conv[3][5] = {
        /* string, integer, number, boolean, object */
        [0] = { "%s", "int(%s)", "float(%s)", "(%s == 'true')", "json.loads(%s)" },
        [1] = { "%s", "parseInt(%s, 10)", "parseFloat(%s)", "(%s === 'true')", "JSON.parse(%s)" },
        [2] = { "%s", "Integer(%s, 10)", "Float(%s)", "(%s == 'true')", "JSON.parse(%s)" },
    };
    int lang = fam == SCRIPT_PYTHON ? 0 : fam == SCRIPT_NODE ? 1 : 2;
    const char *f = conv[lang][type];
    const char *at = strstr(f, "%s");

    buf_add(out, f, (size_t)(at - f));
    buf_addstr(out, x);
    buf_addstr(out, at + 2);
}

static bool has_object_param(const struct runfile_fn *fn)
{
    size_t i;

    if (!fn->has_signature)
        return false;
    for (i = 0; i < fn->nparams; i++)
        if (fn->params[i].type == RUNFILE_OBJECT && !fn->params[i].is_rest)
            return true;
    return false;
}

static void add_preamble(const struct runfile_fn *fn, enum script_family fam, struct buf *out)
{
    bool json = has_object_param(fn);
    struct buf x = BUF_INIT;
    size_t i;

    if (fam == SCRIPT_PYTHON) {
        buf_addstr(out, json ? "import sys, os, json\n" : "import sys, os\n");
        buf_addstr(out, "__RUNFILE_DIR__ = os.environ.get('__RUNFILE_DIR__', '')\n");
    } else if (fam == SCRIPT_NODE) {
        buf_addstr(out, "const __RUNFILE_DIR__ = process.env.__RUNFILE_DIR__ || '';\n");
    } else {
        if (json)
            buf_addstr(out, "require 'json'\n");
        buf_addstr(out, "__RUNFILE_DIR__ = ENV.fetch('__RUNFILE_DIR__', '')\n");
    }
    if (!fn->has_signature)
        return;
    for (i = 0; i < fn->nparams; i++) {
        const struct runfile_param *p = &fn->params[i];
        unsigned pos = p->position ? p->position : (unsigned)i + 1;
        unsigned k = fam == SCRIPT_RUBY ? pos - 1 : pos;

        buf_reset(&x);
        if (fam == SCRIPT_PYTHON) {
            buf_addf(&x, "sys.argv[%u]", k);
            if (p->is_rest) {
                buf_addf(out, "%s = sys.argv[%u:]\n", p->name, k);
            } else if (p->required) {
                buf_addf(out, "%s = ", p->name);
                add_conversion(out, fam, p->type, x.buf);
                buf_addch(out, '\n');
            } else {
                buf_addf(out, "%s = ", p->name);
                add_conversion(out, fam, p->type, x.buf);
                buf_addf(out, " if len(sys.argv) > %u and sys.argv[%u] != '' else ", k, k);
                add_lang_default(out, fam, p);
                buf_addch(out, '\n');
            }
        } else if (fam == SCRIPT_NODE) {
            buf_addf(&x, "process.argv[%u]", k);
            if (p->is_rest) {
                buf_addf(out, "const %s = process.argv.slice(%u);\n", p->name, k);
            } else if (p->required) {
                buf_addf(out, "const %s = ", p->name);
                add_conversion(out, fam, p->type, x.buf);
                buf_addstr(out, ";\n");
            } else {
                buf_addf(out, "const %s = (process.argv.length > %u && process.argv[%u] !== '') ? ",
                         p->name, k, k);
                add_conversion(out, fam, p->type, x.buf);
                buf_addstr(out, " : ");
                add_lang_default(out, fam, p);
                buf_addstr(out, ";\n");
            }
        } else {
            buf_addf(&x, "ARGV[%u]", k);
            if (p->is_rest) {
                buf_addf(out, "%s = ARGV.drop(%u)\n", p->name, k);
            } else if (p->required) {
                buf_addf(out, "%s = ", p->name);
                add_conversion(out, fam, p->type, x.buf);
                buf_addch(out, '\n');
            } else {
                buf_addf(out, "%s = (ARGV.length > %u && ARGV[%u] != '') ? ", p->name, k, k);
                add_conversion(out, fam, p->type, x.buf);
                buf_addstr(out, " : ");
                add_lang_default(out, fam, p);
                buf_addch(out, '\n');
            }
        }
    }
    buf_release(&x);
}

static void add_program(const struct runfile_fn *fn, enum script_family fam, struct buf *out)
{
    add_preamble(fn, fam, out);
    if (!body_is_empty(fn->code))
        add_text_line(out, fn->code);
}

/* ---- argv and results ------------------------------------------------------------------ */

static void set_argv(struct script *s, const char *const *words, size_t n)
{
    size_t i;

    s->argv = xcalloc(n + 1, sizeof(*s->argv));
    for (i = 0; i < n; i++)
        s->argv[i] = xstrdup(words[i]);
    s->argc = n;
}

static void builder_init(struct builder *b, const struct runfile *rf, const struct script_env *env,
                         struct diag_list *diags)
{
    size_t n = rf->nfns ? rf->nfns : 1;

    memset(b, 0, sizeof(*b));
    b->rf = rf;
    b->env = env;
    b->diags = diags;
    find_default_shell(b);
    b->member = xcalloc(n, sizeof(*b->member));
    b->wrapper = xcalloc(n, sizeof(*b->wrapper));
    b->shname = xcalloc(n, sizeof(*b->shname));
    b->queue = xcalloc(n, sizeof(*b->queue));
}

static void builder_release(struct builder *b)
{
    size_t i;

    interp_release(&b->dsh);
    for (i = 0; i < b->rf->nfns; i++)
        free(b->shname[i]);
    free(b->shname);
    free(b->member);
    free(b->wrapper);
    free(b->queue);
}

/* The prelude stage of §9.4 for polyglot 'fn' run by 'in'. */
static int build_stage(struct builder *b, const struct runfile_fn *fn, struct interp *in,
                       const char *program, struct script *out)
{
    struct buf st = BUF_INIT, text = BUF_INIT;
    const char *words[6];

    if (!b->dsh.path)
        return missing_interp(b, dsh_name(b), fn->name);
    if (!fn->noerrexit)
        add_errexit_line(&st, b->dsh.family);
    buf_addstr(&st, "__run_exe=$1 __run_prog=$2\nshift 2\n");
    add_dir_line(b, &st);
    add_prelude(b, &st);
    if (in->family == SCRIPT_PYTHON)
        buf_addstr(&st, "exec \"$__run_exe\" -c \"$__run_prog\" \"$@\"\n");
    else
        buf_addstr(&st, "exec \"$__run_exe\" -e \"$__run_prog\" -- \"$@\"\n");

    buf_addf(&text, "%s\n# program passed to %s:\n%s", st.buf, in->label, program);
    words[0] = b->dsh.path;
    words[1] = "-c";
    words[2] = st.buf;
    words[3] = fn->name;
    words[4] = in->path;
    words[5] = program;
    set_argv(out, words, 6);
    out->interp = xstrdup(b->dsh.path);
    out->text = buf_detach(&text, NULL);
    buf_release(&st);
    return 0;
}

int script_build(const struct runfile *rf, const struct runfile_fn *fn,
                 const struct script_env *env, struct script *out, struct diag_list *diags)
{
    struct builder b;
    struct interp in;
    struct buf text = BUF_INIT;
    int rc;

    memset(out, 0, sizeof(*out));
    builder_init(&b, rf, env, diags);
    rc = entry_interp(&b, fn, &in);
    if (rc)
        goto out;

    if (!is_shell_family(in.family)) {
        add_program(fn, in.family, &text);
        if (has_prelude(&b)) {
            rc = build_stage(&b, fn, &in, text.buf, out);
            if (rc)
                goto out;
        } else {
            const char *words[4] = { in.path, in.family == SCRIPT_PYTHON ? "-c" : "-e", text.buf,
                                     "--" };

            set_argv(out, words, in.family == SCRIPT_PYTHON ? 3 : 4);
            out->interp = xstrdup(in.path);
            out->text = buf_detach(&text, NULL);
        }
        out->family = in.family;
        out->label = xstrdup(in.label);
        goto out;
    }

    b.fam = in.family;
    b.errexit = !fn->noerrexit;
    add_member(&b, fn);
    close_over(&b);
    rc = assign_names(&b);
    if (rc)
        goto out;
    if (b.errexit)
        add_errexit_line(&text, b.fam);
    add_dir_line(&b, &text);
    add_prelude(&b, &text);
    add_functions(&b, &text);
    buf_addf(&text, "\n%s \"$@\"\n", b.shname[fn_index(&b, fn)]);
    {
        const char *words[4] = { in.path, "-c", text.buf, fn->name };

        set_argv(out, words, 4);
    }
    out->family = in.family;
    out->label = xstrdup(in.label);
    out->interp = xstrdup(in.path);
    out->text = buf_detach(&text, NULL);
out:
    if (rc)
        memset(out, 0, sizeof(*out));
    buf_release(&text);
    interp_release(&in);
    builder_release(&b);
    return rc;
}

/* A top-level call of file mode as the command `<script name> <ARG> …` (§13). */
static void add_call(const struct builder *b, const struct runfile_stmt *st, struct buf *out)
{
    const struct runfile_fn *g = lookup(b, st->text, strlen(st->text));
    size_t i;

    buf_addstr(out, g ? b->shname[fn_index(b, g)] : st->text);
    for (i = 0; i < st->nargs; i++)
        buf_addf(out, " %s", st->args[i]);
    buf_addch(out, '\n');
}

int script_build_file(const struct runfile *rf, const char *path, const struct script_env *env,
                      struct script *out, struct diag_list *diags)
{
    struct builder b;
    struct buf text = BUF_INIT;
    size_t i;
    int rc = 0;

    memset(out, 0, sizeof(*out));
    builder_init(&b, rf, env, diags);
    if (!b.dsh.path) {
        rc = missing_interp(&b, dsh_name(&b), path);
        goto out;
    }
    b.fam = b.dsh.family;
    b.errexit = true;
    for (i = 0; i < rf->nstmts; i++) {
        const struct runfile_stmt *st = &rf->stmts[i];

        if (st->kind == RUNFILE_CALL) {
            const struct runfile_fn *g = lookup(&b, st->text, strlen(st->text));
            size_t j;

            if (g)
                add_member(&b, g);
            for (j = 0; j < st->nargs; j++)
                add_words(&b, st->args[j]);
        } else {
            add_words(&b, st->text);
        }
    }
    close_over(&b);
    rc = assign_names(&b);
    if (rc)
        goto out;
    add_errexit_line(&text, b.fam);
    add_dir_line(&b, &text);
    add_functions(&b, &text);
    if (rf->nstmts)
        buf_addch(&text, '\n');
    for (i = 0; i < rf->nstmts; i++) {
        const struct runfile_stmt *st = &rf->stmts[i];

        if (st->kind == RUNFILE_CALL)
            add_call(&b, st, &text);
        else if (b.fam == SCRIPT_SH)
            add_body(&b, st->text, NULL, "", &text);
        else
            add_text_line(&text, st->text);
    }
    {
        const char *words[4] = { b.dsh.path, "-c", text.buf, path };

        set_argv(out, words, 4);
    }
    out->family = b.fam;
    out->label = xstrdup(b.dsh.label);
    out->interp = xstrdup(b.dsh.path);
    out->text = buf_detach(&text, NULL);
out:
    buf_release(&text);
    builder_release(&b);
    return rc;
}

char **script_argv(const struct script *s, char *const *values, size_t nvalues)
{
    char **argv = xcalloc(s->argc + nvalues + 1, sizeof(*argv));
    size_t i;

    for (i = 0; i < s->argc; i++)
        argv[i] = s->argv[i];
    for (i = 0; i < nvalues; i++)
        argv[s->argc + i] = values[i];
    return argv;
}

void script_release(struct script *s)
{
    size_t i;

    if (s->argv)
        for (i = 0; i < s->argc; i++)
            free(s->argv[i]);
    free(s->argv);
    free(s->label);
    free(s->interp);
    free(s->text);
    memset(s, 0, sizeof(*s));
}

/* ---- argument checks (§3.2, cli.md §12) ------------------------------------------------ */

static void add_usage(const struct runfile_fn *fn, struct buf *err)
{
    size_t i;

    buf_addf(err, "usage: run %s", fn->name);
    for (i = 0; i < fn->nparams; i++) {
        const struct runfile_param *p = &fn->params[i];

        if (p->is_rest)
            buf_addf(err, " [%s...]", p->name);
        else if (p->required)
            buf_addf(err, " <%s>", p->name);
        else
            buf_addf(err, " [%s]", p->name);
    }
    buf_addch(err, '\n');
}

static const char *type_phrase(enum runfile_type t)
{
    switch (t) {
    case RUNFILE_INTEGER:
        return "an integer";
    case RUNFILE_NUMBER:
        return "a number";
    case RUNFILE_BOOLEAN:
        return "a boolean (true/false/yes/no/on/off/1/0)";
    case RUNFILE_OBJECT:
        return "a JSON object";
    case RUNFILE_STRING:
        break;
    }
    return "a string";
}

int script_check_args(const struct runfile_fn *fn, char *const *values, size_t nvalues,
                      char ***norm, struct buf *err)
{
    char **v = xcalloc(nvalues + 1, sizeof(*v));
    size_t i;

    for (i = 0; i < nvalues; i++)
        v[i] = xstrdup(values[i]);
    *norm = NULL;
    if (!fn->has_signature)
        goto ok;
    /* Parameter by parameter, so the first problem in signature order is the one reported. */
    for (i = 0; i < fn->nparams; i++) {
        const struct runfile_param *p = &fn->params[i];
        size_t at = (p->position ? p->position : (unsigned)i + 1) - 1;
        char *n = NULL;

        if (p->is_rest || p->type == RUNFILE_STRING) {
            if (at >= nvalues && p->required && !p->is_rest)
                goto missing;
            continue;
        }
        if (at >= nvalues) {
            if (p->required)
                goto missing;
            continue;
        }
        if (!*v[at] && !p->required)
            continue; /* empty: use the default */
        if (!*v[at] || !runfile_value_check(p->type, v[at], &n)) {
            buf_addf(err, "error: argument '%s' of '%s' must be %s, got '%s'\n", p->name, fn->name,
                     type_phrase(p->type), v[at]);
            goto bad;
        }
        if (n) {
            free(v[at]);
            v[at] = n;
        }
        continue;
missing:
        buf_addf(err, "error: missing required argument '%s' for '%s'\n", p->name, fn->name);
        goto bad;
    }
ok:
    *norm = v;
    return 0;
bad:
    add_usage(fn, err);
    script_free_values(v, nvalues);
    return 2;
}

void script_free_values(char **values, size_t n)
{
    size_t i;

    if (!values)
        return;
    for (i = 0; i < n; i++)
        free(values[i]);
    free(values);
}
