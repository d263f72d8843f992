/*
 * runfile_scan: find where a body or a top-level statement ends by following the lexical
 * rules of its language (spec/runfile.md §4.2-§4.4), and compute the final body text of a
 * block (§4.6). The scanners know only as much of each language as is needed to match
 * braces: quotes, comments, substitutions and heredocs. They never fail on a construct they
 * do not know; they only fail when the text ends inside one.
 */
#include "runfile_int.h"

#include <stdlib.h>
#include <string.h>

#include "base.h"
#include "buf.h"

/* Frames of the shell scanner; quotes without nesting are handled by inner loops. */
enum frame_kind {
    FR_BASE,   /* the block (counting braces) or the statement */
    FR_CMDSUB, /* $( ... ): counting parentheses */
    FR_PARAM,  /* ${ ... } */
    FR_ARITH,  /* $(( ... )) or (( ... )) */
    FR_DQ,     /* " ... " */
    /* polyglot */
    FR_TEMPLATE, /* node `...` */
    FR_TCODE,    /* node ${ ... } inside a template, or ruby #{ ... } inside "..." */
    FR_RDQ,      /* ruby " ... " */
};

struct frame {
    enum frame_kind kind;
    unsigned depth;
    size_t open;
};

struct engine {
    struct scan *s;
    const char *t;
    size_t len, pos, start;
    struct frame *st; /* starts as 'st0': most scans never nest deeper */
    size_t n, alloc;
    struct frame st0[16];
    size_t *pending; /* heredoc ids waiting for the next line */
    size_t npending, apending;
};

static void push(struct engine *e, enum frame_kind kind, size_t open)
{
    ALLOC_GROW_FROM(e->st, e->st0, e->n + 1, e->alloc);
    e->st[e->n++] = (struct frame){ kind, 0, open };
}

static struct frame *top(struct engine *e)
{
    return &e->st[e->n - 1];
}

static void record(struct engine *e, size_t start, enum runfile_line_kind kind, uint32_t hd)
{
    struct scan *s = e->s;

    if (!s->record || start >= e->len)
        return;
    ALLOC_GROW(s->lines, s->nlines + 1, s->alines);
    s->lines[s->nlines++] = (struct scan_line){ start, kind, hd };
}

static enum scan_open frame_open(enum frame_kind k)
{
    switch (k) {
    case FR_BASE:
        return OPEN_BRACE;
    case FR_CMDSUB:
    case FR_ARITH:
        return OPEN_CMDSUB;
    case FR_PARAM:
        return OPEN_PARAM;
    case FR_DQ:
        return OPEN_DQ;
    default:
        return OPEN_OTHER;
    }
}

/* Fail with what was opened first after the base frame (or 'open' at 'off'). */
static void fail(struct engine *e, enum scan_status st, enum scan_open open, size_t off)
{
    struct scan *s = e->s;

    s->status = st;
    if (s->mode != SCAN_BLOCK && e->n > 1) {
        s->err_open = frame_open(e->st[1].kind);
        s->err_off = e->st[1].open;
    } else if (s->mode == SCAN_BLOCK && st == SCAN_EOF) {
        s->err_open = OPEN_BRACE;
        s->err_off = e->start ? e->start - 1 : 0;
    } else {
        s->err_open = open;
        s->err_off = off;
    }
    s->end = e->len;
}

static bool word_start(const struct engine *e, size_t i)
{
    char c;

    if (i == e->start)
        return true;
    c = e->t[i - 1];
    return strchr(" \t\n;&|()<>", c) != NULL;
}

