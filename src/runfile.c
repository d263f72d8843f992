/*
 * runfile: discovery and merging (spec/runfile.md §8), the one table of functions (§9), and
 * the small public helpers of the model (types, values, names, positions).
 */
#include "runfile.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base.h"
#include "buf.h"
#include "runfile_int.h"

/* ---- words ---- */

unsigned edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    unsigned row[64];

    if (la >= 63 || lb >= 63)
        return 99;
    for (size_t j = 0; j <= lb; j++)
        row[j] = (unsigned)j;
    for (size_t i = 1; i <= la; i++) {
        unsigned prev = row[0];
        row[0] = (unsigned)i;
        for (size_t j = 1; j <= lb; j++) {
            unsigned cur = row[j];
            unsigned sub = prev + (a[i - 1] != b[j - 1]);
            unsigned del = row[j] + 1, ins = row[j - 1] + 1;
            row[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
            prev = cur;
        }
    }
    return row[lb];
}

/* 'lit' is the 'len' bytes at 'w'. The first byte first: almost every word of a table
 * differs there, and strlen need not run. */
static bool word_eq(const char *lit, const char *w, size_t len)
{
    return len && lit[0] == w[0] && strlen(lit) == len && !memcmp(lit, w, len);
}

static bool in_list(const char *const *list, const char *w, size_t len)
{
    for (; *list; list++)
        if (word_eq(*list, w, len))
            return true;
    return false;
}

bool is_shell_reserved(const char *word, size_t len)
{
    static const char *const words[] = { "if",   "then", "else",     "elif",  "fi",    "case",
                                         "esac", "for",  "select",   "while", "until", "do",
                                         "done", "in",   "function", "time",  "[[",    NULL };
    return in_list(words, word, len);
}

const char *polyglot_reserved(enum runfile_interp interp, const char *name)
{
    static const char *const py[] = {
        "and",  "as",     "assert", "async",  "await",  "break",   "class",    "continue", "def",
        "del",  "elif",   "else",   "except", "False",  "finally", "for",      "from",     "global",
        "if",   "import", "in",     "is",     "lambda", "None",    "nonlocal", "not",      "or",
        "pass", "raise",  "return", "True",   "try",    "while",   "with",     "yield",    NULL
    };
    static const char *const js[] = {
        "break",  "case",     "catch",  "class",  "const",  "continue",   "debugger", "default",
        "delete", "do",       "else",   "enum",   "export", "extends",    "false",    "finally",
        "for",    "function", "if",     "import", "in",     "instanceof", "let",      "new",
        "null",   "return",   "static", "super",  "switch", "this",       "throw",    "true",
        "try",    "typeof",   "var",    "void",   "while",  "with",       "yield",    NULL
    };
    static const char *const rb[] = { "BEGIN", "END",    "alias",  "and",     "begin", "break",
                                      "case",  "class",  "def",    "defined", "do",    "else",
                                      "elsif", "end",    "ensure", "false",   "for",   "if",
                                      "in",    "module", "next",   "nil",     "not",   "or",
                                      "redo",  "rescue", "retry",  "return",  "self",  "super",
                                      "then",  "true",   "undef",  "unless",  "until", "when",
                                      "while", "yield",  NULL };
    size_t len = strlen(name);

    switch (interp) {
    case RUNFILE_INTERP_PYTHON:
    case RUNFILE_INTERP_PYTHON3:
        return in_list(py, name, len) ? "Python" : NULL;
    case RUNFILE_INTERP_NODE:
        return in_list(js, name, len) ? "JavaScript" : NULL;
    case RUNFILE_INTERP_RUBY:
        return in_list(rb, name, len) ? "Ruby" : NULL;
    default:
        return NULL;
    }
}

