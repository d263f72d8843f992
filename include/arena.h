/*
 * arena: memory that is freed all at once.
 *
 * A loaded Runfile is tens of thousands of small strings (names, descriptions, bodies,
 * defaults) that all live exactly as long as the model. Taking each from malloc and giving
 * each back cost a quarter of `run --list` (test/bench/RESULTS.md, B); an arena hands them
 * out from large chunks by bumping a pointer and frees the chunks together.
 *
 *   struct arena a = ARENA_INIT;
 *   char *name = arena_strndup(&a, text, len);
 *   ...
 *   arena_release(&a);   // every pointer it gave out is now invalid
 *
 * Allocation never fails for callers (like xmalloc). Nothing is freed one by one: memory
 * dropped on an error path stays until the release.
 */
#ifndef RUN_ARENA_H
#define RUN_ARENA_H

#include <stddef.h>

struct arena_chunk;

struct arena {
    struct arena_chunk *chunks; /* newest first */
    char *next, *end;           /* the free part of the newest chunk */
};

#define ARENA_INIT       \
    {                    \
        NULL, NULL, NULL \
    }

/* 'size' bytes aligned for any object (uninitialised). arena_alloc(a, 0) is a valid pointer. */
void *arena_alloc(struct arena *a, size_t size);
/* 'n' zeroed objects of 'size' bytes; dies on overflow. */
void *arena_calloc(struct arena *a, size_t n, size_t size);
/* A copy of the 'len' bytes at 's' plus a NUL. */
char *arena_strndup(struct arena *a, const char *s, size_t len);
/* A copy of the NUL-terminated 's'. */
char *arena_strdup(struct arena *a, const char *s);
/* Free every chunk; the arena is empty and usable again. */
void arena_release(struct arena *a);

#endif