/* Read the heredoc bodies opened on the line that just ended; e->pos is a line start. */
static bool read_heredocs(struct engine *e)
{
    struct scan *s = e->s;

    for (size_t k = 0; k < e->npending; k++) {
        struct scan_heredoc *h = &s->heredocs[e->pending[k]];
        size_t dlen = strlen(h->delim);

        for (;;) {
            size_t b, eol, a, z;
            const char *nl;

            if (e->pos >= e->len) {
                s->status = SCAN_HEREDOC;
                s->err_off = h->op;
                s->err_delim = xstrdup(h->delim);
                s->err_dash = h->dash;
                s->end = e->len;
                return false;
            }
            b = e->pos;
            nl = memchr(e->t + b, '\n', e->len - b);
            eol = nl ? (size_t)(nl - e->t) : e->len;
            a = b;
            z = eol;
            while (a < z && (e->t[a] == ' ' || e->t[a] == '\t'))
                a++;
            while (z > a && (e->t[z - 1] == ' ' || e->t[z - 1] == '\t'))
                z--;
            e->pos = nl ? eol + 1 : eol;
            if (z - a == dlen && !memcmp(e->t + a, h->delim, dlen)) {
                record(e, b, RUNFILE_LINE_TERMINATOR, (uint32_t)e->pending[k]);
                break;
            }
            record(e, b, RUNFILE_LINE_HEREDOC, (uint32_t)e->pending[k]);
        }
    }
    e->npending = 0;
    return true;
}

/*
 * A line break in a code context at e->t[nl]: record the next line and read pending
 * heredocs. Returns false on a heredoc error.
 */
static bool code_newline(struct engine *e, size_t nl)
{
    e->pos = nl + 1;
    if (e->npending && !read_heredocs(e))
        return false;
    record(e, e->pos, RUNFILE_LINE_CODE, 0);
    return true;
}

/* After "<<" or "<<-" at e->pos: read the delimiter word; register a heredoc. */
static void heredoc_op(struct engine *e)
{
    struct scan *s = e->s;
    size_t op = e->pos, i = e->pos + 2;
    bool dash = false;
    struct buf w = BUF_INIT;

    if (i < e->len && e->t[i] == '-') {
        dash = true;
        i++;
    }
    while (i < e->len && (e->t[i] == ' ' || e->t[i] == '\t'))
        i++;
    while (i < e->len && !strchr(" \t\n;&|()<>", e->t[i])) {
        char c = e->t[i];

        if (c == '\'' || c == '"') {
            i++;
            while (i < e->len && e->t[i] != c && e->t[i] != '\n')
                buf_addch(&w, e->t[i++]);
            if (i < e->len && e->t[i] == c)
                i++;
        } else if (c == '\\' && i + 1 < e->len && e->t[i + 1] != '\n') {
            buf_addch(&w, e->t[i + 1]);
            i += 2;
        } else {
            buf_addch(&w, c);
            i++;
        }
    }
    if (!w.len) { /* "<<" with no word: a syntax error for the shell, not our business */
        e->pos = op + 2;
        buf_release(&w);
        return;
    }
    ALLOC_GROW(s->heredocs, s->nheredocs + 1, s->aheredocs);
    s->heredocs[s->nheredocs] = (struct scan_heredoc){ op, buf_detach(&w, NULL), dash };
    ALLOC_GROW(e->pending, e->npending + 1, e->apending);
    e->pending[e->npending++] = s->nheredocs++;
    s->had_heredocs = true;
    e->pos = i;
}

/*
 * Skip a single-quoted string whose opening quote is at e->pos ('escapes': $'...').
 * Returns false at the end of the text or, in inline mode, at a line break.
 */
static bool skip_sq(struct engine *e, bool escapes)
{
    size_t open = e->pos;

    e->pos++;
    while (e->pos < e->len) {
        char c = e->t[e->pos];

        if (c == '\'') {
            e->pos++;
            return true;
        }
        if (c == '\\' && escapes && e->pos + 1 < e->len) {
            if (e->t[e->pos + 1] == '\n') {
                if (e->s->mode == SCAN_INLINE)
                    break;
                record(e, e->pos + 2, RUNFILE_LINE_STRING, 0);
            }
            e->pos += 2;
            continue;
        }
        if (c == '\n') {
            if (e->s->mode == SCAN_INLINE)
                break;
            record(e, e->pos + 1, RUNFILE_LINE_STRING, 0);
        }
        e->pos++;
    }
    fail(e, e->pos < e->len ? SCAN_BREAK : SCAN_EOF, OPEN_SQ, open);
    return false;
}