bool runfile_type_parse(const char *word, size_t len, enum runfile_type *type)
{
    static const struct {
        const char *w;
        enum runfile_type t;
    } tab[] = {
        { "str", RUNFILE_STRING },   { "string", RUNFILE_STRING },
        { "int", RUNFILE_INTEGER },  { "integer", RUNFILE_INTEGER },
        { "float", RUNFILE_NUMBER }, { "number", RUNFILE_NUMBER },
        { "bool", RUNFILE_BOOLEAN }, { "boolean", RUNFILE_BOOLEAN },
        { "obj", RUNFILE_OBJECT },   { "object", RUNFILE_OBJECT },
        { "dict", RUNFILE_OBJECT },
    };

    for (size_t i = 0; i < ARRAY_SIZE(tab); i++) {
        if (word_eq(tab[i].w, word, len)) {
            *type = tab[i].t;
            return true;
        }
    }
    return false;
}

const char *runfile_type_name(enum runfile_type type)
{
    switch (type) {
    case RUNFILE_STRING:
        return "string";
    case RUNFILE_INTEGER:
        return "integer";
    case RUNFILE_NUMBER:
        return "number";
    case RUNFILE_BOOLEAN:
        return "boolean";
    case RUNFILE_OBJECT:
        return "object";
    }
    BUG("bad type %d", (int)type);
}

const char *runfile_interp_name(enum runfile_interp interp)
{
    switch (interp) {
    case RUNFILE_INTERP_DEFAULT:
        return NULL;
    case RUNFILE_INTERP_BASH:
        return "bash";
    case RUNFILE_INTERP_SH:
        return "sh";
    case RUNFILE_INTERP_PYTHON:
        return "python";
    case RUNFILE_INTERP_PYTHON3:
        return "python3";
    case RUNFILE_INTERP_NODE:
        return "node";
    case RUNFILE_INTERP_RUBY:
        return "ruby";
    case RUNFILE_INTERP_PWSH:
        return "pwsh";
    }
    BUG("bad interpreter %d", (int)interp);
}

/* ---- values (execution.md §3.2, §4) ---- */

static bool is_integer(const char *s, long long *out)
{
    const char *p = s;
    char *end;

    if (*p == '+' || *p == '-')
        p++;
    if (!*p)
        return false;
    for (const char *q = p; *q; q++)
        if (*q < '0' || *q > '9')
            return false;
    errno = 0;
    *out = strtoll(s, &end, 10);
    return errno != ERANGE && !*end;
}

/* [+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)? */
static bool is_number(const char *s)
{
    const char *p = s;
    bool digits = false;

    if (*p == '+' || *p == '-')
        p++;
    while (*p >= '0' && *p <= '9') {
        p++;
        digits = true;
    }
    if (*p == '.') {
        p++;
        while (*p >= '0' && *p <= '9') {
            p++;
            digits = true;
        }
    }
    if (!digits)
        return false;
    if (*p == 'e' || *p == 'E') {
        p++;
        if (*p == '+' || *p == '-')
            p++;
        if (!(*p >= '0' && *p <= '9'))
            return false;
        while (*p >= '0' && *p <= '9')
            p++;
    }
    return !*p;
}

static int bool_value(const char *s)
{
    static const char *const yes[] = { "true", "1", "yes", "on" };
    static const char *const no[] = { "false", "0", "no", "off" };

    for (size_t i = 0; i < 4; i++) {
        if (!strcasecmp(s, yes[i]))
            return 1;
        if (!strcasecmp(s, no[i]))
            return 0;
    }
    return -1;
}

static json_t *parse_object(const char *s)
{
    json_t *j = json_loads(s, JSON_DECODE_ANY, NULL);

    if (j && !json_is_object(j)) {
        json_decref(j);
        return NULL;
    }
    return j;
}

bool runfile_value_check(enum runfile_type type, const char *text, char **norm)
{
    long long ll;
    int b;
    json_t *j;

    if (type != RUNFILE_STRING && !*text)
        return false;
    switch (type) {
    case RUNFILE_STRING:
        break;
    case RUNFILE_INTEGER:
        if (!is_integer(text, &ll))
            return false;
        break;
    case RUNFILE_NUMBER:
        if (!is_number(text))
            return false;
        break;
    case RUNFILE_BOOLEAN:
        b = bool_value(text);
        if (b < 0)
            return false;
        if (norm)
            *norm = xstrdup(b ? "true" : "false");
        return true;
    case RUNFILE_OBJECT:
        j = parse_object(text);
        if (!j)
            return false;
        json_decref(j);
        break;
    }
    if (norm)
        *norm = xstrdup(text);
    return true;
}

