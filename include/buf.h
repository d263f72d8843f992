/*
 * buf: a growable byte buffer, like git's strbuf.
 *
 * Invariants: 'buf' is never NULL and always NUL-terminated at buf[len], so it can be
 * used as a C string at any time (it may also hold NUL bytes inside). A buffer set up with
 * BUF_INIT or buf_init() owns nothing until the first append.
 *
 * Calling sequence:
 *   struct buf b = BUF_INIT;
 *   buf_addf(&b, "%s:%u", file, line);
 *   use(b.buf, b.len);
 *   buf_release(&b);          // or: char *s = buf_detach(&b, NULL);
 */
#ifndef RUN_BUF_H
#define RUN_BUF_H

#include <stdarg.h>
#include <stddef.h>

#include "base.h"

struct buf {
    size_t alloc; /* 0 while 'buf' points at the shared empty string */
    size_t len;
    char *buf;
};

extern char buf_empty[];
#define BUF_INIT        \
    {                   \
        0, 0, buf_empty \
    }

/* Same as '= BUF_INIT', with room for 'hint' bytes already allocated (0: none yet). */
void buf_init(struct buf *b, size_t hint);
/* Free the contents; the buffer is empty and usable again. */
void buf_release(struct buf *b);
/* Give the bytes to the caller (who frees them); the buffer is reset. '*len' may be NULL. */
char *buf_detach(struct buf *b, size_t *len);
/* Make room for 'extra' more bytes after len (plus the NUL). */
void buf_grow(struct buf *b, size_t extra);
/* Set len to 'len' (<= len + available) and write the NUL. */
void buf_setlen(struct buf *b, size_t len);
static inline void buf_reset(struct buf *b)
{
    buf_setlen(b, 0);
}

/* Append: 'len' bytes of 'data' (NULs included), a string, one byte, printf output. */
void buf_add(struct buf *b, const void *data, size_t len);
void buf_addstr(struct buf *b, const char *s);
void buf_addch(struct buf *b, int c);
/* Append 'n' copies of byte 'c'. */
void buf_addchars(struct buf *b, int c, size_t n);
void buf_addf(struct buf *b, const char *fmt, ...) PRINTF_LIKE(2, 3);
void buf_vaddf(struct buf *b, const char *fmt, va_list ap) PRINTF_LIKE(2, 0);
/* Insert 'len' bytes at 'pos' (<= b->len). */
void buf_insert(struct buf *b, size_t pos, const void *data, size_t len);
/* Remove trailing spaces, tabs and newlines. */
void buf_rtrim(struct buf *b);

#endif