/* Skip a backtick substitution starting at e->pos. */
static bool skip_backtick(struct engine *e)
{
    size_t open = e->pos;

    e->pos++;
    while (e->pos < e->len) {
        char c = e->t[e->pos];

        if (c == '`') {
            e->pos++;
            return true;
        }
        if (c == '\\' && e->pos + 1 < e->len) {
            if (e->t[e->pos + 1] == '\n') {
                if (e->s->mode == SCAN_INLINE)
                    break;
                record(e, e->pos + 2, RUNFILE_LINE_CODE, 0);
            }
            e->pos += 2;
            continue;
        }
        if (c == '\n') {
            if (e->s->mode == SCAN_INLINE)
                break;
            record(e, e->pos + 1, RUNFILE_LINE_CODE, 0);
        }
        e->pos++;
    }
    fail(e, e->pos < e->len ? SCAN_BREAK : SCAN_EOF, OPEN_BACKTICK, open);
    return false;
}

/*
 * '$' at e->pos: open a substitution when one starts here. Returns true when it consumed
 * something (e->pos moved), false when the '$' is an ordinary character.
 */
static bool dollar(struct engine *e)
{
    size_t i = e->pos;

    if (i + 1 >= e->len)
        return false;
    switch (e->t[i + 1]) {
    case '(':
        if (i + 2 < e->len && e->t[i + 2] == '(') {
            push(e, FR_ARITH, i);
            e->pos = i + 3;
        } else {
            push(e, FR_CMDSUB, i);
            e->pos = i + 2;
        }
        return true;
    case '{':
        push(e, FR_PARAM, i);
        e->pos = i + 2;
        return true;
    case '\'':
        e->pos = i + 1;
        return true; /* the caller sees the quote next, with escapes */
    default:
        return false;
    }
}

/*
 * Bytes that the shell scanner acts on, in code and in double quotes. Every other byte only
 * moves the position, so runs of them are skipped in a tight loop: most of a body is words
 * and blanks, and the full dispatch per byte was the largest part of a load.
 */
static const bool code_special[256] = {
    ['\\'] = 1, ['\''] = 1, ['"'] = 1, ['`'] = 1, ['$'] = 1, ['\n'] = 1,
    ['#'] = 1,  ['<'] = 1,  ['('] = 1, [')'] = 1, ['{'] = 1, ['}'] = 1,
};
static const bool dq_special[256] = {
    ['\\'] = 1, ['"'] = 1, ['`'] = 1, ['$'] = 1, ['\n'] = 1,
};