/* Shortest text with at most 15 significant digits; ".0" when it looks like an integer. */
static char *format_number(double d)
{
    char ref[64], s[64];
    int p;
    long x;
    double want;

    (void)snprintf(ref, sizeof(ref), "%.14e", d);
    want = strtod(ref, NULL);
    for (p = 1; p <= 15; p++) {
        (void)snprintf(s, sizeof(s), "%.*e", p - 1, d);
        if (strtod(s, NULL) == want)
            break;
    }
    if (p > 15)
        p = 15;
    (void)snprintf(s, sizeof(s), "%.*e", p - 1, want);
    x = strtol(strchr(s, 'e') + 1, NULL, 10);
    if (x >= -5 && x < 16) {
        long dec = p - 1 - x;
        (void)snprintf(s, sizeof(s), "%.*f", dec > 0 ? (int)dec : 0, want);
        if (!strchr(s, '.'))
            return xasprintf("%s.0", s);
    }
    return xstrdup(s);
}

/*
 * True when format_number(strtod(s)) would give 's' back: a plain decimal with a fraction
 * that ends in a non-zero digit, at most 15 significant digits and at most four zeros after
 * the point before the first one (below 1e-5 the normal form is exponential). Such a text
 * round-trips through a double (DBL_DIG is 15), and no shorter text names the same double, so
 * the search of format_number would end where it started. Most number defaults are written
 * this way ("0.5", "1.25"), and the search costs 16 printf/strtod pairs.
 */
static bool number_is_normal(const char *s)
{
    const char *p = s + (*s == '-');
    size_t sig = 0;

    if (*p == '0') {
        size_t zeros = 0;

        p++;
        if (*p != '.')
            return false;
        p++;
        while (*p == '0') {
            p++;
            zeros++;
        }
        if (zeros > 4)
            return false;
    } else {
        if (*p < '1' || *p > '9')
            return false;
        while (*p >= '0' && *p <= '9') {
            p++;
            sig++;
        }
        if (*p != '.')
            return false;
        p++;
    }
    if (*p < '0' || *p > '9')
        return false;
    while (*p >= '0' && *p <= '9') {
        p++;
        sig++;
    }
    return !*p && p[-1] != '0' && sig <= 15;
}

char *runfile_default_normalise(enum runfile_type type, const char *text)
{
    long long ll;
    json_t *j;
    char *out;

    if (!runfile_value_check(type, text, type == RUNFILE_BOOLEAN ? &out : NULL))
        return NULL;
    switch (type) {
    case RUNFILE_STRING:
        return xstrdup(text);
    case RUNFILE_INTEGER: {
        /* Valid, so [+-]?[0-9]+ in range: without '+' and leading zeros it is already the
         * "%lld" form ("0" is, "-0" is not). */
        const char *d = text + (*text == '-');

        if (*text != '+' && (*d != '0' || (!d[1] && d == text)))
            return xstrdup(text);
        is_integer(text, &ll);
        return xasprintf("%lld", ll);
    }
    case RUNFILE_NUMBER: {
        double d;

        if (number_is_normal(text))
            return xstrdup(text);
        d = strtod(text, NULL);
        if (!isfinite(d))
            return NULL;
        return format_number(d);
    }
    case RUNFILE_BOOLEAN:
        return out;
    case RUNFILE_OBJECT:
        j = parse_object(text);
        out = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
        json_decref(j);
        return out;
    }
    return NULL;
}

/* ---- names ---- */

bool runfile_is_name_segment(const char *seg, bool first)
{
    const char *p = seg;

    if (!*p)
        return false;
    if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || *p == '_' ||
          (!first && *p >= '0' && *p <= '9')))
        return false;
    for (p++; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '_' || *p == '-'))
            return false;
    return true;
}

