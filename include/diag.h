/*
 * diag: problems with input (Runfiles, arguments, requests), with a position.
 *
 * Lower modules never print: they append diags to a diag_list and return. The cmd_* layer
 * renders them compiler-style for a terminal, or as JSON for the MCP server:
 *
 *   Runfile:3:7: error: expected ',' or ')' after parameter 'a'
 *       3 | bad(a b) echo x
 *         |       ^
 *         = hint: separate parameters with commas, as in bad(a, b)
 *
 * Lines and columns are 1-based; columns count Unicode code points of the source line (an
 * invalid UTF-8 byte counts as one). A list keeps at most DIAG_MAX_ERRORS errors; past that it
 * records that it is full, and rendering ends with "error: too many errors; stopping".
 *
 * Calling sequence:
 *   struct diag_list diags = DIAG_LIST_INIT;
 *   struct diag *d = diag_add(&diags, DIAG_ERROR, &loc, "unknown type '%s'", word);
 *   diag_set_hint(d, "did you mean '%s'?", best);
 *   ...
 *   diag_list_render(&out, &diags, false);
 *   diag_list_release(&diags);
 */
#ifndef RUN_DIAG_H
#define RUN_DIAG_H

#include <stdbool.h>
#include <stddef.h>

#include "base.h"

struct buf;
struct json_t;

#define DIAG_MAX_ERRORS 20

enum diag_level {
    DIAG_ERROR,
    DIAG_WARNING,
    DIAG_NOTE,
};

/* Where a problem is; every member may be zero/NULL when unknown. Borrowed by diag_add. */
struct diag_loc {
    const char *file;        /* display label of the file, e.g. "Runfile", "~/.runfile" */
    unsigned line;           /* 1-based; 0 = no position */
    unsigned col;            /* 1-based, in code points */
    unsigned span;           /* characters to underline; 0 is taken as 1 */
    size_t offset;           /* byte offset in the file */
    const char *source_line; /* the text of that line, without its '\n'; NULL = none */
    size_t source_len;
};

struct diag {
    enum diag_level level;
    char *file; /* owned; NULL when there is no source position */
    unsigned line, col, span;
    size_t offset;
    char *msg;         /* owned; lowercase, no full stop, subjects in '' */
    char *hint;        /* owned or NULL */
    char *source_line; /* owned or NULL; rendered with a caret under col */
};

struct diag_list {
    struct diag *items;
    size_t n, alloc;
    unsigned nerrors, nwarnings;
    bool full; /* an error beyond DIAG_MAX_ERRORS was dropped */
};

#define DIAG_LIST_INIT          \
    {                           \
        NULL, 0, 0, 0, 0, false \
    }

/*
 * Append a diagnostic. 'loc' may be NULL. Returns the new entry (valid until the next add)
 * so a hint can be attached, or NULL when the list is full and the error was dropped.
 * A note (DIAG_NOTE) belongs to the diag before it and is dropped with it.
 */
struct diag *diag_add(struct diag_list *l, enum diag_level level, const struct diag_loc *loc,
                      const char *fmt, ...) PRINTF_LIKE(4, 5);
/* Set the hint of 'd' (NULL-safe: does nothing when d is NULL). */
void diag_set_hint(struct diag *d, const char *fmt, ...) PRINTF_LIKE(2, 3);
/* Append a copy of every entry of 'from' to 'to'. */
void diag_list_append(struct diag_list *to, const struct diag_list *from);
void diag_list_release(struct diag_list *l);

/* True when no further error can be recorded; parsers stop then. */
static inline bool diag_list_is_full(const struct diag_list *l)
{
    return l->full;
}

/*
 * The 1-based column of byte 'off' within 'line' (code points before it, plus one), and the
 * number of code points in the first 'len' bytes of 's'. Invalid bytes count as one each.
 */
unsigned diag_column(const char *line, size_t off);
unsigned diag_count_chars(const char *s, size_t len);

/* Append 'd' in compiler style (with source line, caret and hint when present). */
void diag_render(struct buf *out, const struct diag *d, bool color);
/* Render every entry, then the "too many errors" line when the list is full. */
void diag_list_render(struct buf *out, const struct diag_list *l, bool color);
/* "error", "warning" or "note". */
const char *diag_level_name(enum diag_level level);
/*
 * A new JSON object {file, line, column, offset, severity, message} (plus "hint" when set).
 * Returns a new reference.
 */
struct json_t *diag_to_json(const struct diag *d);

#endif