static void scan_shell(struct engine *e)
{
    struct scan *s = e->s;
    bool dsq = false; /* the next ' opens $'...' */

    while (e->pos < e->len) {
        struct frame *f = top(e);
        size_t i = e->pos;
        char c = e->t[i];
        const bool *special = f->kind == FR_DQ ? dq_special : code_special;

        if (!special[(unsigned char)c]) {
            const unsigned char *t = (const unsigned char *)e->t;

            while (++i < e->len && !special[t[i]])
                ;
            e->pos = i;
            dsq = false; /* a plain byte ends a '$' that did not open $'...' */
            continue;
        }
        if (f->kind == FR_DQ) {
            if (c == '"') {
                e->n--;
                e->pos++;
            } else if (c == '\\' && i + 1 < e->len) {
                if (e->t[i + 1] == '\n') {
                    if (s->mode == SCAN_INLINE)
                        goto brk;
                    record(e, i + 2, RUNFILE_LINE_STRING, 0);
                }
                e->pos += 2;
            } else if (c == '$' && dollar(e)) {
                /* $'...' is not special inside double quotes */
                if (e->t[e->pos] == '\'')
                    e->pos++;
            } else if (c == '`') {
                if (!skip_backtick(e))
                    return;
            } else if (c == '\n') {
                if (s->mode == SCAN_INLINE)
                    goto brk;
                record(e, i + 1, RUNFILE_LINE_STRING, 0);
                e->pos++;
            } else {
                e->pos++;
            }
            continue;
        }

        /* Code contexts: base, $( ), ${ }, $(( )). */
        if (dsq && c != '\'')
            dsq = false;
        switch (c) {
        case '\\':
            if (s->mode == SCAN_INLINE && e->n == 1) {
                /* §3.4: a trailing '\' may be followed by whitespace and still continue */
                size_t j = i + 1;
                while (j < e->len && (e->t[j] == ' ' || e->t[j] == '\t'))
                    j++;
                if (j < e->len && e->t[j] == '\n' && j > i + 1) {
                    record(e, j + 1, RUNFILE_LINE_CODE, 0);
                    e->pos = j + 1;
                    continue;
                }
            }
            if (i + 1 < e->len && e->t[i + 1] == '\n') {
                if (s->mode == SCAN_INLINE && e->n > 1)
                    goto brk;
                record(e, i + 2, RUNFILE_LINE_CODE, 0);
            }
            e->pos = i + 2 <= e->len ? i + 2 : e->len;
            continue;
        case '\'':
            if (!skip_sq(e, dsq))
                return;
            dsq = false;
            continue;
        case '"':
            push(e, FR_DQ, i);
            e->pos++;
            continue;
        case '`':
            if (!skip_backtick(e))
                return;
            continue;
        case '$':
            if (i + 1 < e->len && e->t[i + 1] == '\'') {
                dsq = true;
                e->pos++;
                continue;
            }
            if (dollar(e))
                continue;
            e->pos++;
            continue;
        case '\n':
            if (e->n == 1 && s->mode != SCAN_BLOCK) {
                /* The statement ends here, after any heredoc bodies. */
                e->pos = i + 1;
                if (e->npending && !read_heredocs(e))
                    return;
                s->end = i;
                if (e->pos > i + 1) /* heredocs were read: end with the last one */
                    s->end = e->t[e->pos - 1] == '\n' ? e->pos - 1 : e->pos;
                s->status = SCAN_OK;
                return;
            }
            if (s->mode == SCAN_INLINE)
                goto brk;
            if (!code_newline(e, i))
                return;
            continue;
        default:
            break;
        }

        if (c == '#' && (f->kind == FR_BASE || f->kind == FR_CMDSUB) && word_start(e, i)) {
            const char *nl = memchr(e->t + i, '\n', e->len - i);
            e->pos = nl ? (size_t)(nl - e->t) : e->len;
            continue;
        }
        if (c == '<' && (f->kind == FR_BASE || f->kind == FR_CMDSUB) && i + 1 < e->len &&
            e->t[i + 1] == '<') {
            if (i + 2 < e->len && e->t[i + 2] == '<') {
                e->pos = i + 3; /* here-string */
                continue;
            }
            heredoc_op(e);
            continue;
        }
        switch (f->kind) {
        case FR_BASE:
            if (c == '(' && i + 1 < e->len && e->t[i + 1] == '(' && word_start(e, i)) {
                push(e, FR_ARITH, i);
                e->pos = i + 2;
                continue;
            }
            if (s->mode == SCAN_BLOCK) {
                if (c == '{') {
                    f->depth++;
                } else if (c == '}') {
                    if (!f->depth) {
                        s->end = i;
                        s->status = SCAN_OK;
                        return;
                    }
                    f->depth--;
                }
            }
            break;
        case FR_CMDSUB:
            if (c == '(') {
                f->depth++;
            } else if (c == ')') {
                if (!f->depth) {
                    e->n--;
                } else {
                    f->depth--;
                }
            }
            break;
        case FR_ARITH:
            if (c == '(') {
                f->depth++;
            } else if (c == ')') {
                if (!f->depth) {
                    e->n--;
                    if (i + 1 < e->len && e->t[i + 1] == ')')
                        e->pos++;
                } else {
                    f->depth--;
                }
            }
            break;
        case FR_PARAM:
            if (c == '}')
                e->n--;
            break;
        default:
            break;
        }
        e->pos++;
    }
    /* End of text. */
    if (e->n == 1 && s->mode != SCAN_BLOCK) {
        if (e->npending && !read_heredocs(e))
            return;
        s->status = SCAN_OK;
        s->end = e->len;
        return;
    }
    fail(e, SCAN_EOF, frame_open(top(e)->kind), top(e)->open);
    return;
brk:
    fail(e, SCAN_BREAK, frame_open(top(e)->kind), top(e)->open);
}