bool runfile_is_fn_name(const char *name)
{
    char seg[256];
    const char *p = name;
    bool first = true;

    for (;;) {
        const char *c = strchr(p, ':');
        size_t n = c ? (size_t)(c - p) : strlen(p);

        if (n >= sizeof(seg))
            return false;
        memcpy(seg, p, n);
        seg[n] = '\0';
        if (!runfile_is_name_segment(seg, first))
            return false;
        if (!c)
            return true;
        p = c + 1;
        first = false;
    }
}

/* ---- positions ---- */

void runfile_origin_loc(const struct runfile_origin *o, unsigned span, struct diag_loc *loc)
{
    const struct runfile_file *f = o->file;

    memset(loc, 0, sizeof(*loc));
    if (!f)
        return;
    loc->file = f->label;
    loc->line = o->line;
    loc->col = o->col;
    loc->span = span ? span : 1;
    loc->offset = o->offset;
    if (f->text && o->offset <= f->len) {
        size_t b = o->offset, e;
        const char *nl;

        while (b > 0 && f->text[b - 1] != '\n')
            b--;
        nl = memchr(f->text + b, '\n', f->len - b);
        e = nl ? (size_t)(nl - f->text) : f->len;
        loc->source_line = f->text + b;
        loc->source_len = e - b;
    }
}

/* ---- the model ---- */

void runfile_free(struct runfile *rf)
{
    if (!rf)
        return;
    /* Names, bodies, parameters, statement texts: all in the arena. */
    free(rf->fns);
    for (size_t i = 0; i < rf->nstmts; i++)
        free(rf->stmts[i].args);
    free(rf->stmts);
    free(rf->instructions);
    arena_release(&rf->arena);
    for (size_t i = 0; i < rf->nfiles; i++) {
        free(rf->files[i]->path);
        free(rf->files[i]->label);
        free(rf->files[i]->text);
        free(rf->files[i]);
    }
    free(rf->files);
    if (rf->index) {
        strmap_release(&rf->index->map);
        free(rf->index);
    }
    free(rf->list_label);
    free(rf->dir);
    free(rf);
}

const struct runfile_fn *runfile_findn(const struct runfile *rf, const char *name, size_t len)
{
    size_t *v;

    if (!rf)
        return NULL;
    if (!rf->index) {
        /* A model built by hand (tests) has no index. */
        for (size_t i = 0; i < rf->nfns; i++)
            if (!strncmp(rf->fns[i].name, name, len) && !rf->fns[i].name[len])
                return &rf->fns[i];
        return NULL;
    }
    v = strmap_getn(&rf->index->map, name, len);
    return v ? &rf->fns[*v] : NULL;
}

const struct runfile_fn *runfile_find(const struct runfile *rf, const char *name)
{
    return runfile_findn(rf, name, strlen(name));
}

bool runfile_fn_is_polyglot(const struct runfile_fn *fn)
{
    switch (fn->interp) {
    case RUNFILE_INTERP_PYTHON:
    case RUNFILE_INTERP_PYTHON3:
    case RUNFILE_INTERP_NODE:
    case RUNFILE_INTERP_RUBY:
        return true;
    default:
        return false;
    }
}

const struct runfile_param *runfile_fn_rest(const struct runfile_fn *fn)
{
    for (size_t i = 0; i < fn->nparams; i++)
        if (fn->params[i].is_rest)
            return &fn->params[i];
    return NULL;
}

/* ---- files ---- */

size_t runfile_fold_text(char *t, size_t len)
{
    size_t r = 0, w = 0;

    if (len >= 3 && (unsigned char)t[0] == 0xef && (unsigned char)t[1] == 0xbb &&
        (unsigned char)t[2] == 0xbf)
        r = 3;
    /* From one '\r' to the next: most files have none, or one per line. */
    while (r < len) {
        const char *cr = memchr(t + r, '\r', len - r);
        size_t n = cr ? (size_t)(cr - t) - r : len - r;

        if (w != r)
            memmove(t + w, t + r, n);
        w += n;
        r += n;
        if (!cr)
            break;
        if (!(r + 1 == len || t[r + 1] == '\n'))
            t[w++] = '\r';
        r++;
    }
    t[w] = '\0';
    return w;
}

