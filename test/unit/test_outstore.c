/* Unit tests: outstore (memory, spilling to files, the truncated form of mcp.md §10.2). */
#include "unit.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "outstore.h"

static char tmp[64];

static int make_tmp(void **state)
{
    (void)state;
    strcpy(tmp, "/tmp/run-outstore-XXXXXX");
    return mkdtemp(tmp) ? 0 : -1;
}

static int remove_tmp(void **state)
{
    char *cmd = xasprintf("rm -rf '%s'", tmp);
    int rc = system(cmd);

    (void)state;
    free(cmd);
    return rc;
}

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    struct buf b = BUF_INIT;
    char chunk[4096];
    size_t n;

    assert_non_null(f);
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        buf_add(&b, chunk, n);
    fclose(f);
    return buf_detach(&b, len);
}

static void touch(const char *path)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);

    assert_true(fd >= 0);
    close(fd);
}

/* The sequence number at the end of a saved file's name ("...-<seq>.txt"). */
static unsigned long seq_of(const char *path)
{
    const char *dash = strrchr(path, '-');

    assert_non_null(dash);
    return strtoul(dash + 1, NULL, 10);
}

/* Write 'len' bytes in pieces of 'step' bytes, as pipe reads would deliver them. */
static void write_in_steps(struct outstore *o, const char *s, size_t len, size_t step)
{
    for (size_t i = 0; i < len; i += step)
        outstore_write(o, s + i, len - i < step ? len - i : step);
}

static void render(const struct outstore *o, struct buf *out)
{
    buf_reset(out);
    outstore_render(o, out);
}

static void memory_only_keeps_everything(void **state)
{
    struct outstore *o = outstore_new(&(struct outstore_opts){ .tool = "t", .stream = "stdout" });
    struct buf in = BUF_INIT, out = BUF_INIT;
    const char *data;
    size_t len;

    (void)state;
    for (int i = 0; i < 3000; i++)
        buf_addf(&in, "%d\n", i);
    write_in_steps(o, in.buf, in.len, 100);
    outstore_finish(o);
    assert_int_equal(outstore_total(o), in.len);
    assert_null(outstore_path(o));
    assert_null(outstore_error(o));
    data = outstore_data(o, &len);
    assert_int_equal(len, in.len);
    assert_memory_equal(data, in.buf, len);
    render(o, &out);
    assert_int_equal(out.len, in.len);
    assert_memory_equal(out.buf, in.buf, in.len);
    outstore_free(o);
    buf_release(&in);
    buf_release(&out);
}

static void at_threshold_no_file(void **state)
{
    char *dir = xasprintf("%s/never/made", tmp);
    struct outstore *o =
        outstore_new(&(struct outstore_opts){ .dir = dir, .tool = "t", .stream = "stdout" });
    struct buf out = BUF_INIT;
    char bytes[1200];
    struct stat st;

    (void)state;
    memset(bytes, 'x', sizeof(bytes));
    outstore_write(o, bytes, sizeof(bytes));
    outstore_finish(o);
    assert_null(outstore_path(o));
    /* The directory is only created when a file is needed. */
    assert_int_equal(stat(dir, &st), -1);
    render(o, &out);
    assert_int_equal(out.len, 1200);
    outstore_free(o);
    buf_release(&out);
    free(dir);
}

/* examples.md §12: `seq 1 400` is 1492 bytes; the tail is lines 101..400, exactly 1200 bytes. */
static void seq_400_example(void **state)
{
    char *dir = xasprintf("%s/shop/.run-output", tmp);
    struct outstore *o = outstore_new(&(struct outstore_opts){
        .dir = dir, .tool = "nums", .stream = "stdout", .now_ms = 1763712000123 });
    struct buf in = BUF_INIT, out = BUF_INIT, want = BUF_INIT, prefix = BUF_INIT;
    char *saved;
    size_t saved_len;
    struct stat st;
    const char *path;

    (void)state;
    for (int i = 1; i <= 400; i++)
        buf_addf(&in, "%d\n", i);
    assert_int_equal(in.len, 1492);
    write_in_steps(o, in.buf, in.len, 7);
    outstore_finish(o);

    path = outstore_path(o);
    assert_non_null(path);
    assert_null(outstore_error(o));
    buf_addf(&prefix, "%s/nums-1763712000123-stdout-", dir);
    assert_true(starts_with(path, prefix.buf));
    assert_true(strlen(path) > 4 && streq(path + strlen(path) - 4, ".txt"));
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);

    saved = read_file(path, &saved_len);
    assert_int_equal(saved_len, 1492);
    assert_memory_equal(saved, in.buf, 1492);

    buf_addf(&want,
             "[Output truncated: 1492 bytes, showing last 1200 bytes]\n"
             "[Full output saved to: %s]\n\n",
             path);
    buf_add(&want, strstr(in.buf, "\n101\n") + 1, 1200);
    render(o, &out);
    assert_string_equal(out.buf, want.buf);
    assert_true(starts_with(out.buf + out.len - 1200, "101\n102\n"));

    outstore_free(o);
    free(saved);
    buf_release(&in);
    buf_release(&out);
    buf_release(&want);
    buf_release(&prefix);
    free(dir);
}