/* Skip a python/node/ruby string quoted with 'q' at e->pos (triple: python """/'''). */
static bool skip_poly_string(struct engine *e, char q, bool triple, bool multiline)
{
    size_t open = e->pos;

    e->pos += triple ? 3 : 1;
    while (e->pos < e->len) {
        char c = e->t[e->pos];

        if (c == '\\' && e->pos + 1 < e->len) {
            if (e->t[e->pos + 1] == '\n')
                record(e, e->pos + 2, RUNFILE_LINE_STRING, 0);
            e->pos += 2;
            continue;
        }
        if (c == q) {
            if (!triple) {
                e->pos++;
                return true;
            }
            if (e->pos + 2 < e->len && e->t[e->pos + 1] == q && e->t[e->pos + 2] == q) {
                e->pos += 3;
                return true;
            }
        }
        if (c == '\n') {
            if (!triple && !multiline)
                return true; /* an unclosed one-line string ends with its line */
            record(e, e->pos + 1, RUNFILE_LINE_STRING, 0);
        }
        e->pos++;
    }
    fail(e, SCAN_EOF, OPEN_OTHER, open);
    return false;
}

static void scan_python(struct engine *e)
{
    struct scan *s = e->s;

    while (e->pos < e->len) {
        struct frame *f = top(e);
        size_t i = e->pos;
        char c = e->t[i];

        if (c == '#') {
            const char *nl = memchr(e->t + i, '\n', e->len - i);
            e->pos = nl ? (size_t)(nl - e->t) : e->len;
        } else if (c == '\'' || c == '"') {
            bool triple = i + 2 < e->len && e->t[i + 1] == c && e->t[i + 2] == c;
            if (!skip_poly_string(e, c, triple, false))
                return;
        } else if (c == '\\' && i + 1 < e->len) {
            if (e->t[i + 1] == '\n')
                record(e, i + 2, RUNFILE_LINE_CODE, 0);
            e->pos += 2;
        } else if (c == '\n') {
            record(e, i + 1, RUNFILE_LINE_CODE, 0);
            e->pos++;
        } else if (c == '{') {
            f->depth++;
            e->pos++;
        } else if (c == '}') {
            if (!f->depth) {
                s->end = i;
                s->status = SCAN_OK;
                return;
            }
            f->depth--;
            e->pos++;
        } else {
            e->pos++;
        }
    }
    fail(e, SCAN_EOF, OPEN_BRACE, 0);
}

