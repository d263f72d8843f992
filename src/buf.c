/*
 * buf: growable NUL-terminated bytes. An empty buffer points at a shared static empty
 * string so BUF_INIT needs no allocation; the first append moves it to the heap.
 */
#include "buf.h"

#include "base.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char buf_empty[1];

void buf_init(struct buf *b, size_t hint)
{
    b->alloc = 0;
    b->len = 0;
    b->buf = buf_empty;
    if (hint)
        buf_grow(b, hint);
}

void buf_release(struct buf *b)
{
    if (b->alloc)
        free(b->buf);
    buf_init(b, 0);
}

char *buf_detach(struct buf *b, size_t *len)
{
    char *s;

    if (len)
        *len = b->len;
    s = b->alloc ? b->buf : xstrdup("");
    buf_init(b, 0);
    return s;
}

void buf_grow(struct buf *b, size_t extra)
{
    bool fresh = b->alloc == 0;

    if (b->len + extra + 1 < b->len)
        die("buffer size overflow");
    if (fresh)
        b->buf = NULL;
    ALLOC_GROW(b->buf, b->len + extra + 1, b->alloc);
    if (fresh)
        b->buf[0] = '\0';
}

void buf_setlen(struct buf *b, size_t len)
{
    if (len > (b->alloc ? b->alloc - 1 : 0))
        BUG("buf_setlen(%zu) beyond alloc %zu", len, b->alloc);
    b->len = len;
    if (b->alloc)
        b->buf[len] = '\0';
}

void buf_add(struct buf *b, const void *data, size_t len)
{
    if (!len)
        return;
    buf_grow(b, len);
    memcpy(b->buf + b->len, data, len);
    buf_setlen(b, b->len + len);
}

void buf_addstr(struct buf *b, const char *s)
{
    buf_add(b, s, strlen(s));
}

void buf_addch(struct buf *b, int c)
{
    buf_grow(b, 1);
    b->buf[b->len] = (char)c;
    buf_setlen(b, b->len + 1);
}

void buf_addchars(struct buf *b, int c, size_t n)
{
    if (!n)
        return;
    buf_grow(b, n);
    memset(b->buf + b->len, c, n);
    buf_setlen(b, b->len + n);
}

void buf_vaddf(struct buf *b, const char *fmt, va_list ap)
{
    va_list cp;
    int n;

    va_copy(cp, ap);
    n = vsnprintf(b->buf + b->len, b->alloc ? b->alloc - b->len : 0, fmt, cp);
    va_end(cp);
    if (n < 0)
        BUG("bad format '%s'", fmt);
    if (!b->alloc || (size_t)n >= b->alloc - b->len) {
        buf_grow(b, (size_t)n);
        n = vsnprintf(b->buf + b->len, b->alloc - b->len, fmt, ap);
    }
    buf_setlen(b, b->len + (size_t)n);
}

void buf_addf(struct buf *b, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    buf_vaddf(b, fmt, ap);
    va_end(ap);
}

void buf_insert(struct buf *b, size_t pos, const void *data, size_t len)
{
    if (pos > b->len)
        BUG("buf_insert at %zu beyond len %zu", pos, b->len);
    if (!len)
        return;
    buf_grow(b, len);
    memmove(b->buf + pos + len, b->buf + pos, b->len - pos);
    memcpy(b->buf + pos, data, len);
    buf_setlen(b, b->len + len);
}

void buf_rtrim(struct buf *b)
{
    size_t n = b->len;

    while (n && (b->buf[n - 1] == ' ' || b->buf[n - 1] == '\t' || b->buf[n - 1] == '\n'))
        n--;
    if (b->alloc)
        buf_setlen(b, n);
}