int runfile_file_read(struct runfile_file *f, const char *path)
{
    struct stat st;
    struct buf b = BUF_INIT;
    int fd = open(path, O_RDONLY | O_CLOEXEC), err = 0;

    if (fd < 0)
        return errno;
    if (fstat(fd, &st) < 0) {
        err = errno;
        goto out;
    }
    if (S_ISDIR(st.st_mode)) {
        err = EISDIR;
        goto out;
    }
    f->dev = (uint64_t)st.st_dev;
    f->ino = (uint64_t)st.st_ino;
    f->size = (uint64_t)st.st_size;
    f->mtime_ns = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
    /* Straight into the buffer, sized from fstat with a spare byte, so a regular file is
     * one read plus the one that sees its end; anything that grows is still read whole. */
    buf_grow(&b, st.st_size > 0 ? (size_t)st.st_size + 1 : 4096);
    for (;;) {
        ssize_t n;

        if (b.alloc - b.len - 1 == 0)
            buf_grow(&b, 65536);
        n = read(fd, b.buf + b.len, b.alloc - b.len - 1);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            err = errno;
            goto out;
        }
        if (n == 0)
            break;
        buf_setlen(&b, b.len + (size_t)n);
    }
    f->len = runfile_fold_text(b.buf, b.len);
    buf_setlen(&b, f->len);
    f->text = buf_detach(&b, NULL);
    f->exists = true;
out:
    close(fd);
    buf_release(&b);
    return err;
}

/* ---- the loader ---- */

void loader_init(struct loader *ld, struct runfile *rf, struct diag_list *diags)
{
    memset(ld, 0, sizeof(*ld));
    ld->rf = rf;
    ld->diags = diags;
#if defined(__APPLE__)
    ld->os = "macos";
#elif defined(_WIN32)
    ld->os = "windows";
#else
    ld->os = "linux";
#endif
}

struct runfile_file *loader_add_file(struct loader *ld)
{
    struct runfile *rf = ld->rf;
    struct runfile_file *f = xcalloc(1, sizeof(*f));

    ALLOC_GROW(rf->files, rf->nfiles + 1, ld->afiles);
    rf->files[rf->nfiles++] = f;
    return f;
}

/* 'path' inside directory 'dir': the rest after "dir/", else NULL. */
static const char *inside(const char *path, const char *dir)
{
    size_t n;

    if (!dir)
        return NULL;
    n = strlen(dir);
    if (n == 1 && dir[0] == '/')
        return path[0] == '/' ? path + 1 : NULL;
    if (!strncmp(path, dir, n) && path[n] == '/')
        return path + n + 1;
    return NULL;
}

char *loader_label(const struct loader *ld, const char *path)
{
    const char *r;

    if ((r = inside(path, ld->cwd)))
        return xstrdup(r);
    if ((r = inside(path, ld->home)))
        return xasprintf("~/%s", r);
    return xstrdup(path);
}

