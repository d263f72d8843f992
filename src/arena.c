/*
 * arena: bump allocation in chunks. Small requests share a chunk; a request larger than a
 * quarter of the chunk size gets a chunk of its own, linked behind the current one so the
 * free tail of the current chunk is not wasted.
 */
#include "arena.h"

#include "base.h"

#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK_SIZE ((size_t)64 * 1024)
#define ALIGN      alignof(max_align_t)

struct arena_chunk {
    struct arena_chunk *next;
    alignas(max_align_t) char data[];
};

/* 'size' bytes at a multiple of 'align' (a power of two, at most ALIGN). */
static void *bump(struct arena *a, size_t size, size_t align)
{
    struct arena_chunk *c;
    size_t need = size ? size : 1;

    if (a->next) {
        size_t pad = (size_t)(-(uintptr_t)a->next & (align - 1));
        if ((size_t)(a->end - a->next) >= pad && (size_t)(a->end - a->next) - pad >= need) {
            void *p = a->next + pad;
            a->next += pad + need;
            return p;
        }
    }
    if (need > SIZE_MAX - ALIGN)
        die("out of memory (arena request of %zu bytes)", size);
    if (need > CHUNK_SIZE / 4) {
        if (need > SIZE_MAX - sizeof(*c))
            die("out of memory (arena request of %zu bytes)", size);
        c = xmalloc(sizeof(*c) + need);
        /* Behind the newest chunk: its free tail stays in use for small requests. */
        if (a->chunks) {
            c->next = a->chunks->next;
            a->chunks->next = c;
        } else {
            c->next = NULL;
            a->chunks = c;
            a->next = a->end = c->data + need;
        }
        return c->data;
    }
    c = xmalloc(sizeof(*c) + CHUNK_SIZE);
    c->next = a->chunks;
    a->chunks = c;
    a->next = c->data + need;
    a->end = c->data + CHUNK_SIZE;
    return c->data;
}

void *arena_alloc(struct arena *a, size_t size)
{
    return bump(a, size, ALIGN);
}

void *arena_calloc(struct arena *a, size_t n, size_t size)
{
    void *p;

    if (size && n > SIZE_MAX / size)
        die("out of memory (arena request of %zu x %zu bytes)", n, size);
    p = arena_alloc(a, n * size);
    memset(p, 0, n * size);
    return p;
}

char *arena_strndup(struct arena *a, const char *s, size_t len)
{
    char *p;

    if (len == SIZE_MAX)
        die("out of memory (arena string)");
    /* Strings need no alignment: packing them is what keeps a model small. */
    p = bump(a, len + 1, 1);
    if (len)
        memcpy(p, s, len);
    p[len] = '\0';
    return p;
}

char *arena_strdup(struct arena *a, const char *s)
{
    if (!s)
        BUG("arena_strdup(NULL)");
    return arena_strndup(a, s, strlen(s));
}

void arena_release(struct arena *a)
{
    struct arena_chunk *c = a->chunks;

    while (c) {
        struct arena_chunk *next = c->next;
        free(c);
        c = next;
    }
    a->chunks = NULL;
    a->next = a->end = NULL;
}