static void scan_node(struct engine *e)
{
    struct scan *s = e->s;

    while (e->pos < e->len) {
        struct frame *f = top(e);
        size_t i = e->pos;
        char c = e->t[i];

        if (f->kind == FR_TEMPLATE) {
            if (c == '\\' && i + 1 < e->len) {
                if (e->t[i + 1] == '\n')
                    record(e, i + 2, RUNFILE_LINE_STRING, 0);
                e->pos += 2;
            } else if (c == '`') {
                e->n--;
                e->pos++;
            } else if (c == '$' && i + 1 < e->len && e->t[i + 1] == '{') {
                push(e, FR_TCODE, i);
                e->pos += 2;
            } else {
                if (c == '\n')
                    record(e, i + 1, RUNFILE_LINE_STRING, 0);
                e->pos++;
            }
            continue;
        }
        if (c == '/' && i + 1 < e->len && e->t[i + 1] == '/') {
            const char *nl = memchr(e->t + i, '\n', e->len - i);
            e->pos = nl ? (size_t)(nl - e->t) : e->len;
        } else if (c == '/' && i + 1 < e->len && e->t[i + 1] == '*') {
            size_t j = i + 2;
            while (j + 1 < e->len && !(e->t[j] == '*' && e->t[j + 1] == '/')) {
                if (e->t[j] == '\n')
                    record(e, j + 1, RUNFILE_LINE_CODE, 0);
                j++;
            }
            if (j + 1 >= e->len) {
                fail(e, SCAN_EOF, OPEN_OTHER, i);
                return;
            }
            e->pos = j + 2;
        } else if (c == '\'' || c == '"') {
            if (!skip_poly_string(e, c, false, false))
                return;
        } else if (c == '`') {
            push(e, FR_TEMPLATE, i);
            e->pos++;
        } else if (c == '\\' && i + 1 < e->len) {
            e->pos += 2;
        } else if (c == '\n') {
            record(e, i + 1, RUNFILE_LINE_CODE, 0);
            e->pos++;
        } else if (c == '{') {
            f->depth++;
            e->pos++;
        } else if (c == '}') {
            if (!f->depth) {
                if (f->kind == FR_BASE) {
                    s->end = i;
                    s->status = SCAN_OK;
                    return;
                }
                e->n--; /* back into the template */
            } else {
                f->depth--;
            }
            e->pos++;
        } else {
            e->pos++;
        }
    }
    fail(e, SCAN_EOF, OPEN_BRACE, 0);
}

static void scan_ruby(struct engine *e)
{
    struct scan *s = e->s;

    while (e->pos < e->len) {
        struct frame *f = top(e);
        size_t i = e->pos;
        char c = e->t[i];

        if (f->kind == FR_RDQ) {
            if (c == '\\' && i + 1 < e->len) {
                if (e->t[i + 1] == '\n')
                    record(e, i + 2, RUNFILE_LINE_STRING, 0);
                e->pos += 2;
            } else if (c == '"') {
                e->n--;
                e->pos++;
            } else if (c == '#' && i + 1 < e->len && e->t[i + 1] == '{') {
                push(e, FR_TCODE, i);
                e->pos += 2;
            } else {
                if (c == '\n')
                    record(e, i + 1, RUNFILE_LINE_STRING, 0);
                e->pos++;
            }
            continue;
        }
        if (c == '#') {
            const char *nl = memchr(e->t + i, '\n', e->len - i);
            e->pos = nl ? (size_t)(nl - e->t) : e->len;
        } else if (c == '\'') {
            if (!skip_poly_string(e, c, false, true))
                return;
        } else if (c == '"') {
            push(e, FR_RDQ, i);
            e->pos++;
        } else if (c == '\\' && i + 1 < e->len) {
            e->pos += 2;
        } else if (c == '\n') {
            record(e, i + 1, RUNFILE_LINE_CODE, 0);
            e->pos++;
        } else if (c == '{') {
            f->depth++;
            e->pos++;
        } else if (c == '}') {
            if (!f->depth) {
                if (f->kind == FR_BASE) {
                    s->end = i;
                    s->status = SCAN_OK;
                    return;
                }
                e->n--;
            } else {
                f->depth--;
            }
            e->pos++;
        } else {
            e->pos++;
        }
    }
    fail(e, SCAN_EOF, OPEN_BRACE, 0);
}

void scan_run(struct scan *s, size_t start)
{
    struct engine e = { .s = s, .t = s->text, .len = s->len, .pos = start, .start = start };

    e.st = e.st0;
    e.alloc = ARRAY_SIZE(e.st0);

    s->status = SCAN_OK;
    s->end = s->len;
    s->err_open = OPEN_NONE;
    push(&e, FR_BASE, start);
    switch (s->lang) {
    case LANG_SHELL:
        scan_shell(&e);
        break;
    case LANG_PYTHON:
        scan_python(&e);
        break;
    case LANG_NODE:
        scan_node(&e);
        break;
    case LANG_RUBY:
        scan_ruby(&e);
        break;
    }
    if (e.st != e.st0)
        free(e.st);
    free(e.pending);
}