void loader_finish(struct loader *ld)
{
    struct runfile *rf = ld->rf;
    unsigned char *trees = xcalloc(ld->ndefs ? ld->ndefs : 1, 1);
    size_t n = 0;

    /*
     * §9: the last definition of a name wins; its position is its own. One table serves as
     * the name -> last definition map while deciding and then, renumbered, as the index.
     * Its keys are the first definitions' names, which stay valid: losers' strings are in
     * the arena too.
     */
    rf->index = xcalloc(1, sizeof(*rf->index));
    strmap_init(&rf->index->map, ld->ndefs);
    for (size_t i = 0; i < ld->ndefs; i++)
        strmap_put(&rf->index->map, ld->defs[i].name, i);
    for (size_t i = 0; i < ld->ndefs; i++) {
        size_t *w = strmap_get(&rf->index->map, ld->defs[i].name);
        const struct runfile_file *f = ld->defs[i].origin.file;

        trees[*w] |= f && f->is_global_tree ? 2 : 1;
        if (*w == i)
            trees[i] |= 4;
    }
    /* The winners, compacted in place, each renumbered in the index as it moves. */
    for (size_t i = 0; i < ld->ndefs; i++) {
        if (!(trees[i] & 4))
            continue;
        if (n != i)
            ld->defs[n] = ld->defs[i];
        ld->defs[n].order = n;
        ld->defs[n].in_project_tree = trees[i] & 1;
        ld->defs[n].in_global_tree = trees[i] & 2;
        *strmap_get(&rf->index->map, ld->defs[n].name) = n;
        n++;
    }
    rf->fns = ld->defs ? ld->defs : xcalloc(1, sizeof(*rf->fns));
    rf->nfns = n;
    free(trees);
    ld->defs = NULL;
    ld->ndefs = 0;

    /* File mode: a call must name a function (execution.md §13). */
    if (ld->script) {
        for (size_t i = 0; i < rf->nstmts; i++) {
            const struct runfile_stmt *st = &rf->stmts[i];
            struct diag_loc loc;
            struct diag *d;

            if (st->kind != RUNFILE_CALL || runfile_find(rf, st->text))
                continue;
            runfile_origin_loc(&st->origin, diag_count_chars(st->text, strlen(st->text)), &loc);
            d = diag_add(ld->diags, DIAG_ERROR, &loc, "call to unknown function '%s'", st->text);
            if (!d)
                break;
            diag_set_hint(d, "define it before running the script, or check the spelling");
            for (const struct runfile_file *f = st->origin.file; f && f->sourced_at.file;
                 f = f->sourced_at.file) {
                struct diag_loc nl = { .file = f->sourced_at.file->label,
                                       .line = f->sourced_at.line,
                                       .col = f->sourced_at.col,
                                       .offset = f->sourced_at.offset };
                diag_add(ld->diags, DIAG_NOTE, &nl, "'%s' is sourced here", f->label);
            }
        }
    }
    strmap_release(&ld->seen);
}

struct runfile *runfile_parse(const char *label, const char *dir, const char *text, size_t len,
                              bool script, struct diag_list *diags)
{
    struct runfile *rf = xcalloc(1, sizeof(*rf));
    struct loader ld;
    struct runfile_file *f;
    char *cwd = getcwd(NULL, 0);
    char *home = getenv("HOME") ? realpath(getenv("HOME"), NULL) : NULL;

    loader_init(&ld, rf, diags);
    ld.cwd = cwd;
    ld.home = home;
    ld.script = script;
    rf->source = script ? RUNFILE_FROM_SCRIPT : RUNFILE_FROM_TEXT;
    rf->dir = xstrdup(dir ? dir : "/");
    rf->list_label = xstrdup(label);
    f = loader_add_file(&ld);
    f->path = dir ? xasprintf("%s/%s", dir, label) : xstrdup(label);
    f->label = xstrdup(label);
    f->text = xmalloc(len + 1);
    memcpy(f->text, text, len);
    f->len = runfile_fold_text(f->text, len);
    f->exists = true;
    loader_read_text(&ld, f, dir);
    loader_finish(&ld);
    free(cwd);
    free(home);
    return rf;
}

