/*
 * base: the few things every module needs.
 *
 * Allocation never fails for callers: the x*alloc family prints a message and exits
 * when memory runs out (git, tmux, redis do the same), so no caller checks for NULL.
 * BUG() is for our own broken invariants, never for bad input.
 */
#ifndef RUN_BASE_H
#define RUN_BASE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define RUN_VERSION "0.6.0"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Recover the struct that embeds 'ptr' as its member 'member'. */
#define container_of(ptr, type, member) ((type *)(void *)((char *)(ptr)-offsetof(type, member)))

#define PRINTF_LIKE(fmt, args) __attribute__((format(printf, fmt, args)))
#define NORETURN               __attribute__((noreturn))

/* Print "BUG: file:line: message" to stderr and abort. */
#define BUG(...) bug_at(__FILE__, __LINE__, __VA_ARGS__)
NORETURN void bug_at(const char *file, int line, const char *fmt, ...) PRINTF_LIKE(3, 4);

/* Print "run: fatal: message" to stderr and exit(1). For unrecoverable environment failures. */
NORETURN void die(const char *fmt, ...) PRINTF_LIKE(1, 2);

/* Allocation that never returns NULL. xmalloc(0) returns a unique pointer. */
void *xmalloc(size_t size);
/* Zeroed allocation of n * size bytes; dies on overflow. */
void *xcalloc(size_t n, size_t size);
/* realloc that never returns NULL. */
void *xrealloc(void *ptr, size_t size);
/* Copy of a NUL-terminated string; the caller frees. xstrdup(NULL) dies (BUG). */
char *xstrdup(const char *s);
/* Copy of the first 'len' bytes of 's' plus a NUL; the caller frees. */
char *xstrndup(const char *s, size_t len);
/* printf into a new string; the caller frees. */
char *xasprintf(const char *fmt, ...) PRINTF_LIKE(1, 2);

/*
 * Grow an array so that it holds at least 'need' elements of 'size' bytes.
 * '*alloc' is the current capacity in elements; it grows geometrically.
 */
void *xgrow(void *ptr, size_t size, size_t need, size_t *alloc);
#define ALLOC_GROW(ptr, need, alloc) ((ptr) = xgrow((ptr), sizeof(*(ptr)), (need), &(alloc)))

/*
 * The same for an array that starts in a fixed array of the caller's ('first', '*alloc'
 * elements, often on the stack) and moves to the heap when it outgrows it. Free the array
 * only when it is no longer 'first'.
 */
void *xgrow_from(void *ptr, void *first, size_t size, size_t need, size_t *alloc);
#define ALLOC_GROW_FROM(ptr, first, need, alloc) \
    ((ptr) = xgrow_from((ptr), (first), sizeof(*(ptr)), (need), &(alloc)))

/* True when 'a' and 'b' are equal strings (both non-NULL). */
static inline bool streq(const char *a, const char *b)
{
    return strcmp(a, b) == 0;
}

/* True when 's' starts with 'prefix'. */
bool starts_with(const char *s, const char *prefix);

/* Wall-clock time in milliseconds since the Unix epoch (CLOCK_REALTIME). */
int64_t unix_time_ms(void);

#endif
