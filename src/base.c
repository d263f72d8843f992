/*
 * base: dying allocators and BUG(). Every allocation in run goes through these (libuv and
 * jansson are routed here by main), so out-of-memory is handled in exactly one place.
 */
#include "base.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/*
 * BUG(), die() and out_of_memory() ignore the results of their stdio calls on purpose: the
 * process is about to end, and stderr is the last place a failure could be reported to.
 */
void bug_at(const char *file, int line, const char *fmt, ...)
{
    va_list ap;

    (void)fprintf(stderr, "BUG: %s:%d: ", file, line);
    va_start(ap, fmt);
    (void)vfprintf(stderr, fmt, ap);
    va_end(ap);
    (void)fputc('\n', stderr);
    abort();
}

void die(const char *fmt, ...)
{
    va_list ap;

    (void)fputs("run: fatal: ", stderr);
    va_start(ap, fmt);
    (void)vfprintf(stderr, fmt, ap);
    va_end(ap);
    (void)fputc('\n', stderr);
    exit(1);
}

static NORETURN void out_of_memory(size_t size)
{
    /* No allocation here: we are out of memory. */
    (void)fprintf(stderr, "run: fatal: out of memory (allocating %zu bytes)\n", size);
    exit(1);
}

void *xmalloc(size_t size)
{
    void *p = malloc(size ? size : 1);

    if (!p)
        out_of_memory(size);
    return p;
}

void *xcalloc(size_t n, size_t size)
{
    void *p;

    if (size && n > SIZE_MAX / size)
        out_of_memory(SIZE_MAX);
    p = calloc(n ? n : 1, size ? size : 1);
    if (!p)
        out_of_memory(n * size);
    return p;
}

void *xrealloc(void *ptr, size_t size)
{
    void *p = realloc(ptr, size ? size : 1);

    if (!p)
        out_of_memory(size);
    return p;
}

char *xstrdup(const char *s)
{
    if (!s)
        BUG("xstrdup(NULL)");
    return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t len)
{
    char *p = xmalloc(len + 1);

    memcpy(p, s, len);
    p[len] = '\0';
    return p;
}

char *xasprintf(const char *fmt, ...)
{
    va_list ap;
    int n;
    char *p;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        BUG("bad format '%s'", fmt);
    p = xmalloc((size_t)n + 1);
    va_start(ap, fmt);
    (void)vsnprintf(p, (size_t)n + 1, fmt, ap); /* the length was measured above */
    va_end(ap);
    return p;
}

void *xgrow(void *ptr, size_t size, size_t need, size_t *alloc)
{
    size_t n = *alloc;

    if (need <= n)
        return ptr;
    n = n < 8 ? 8 : n;
    while (n < need) {
        if (n > SIZE_MAX / 2 / size)
            out_of_memory(SIZE_MAX);
        n *= 2;
    }
    *alloc = n;
    return xrealloc(ptr, n * size);
}

void *xgrow_from(void *ptr, void *first, size_t size, size_t need, size_t *alloc)
{
    size_t n = *alloc;
    void *p;

    if (ptr != first)
        return xgrow(ptr, size, need, alloc);
    if (need <= n)
        return ptr;
    /* Leaving the caller's array for the heap: copy what it holds. */
    p = xgrow(NULL, size, need, &n);
    memcpy(p, first, *alloc * size);
    *alloc = n;
    return p;
}

bool starts_with(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

int64_t unix_time_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