void scan_release(struct scan *s)
{
    for (size_t i = 0; i < s->nheredocs; i++)
        free(s->heredocs[i].delim);
    free(s->heredocs);
    free(s->lines);
    free(s->err_delim);
    s->heredocs = NULL;
    s->lines = NULL;
    s->err_delim = NULL;
    s->nheredocs = s->aheredocs = s->nlines = s->alines = 0;
}

const char *scan_open_what(enum scan_open open)
{
    switch (open) {
    case OPEN_SQ:
        return "single-quoted string";
    case OPEN_DQ:
        return "double-quoted string";
    case OPEN_CMDSUB:
        return "'$('";
    case OPEN_PARAM:
        return "'${'";
    case OPEN_BACKTICK:
        return "'`'";
    default:
        return "'{'";
    }
}

/* ---- dedent (§4.6) ---- */

struct bline {
    const char *p;
    size_t len;
    enum runfile_line_kind kind;
    uint32_t heredoc;
    bool first; /* came from the opening line */
};

static bool is_blank(const char *p, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (p[i] != ' ' && p[i] != '\t')
            return false;
    return true;
}

static size_t lead_ws(const char *p, size_t len)
{
    size_t i = 0;

    while (i < len && (p[i] == ' ' || p[i] == '\t'))
        i++;
    return i;
}

static bool has_prefix(const struct bline *l, const char *pp, size_t plen)
{
    return !plen || (l->len >= plen && !memcmp(l->p, pp, plen));
}

