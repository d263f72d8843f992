/*
 * strmap: a string -> index hash table (open addressing, FNV-1a). The keys are borrowed: the
 * caller keeps them alive and unchanged while they are in the map. Used for function names,
 * canonical paths and tool names.
 *
 *   struct strmap m = { 0 };         // or strmap_init(&m, expected) to size it once
 *   strmap_put(&m, name, i);
 *   size_t *v = strmap_get(&m, name);  // NULL when absent; *v may be changed in place
 *   strmap_release(&m);
 */
#ifndef RUN_STRMAP_H
#define RUN_STRMAP_H

#include <stdbool.h>
#include <stddef.h>

/* Walking the table is allowed: slot k holds an entry when keys[k] is not NULL; its value may
 * be changed, and its key replaced by an equal string. */
struct strmap {
    const char **keys; /* borrowed */
    size_t *vals;
    size_t cap, n;
};

/* Empty, with room for 'hint' keys before it grows. */
void strmap_init(struct strmap *m, size_t hint);
void strmap_release(struct strmap *m);
/* The value of 'key', or NULL when it is not there. */
size_t *strmap_get(const struct strmap *m, const char *key);
/* The same for the 'len' bytes at 'key' (no NUL needed). */
size_t *strmap_getn(const struct strmap *m, const char *key, size_t len);
/* Insert or replace the value. A replaced entry keeps its first key. 'key' must outlive the
 * map. */
void strmap_put(struct strmap *m, const char *key, size_t val);
/*
 * One lookup for "insert unless there": adds 'key' with 'val' when it is absent (*added true),
 * else leaves the entry as it is (*added false). Returns the entry's value. Value pointers
 * stay valid until an insertion grows the table, which a map sized by strmap_init(m, hint)
 * does not do before it holds 'hint' keys.
 */
size_t *strmap_add(struct strmap *m, const char *key, size_t val, bool *added);

#endif