/* A last line longer than the window is cut to whole characters and shown after "...". */
static void long_last_line_cut_at_character(void **state)
{
    static const char *const ends[] = { "x", "\n" };

    (void)state;
    for (size_t e = 0; e < ARRAY_SIZE(ends); e++) {
        struct outstore *o =
            outstore_new(&(struct outstore_opts){ .dir = tmp, .tool = "long", .stream = "stderr" });
        struct buf in = BUF_INIT, out = BUF_INIT, tail = BUF_INIT;
        const char *body;

        buf_addstr(&in, "short\n");
        for (int i = 0; i < 700; i++)
            buf_addstr(&in, "\xE2\x82\xAC"); /* € */
        buf_addstr(&in, ends[e]);
        /* 2107 bytes: the last 1200 start on the second byte of a €, so two bytes are skipped. */
        assert_int_equal(in.len, 2107);
        write_in_steps(o, in.buf, in.len, 1000);
        outstore_finish(o);
        render(o, &out);
        for (int i = 0; i < 399; i++)
            buf_addstr(&tail, "\xE2\x82\xAC");
        buf_addstr(&tail, ends[e]);
        assert_true(starts_with(out.buf, "[Output truncated: 2107 bytes, showing last 1198 bytes]\n"
                                         "[Full output saved to: "));
        body = strstr(out.buf, "]\n\n"); /* the end of the second header line */
        assert_non_null(body);
        buf_insert(&tail, 0, "...", 3);
        assert_string_equal(body + 3, tail.buf);
        outstore_discard(o);
        outstore_free(o);
        buf_release(&in);
        buf_release(&out);
        buf_release(&tail);
    }
}

/* Only three continuation bytes are ever skipped, even in garbage. */
static void cut_skips_at_most_three_bytes(void **state)
{
    struct outstore *o =
        outstore_new(&(struct outstore_opts){ .dir = tmp, .tool = "junk", .stream = "stdout" });
    struct buf out = BUF_INIT;
    char junk[2000];

    (void)state;
    memset(junk, 0x80, sizeof(junk));
    outstore_write(o, junk, sizeof(junk));
    outstore_finish(o);
    render(o, &out);
    assert_true(starts_with(out.buf, "[Output truncated: 2000 bytes, showing last 1197 bytes]\n"));
    assert_true(out.len > 1197 + 3);
    assert_memory_equal(out.buf + out.len - 1200, "...", 3);
    outstore_discard(o);
    outstore_free(o);
    buf_release(&out);
}

static struct outstore *spill(const char *dir, const char *tool)
{
    struct outstore *o = outstore_new(
        &(struct outstore_opts){ .dir = dir, .tool = tool, .stream = "stdout", .now_ms = 42 });
    char bytes[1500];

    memset(bytes, 'y', sizeof(bytes));
    bytes[sizeof(bytes) - 1] = '\n';
    outstore_write(o, bytes, sizeof(bytes));
    outstore_finish(o);
    return o;
}

static void name_collision_takes_next_seq(void **state)
{
    struct outstore *a = spill(tmp, "coll"), *b;
    unsigned long k = seq_of(outstore_path(a));
    char *p1 = xasprintf("%s/coll-42-stdout-%lu.txt", tmp, k + 1);
    char *p2 = xasprintf("%s/coll-42-stdout-%lu.txt", tmp, k + 2);
    char *want = xasprintf("%s/coll-42-stdout-%lu.txt", tmp, k + 3);
    struct stat st;

    (void)state;
    touch(p1);
    touch(p2);
    b = spill(tmp, "coll");
    assert_string_equal(outstore_path(b), want);
    /* The files that were in the way are left alone. */
    assert_int_equal(stat(p1, &st), 0);
    assert_int_equal(st.st_size, 0);
    assert_int_equal(stat(want, &st), 0);
    assert_int_equal(st.st_size, 1500);
    outstore_free(a);
    outstore_free(b);
    free(p1);
    free(p2);
    free(want);
}

