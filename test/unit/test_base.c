/* Unit tests: base (allocators, helpers) and buf (growable bytes). */
#include "unit.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "base.h"
#include "buf.h"
#include "strmap.h"

struct outer {
    int a;
    double b;
    char member;
};

static void container_of_recovers_owner(void **state)
{
    struct outer o;
    char *p = &o.member;

    (void)state;
    assert_ptr_equal(container_of(p, struct outer, member), &o);
    assert_int_equal(ARRAY_SIZE((int[7]){ 0 }), 7);
}

static void xstrndup_and_asprintf(void **state)
{
    char *s = xstrndup("hello world", 5);
    char *t = xasprintf("%s-%d", s, 42);

    (void)state;
    assert_string_equal(s, "hello");
    assert_string_equal(t, "hello-42");
    assert_true(starts_with(t, "hello-"));
    assert_false(starts_with(t, "world"));
    free(s);
    free(t);
}

static void xgrow_keeps_contents(void **state)
{
    int *v = NULL;
    size_t alloc = 0;

    (void)state;
    for (int i = 0; i < 1000; i++) {
        ALLOC_GROW(v, (size_t)i + 1, alloc);
        v[i] = i * 3;
    }
    assert_true(alloc >= 1000);
    for (int i = 0; i < 1000; i++)
        assert_int_equal(v[i], i * 3);
    free(v);
}

static void buf_starts_empty_and_terminated(void **state)
{
    struct buf b = BUF_INIT;

    (void)state;
    assert_int_equal(b.len, 0);
    assert_string_equal(b.buf, "");
    buf_release(&b);
    assert_string_equal(b.buf, "");
}

static void buf_appends(void **state)
{
    struct buf b = BUF_INIT;

    (void)state;
    buf_addstr(&b, "abc");
    buf_addch(&b, '-');
    buf_addf(&b, "%05d|%s", 42, "x");
    buf_addchars(&b, '.', 3);
    buf_add(&b, "\0z", 2);
    assert_int_equal(b.len, 3 + 1 + 7 + 3 + 2);
    assert_memory_equal(b.buf, "abc-00042|x...\0z", b.len);
    assert_int_equal(b.buf[b.len], '\0');
    buf_release(&b);
}

