/*
 * diag: collect input problems and render them like a compiler does. The caret line mirrors
 * the tabs of the source line so the caret lands under the right character in any terminal.
 */
#include "diag.h"

#include "base.h"
#include "buf.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static char *vformat(const char *fmt, va_list ap) PRINTF_LIKE(1, 0);
static char *vformat(const char *fmt, va_list ap)
{
    struct buf b = BUF_INIT;

    buf_vaddf(&b, fmt, ap);
    return buf_detach(&b, NULL);
}

struct diag *diag_add(struct diag_list *l, enum diag_level level, const struct diag_loc *loc,
                      const char *fmt, ...)
{
    struct diag *d;
    va_list ap;

    if (level == DIAG_ERROR && l->nerrors >= DIAG_MAX_ERRORS) {
        l->full = true;
        return NULL;
    }
    if (level == DIAG_NOTE && l->full)
        return NULL;
    ALLOC_GROW(l->items, l->n + 1, l->alloc);
    d = &l->items[l->n++];
    memset(d, 0, sizeof(*d));
    d->level = level;
    if (loc) {
        d->file = loc->file ? xstrdup(loc->file) : NULL;
        d->line = loc->line;
        d->col = loc->col;
        d->span = loc->span ? loc->span : 1;
        d->offset = loc->offset;
        if (loc->source_line)
            d->source_line = xstrndup(loc->source_line, loc->source_len);
    }
    va_start(ap, fmt);
    d->msg = vformat(fmt, ap);
    va_end(ap);
    if (level == DIAG_ERROR)
        l->nerrors++;
    else if (level == DIAG_WARNING)
        l->nwarnings++;
    return d;
}

void diag_set_hint(struct diag *d, const char *fmt, ...)
{
    va_list ap;

    if (!d)
        return;
    free(d->hint);
    va_start(ap, fmt);
    d->hint = vformat(fmt, ap);
    va_end(ap);
}

static void copy_diag(struct diag *to, const struct diag *from)
{
    *to = *from;
    to->file = from->file ? xstrdup(from->file) : NULL;
    to->msg = xstrdup(from->msg);
    to->hint = from->hint ? xstrdup(from->hint) : NULL;
    to->source_line = from->source_line ? xstrdup(from->source_line) : NULL;
}

void diag_list_append(struct diag_list *to, const struct diag_list *from)
{
    for (size_t i = 0; i < from->n; i++) {
        ALLOC_GROW(to->items, to->n + 1, to->alloc);
        copy_diag(&to->items[to->n++], &from->items[i]);
    }
    to->nerrors += from->nerrors;
    to->nwarnings += from->nwarnings;
    to->full = to->full || from->full;
}

void diag_list_release(struct diag_list *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->items[i].file);
        free(l->items[i].msg);
        free(l->items[i].hint);
        free(l->items[i].source_line);
    }
    free(l->items);
    memset(l, 0, sizeof(*l));
}

/* Length of the UTF-8 sequence starting at s (at most 'left' bytes); 1 for an invalid byte. */
static size_t utf8_len(const unsigned char *s, size_t left)
{
    size_t n;

    if (s[0] < 0x80)
        return 1;
    if (s[0] >= 0xc2 && s[0] <= 0xdf)
        n = 2;
    else if (s[0] >= 0xe0 && s[0] <= 0xef)
        n = 3;
    else if (s[0] >= 0xf0 && s[0] <= 0xf4)
        n = 4;
    else
        return 1;
    if (n > left)
        return 1;
    for (size_t i = 1; i < n; i++)
        if ((s[i] & 0xc0) != 0x80)
            return 1;
    return n;
}

unsigned diag_count_chars(const char *s, size_t len)
{
    unsigned n = 0;
    size_t i = 0;

    while (i < len) {
        i += utf8_len((const unsigned char *)s + i, len - i);
        n++;
    }
    return n;
}

unsigned diag_column(const char *line, size_t off)
{
    return diag_count_chars(line, off) + 1;
}

const char *diag_level_name(enum diag_level level)
{
    switch (level) {
    case DIAG_ERROR:
        return "error";
    case DIAG_WARNING:
        return "warning";
    case DIAG_NOTE:
        return "note";
    }
    BUG("bad diag level %d", (int)level);
}

static const char *level_color(enum diag_level level)
{
    switch (level) {
    case DIAG_ERROR:
        return "\033[1;31m";
    case DIAG_WARNING:
        return "\033[1;35m";
    case DIAG_NOTE:
        return "\033[1;36m";
    }
    return "";
}

static void render_source(struct buf *out, const struct diag *d, bool color)
{
    char num[24];
    int width;
    const char *s = d->source_line;
    size_t len = strlen(s), i = 0;
    unsigned col = 1;

    width = snprintf(num, sizeof(num), "%u", d->line);
    if (width < 5)
        width = 5;
    buf_addf(out, "%*s | %s\n", width, num, s);
    buf_addchars(out, ' ', (size_t)width);
    buf_addstr(out, " | ");
    /* Mirror tabs so the caret lines up however the terminal expands them. */
    while (i < len && col < d->col) {
        buf_addch(out, s[i] == '\t' ? '\t' : ' ');
        i += utf8_len((const unsigned char *)s + i, len - i);
        col++;
    }
    while (col < d->col) { /* a column past the end of the line */
        buf_addch(out, ' ');
        col++;
    }
    if (color)
        buf_addstr(out, "\033[1;32m");
    buf_addch(out, '^');
    for (unsigned k = 1; k < d->span; k++)
        buf_addch(out, '~');
    if (color)
        buf_addstr(out, "\033[0m");
    buf_addch(out, '\n');
    if (d->hint) {
        buf_addchars(out, ' ', (size_t)width);
        buf_addf(out, " = hint: %s\n", d->hint);
    }
}

void diag_render(struct buf *out, const struct diag *d, bool color)
{
    if (d->file && d->line)
        buf_addf(out, "%s:%u:%u: ", d->file, d->line, d->col);
    else if (d->file)
        buf_addf(out, "%s: ", d->file);
    if (color)
        buf_addf(out, "%s%s:\033[0m %s\n", level_color(d->level), diag_level_name(d->level),
                 d->msg);
    else
        buf_addf(out, "%s: %s\n", diag_level_name(d->level), d->msg);
    if (d->source_line && d->line)
        render_source(out, d, color);
    else if (d->hint)
        buf_addf(out, "hint: %s\n", d->hint);
}

void diag_list_render(struct buf *out, const struct diag_list *l, bool color)
{
    for (size_t i = 0; i < l->n; i++)
        diag_render(out, &l->items[i], color);
    if (l->full)
        buf_addstr(out, "error: too many errors; stopping\n");
}

json_t *diag_to_json(const struct diag *d)
{
    json_t *o = json_object();

    json_object_set_new(o, "file", d->file ? json_string(d->file) : json_null());
    json_object_set_new(o, "line", json_integer(d->line));
    json_object_set_new(o, "column", json_integer(d->col));
    json_object_set_new(o, "offset", json_integer((json_int_t)d->offset));
    json_object_set_new(o, "severity", json_string(diag_level_name(d->level)));
    json_object_set_new(o, "message", json_string(d->msg));
    if (d->hint)
        json_object_set_new(o, "hint", json_string(d->hint));
    return o;
}