static void gives_up_after_100_names(void **state)
{
    struct outstore *a = spill(tmp, "full"), *b;
    unsigned long k = seq_of(outstore_path(a));
    struct buf out = BUF_INIT;
    char *want;

    (void)state;
    for (unsigned long i = 1; i <= 100; i++) {
        char *p = xasprintf("%s/full-42-stdout-%lu.txt", tmp, k + i);
        touch(p);
        free(p);
    }
    b = spill(tmp, "full");
    assert_null(outstore_path(b));
    want = xasprintf("cannot create '%s/full-42-stdout-%lu.txt': File exists", tmp, k + 100);
    assert_string_equal(outstore_error(b), want);
    render(b, &out);
    free(want);
    want = xasprintf("[Output truncated: 1500 bytes, showing last 1200 bytes]\n"
                     "[Full output could not be saved: cannot create '%s/full-42-stdout-%lu.txt': "
                     "File exists]\n\n...",
                     tmp, k + 100);
    assert_true(starts_with(out.buf, want));
    outstore_free(a);
    outstore_free(b);
    buf_release(&out);
    free(want);
}

static void unusable_directory_is_reported(void **state)
{
    char *file = xasprintf("%s/plainfile", tmp);
    char *dir = xasprintf("%s/sub/.run-output", file);
    char *want;
    struct outstore *o;
    struct buf out = BUF_INIT;

    (void)state;
    touch(file);
    o = spill(dir, "nodir");
    assert_null(outstore_path(o));
    want = xasprintf("cannot create directory '%s/sub': Not a directory", file);
    assert_string_equal(outstore_error(o), want);
    render(o, &out);
    free(want);
    want = xasprintf("[Full output could not be saved: cannot create directory '%s/sub': Not a "
                     "directory]\n\n",
                     file);
    assert_non_null(strstr(out.buf, want));
    /* Only the last line (1500 bytes with its '\n') is there: its last 1200 bytes are shown. */
    assert_true(starts_with(out.buf, "[Output truncated: 1500 bytes, showing last 1200 bytes]\n"));
    outstore_free(o);
    buf_release(&out);
    free(want);
    free(dir);
    free(file);
}

static void discard_deletes_the_file(void **state)
{
    struct outstore *o = spill(tmp, "gone");
    char *path = xstrdup(outstore_path(o));
    struct stat st;

    (void)state;
    assert_int_equal(stat(path, &st), 0);
    outstore_discard(o);
    assert_int_equal(stat(path, &st), -1);
    assert_int_equal(errno, ENOENT);
    assert_null(outstore_path(o));
    outstore_discard(o); /* again: nothing left to do */
    outstore_free(o);
    free(path);
}

/* 10 MB go to the file; memory keeps only OUTSTORE_TAIL_KEEP bytes of tail. */
static void large_stream_bounded_memory(void **state)
{
    struct outstore *o =
        outstore_new(&(struct outstore_opts){ .dir = tmp, .tool = "big", .stream = "stdout" });
    char chunk[4096];
    const size_t total = 10u * 1024 * 1024;
    const char *data;
    size_t len;
    struct stat st;

    (void)state;
    for (size_t i = 0; i < total; i += sizeof(chunk)) {
        for (size_t j = 0; j < sizeof(chunk); j++)
            chunk[j] = (char)('a' + (i + j) / 4096 % 26);
        outstore_write(o, chunk, sizeof(chunk));
        data = outstore_data(o, &len);
        assert_true(len <= OUTSTORE_TAIL_KEEP);
    }
    outstore_finish(o);
    assert_int_equal(outstore_total(o), total);
    data = outstore_data(o, &len);
    assert_int_equal(len, OUTSTORE_TAIL_KEEP);
    /* The tail is the end of the stream: its last 4096 bytes are the last chunk. */
    for (size_t j = 0; j < 4096; j++)
        assert_int_equal(data[len - 4096 + j], chunk[j]);
    assert_int_equal(stat(outstore_path(o), &st), 0);
    assert_int_equal(st.st_size, total);
    outstore_discard(o);
    outstore_free(o);
}

static void one_huge_write(void **state)
{
    struct outstore *o =
        outstore_new(&(struct outstore_opts){ .dir = tmp, .tool = "huge", .stream = "stdout" });
    size_t n = 3 * OUTSTORE_TAIL_KEEP + 5, len;
    char *big = xmalloc(n);
    const char *data;

    (void)state;
    for (size_t i = 0; i < n; i++)
        big[i] = (char)(i % 251);
    outstore_write(o, big, n);
    outstore_finish(o);
    data = outstore_data(o, &len);
    assert_int_equal(len, OUTSTORE_TAIL_KEEP);
    assert_memory_equal(data, big + n - OUTSTORE_TAIL_KEEP, OUTSTORE_TAIL_KEEP);
    outstore_discard(o);
    outstore_free(o);
    free(big);
}

