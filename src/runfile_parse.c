/*
 * runfile_parse: read Runfile text statement by statement (spec/runfile.md §2-§7, §10):
 * definitions with their signatures, attributes and bodies, assignments, commands, calls and
 * `source` directives. Every problem becomes a diag at the real file:line:col; after an error
 * in a definition the reader skips that definition and goes on (§10.1).
 */
#include "runfile_int.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base.h"
#include "buf.h"

/* ---- the reader of one file ---- */

struct parser {
    struct loader *ld;
    struct runfile_file *f;
    const struct runfile_file *root;
    const char *t;
    size_t len;
    char *dir; /* directory for relative `source` paths, or NULL */
    unsigned depth;
    size_t cur_off, cur_line;   /* line_index()'s last answer: a line start and its index */
    size_t last_off, last_line; /* origin_at()'s last answer (last_line 0: none) */
    unsigned last_col;
    size_t *cblock; /* line starts of the comment block above the current line */
    size_t ncblock, acblock;
    struct arena *arena;       /* the model's memory: every string the model keeps comes from it */
    struct buf scratch;        /* reused for bodies and defaults before they are copied */
    struct runfile_param *sig; /* reused for the parameters of a signature being read */
    size_t asig;
};

/* A problem found while reading a definition, reported once the definition is abandoned. */
struct perr {
    bool set;
    size_t off;
    unsigned span;
    char *msg;
    char *hint;
};

static void perr_release(struct perr *e)
{
    free(e->msg);
    free(e->hint);
    memset(e, 0, sizeof(*e));
}

static void perr_set(struct parser *p, struct perr *e, size_t off, size_t nbytes, const char *hint,
                     const char *fmt, ...) PRINTF_LIKE(6, 7);

static unsigned chars(const struct parser *p, size_t off, size_t nbytes)
{
    if (off > p->len)
        return 1;
    if (off + nbytes > p->len)
        nbytes = p->len - off;
    return nbytes ? diag_count_chars(p->t + off, nbytes) : 1;
}

static void perr_set(struct parser *p, struct perr *e, size_t off, size_t nbytes, const char *hint,
                     const char *fmt, ...)
{
    struct buf b = BUF_INIT;
    va_list ap;

    if (e->set)
        return;
    va_start(ap, fmt);
    buf_vaddf(&b, fmt, ap);
    va_end(ap);
    e->set = true;
    e->off = off;
    e->span = chars(p, off, nbytes);
    e->msg = buf_detach(&b, NULL);
    e->hint = hint ? xstrdup(hint) : NULL;
}

/*
 * The 0-based line of byte 'off' and (*ls) where that line starts. Positions are asked for
 * mostly in text order, so the answer moves from the last one: forward by counting newlines,
 * backward (the attribute lines above a definition) line by line. A jump far back, which only
 * a diagnostic can cause, counts again from the top. A table of every line start cost more
 * to build than all the answers together.
 */
static size_t line_index(struct parser *p, size_t off, size_t *ls)
{
    const char *t = p->t;

    if (off < p->cur_off && p->cur_off - off > 65536) {
        p->cur_off = 0;
        p->cur_line = 0;
    }
    while (off < p->cur_off) { /* cur_off > 0 is a line start: t[cur_off - 1] is '\n' */
        size_t q = p->cur_off - 1;
        while (q > 0 && t[q - 1] != '\n')
            q--;
        p->cur_off = q;
        p->cur_line--;
    }
    for (;;) {
        const char *nl = memchr(t + p->cur_off, '\n', off - p->cur_off);
        if (!nl)
            break;
        p->cur_line++;
        p->cur_off = (size_t)(nl - t) + 1;
    }
    *ls = p->cur_off;
    return p->cur_line;
}

/*
 * The origin of byte 'off'. Positions are mostly asked for in increasing order on the same
 * line (the parameters of a long signature), so the last answer is reused: counting columns
 * from the line start every time would make a 100,000-parameter line quadratic.
 */
static struct runfile_origin origin_at(struct parser *p, size_t off)
{
    size_t li, ls;
    unsigned col;

    if (off > p->len)
        off = p->len;
    li = line_index(p, off, &ls);
    if (p->last_line == li + 1 && p->last_off >= ls && p->last_off <= off)
        col = p->last_col + diag_count_chars(p->t + p->last_off, off - p->last_off);
    else
        col = diag_column(p->t + ls, off - ls);
    p->last_line = li + 1;
    p->last_off = off;
    p->last_col = col;
    return (struct runfile_origin){ p->f, (unsigned)li + 1, col, off };
}

/* Add the "is sourced here" notes of file 'f', innermost first. */
static void add_notes(struct loader *ld, const struct runfile_file *f)
{
    for (; f && f->sourced_at.file; f = f->sourced_at.file) {
        const struct runfile_origin *o = &f->sourced_at;
        struct diag_loc loc = {
            .file = o->file->label, .line = o->line, .col = o->col, .offset = o->offset
        };
        diag_add(ld->diags, DIAG_NOTE, &loc, "'%s' is sourced here", f->label);
    }
}

static void vreport(struct parser *p, enum diag_level lv, size_t off, unsigned span,
                    const char *hint, const char *fmt, va_list ap) PRINTF_LIKE(6, 0);
static void vreport(struct parser *p, enum diag_level lv, size_t off, unsigned span,
                    const char *hint, const char *fmt, va_list ap)
{
    struct runfile_origin o = origin_at(p, off);
    struct diag_loc loc;
    struct buf b = BUF_INIT;
    struct diag *d;

    buf_vaddf(&b, fmt, ap);
    runfile_origin_loc(&o, span, &loc);
    d = diag_add(p->ld->diags, lv, &loc, "%s", b.buf);
    buf_release(&b);
    if (!d) {
        p->ld->stop = true;
        return;
    }
    if (hint)
        diag_set_hint(d, "%s", hint);
    add_notes(p->ld, p->f);
    if (diag_list_is_full(p->ld->diags))
        p->ld->stop = true;
}

static void report(struct parser *p, enum diag_level lv, size_t off, unsigned span,
                   const char *hint, const char *fmt, ...) PRINTF_LIKE(6, 7);
static void report(struct parser *p, enum diag_level lv, size_t off, unsigned span,
                   const char *hint, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vreport(p, lv, off, span, hint, fmt, ap);
    va_end(ap);
}

static void perr_flush(struct parser *p, struct perr *e)
{
    if (e->set)
        report(p, DIAG_ERROR, e->off, e->span, e->hint, "%s", e->msg);
    perr_release(e);
}

/* ---- small lexical helpers ---- */

static bool is_sp(char c)
{
    return c == ' ' || c == '\t';
}

static size_t skip_sp(const struct parser *p, size_t i)
{
    while (i < p->len && is_sp(p->t[i]))
        i++;
    return i;
}

static size_t skip_space_nl(const struct parser *p, size_t i)
{
    while (i < p->len && (is_sp(p->t[i]) || p->t[i] == '\n'))
        i++;
    return i;
}

static size_t line_end(const struct parser *p, size_t i)
{
    const char *nl = i < p->len ? memchr(p->t + i, '\n', p->len - i) : NULL;
    return nl ? (size_t)(nl - p->t) : p->len;
}

/* Where a trailing comment starts in [from, le): a '#' after whitespace, outside quotes; le if
 * there is none. Used by `source` paths and by the call-or-definition test. */
static size_t comment_start(const struct parser *p, size_t from, size_t le)
{
    char q = 0;

    for (size_t i = from; i < le; i++) {
        char c = p->t[i];
        if (q) {
            if (c == q)
                q = 0;
        } else if (c == '"' || c == '\'') {
            q = c;
        } else if (c == '#' && i > from && is_sp(p->t[i - 1])) {
            return i;
        }
    }
    return le;
}