static void buf_addf_grows_past_initial_size(void **state)
{
    struct buf b = BUF_INIT;
    char big[5000];

    (void)state;
    memset(big, 'q', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    buf_addstr(&b, "x");
    buf_addf(&b, "%s%s", big, big);
    assert_int_equal(b.len, 1 + 2 * (sizeof(big) - 1));
    assert_int_equal(b.buf[b.len - 1], 'q');
    assert_int_equal(b.buf[b.len], '\0');
    buf_release(&b);
}

static void buf_insert_rtrim_detach(void **state)
{
    struct buf b = BUF_INIT;
    size_t len;
    char *s;

    (void)state;
    buf_addstr(&b, "world \t\n\n");
    buf_insert(&b, 0, "hello ", 6);
    buf_rtrim(&b);
    assert_string_equal(b.buf, "hello world");
    s = buf_detach(&b, &len);
    assert_int_equal(len, 11);
    assert_string_equal(s, "hello world");
    assert_int_equal(b.len, 0);
    assert_string_equal(b.buf, "");
    free(s);
    s = buf_detach(&b, NULL); /* an empty buffer detaches to a fresh "" */
    assert_string_equal(s, "");
    free(s);
}

static void buf_reset_keeps_memory(void **state)
{
    struct buf b = BUF_INIT;
    char *before;

    (void)state;
    buf_addstr(&b, "some text");
    before = b.buf;
    buf_reset(&b);
    assert_int_equal(b.len, 0);
    assert_string_equal(b.buf, "");
    buf_addstr(&b, "ab");
    assert_ptr_equal(b.buf, before);
    assert_string_equal(b.buf, "ab");
    buf_release(&b);
}

/* Every pointer stays valid and aligned until the release, across chunks and big requests. */
static void arena_keeps_everything_until_release(void **state)
{
    struct arena a = ARENA_INIT;
    char *strs[5000];
    long *longs[200];
    char *big = NULL;

    (void)state;
    for (int round = 0; round < 2; round++) { /* the second round reuses a released arena */
        for (int i = 0; i < 5000; i++) {
            char t[32];
            int n = snprintf(t, sizeof(t), "s%d-%d", i, round);
            strs[i] = arena_strndup(&a, t, (size_t)n);
            if (i % 25 == 0) {
                longs[i / 25] = arena_calloc(&a, 3, sizeof(long));
                assert_int_equal((uintptr_t)longs[i / 25] % _Alignof(max_align_t), 0);
                assert_int_equal(longs[i / 25][0] | longs[i / 25][1] | longs[i / 25][2], 0);
                longs[i / 25][0] = i;
            }
            if (i == 2500) {
                /* Larger than a quarter chunk: a chunk of its own, the current one goes on. */
                big = arena_alloc(&a, 100000);
                memset(big, 'x', 100000);
            }
        }
        for (int i = 0; i < 5000; i++) {
            char t[32];
            snprintf(t, sizeof(t), "s%d-%d", i, round);
            assert_string_equal(strs[i], t);
        }
        for (int i = 0; i < 200; i++)
            assert_int_equal(longs[i][0], i * 25);
        assert_int_equal(big[0], 'x');
        assert_int_equal(big[99999], 'x');
        assert_string_equal(arena_strdup(&a, "tail"), "tail");
        assert_string_equal(arena_strndup(&a, NULL, 0), "");
        assert_non_null(arena_alloc(&a, 0));
        arena_release(&a);
        assert_null(a.chunks);
    }
    /* A first request that is big: the arena starts with a chunk of its own. */
    big = arena_alloc(&a, 50000);
    memset(big, 'y', 50000);
    assert_string_equal(arena_strdup(&a, "after"), "after");
    arena_release(&a);
}

/* An array that starts in the caller's buffer keeps its elements when it moves to the heap. */
static void xgrow_from_leaves_the_first_array(void **state)
{
    int first[4], *a = first;
    size_t alloc = ARRAY_SIZE(first);

    (void)state;
    for (int i = 0; i < 4; i++) {
        ALLOC_GROW_FROM(a, first, (size_t)i + 1, alloc);
        a[i] = i;
    }
    assert_ptr_equal(a, first);
    assert_int_equal(alloc, 4);
    for (int i = 4; i < 100; i++) {
        ALLOC_GROW_FROM(a, first, (size_t)i + 1, alloc);
        a[i] = i;
    }
    assert_ptr_not_equal(a, first);
    assert_true(alloc >= 100);
    for (int i = 0; i < 100; i++)
        assert_int_equal(a[i], i);
    free(a);
}

/* strmap: put replaces, add inserts only once, values can be changed in place, and the
 * table keeps every key across growth. */
static void strmap_put_add_get(void **state)
{
    struct strmap m = { 0 };
    char keys[300][8];
    bool added;
    size_t *v;

    (void)state;
    for (int i = 0; i < 300; i++) {
        snprintf(keys[i], sizeof(keys[i]), "k%d", i);
        strmap_put(&m, keys[i], (size_t)i);
    }
    assert_int_equal(m.n, 300);
    for (int i = 0; i < 300; i++)
        assert_int_equal(*strmap_get(&m, keys[i]), i);
    assert_null(strmap_get(&m, "k300"));
    assert_int_equal(*strmap_getn(&m, "k12xyz", 3), 12);
    strmap_put(&m, "k7", 70);
    assert_int_equal(*strmap_get(&m, keys[7]), 70);
    v = strmap_add(&m, "k8", 80, &added);
    assert_false(added);
    assert_int_equal(*v, 8);
    *v = 81;
    assert_int_equal(*strmap_get(&m, "k8"), 81);
    v = strmap_add(&m, "new", 5, &added);
    assert_true(added);
    assert_int_equal(*v, 5);
    assert_int_equal(m.n, 301);
    strmap_release(&m);
    assert_null(strmap_get(&m, "k1"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(container_of_recovers_owner),
        cmocka_unit_test(arena_keeps_everything_until_release),
        cmocka_unit_test(xstrndup_and_asprintf),
        cmocka_unit_test(xgrow_keeps_contents),
        cmocka_unit_test(strmap_put_add_get),
        cmocka_unit_test(xgrow_from_leaves_the_first_array),
        cmocka_unit_test(buf_starts_empty_and_terminated),
        cmocka_unit_test(buf_appends),
        cmocka_unit_test(buf_addf_grows_past_initial_size),
        cmocka_unit_test(buf_insert_rtrim_detach),
        cmocka_unit_test(buf_reset_keeps_memory),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