char *dedent_block(const char *text, size_t ob, size_t cb, const struct scan *s,
                   struct buf *scratch, struct arena *arena, enum runfile_line_kind **kinds,
                   size_t *nlines)
{
    struct bline stack[32], *L = stack;
    size_t n = 0, alloc = ARRAY_SIZE(stack), a, si = 0;
    const char *nl = memchr(text + ob, '\n', cb - ob);
    const char *pp = NULL;
    size_t plen = 0;
    bool have_p = false;
    struct buf *out = scratch;
    enum runfile_line_kind *k = NULL;
    size_t nk = 0;

    if (!nl) { /* a block on one line */
        size_t z = cb;

        a = ob + 1;
        while (a < z && (text[a] == ' ' || text[a] == '\t'))
            a++;
        while (z > a && (text[z - 1] == ' ' || text[z - 1] == '\t'))
            z--;
        if (z > a) {
            k = arena_alloc(arena, sizeof(*k));
            k[0] = RUNFILE_LINE_CODE;
            nk = 1;
        }
        *kinds = k;
        *nlines = nk;
        return arena_strndup(arena, text + a, z - a);
    }

    /* Step 1: the rest of the opening line, the full lines, the text before the '}'. */
    a = ob + 1 + lead_ws(text + ob + 1, (size_t)(nl - text) - ob - 1);
    ALLOC_GROW_FROM(L, stack, n + 1, alloc);
    L[n++] = (struct bline){ text + a, (size_t)(nl - text) - a, RUNFILE_LINE_CODE, 0, true };
    for (size_t b = (size_t)(nl - text) + 1; b <= cb;) {
        const char *e = memchr(text + b, '\n', cb - b);
        size_t end = e ? (size_t)(e - text) : cb;
        struct bline l = { text + b, end - b, RUNFILE_LINE_CODE, 0, false };

        while (si < s->nlines && s->lines[si].start < b)
            si++;
        if (si < s->nlines && s->lines[si].start == b) {
            l.kind = s->lines[si].kind;
            l.heredoc = s->lines[si].heredoc;
        }
        if (!e) { /* the closing line: the text before the '}', trailing space removed */
            while (l.len && (l.p[l.len - 1] == ' ' || l.p[l.len - 1] == '\t'))
                l.len--;
        }
        ALLOC_GROW_FROM(L, stack, n + 1, alloc);
        L[n++] = l;
        if (!e)
            break;
        b = end + 1;
    }

    /* Step 2: leading and trailing blank lines. */
    size_t lo = 0, hi = n;
    while (lo < hi && L[lo].kind == RUNFILE_LINE_CODE && is_blank(L[lo].p, L[lo].len))
        lo++;
    while (hi > lo && L[hi - 1].kind == RUNFILE_LINE_CODE && is_blank(L[hi - 1].p, L[hi - 1].len))
        hi--;

    /* Step 4: the common indent of the non-blank code lines. */
    for (size_t i = lo; i < hi; i++) {
        size_t w;

        if (L[i].kind != RUNFILE_LINE_CODE || L[i].first || is_blank(L[i].p, L[i].len))
            continue;
        w = lead_ws(L[i].p, L[i].len);
        if (!have_p) {
            pp = L[i].p;
            plen = w;
            have_p = true;
            continue;
        }
        if (w < plen)
            plen = w;
        for (size_t j = 0; j < plen; j++) {
            if (pp[j] != L[i].p[j]) {
                plen = j;
                break;
            }
        }
    }

    /* Step 5: heredocs strip P only when all their lines carry it. */
    bool hd_none[1], *hd_strip = s->nheredocs ? xcalloc(s->nheredocs, sizeof(bool)) : hd_none;
    for (size_t h = 0; h < s->nheredocs; h++)
        hd_strip[h] = true;
    for (size_t i = lo; i < hi; i++) {
        if (L[i].kind == RUNFILE_LINE_HEREDOC && !is_blank(L[i].p, L[i].len) &&
            !has_prefix(&L[i], pp, plen))
            hd_strip[L[i].heredoc] = false;
        if (L[i].kind == RUNFILE_LINE_TERMINATOR && !has_prefix(&L[i], pp, plen))
            hd_strip[L[i].heredoc] = false;
    }

    k = arena_alloc(arena, sizeof(*k) * (hi > lo ? hi - lo : 1));
    buf_reset(out);
    for (size_t i = lo; i < hi; i++) {
        const struct bline *l = &L[i];

        if (i > lo)
            buf_addch(out, '\n');
        k[nk++] = l->kind;
        switch (l->kind) {
        case RUNFILE_LINE_CODE:
            if (is_blank(l->p, l->len))
                break;
            if (l->first || !has_prefix(l, pp, plen))
                buf_add(out, l->p, l->len);
            else
                buf_add(out, l->p + plen, l->len - plen);
            break;
        case RUNFILE_LINE_HEREDOC:
            if (hd_strip[l->heredoc] && has_prefix(l, pp, plen))
                buf_add(out, l->p + plen, l->len - plen);
            else if (!hd_strip[l->heredoc] || !is_blank(l->p, l->len))
                buf_add(out, l->p, l->len); /* byte for byte; a short blank line is dropped */
            break;
        case RUNFILE_LINE_TERMINATOR:
            buf_addstr(out, s->heredocs[l->heredoc].delim);
            break;
        case RUNFILE_LINE_STRING:
            buf_add(out, l->p, l->len);
            break;
        }
    }
    /* Step 6: trailing whitespace of the whole body. */
    while (out->len && strchr(" \t\n", out->buf[out->len - 1]))
        buf_setlen(out, out->len - 1);
    /* Keep the kinds in step with the lines that remain. */
    {
        size_t lines = out->len ? 1 : 0;
        for (size_t i = 0; i < out->len; i++)
            lines += out->buf[i] == '\n';
        nk = lines < nk ? lines : nk;
    }
    if (hd_strip != hd_none)
        free(hd_strip);
    if (L != stack)
        free(L);
    *kinds = k;
    *nlines = nk;
    return arena_strndup(arena, out->buf, out->len);
}
