/*
 * strmap: open addressing with linear probing; the table is at most half full.
 */
#include "strmap.h"

#include "base.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static uint64_t hash_mem(const char *s, size_t len)
{
    uint64_t h = 1469598103934665603ULL;

    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ULL;
    }
    return h;
}

void strmap_init(struct strmap *m, size_t hint)
{
    size_t cap = 16;

    while (cap < hint * 2)
        cap *= 2;
    m->keys = xcalloc(cap, sizeof(*m->keys));
    m->vals = xcalloc(cap, sizeof(*m->vals));
    m->cap = cap;
    m->n = 0;
}

void strmap_release(struct strmap *m)
{
    free(m->keys);
    free(m->vals);
    memset(m, 0, sizeof(*m));
}

static size_t slot_of_n(const struct strmap *m, const char *key, size_t len)
{
    size_t i = (size_t)hash_mem(key, len) & (m->cap - 1);

    while (m->keys[i] && (strncmp(m->keys[i], key, len) != 0 || m->keys[i][len]))
        i = (i + 1) & (m->cap - 1);
    return i;
}

static size_t slot_of(const struct strmap *m, const char *key)
{
    return slot_of_n(m, key, strlen(key));
}

size_t *strmap_getn(const struct strmap *m, const char *key, size_t len)
{
    size_t i;

    if (!m->cap)
        return NULL;
    i = slot_of_n(m, key, len);
    return m->keys[i] ? &m->vals[i] : NULL;
}

size_t *strmap_get(const struct strmap *m, const char *key)
{
    return strmap_getn(m, key, strlen(key));
}

size_t *strmap_add(struct strmap *m, const char *key, size_t val, bool *added)
{
    size_t i;

    if (!m->cap)
        strmap_init(m, 16);
    if ((m->n + 1) * 2 > m->cap) {
        struct strmap big;
        strmap_init(&big, m->cap);
        for (size_t k = 0; k < m->cap; k++)
            if (m->keys[k])
                strmap_put(&big, m->keys[k], m->vals[k]);
        strmap_release(m);
        *m = big;
    }
    i = slot_of(m, key);
    *added = !m->keys[i];
    if (*added) {
        m->keys[i] = key;
        m->vals[i] = val;
        m->n++;
    }
    return &m->vals[i];
}

void strmap_put(struct strmap *m, const char *key, size_t val)
{
    bool added;

    *strmap_add(m, key, val, &added) = val;
}