static bool is_regular(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static char *dir_of(const char *path)
{
    const char *sl = strrchr(path, '/');

    if (!sl)
        return xstrdup(".");
    if (sl == path)
        return xstrdup("/");
    return xstrndup(path, (size_t)(sl - path));
}

/* Add and read a root file; 0 or an errno. */
static int add_root(struct loader *ld, const char *path, bool global, struct runfile_file **out)
{
    struct runfile_file *f = loader_add_file(ld);
    char *canon = realpath(path, NULL);
    int err;

    f->path = canon ? canon : xstrdup(path);
    f->label = global ? xstrdup("~/.runfile") : loader_label(ld, f->path);
    f->is_global_tree = global;
    err = runfile_file_read(f, f->path);
    *out = f;
    return err;
}

struct runfile *runfile_load(const struct runfile_load_opts *o, struct diag_list *diags,
                             int *err_no)
{
    struct runfile *rf = xcalloc(1, sizeof(*rf));
    struct loader ld;
    char *cwd = NULL, *home = NULL, *project = NULL, *global = NULL, *path = NULL;
    struct runfile_file *pf = NULL, *gf = NULL, *root = NULL;
    int err = 0;

    if (err_no)
        *err_no = 0;
    loader_init(&ld, rf, diags);
    if (o->os)
        ld.os = o->os;
    cwd = o->cwd ? realpath(o->cwd, NULL) : NULL;
    if (!cwd && o->cwd)
        cwd = xstrdup(o->cwd);
    home = o->home ? realpath(o->home, NULL) : NULL;
    ld.cwd = cwd;
    ld.home = home;
    ld.no_bodies = o->no_bodies;

    if (o->script || o->runfile) {
        const char *p = o->script ? o->script : o->runfile;
        struct stat st;

        /* An empty path names no file (it is not the current directory). */
        if (!*p) {
            err = ENOENT;
            goto fail;
        }
        path = p[0] == '/' || !o->cwd ? xstrdup(p) : xasprintf("%s/%s", o->cwd, p);
        if (!o->script && stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
            char *r = xasprintf("%s/Runfile", path);
            free(path);
            path = r;
        }
        ld.script = o->script != NULL;
        err = add_root(&ld, path, false, &root);
        if (err)
            goto fail;
        rf->source = o->script ? RUNFILE_FROM_SCRIPT : RUNFILE_FROM_OPTION;
        rf->list_label = xstrdup(p);
        loader_read_root(&ld, root);
    } else {
        /* §8.1: the project Runfile, from the current directory upwards. */
        char *d = xstrdup(cwd ? cwd : "/");
        for (;;) {
            char *cand = xasprintf("%s/Runfile", streq(d, "/") ? "" : d);
            if (is_regular(cand)) {
                project = cand;
                break;
            }
            free(cand);
            if (streq(d, "/") || (home && streq(d, home)))
                break;
            {
                char *up = dir_of(d);
                free(d);
                d = up;
            }
        }
        free(d);
        if (home) {
            global = xasprintf("%s/.runfile", home);
            if (!is_regular(global)) {
                free(global);
                global = NULL;
            }
        }
        if (!project && !global)
            goto fail;
        if (global && (!project || !o->no_global_merge)) {
            err = add_root(&ld, global, true, &gf);
            if (!err)
                loader_read_root(&ld, gf);
            else if (!project)
                goto fail;
        }
        if (project) {
            err = add_root(&ld, project, false, &pf);
            if (err)
                goto fail;
            loader_read_root(&ld, pf);
            root = pf;
            rf->source = RUNFILE_FROM_PROJECT;
            rf->merged = gf && gf->exists;
            /* "./Runfile", "../Runfile", ... relative to the current directory */
            {
                struct buf lb = BUF_INIT;
                const char *pd = project;
                char *pdir = dir_of(pd);
                const char *c = cwd ? cwd : "/";
                size_t ups = 0;

                if (!streq(pdir, c)) {
                    const char *rest = inside(c, pdir);
                    if (rest) {
                        ups = 1;
                        for (; *rest; rest++)
                            ups += *rest == '/';
                    }
                }
                if (!ups) {
                    buf_addstr(&lb, "./Runfile");
                } else {
                    for (size_t k = 0; k < ups; k++)
                        buf_addstr(&lb, "../");
                    buf_addstr(&lb, "Runfile");
                }
                rf->list_label = buf_detach(&lb, NULL);
                free(pdir);
            }
        } else {
            root = gf;
            rf->source = RUNFILE_FROM_GLOBAL;
            rf->list_label = xstrdup("~/.runfile");
        }
    }
    /* §8.2 and execution.md §12.1 */
    {
        char *rd = o->runfile_dir ? realpath(o->runfile_dir, NULL) : NULL;
        struct stat st;

        if (rd && stat(rd, &st) == 0 && S_ISDIR(st.st_mode)) {
            rf->dir = rd;
        } else {
            free(rd);
            rf->dir = dir_of(root->path);
        }
    }
    loader_finish(&ld);
    free(cwd);
    free(home);
    free(project);
    free(global);
    free(path);
    return rf;

fail:
    if (err_no)
        *err_no = err;
    free(ld.defs);
    strmap_release(&ld.seen);
    runfile_free(rf);
    free(cwd);
    free(home);
    free(project);
    free(global);
    free(path);
    return NULL;
}