static void last_line(void **state)
{
    struct outstore *o = outstore_new(&(struct outstore_opts){ .tool = "l", .stream = "stdout" });
    struct buf b = BUF_INIT;
    char long_line[3000];

    (void)state;
    outstore_last_line(o, &b);
    assert_string_equal(b.buf, "");
    outstore_write(o, "first\nsec", 9);
    buf_reset(&b);
    outstore_last_line(o, &b);
    assert_string_equal(b.buf, "sec");
    outstore_write(o, "ond\r\n\n\n", 7);
    buf_reset(&b);
    outstore_last_line(o, &b);
    assert_string_equal(b.buf, "second");
    outstore_write(o, "\r", 1);
    buf_reset(&b);
    outstore_last_line(o, &b);
    assert_string_equal(b.buf, "second");
    memset(long_line, 'z', sizeof(long_line));
    outstore_write(o, long_line, sizeof(long_line));
    outstore_write(o, "\n", 1);
    buf_reset(&b);
    outstore_last_line(o, &b);
    assert_int_equal(b.len, OUTSTORE_LINE_KEEP);
    /* The '\r' that came first is part of that line: it starts it. */
    assert_int_equal(b.buf[0], '\r');
    outstore_free(o);
    buf_release(&b);
}

/* The rule of outstore_last_line() over the whole text so far, line by line. */
static void expected_last_line(const char *text, size_t len, struct buf *out)
{
    size_t end = len;

    for (;;) {
        size_t start = end, kept;

        while (start && text[start - 1] != '\n')
            start--;
        kept = end - start < OUTSTORE_LINE_KEEP ? end - start : OUTSTORE_LINE_KEEP;
        if (kept && text[start + kept - 1] == '\r')
            kept--;
        if (kept) {
            buf_add(out, text + start, kept);
            return;
        }
        if (!start)
            return;
        end = start - 1;
    }
}

/* Any split of the stream into writes gives the same last line as the whole text. */
static void last_line_any_chunking(void **state)
{
    static const char *const pieces[] = { "", "\r", "a", "ab\r", "\r\r", "x\ry" };
    struct buf text = BUF_INIT, got = BUF_INIT, want = BUF_INIT;
    unsigned seed = 12345;

    (void)state;
    for (int i = 0; i < 400; i++) {
        unsigned r;

        seed = seed * 1103515245u + 12345u;
        r = (seed >> 16) % 10;
        if (r < ARRAY_SIZE(pieces)) {
            buf_addstr(&text, pieces[r]);
        } else {
            /* Long lines, some with a '\r' just where they are cut. */
            size_t n = r == 9 ? OUTSTORE_LINE_KEEP : 1500;

            for (size_t k = 0; k < n; k++)
                buf_addch(&text, (char)('a' + k % 26));
            if (r == 9)
                text.buf[text.len - 1] = '\r';
        }
        if ((seed >> 8) % 5)
            buf_addch(&text, '\n');
    }
    for (size_t step = 1; step <= 4096; step = step * 3 + 1) {
        struct outstore *o =
            outstore_new(&(struct outstore_opts){ .tool = "l", .stream = "stdout" });

        for (size_t at = 0; at < text.len; at += step) {
            size_t n = text.len - at < step ? text.len - at : step;

            outstore_write(o, text.buf + at, n);
            buf_reset(&got);
            buf_reset(&want);
            outstore_last_line(o, &got);
            expected_last_line(text.buf, at + n, &want);
            assert_int_equal(got.len, want.len);
            assert_memory_equal(got.buf, want.buf, want.len);
        }
        outstore_free(o);
    }
    buf_release(&text);
    buf_release(&got);
    buf_release(&want);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(memory_only_keeps_everything),
        cmocka_unit_test(at_threshold_no_file),
        cmocka_unit_test(seq_400_example),
        cmocka_unit_test(long_last_line_cut_at_character),
        cmocka_unit_test(cut_skips_at_most_three_bytes),
        cmocka_unit_test(name_collision_takes_next_seq),
        cmocka_unit_test(gives_up_after_100_names),
        cmocka_unit_test(unusable_directory_is_reported),
        cmocka_unit_test(discard_deletes_the_file),
        cmocka_unit_test(large_stream_bounded_memory),
        cmocka_unit_test(one_huge_write),
        cmocka_unit_test(last_line),
        cmocka_unit_test(last_line_any_chunking),
    };

    return cmocka_run_group_tests(tests, make_tmp, remove_tmp);
}