static size_t next_line(const struct parser *p, size_t i)
{
    size_t e = line_end(p, i);
    return e < p->len ? e + 1 : p->len;
}

/* True when nothing but blanks or a comment follows position i on its line. */
static bool rest_is_empty(const struct parser *p, size_t i)
{
    i = skip_sp(p, i);
    return i >= p->len || p->t[i] == '\n' || p->t[i] == '#';
}

/* The first non-blank character of the next non-blank line after i's line, or len. */
static size_t next_nonblank(const struct parser *p, size_t i)
{
    size_t l = next_line(p, i);

    while (l < p->len) {
        size_t s = skip_sp(p, l);
        if (s < p->len && p->t[s] != '\n')
            return s;
        l = next_line(p, l);
    }
    return p->len;
}

static bool is_ident_start(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool is_ident(char c)
{
    return is_ident_start(c) || (c >= '0' && c <= '9');
}

static bool word_is(const struct parser *p, size_t i, const char *w)
{
    size_t n = strlen(w);
    return i + n <= p->len && !memcmp(p->t + i, w, n);
}

/* A copy without one pair of matching outer quotes, in the model's arena. */
static char *unquote_outer(struct parser *p, const char *s, size_t len)
{
    if (len >= 2 && (s[0] == '"' || s[0] == '\'') && s[len - 1] == s[0])
        return arena_strndup(p->arena, s + 1, len - 2);
    return arena_strndup(p->arena, s, len);
}

/* ---- line shapes (hand-written matchers; each was a regular expression) ---- */

/* A slice [a, b) of a matched subject; 'set' false when the part is absent. */
struct span {
    bool set;
    size_t a, b;
};

/*
 * A definition or call header (§2 rule 5) at 's', within [0, le): the name, blanks, '(':
 *   docker:build (tag = "latest") docker build .      -> name "docker:build"
 * i.e. \G([A-Za-z0-9_:-]+)[ \t]*\( . The name is checked against §1.2 afterwards, so a bad
 * name gets its own message. On a match, *name_end is the end of the name.
 */
static bool match_header(const char *t, size_t s, size_t le, size_t *name_end)
{
    size_t e = s, i;

    while (e < le && ((t[e] >= 'a' && t[e] <= 'z') || (t[e] >= 'A' && t[e] <= 'Z') ||
                      (t[e] >= '0' && t[e] <= '9') || t[e] == '_' || t[e] == ':' || t[e] == '-'))
        e++;
    if (e == s)
        return false;
    for (i = e; i < le && is_sp(t[i]); i++)
        ;
    if (i == le || t[i] != '(')
        return false;
    *name_end = e;
    return true;
}

/*
 * An attribute line (§6.1), one line of 'len' bytes without its newline:
 *   "    #  @arg env Target environment"   -> name "arg", value "env Target environment"
 * i.e. ^[ \t]*#[ \t]*@([a-z0-9_-]+)(?:[ \t]+(.*?))?[ \t]*$ : the value, when blanks follow
 * the name, runs from the first non-blank to the last one (empty, at the end, if there is
 * none).
 */
static bool match_attr(const char *line, size_t len, struct span *name, struct span *value)
{
    size_t i = 0;

    *name = *value = (struct span){ 0 };
    while (i < len && is_sp(line[i]))
        i++;
    if (i == len || line[i++] != '#')
        return false;
    while (i < len && is_sp(line[i]))
        i++;
    if (i == len || line[i++] != '@')
        return false;
    name->set = true;
    name->a = i;
    while (i < len && ((line[i] >= 'a' && line[i] <= 'z') || (line[i] >= '0' && line[i] <= '9') ||
                       line[i] == '_' || line[i] == '-'))
        i++;
    if (i == name->a)
        return false;
    name->b = i;
    value->set = false;
    if (i == len)
        return true;
    if (!is_sp(line[i]))
        return false;
    while (i < len && is_sp(line[i]))
        i++;
    value->set = true;
    value->a = i;
    value->b = len;
    while (value->b > value->a && is_sp(line[value->b - 1]))
        value->b--;
    return true;
}

/*
 * The value of an @arg line (§6.3), 'len' bytes:
 *   "2:lines? int How many lines"      -> pos "2", name "lines", "?", rest "int How..."
 * i.e. ^(?:([0-9]+):)?([^ \t]*?)(\?)?(?:[ \t]+(.*))?$ : it always matches. The name is the
 * first word without a final '?'; the rest starts after the blanks that follow the word.
 */
static void match_arg(const char *v, size_t len, struct span *pos, struct span *name,
                      struct span *opt, struct span *rest)
{
    size_t i = 0, w;

    *pos = *name = *opt = *rest = (struct span){ 0 };
    while (i < len && v[i] >= '0' && v[i] <= '9')
        i++;
    pos->set = i > 0 && i < len && v[i] == ':';
    if (pos->set) {
        pos->a = 0;
        pos->b = i++;
    } else {
        i = 0;
    }
    for (w = i; w < len && !is_sp(v[w]);)
        w++;
    name->set = true;
    name->a = i;
    name->b = w;
    opt->set = w > i && v[w - 1] == '?';
    if (opt->set) {
        name->b = w - 1;
        opt->a = w - 1;
        opt->b = w;
    }
    rest->set = w < len;
    if (rest->set) {
        while (w < len && is_sp(v[w]))
            w++;
        rest->a = w;
        rest->b = len;
    }
}

/* ---- attributes (§6) ---- */

/* Strings of attributes are in the model's arena: descriptions move into the model. */
struct argline {
    char *name;
    size_t name_off, name_len;
    bool optional;
    bool has_pos;
    unsigned pos;
    bool has_type;
    enum runfile_type type;
    char *type_word;
    size_t type_off, type_len;
    char *desc;
};

struct attrs {
    char *desc;
    bool shell_set;
    enum runfile_interp interp;
    bool noerrexit;
    bool os_valid, os_match;
    struct argline *args;
    size_t nargs, aargs;
};

static void attrs_release(struct attrs *a)
{
    free(a->args);
    memset(a, 0, sizeof(*a));
}

static bool interp_parse(const char *v, enum runfile_interp *out)
{
    static const struct {
        const char *name;
        enum runfile_interp interp;
    } tab[] = {
        { "bash", RUNFILE_INTERP_BASH },     { "sh", RUNFILE_INTERP_SH },
        { "python", RUNFILE_INTERP_PYTHON }, { "python3", RUNFILE_INTERP_PYTHON3 },
        { "node", RUNFILE_INTERP_NODE },     { "ruby", RUNFILE_INTERP_RUBY },
        { "pwsh", RUNFILE_INTERP_PWSH },     { "powershell", RUNFILE_INTERP_PWSH },
    };

    for (size_t i = 0; i < ARRAY_SIZE(tab); i++) {
        if (streq(v, tab[i].name)) {
            *out = tab[i].interp;
            return true;
        }
    }
    return false;
}

static bool os_matches(const char *want, const char *os)
{
    if (streq(want, "unix"))
        return !streq(os, "windows");
    return streq(want, os);
}

static void read_arg_line(struct parser *p, struct attrs *a, size_t voff, size_t vlen)
{
    const char *v = p->t + voff;
    struct argline al = { 0 };
    struct span pos, name, opt, rest;

    match_arg(v, vlen, &pos, &name, &opt, &rest);
    if (pos.set) {
        al.has_pos = true;
        al.pos = (unsigned)strtoul(v + pos.a, NULL, 10);
    }
    if (name.b == name.a)
        return; /* no name at all: nothing to attach */
    al.name = arena_strndup(p->arena, v + name.a, name.b - name.a);
    al.name_off = voff + name.a;
    al.name_len = name.b - name.a;
    if (opt.set)
        al.optional = true;
    if (rest.set) {
        const char *r = v + rest.a;
        size_t rlen = rest.b - rest.a, w = 0;
        enum runfile_type ty;

        while (w < rlen && !is_sp(r[w]))
            w++;
        if (runfile_type_parse(r, w, &ty)) {
            al.has_type = true;
            al.type = ty;
            al.type_word = arena_strndup(p->arena, r, w);
            al.type_off = voff + rest.a;
            al.type_len = w;
            while (w < rlen && is_sp(r[w]))
                w++;
            r += w;
            rlen -= w;
        }
        while (rlen && is_sp(r[rlen - 1]))
            rlen--;
        if (rlen)
            al.desc = unquote_outer(p, r, rlen);
    }
    ALLOC_GROW(a->args, a->nargs + 1, a->aargs);
    a->args[a->nargs++] = al;
}

/* Read the comment block above a definition into 'a' (warnings for unusable values). */
static void read_attrs(struct parser *p, struct attrs *a)
{
    a->interp = RUNFILE_INTERP_DEFAULT;
    for (size_t k = 0; k < p->ncblock; k++) {
        size_t ls = p->cblock[k], le = line_end(p, ls), na, nb, va, vb;
        const char *line = p->t + ls;
        struct span ns, vs;
        char name[32];

        if (!match_attr(line, le - ls, &ns, &vs))
            continue;
        na = ns.a;
        nb = ns.b;
        va = vs.set ? vs.a : nb;
        vb = vs.set ? vs.b : nb;
        if (nb - na >= sizeof(name))
            continue;
        memcpy(name, line + na, nb - na);
        name[nb - na] = '\0';
        if (streq(name, "desc")) {
            a->desc = unquote_outer(p, line + va, vb - va);
            if (!*a->desc)
                a->desc = NULL;
        } else if (streq(name, "arg")) {
            read_arg_line(p, a, ls + va, vb - va);
        } else if (streq(name, "shell")) {
            char *v = xstrndup(line + va, vb - va);
            enum runfile_interp in;

            if (!interp_parse(v, &in))
                report(p, DIAG_WARNING, ls + va, chars(p, ls + va, vb - va), NULL,
                       "unknown @shell value '%s' (ignored)", v);
            else if (!a->shell_set) {
                a->shell_set = true;
                a->interp = in;
            }
            free(v);
        } else if (streq(name, "os")) {
            char *v = xstrndup(line + va, vb - va);

            if (streq(v, "linux") || streq(v, "macos") || streq(v, "windows") || streq(v, "unix")) {
                a->os_valid = true;
                if (os_matches(v, p->ld->os))
                    a->os_match = true;
            } else {
                report(p, DIAG_WARNING, ls + va, chars(p, ls + va, vb - va), NULL,
                       "unknown @os value '%s' (ignored)", v);
            }
            free(v);
        } else if (streq(name, "noerrexit")) {
            a->noerrexit = true;
        }
    }
}

/* ---- signatures (§3.2) ---- */

static const char *const type_words[] = { "str",  "string",  "int", "integer", "float", "number",
                                          "bool", "boolean", "obj", "object",  "dict" };

static char *type_hint(const char *word)
{
    const char *best = NULL;
    unsigned bd = 3;

    for (size_t i = 0; i < ARRAY_SIZE(type_words); i++) {
        unsigned d = edit_distance(word, type_words[i]);
        if (d < bd) {
            bd = d;
            best = type_words[i];
        }
    }
    if (best)
        return xasprintf("did you mean '%s'? types are str, int, float, bool, object", best);
    return xstrdup("types are str, int, float, bool, object");
}

/* Characters that end an unquoted default value (NUL too, as strchr counted it). */
static bool default_stop(char c)
{
    static const bool stop[256] = {
        [0] = 1, [','] = 1, [')'] = 1, ['\n'] = 1, ['"'] = 1, ['\''] = 1,
    };
    return stop[(unsigned char)c];
}

/* Characters that end the name after `function` (NUL too). */
static bool name_stop(char c)
{
    static const bool stop[256] = {
        [0] = 1,   [' '] = 1, ['\t'] = 1, ['\n'] = 1, ['('] = 1,
        [')'] = 1, ['{'] = 1, ['}'] = 1,  ['#'] = 1,
    };
    return stop[(unsigned char)c];
}

/* Characters that end a parameter word. */
static bool param_stop(char c)
{
    /* A table, not strchr: this runs for every byte of every signature. NUL is in the set,
     * as it was for strchr. */
    static const bool stop[256] = {
        [0] = 1,   [' '] = 1, ['\t'] = 1, ['\n'] = 1, [','] = 1, ['('] = 1, [')'] = 1,
        [':'] = 1, ['='] = 1, ['"'] = 1,  ['\''] = 1, ['{'] = 1, ['}'] = 1, ['#'] = 1,
    };
    return stop[(unsigned char)c];
}

/*
 * Is 'name' among the first 'n' parameters? A short list is searched directly (no table to
 * allocate for the usual one to three parameters); a long one goes through 'seen', filled on
 * first need, so hostile signatures stay linear.
 */
static bool param_seen(struct strmap *seen, const struct runfile_param *ps, size_t n,
                       const char *name)
{
    if (n <= 8) {
        for (size_t k = 0; k < n; k++)
            if (streq(ps[k].name, name))
                return true;
        return false;
    }
    while (seen->n < n) /* names are distinct: each put adds one */
        strmap_put(seen, ps[seen->n].name, seen->n);
    return strmap_get(seen, name) != NULL;
}

/*
 * Parse the signature whose '(' is at *pos. On success *pos is after the ')'. 'fname' is
 * for hints. Errors go to 'e' (the first one) and false is returned.
 */
static bool parse_sig(struct parser *p, size_t *pos, const char *fname, struct runfile_param **out,
                      size_t *nout, struct perr *e)
{
    struct runfile_param *ps = p->sig; /* scratch; copied to the arena when complete */
    size_t n = 0, i = *pos + 1;
    size_t rest_at = SIZE_MAX;
    struct strmap seen = { 0 }; /* names so far: duplicates in linear time */

    i = skip_space_nl(p, i);
    if (i < p->len && p->t[i] == ')') {
        *pos = i + 1;
        *out = NULL;
        *nout = 0;
        return true;
    }
    for (;;) {
        struct runfile_param prm = { 0 };
        size_t ns, ne, dots = SIZE_MAX;
        bool rest = false;

        i = skip_space_nl(p, i);
        if (word_is(p, i, "...")) {
            rest = true;
            dots = i;
            i += 3;
        }
        ns = i;
        while (i < p->len && !param_stop(p->t[i]))
            i++;
        ne = i;
        if (ne == ns) {
            perr_set(p, e, i, 1, "a parameter is a name, optionally with ': type' and '= default'",
                     "expected a parameter name");
            goto fail;
        }
        prm.name = arena_strndup(p->arena, p->t + ns, ne - ns);
        prm.origin = origin_at(p, ns);
        {
            bool ok = is_ident_start(p->t[ns]) && ne - ns <= RUNFILE_MAX_PARAM_NAME;
            for (size_t k = ns; ok && k < ne; k++)
                ok = is_ident(p->t[k]);
            if (!ok) {
                perr_set(p, e, ns, ne - ns,
                         "parameter names are letters, digits and '_' (at most 64), not starting "
                         "with a digit",
                         "'%s' is not a valid parameter name", prm.name);
                goto fail;
            }
        }
        if (!strncmp(prm.name, "__run", 5)) {
            perr_set(p, e, ns, ne - ns, "rename the parameter",
                     "parameter names starting with '__run' are reserved");
            goto fail;
        }
        if (param_seen(&seen, ps, n, prm.name)) {
            perr_set(p, e, ns, ne - ns, "each parameter needs its own name",
                     "duplicate parameter '%s'", prm.name);
            goto fail;
        }
        if (rest_at != SIZE_MAX) {
            perr_set(p, e, rest_at, 3, "move the '...' parameter to the end",
                     "the rest parameter must be the last parameter");
            goto fail;
        }
        i = skip_space_nl(p, i);
        if (i < p->len && p->t[i] == ':') {
            size_t ts, te;

            if (rest) {
                perr_set(p, e, i, 1, "a rest parameter always holds strings",
                         "a rest parameter cannot have a type");
                goto fail;
            }
            i = skip_space_nl(p, i + 1);
            ts = i;
            while (i < p->len && !param_stop(p->t[i]))
                i++;
            te = i;
            if (!runfile_type_parse(p->t + ts, te - ts, &prm.type)) {
                char *w = xstrndup(p->t + ts, te - ts);
                char *h = type_hint(w);
                perr_set(p, e, ts, te > ts ? te - ts : 1, h, "unknown type '%s'", w);
                free(h);
                free(w);
                goto fail;
            }
            prm.typed = true;
            i = skip_space_nl(p, i);
        }
        if (i < p->len && p->t[i] == '=') {
            size_t vs, ve;
            char *val;

            if (rest) {
                perr_set(p, e, i, 1, "a rest parameter takes all remaining arguments",
                         "a rest parameter cannot have a default");
                goto fail;
            }
            i = skip_sp(p, i + 1);
            vs = i;
            if (i < p->len && (p->t[i] == '"' || p->t[i] == '\'')) {
                char q = p->t[i];
                struct buf *b = &p->scratch;

                i++;
                buf_reset(b);
                while (i < p->len && p->t[i] != q && p->t[i] != '\n') {
                    if (q == '"' && p->t[i] == '\\' && i + 1 < p->len &&
                        (p->t[i + 1] == '"' || p->t[i + 1] == '\\')) {
                        buf_addch(b, p->t[i + 1]);
                        i += 2;
                        continue;
                    }
                    buf_addch(b, p->t[i++]);
                }
                if (i >= p->len || p->t[i] != q) {
                    perr_set(p, e, vs, 1, "close the string on the same line",
                             "unterminated string in default value");
                    goto fail;
                }
                i++;
                ve = i;
                val = arena_strndup(p->arena, b->buf, b->len);
            } else {
                size_t a = i, z;
                while (i < p->len && !default_stop(p->t[i]))
                    i++;
                z = i;
                while (z > a && is_sp(p->t[z - 1]))
                    z--;
                ve = z;
                val = arena_strndup(p->arena, p->t + a, z - a);
            }
            if (prm.type == RUNFILE_STRING) {
                prm.default_value = val;
            } else {
                char *norm = runfile_default_normalise(prm.type, val);

                if (!norm) {
                    perr_set(p, e, vs, ve > vs ? ve - vs : 1,
                             prm.type == RUNFILE_OBJECT
                                 ? "an object default is a JSON object in single quotes, as in "
                                   "'{\"a\": 1}'"
                                 : "give a default that matches the type, or remove the type",
                             "default value '%s' is not a valid %s", val,
                             runfile_type_name(prm.type));
                    goto fail;
                }
                /* Most defaults are written in normal form already: keep the copy. */
                prm.default_value = streq(norm, val) ? val : arena_strdup(p->arena, norm);
                free(norm);
            }
            i = skip_space_nl(p, i);
        }
        prm.is_rest = rest;
        prm.required = !rest && !prm.default_value;
        prm.position = (unsigned)n + 1;
        if (rest)
            rest_at = dots;
        ALLOC_GROW(p->sig, n + 1, p->asig);
        ps = p->sig;
        ps[n++] = prm;
        if (i < p->len && p->t[i] == ',') {
            i++;
            continue;
        }
        if (i < p->len && p->t[i] == ')') {
            i++;
            break;
        }
        {
            char *h;
            size_t ws = i, we = i;

            while (we < p->len && is_ident(p->t[we]))
                we++;
            if (we > ws)
                h = xasprintf("separate parameters with commas, as in %s(%s, %.*s)", fname,
                              prm.name, (int)(we - ws), p->t + ws);
            else
                h = xstrdup("close the parameter list with ')' before the body");
            perr_set(p, e, i, 1, h, "expected ',' or ')' after parameter '%s'", prm.name);
            free(h);
        }
        goto fail;
    }
    strmap_release(&seen);
    *pos = i;
    *out = arena_alloc(p->arena, n * sizeof(*ps));
    memcpy(*out, ps, n * sizeof(*ps));
    *nout = n;
    return true;
fail:
    strmap_release(&seen);
    *out = NULL;
    *nout = 0;
    return false;
}

/* ---- calls (§5.3) ---- */

/*
 * Parse call arguments from the '(' at *pos, on one line. On success *pos is after ')'.
 */
static bool parse_call(struct parser *p, size_t *pos, char ***args, size_t *nargs, struct perr *e)
{
    size_t i = *pos + 1, n = 0, alloc = 0;
    char **av = NULL;

    i = skip_sp(p, i);
    if (i < p->len && p->t[i] == ')') {
        *pos = i + 1;
        *args = NULL;
        *nargs = 0;
        return true;
    }
    for (;;) {
        size_t a;

        i = skip_sp(p, i);
        a = i;
        if (i < p->len && (p->t[i] == '"' || p->t[i] == '\'')) {
            char q = p->t[i++];
            while (i < p->len && p->t[i] != q && p->t[i] != '\n') {
                if (q == '"' && p->t[i] == '\\' && i + 1 < p->len && p->t[i + 1] != '\n')
                    i++;
                i++;
            }
            if (i >= p->len || p->t[i] != q) {
                perr_set(p, e, a, 1, NULL, "unterminated %s-quoted string",
                         q == '"' ? "double" : "single");
                goto fail;
            }
            i++;
        } else if (word_is(p, i, "${")) {
            while (i < p->len && p->t[i] != '}' && p->t[i] != '\n')
                i++;
            if (i < p->len && p->t[i] == '}')
                i++;
        } else {
            while (i < p->len && !strchr(" \t\n\"',()", p->t[i]))
                i++;
        }
        if (i == a) {
            perr_set(p, e, i, 1, "arguments are shell words separated by commas",
                     "expected ',' or ')' in call arguments");
            goto fail;
        }
        ALLOC_GROW(av, n + 1, alloc);
        av[n++] = arena_strndup(p->arena, p->t + a, i - a);
        i = skip_sp(p, i);
        if (i < p->len && p->t[i] == ',') {
            i++;
            continue;
        }
        if (i < p->len && p->t[i] == ')') {
            i++;
            break;
        }
        perr_set(p, e, i, 1, "arguments are shell words separated by commas",
                 "expected ',' or ')' in call arguments");
        goto fail;
    }
    *pos = i;
    *args = av;
    *nargs = n;
    return true;
fail:
    free(av);
    return false;
}

/* ---- statements ---- */

static void add_stmt(struct parser *p, enum runfile_stmt_kind kind, char *text, size_t off)
{
    struct runfile *rf = p->ld->rf;

    ALLOC_GROW(rf->stmts, rf->nstmts + 1, p->ld->astmts);
    rf->stmts[rf->nstmts] =
        (struct runfile_stmt){ .kind = kind, .text = text, .origin = origin_at(p, off) };
    if (kind != RUNFILE_CALL)
        rf->nprelude++;
    rf->nstmts++;
}

static void report_scan(struct parser *p, const struct scan *s, const char *hint)
{
    if (s->status == SCAN_HEREDOC) {
        report(p, DIAG_ERROR, s->err_off, 2,
               "the terminator must be alone on its line (leading and trailing blanks are fine)",
               "unterminated heredoc: no line '%s' closes the '<<%s%s' here-document", s->err_delim,
               s->err_dash ? "-" : "", s->err_delim);
        return;
    }
    if (s->err_open == OPEN_BRACE) {
        report(p, DIAG_ERROR, s->err_off, 1,
               "the block starting here runs to the end of the file; check quotes and braces "
               "inside it",
               "unclosed '{': no matching '}' for this block");
        return;
    }
    report(p, DIAG_ERROR, s->err_off,
           s->err_open == OPEN_CMDSUB || s->err_open == OPEN_PARAM ? 2 : 1, hint, "unterminated %s",
           scan_open_what(s->err_open));
}

/* An assignment or a command starting at 's' (first non-blank); returns the next position. */
static size_t read_simple(struct parser *p, size_t s, bool assign, size_t eq)
{
    struct scan sc = { .text = p->t, .len = p->len, .lang = LANG_SHELL, .mode = SCAN_STMT };
    char *text;

    scan_run(&sc, s);
    if (sc.status != SCAN_OK) {
        report_scan(p, &sc, "it is still open at the end of the file");
        scan_release(&sc);
        return p->len;
    }
    if (assign) {
        size_t v = skip_sp(p, eq + 1), ne = s;
        while (ne < p->len && is_ident(p->t[ne]))
            ne++;
        text = arena_alloc(p->arena, (ne - s) + 1 + (sc.end - v) + 1);
        memcpy(text, p->t + s, ne - s);
        text[ne - s] = '=';
        memcpy(text + (ne - s) + 1, p->t + v, sc.end - v);
        text[(ne - s) + 1 + (sc.end - v)] = '\0';
    } else {
        text = arena_strndup(p->arena, p->t + s, sc.end - s);
    }
    add_stmt(p, assign ? RUNFILE_ASSIGN : RUNFILE_COMMAND, text, s);
    scan_release(&sc);
    return sc.end < p->len ? sc.end + 1 : p->len;
}

static void read_file(struct loader *ld, struct runfile_file *f, const char *dir, unsigned depth,
                      const struct runfile_file *root);

static char *dirname_of(const char *path)
{
    const char *sl = strrchr(path, '/');

    if (!sl)
        return xstrdup(".");
    if (sl == path)
        return xstrdup("/");
    return xstrndup(path, (size_t)(sl - path));
}

/* `source PATH` (§7); 's' is the first non-blank of the line. Returns the next position. */
static size_t read_source(struct parser *p, size_t s)
{
    struct loader *ld = p->ld;
    size_t le = line_end(p, s), a = skip_sp(p, s + 6), z = comment_start(p, a, le);
    char *written, *path = NULL, *canon = NULL;
    struct stat st;
    bool not_regular = false;
    struct runfile_file *f;
    int err = 0;

    while (z > a && is_sp(p->t[z - 1]))
        z--;
    written = unquote_outer(p, p->t + a, z - a); /* in the arena: never freed here */
    if (!p->dir) { /* text without a directory: nothing to resolve against */
        return next_line(p, s);
    }
    if (p->depth + 1 > RUNFILE_MAX_SOURCE_DEPTH) {
        report(p, DIAG_ERROR, a, chars(p, a, z - a),
               "a chain of `source` lines this long is almost certainly a mistake",
               "source nesting deeper than %d files", RUNFILE_MAX_SOURCE_DEPTH);
        return next_line(p, s);
    }
    if (!strncmp(written, "~/", 2) && ld->home)
        path = xasprintf("%s/%s", ld->home, written + 2);
    else if (written[0] == '/')
        path = xstrdup(written);
    else
        path = xasprintf("%s/%s", p->dir, written);

    canon = realpath(path, NULL);
    if (!canon)
        err = errno;
    else if (stat(canon, &st) == 0 && S_ISDIR(st.st_mode))
        err = EISDIR;
    else if (stat(canon, &st) == 0 && !S_ISREG(st.st_mode))
        not_regular = true; /* a FIFO would block the load, /dev/zero never end it */
    if (canon && !err && strmap_get(&ld->seen, canon)) {
        free(canon);
        free(path);
        return next_line(p, s); /* include once (§7) */
    }
    f = loader_add_file(ld);
    f->path = canon ? xstrdup(canon) : xstrdup(path);
    f->label = loader_label(ld, f->path);
    f->is_global_tree = p->f->is_global_tree;
    f->sourced_at = origin_at(p, a);
    if (!err && !not_regular)
        err = runfile_file_read(f, f->path);
    if (err || not_regular) {
        report(p, DIAG_WARNING, a, chars(p, a, z - a), NULL, "cannot source '%s': %s", written,
               not_regular ? "Not a regular file" : strerror(err));
    } else {
        char *d = dirname_of(f->path);
        strmap_put(&ld->seen, f->path, 0);
        read_file(ld, f, d, p->depth + 1, p->root);
        free(d);
    }
    free(canon);
    free(path);
    return next_line(p, s);
}

/* The next word of a shebang line after *i (blanks skipped): its start; *i is its end. */
static size_t shebang_word(const struct parser *p, size_t *i, size_t le)
{
    size_t ws = skip_sp(p, *i), we = ws;

    while (we < le && !is_sp(p->t[we]))
        we++;
    *i = we;
    return ws;
}

/* §4.5: the interpreter named by a shebang line at 'off' ("#!..."). */
static bool shebang_interp(struct parser *p, size_t off, enum runfile_interp *out)
{
    size_t i = off + 2, le = line_end(p, off), ws;
    char *word, *base;
    bool ok;

    ws = shebang_word(p, &i, le);
    if (i == ws)
        return false;
    word = xstrndup(p->t + ws, i - ws);
    base = strrchr(word, '/') ? strrchr(word, '/') + 1 : word;
    if (streq(base, "env")) {
        /* skip env and its options (-S, -i ...): the next word names the interpreter */
        free(word);
        do
            ws = shebang_word(p, &i, le);
        while (i > ws && p->t[ws] == '-');
        if (i == ws)
            return false;
        word = xstrndup(p->t + ws, i - ws);
        base = strrchr(word, '/') ? strrchr(word, '/') + 1 : word;
    }
    ok = true;
    if (streq(base, "bash"))
        *out = RUNFILE_INTERP_BASH;
    else if (streq(base, "sh"))
        *out = RUNFILE_INTERP_SH;
    else if (streq(base, "python"))
        *out = RUNFILE_INTERP_PYTHON;
    else if (streq(base, "python3") || !strncmp(base, "python3.", 8))
        *out = RUNFILE_INTERP_PYTHON3;
    else if (streq(base, "node") || streq(base, "nodejs"))
        *out = RUNFILE_INTERP_NODE;
    else if (streq(base, "ruby"))
        *out = RUNFILE_INTERP_RUBY;
    else if (streq(base, "pwsh") || streq(base, "powershell"))
        *out = RUNFILE_INTERP_PWSH;
    else {
        size_t bo = ws + (size_t)(base - word);
        report(p, DIAG_WARNING, bo, chars(p, bo, strlen(base)),
               "running other interpreters is not supported yet",
               "unknown interpreter '%s' in shebang; using the default shell", base);
        ok = false;
    }
    free(word);
    return ok;
}

static enum scan_lang lang_of(enum runfile_interp in)
{
    switch (in) {
    case RUNFILE_INTERP_PYTHON:
    case RUNFILE_INTERP_PYTHON3:
        return LANG_PYTHON;
    case RUNFILE_INTERP_NODE:
        return LANG_NODE;
    case RUNFILE_INTERP_RUBY:
        return LANG_RUBY;
    default:
        return LANG_SHELL;
    }
}

/* The offset of the shebang of the block opened at 'ob', or SIZE_MAX (§4.1). */
static size_t find_shebang(const struct parser *p, size_t ob)
{
    size_t i = ob + 1;

    for (;;) {
        size_t s = skip_sp(p, i), le;

        if (s >= p->len)
            return SIZE_MAX;
        le = line_end(p, s);
        if (s == le) {
            i = next_line(p, s);
            continue;
        }
        if (p->t[s] == '#') {
            if (s + 1 < p->len && p->t[s + 1] == '!')
                return s;
            if (le >= p->len)
                return SIZE_MAX;
            i = le + 1;
            continue;
        }
        return SIZE_MAX;
    }
}

/* Remove the shebang and what precedes it from a dedented body: the offset where code starts
 * and how many lines were dropped. */
static size_t code_start(const char *body, size_t *dropped)
{
    const char *l = body;
    size_t n = 0;

    for (;;) {
        const char *s = l, *nl = strchr(l, '\n');
        while (*s == ' ' || *s == '\t')
            s++;
        n++;
        if (s[0] == '#' && s[1] == '!') {
            l = nl ? nl + 1 : l + strlen(l);
            break;
        }
        if (!nl) { /* no shebang after all */
            *dropped = 0;
            return 0;
        }
        l = nl + 1;
    }
    /* and the blank lines that follow it */
    for (;;) {
        const char *s = l, *nl;
        while (*s == ' ' || *s == '\t')
            s++;
        nl = strchr(l, '\n');
        if (*s != '\n' || !nl)
            break;
        l = nl + 1;
        n++;
    }
    *dropped = n;
    return (size_t)(l - body);
}

static size_t count_lines(const char *s)
{
    size_t n;

    if (!*s)
        return 0;
    n = 1;
    for (; *s; s++)
        n += *s == '\n';
    return n;
}

/* Skip the rest of a definition after an error at 'err' (§10.1). */
static size_t recover(struct parser *p, size_t err)
{
    size_t le = line_end(p, err), z = le;
    struct scan sc = { .text = p->t, .len = p->len, .lang = LANG_SHELL, .mode = SCAN_BLOCK };
    size_t ob = SIZE_MAX, nb;

    while (z > err && is_sp(p->t[z - 1]))
        z--;
    if (z > 0 && z > err && p->t[z - 1] == '{')
        ob = z - 1;
    else if (err < p->len && p->t[err] == '{' && rest_is_empty(p, err + 1))
        ob = err;
    else if (rest_is_empty(p, err) || (err < p->len && p->t[err] == '\n')) {
        nb = next_nonblank(p, err);
        if (nb < p->len && p->t[nb] == '{')
            ob = nb;
    }
    if (ob == SIZE_MAX)
        return next_line(p, err);
    scan_run(&sc, ob + 1);
    scan_release(&sc);
    if (sc.status != SCAN_OK)
        return p->len;
    return sc.end + 1;
}

/* Apply @arg lines to a function with a signature, or make them its parameters (§6.3). */
struct legacy_slot {
    struct runfile_param prm;
    size_t line; /* index of the @arg line, to find the second of two */
    size_t name_off, name_len;
};

static int by_position(const void *x, const void *y)
{
    const struct legacy_slot *a = x, *b = y;

    if (a->prm.position != b->prm.position)
        return a->prm.position < b->prm.position ? -1 : 1;
    return a->line < b->line ? -1 : a->line > b->line;
}

static void apply_args(struct parser *p, struct attrs *a, struct runfile_fn *fn)
{
    struct strmap names = { 0 };

    if (fn->has_signature) {
        if (!a->nargs)
            return; /* nothing to attach: no table to build */
        /* A table only for long signatures: for a few names a scan is cheaper than hashing. */
        if (fn->nparams > 8)
            for (size_t i = 0; i < fn->nparams; i++)
                strmap_put(&names, fn->params[i].name, i);
        for (size_t k = 0; k < a->nargs; k++) {
            struct argline *al = &a->args[k];
            struct runfile_param *prm = NULL;

            if (fn->nparams > 8) {
                size_t *ix = strmap_get(&names, al->name);
                prm = ix ? &fn->params[*ix] : NULL;
            } else {
                for (size_t i = 0; i < fn->nparams && !prm; i++)
                    if (streq(fn->params[i].name, al->name))
                        prm = &fn->params[i];
            }

            if (!prm) {
                report(p, DIAG_WARNING, al->name_off, chars(p, al->name_off, al->name_len), NULL,
                       "@arg '%s' does not match any parameter of '%s' (ignored)", al->name,
                       fn->name);
                continue;
            }
            if (al->has_type && al->type != prm->type)
                report(p, DIAG_WARNING, al->type_off, chars(p, al->type_off, al->type_len), NULL,
                       "@arg type '%s' ignored: the signature declares '%s' as %s", al->type_word,
                       prm->name, runfile_type_name(prm->type));
            if (al->desc)
                prm->desc = al->desc; /* both in the arena */
        }
        strmap_release(&names);
        return;
    }

    /* Legacy: the lines are the parameters. Names first (in line order), then positions. */
    struct legacy_slot *slots = xcalloc(a->nargs ? a->nargs : 1, sizeof(*slots));
    unsigned next = 1;
    size_t n = 0, kept = 0;

    for (size_t k = 0; k < a->nargs; k++) {
        struct argline *al = &a->args[k];
        struct runfile_param *prm;
        struct buf *fixed = &p->scratch;
        unsigned pos = al->has_pos ? al->pos : next;

        buf_reset(fixed);
        for (size_t i = 0; i < al->name_len && fixed->len < RUNFILE_MAX_PARAM_NAME; i++) {
            char c = al->name[i];
            buf_addch(fixed, is_ident(c) || c == '.' || c == '-' ? c : '_');
        }
        if (!streq(fixed->buf, al->name))
            report(p, DIAG_WARNING, al->name_off, chars(p, al->name_off, al->name_len), NULL,
                   "@arg name '%s' is not a valid property name; using '%s'", al->name, fixed->buf);
        next = pos + 1;
        if (strmap_get(&names, fixed->buf)) {
            report(p, DIAG_ERROR, al->name_off, chars(p, al->name_off, al->name_len),
                   "give each @arg line its own name", "duplicate @arg '%s'", fixed->buf);
            continue;
        }
        slots[n].line = k;
        slots[n].name_off = al->name_off;
        slots[n].name_len = al->name_len;
        prm = &slots[n].prm;
        prm->name = arena_strndup(p->arena, fixed->buf, fixed->len);
        prm->type = al->has_type ? al->type : RUNFILE_STRING;
        prm->typed = al->has_type;
        prm->required = !al->optional;
        prm->desc = al->desc;
        prm->position = pos;
        prm->origin = origin_at(p, al->name_off);
        strmap_put(&names, prm->name, n);
        n++;
    }
    strmap_release(&names);
    qsort(slots, n, sizeof(*slots), by_position);
    fn->params = n ? arena_calloc(p->arena, n, sizeof(*fn->params)) : NULL;
    for (size_t i = 0; i < n; i++) {
        if (kept && fn->params[kept - 1].position == slots[i].prm.position) {
            report(p, DIAG_ERROR, slots[i].name_off, chars(p, slots[i].name_off, slots[i].name_len),
                   "give each @arg line its own position", "@arg position %u is used twice",
                   slots[i].prm.position);
            continue;
        }
        fn->params[kept++] = slots[i].prm;
    }
    fn->nparams = kept;
    free(slots);
}

/* The inline body starting at k (§3.4). Returns false after reporting an error. */
static bool inline_body(struct parser *p, size_t k, struct runfile_fn *fn, size_t *next)
{
    struct buf *b = &p->scratch;
    size_t end;
    struct scan sc = { .text = p->t,
                       .len = p->len,
                       .lang = LANG_SHELL,
                       .mode = SCAN_INLINE,
                       .record = !p->ld->no_bodies };

    if (!runfile_fn_is_polyglot(fn)) {
        scan_run(&sc, k);
        if (sc.status != SCAN_OK) {
            report_scan(p, &sc,
                        "a one-line body cannot continue inside quotes; use a { } block for "
                        "code that spans lines");
            scan_release(&sc);
            *next = next_line(p, sc.err_off);
            return false;
        }
        end = sc.end;
    } else {
        /* Verbatim, with '\' continuation. */
        end = line_end(p, k);
        for (;;) {
            size_t z = end;
            while (z > k && is_sp(p->t[z - 1]))
                z--;
            if (z > k && p->t[z - 1] == '\\' && end < p->len) {
                end = line_end(p, end + 1);
                continue;
            }
            break;
        }
    }
    fn->kind = RUNFILE_INLINE;
    if (p->ld->no_bodies) {
        scan_release(&sc);
        *next = end < p->len ? end + 1 : p->len;
        return true;
    }
    /* Copy, dropping blanks after a continuation backslash. */
    buf_reset(b);
    for (size_t i = k; i < end;) {
        size_t le = line_end(p, i), z = le;
        if (le > end)
            le = z = end;
        while (z > i && is_sp(p->t[z - 1]))
            z--;
        if (le < end && z > i && p->t[z - 1] == '\\')
            buf_add(b, p->t + i, z - i);
        else
            buf_add(b, p->t + i, le - i);
        if (le < end)
            buf_addch(b, '\n');
        i = le + 1;
    }
    while (b->len && (b->buf[b->len - 1] == ' ' || b->buf[b->len - 1] == '\t'))
        buf_setlen(b, b->len - 1);
    fn->body = arena_strndup(p->arena, b->buf, b->len);
    fn->code = fn->body;
    fn->nlines = count_lines(fn->body);
    fn->line_kinds = arena_calloc(p->arena, fn->nlines ? fn->nlines : 1, sizeof(*fn->line_kinds));
    for (size_t i = 1; i < fn->nlines && i - 1 < sc.nlines; i++)
        fn->line_kinds[i] = sc.lines[i - 1].kind;
    scan_release(&sc);
    *next = end < p->len ? end + 1 : p->len;
    return true;
}

/* The block whose '{' is at ob (§4). Returns false after reporting an error. */
static bool block_body(struct parser *p, size_t ob, struct runfile_fn *fn, bool shell_set,
                       size_t *next)
{
    struct scan sc = {
        .text = p->t, .len = p->len, .mode = SCAN_BLOCK, .record = !p->ld->no_bodies
    };
    size_t sb = find_shebang(p, ob), dropped = 0, cs = 0;
    enum runfile_interp shebang = RUNFILE_INTERP_DEFAULT;
    bool have_shebang = sb != SIZE_MAX;

    if (have_shebang && !shell_set) {
        if (shebang_interp(p, sb, &shebang))
            fn->interp = shebang;
    }
    sc.lang = lang_of(fn->interp);
    scan_run(&sc, ob + 1);
    if (sc.status != SCAN_OK) {
        report_scan(p, &sc, NULL);
        scan_release(&sc);
        *next = p->len;
        return false;
    }
    fn->kind = RUNFILE_BLOCK;
    if (p->ld->no_bodies) {
        scan_release(&sc);
        *next = sc.end + 1;
        return true;
    }
    fn->body =
        dedent_block(p->t, ob, sc.end, &sc, &p->scratch, p->arena, &fn->line_kinds, &fn->nlines);
    if (have_shebang && sb < sc.end)
        cs = code_start(fn->body, &dropped);
    fn->code = fn->body + cs;
    if (dropped) {
        size_t left = count_lines(fn->code);
        if (dropped > fn->nlines)
            dropped = fn->nlines;
        memmove(fn->line_kinds, fn->line_kinds + dropped,
                (fn->nlines - dropped) * sizeof(*fn->line_kinds));
        fn->nlines = left < fn->nlines - dropped ? left : fn->nlines - dropped;
    }
    scan_release(&sc);
    *next = sc.end + 1;
    return true;
}

static void reset_cblock(struct parser *p)
{
    p->ncblock = 0;
}

/*
 * A definition (or, without 'kw', possibly a call) starting at s. 'ns','ne' delimit the
 * name; 'i' is the next position (at '(' for the name() form). Returns the next position.
 */
static size_t read_definition(struct parser *p, size_t s, bool kw)
{
    struct loader *ld = p->ld;
    struct runfile_fn fn = { 0 };
    struct attrs at = { 0 };
    struct perr e = { 0 };
    size_t i, ns, ne, next = 0, j, k, hdr_end;
    char *name;
    bool is_call = false;

    read_attrs(p, &at);
    reset_cblock(p);
    fn.interp = at.interp;
    fn.desc = at.desc;
    at.desc = NULL;
    fn.noerrexit = at.noerrexit;
    fn.origin = origin_at(p, s);
    fn.root = p->root;

    if (kw) {
        ns = skip_sp(p, s + 8);
        ne = ns;
        while (ne < p->len && !name_stop(p->t[ne]))
            ne++;
    } else {
        ns = s;
        ne = s;
        while (ne < p->len && (is_ident(p->t[ne]) || p->t[ne] == ':' || p->t[ne] == '-'))
            ne++;
    }
    name = arena_strndup(p->arena, p->t + ns, ne - ns);
    if (!runfile_is_fn_name(name)) {
        if (ne == ns) {
            size_t we = ns;
            while (we < p->len && !is_sp(p->t[we]) && p->t[we] != '\n')
                we++;
            name = arena_strndup(p->arena, p->t + ns, we - ns);
            ne = we;
        }
        perr_set(p, &e, ns, ne - ns,
                 "a name is letters, digits, '_' and '-', in segments joined by single ':'",
                 "'%s' is not a valid function name", name);
        goto fail;
    }
    fn.name = name;
    i = skip_sp(p, ne);
    hdr_end = ne;

    if (i < p->len && p->t[i] == '(') {
        struct runfile_param *ps = NULL;
        size_t np = 0, open = i;
        bool ok;

        j = i;
        ok = parse_sig(p, &j, fn.name, &ps, &np, &e);
        if (!kw) {
            /* A call: ')' ends the line, the next line does not open a block (§2). */
            size_t nb;
            bool one_line;
            struct perr ce = { 0 };
            size_t cj = open;
            char **args = NULL;
            size_t nargs = 0;

            if (ok) {
                nb = next_nonblank(p, j - 1);
                one_line = !memchr(p->t + open, '\n', j - open);
                if (rest_is_empty(p, j) && one_line && !(nb < p->len && p->t[nb] == '{'))
                    is_call = true;
            } else {
                bool cok = parse_call(p, &cj, &args, &nargs, &ce);
                nb = next_nonblank(p, open);
                if ((cok ? rest_is_empty(p, cj) : true) && !(nb < p->len && p->t[nb] == '{')) {
                    /* does the line look like a call: ... ) [# comment] at its end? */
                    size_t z = comment_start(p, open, line_end(p, open));
                    while (z > open && is_sp(p->t[z - 1]))
                        z--;
                    if (cok || p->t[z - 1] == ')') {
                        is_call = true;
                        if (!cok) {
                            perr_release(&e);
                            e = ce;
                            memset(&ce, 0, sizeof(ce));
                        }
                    }
                }
                perr_release(&ce);
                if (is_call && cok) {
                    perr_release(&e);
                    ps = NULL;
                    np = 0;
                    j = cj;
                    goto call;
                }
                free(args);
            }
            if (is_call && ok) {
                cj = open;
                if (!parse_call(p, &cj, &args, &nargs, &e))
                    goto fail;
                j = cj;
call:
                add_stmt(p, RUNFILE_CALL, fn.name, ns);
                ld->rf->stmts[ld->rf->nstmts - 1].args = args;
                ld->rf->stmts[ld->rf->nstmts - 1].nargs = nargs;
                attrs_release(&at);
                return next_line(p, j);
            }
        }
        if (!ok)
            goto fail;
        /* An empty "()" leaves the parameters to @arg lines (the legacy form, §6.3). */
        fn.has_signature = np > 0;
        fn.params = ps;
        fn.nparams = np;
        i = hdr_end = j;
    } else if (!kw) {
        BUG("header without '('");
    }

    /* The body. */
    k = skip_sp(p, i);
    if (k < p->len && p->t[k] == '{') {
        if (!block_body(p, k, &fn, at.shell_set, &next)) {
            attrs_release(&at);
            return next;
        }
    } else if (k >= p->len || p->t[k] == '\n' || p->t[k] == '#') {
        size_t nb = next_nonblank(p, i ? i - 1 : 0);
        if (k < p->len && p->t[k] == '\n')
            nb = next_nonblank(p, k);
        if (nb < p->len && p->t[nb] == '{') {
            if (!block_body(p, nb, &fn, at.shell_set, &next)) {
                attrs_release(&at);
                return next;
            }
        } else {
            perr_set(p, &e, hdr_end, 1, "add a body: a command on the same line, or a { } block",
                     "missing function body");
            goto fail;
        }
    } else if (kw && !fn.has_signature && strchr(")}],;", p->t[k])) {
        perr_set(p, &e, k, 1, "write NAME() { ... } or NAME() COMMAND",
                 "expected '(' or a body after the function name");
        goto fail;
    } else if (!inline_body(p, k, &fn, &next)) {
        attrs_release(&at);
        return next;
    }

    /* Parameter names that the polyglot language could not bind. */
    for (size_t x = 0; x < fn.nparams && fn.has_signature; x++) {
        const char *lang = polyglot_reserved(fn.interp, fn.params[x].name);
        if (lang) {
            report(p, DIAG_ERROR, fn.params[x].origin.offset,
                   chars(p, fn.params[x].origin.offset, strlen(fn.params[x].name)),
                   "rename the parameter",
                   "'%s' is a reserved word in %s and cannot be a "
                   "parameter name",
                   fn.params[x].name, lang);
            break;
        }
    }
    apply_args(p, &at, &fn);
    if (at.os_valid && !at.os_match) { /* §6.4: discarded when read */
        attrs_release(&at);
        return next;
    }
    attrs_release(&at);
    ALLOC_GROW(ld->defs, ld->ndefs + 1, ld->adefs);
    ld->defs[ld->ndefs++] = fn;
    return next;

fail:
    attrs_release(&at);
    next = recover(p, e.set ? e.off : s);
    perr_flush(p, &e);
    return next;
}

static void note_instruction(struct parser *p, size_t ls, size_t le)
{
    struct runfile *rf = p->ld->rf;
    struct span name, value;
    const char *at = memchr(p->t + ls, '@', le - ls);
    char *v;

    /* Only @instructions matters here, and read_attrs reads the others: look for it first. */
    if (!at || (size_t)(p->t + le - at) < 13 || memcmp(at + 1, "instructions", 12) != 0)
        return;
    if (!match_attr(p->t + ls, le - ls, &name, &value))
        return;
    if (name.b - name.a != 12 || memcmp(p->t + ls + name.a, "instructions", 12) != 0)
        return;
    if (!value.set)
        return;
    v = unquote_outer(p, p->t + ls + value.a, value.b - value.a);
    if (!*v)
        return;
    ALLOC_GROW(rf->instructions, rf->ninstructions + 1, p->ld->ainstr);
    rf->instructions[rf->ninstructions++] = v;
}

static void read_file(struct loader *ld, struct runfile_file *f, const char *dir, unsigned depth,
                      const struct runfile_file *root)
{
    struct parser p = { .ld = ld,
                        .f = f,
                        .root = root,
                        .t = f->text,
                        .len = f->len,
                        .dir = dir ? xstrdup(dir) : NULL,
                        .depth = depth,
                        .arena = &ld->rf->arena,
                        .scratch = BUF_INIT };
    size_t pos = 0;

    while (pos < p.len && !ld->stop) {
        size_t s = skip_sp(&p, pos), le = line_end(&p, pos);
        char c = '\n'; /* end of text: like a blank line */

        if (s < p.len)
            c = p.t[s];

        if (c == '\n') { /* blank */
            reset_cblock(&p);
            pos = next_line(&p, pos);
            continue;
        }
        if (c == '#') {
            ALLOC_GROW(p.cblock, p.ncblock + 1, p.acblock);
            p.cblock[p.ncblock++] = pos;
            note_instruction(&p, pos, le);
            pos = next_line(&p, pos);
            continue;
        }
        if (word_is(&p, s, "source") && s + 6 < le && is_sp(p.t[s + 6]) &&
            skip_sp(&p, s + 6) < le) {
            reset_cblock(&p);
            pos = read_source(&p, s);
            continue;
        }
        if (word_is(&p, s, "function") && s + 8 < le && is_sp(p.t[s + 8])) {
            pos = read_definition(&p, s, true);
            reset_cblock(&p);
            continue;
        }
        size_t ne;
        if (match_header(p.t, s, le, &ne)) {
            if (!is_shell_reserved(p.t + s, ne - s)) {
                pos = read_definition(&p, s, false);
                reset_cblock(&p);
                continue;
            }
        }
        reset_cblock(&p);
        if (is_ident_start(c)) {
            size_t e = s;
            while (e < le && is_ident(p.t[e]))
                e++;
            e = skip_sp(&p, e);
            if (e < le && p.t[e] == '=') {
                pos = read_simple(&p, s, true, e);
                continue;
            }
        }
        if (c == '}' && rest_is_empty(&p, s + 1)) {
            report(&p, DIAG_ERROR, s, 1,
                   "there is no open block here; a block's '}' closes at the matching '{'",
                   "unmatched '}'");
            pos = next_line(&p, pos);
            continue;
        }
        pos = read_simple(&p, s, false, 0);
    }
    free(p.cblock);
    free(p.dir);
    buf_release(&p.scratch);
    free(p.sig);
}

void loader_read_root(struct loader *ld, struct runfile_file *f)
{
    char *dir = NULL;

    strmap_release(&ld->seen);
    strmap_init(&ld->seen, 16);
    if (f->path && f->path[0] == '/') {
        dir = dirname_of(f->path);
        strmap_put(&ld->seen, f->path, 0);
    }
    read_file(ld, f, dir, 1, f);
    free(dir);
}

void loader_read_text(struct loader *ld, struct runfile_file *f, const char *dir)
{
    strmap_release(&ld->seen);
    strmap_init(&ld->seen, 16);
    if (f->path && f->path[0] == '/')
        strmap_put(&ld->seen, f->path, 0);
    read_file(ld, f, dir, 1, f);
}
