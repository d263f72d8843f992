/* Unit tests: diag (collection, caret rendering, JSON) and log (levels, destination). */
#include "unit.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "diag.h"
#include "log.h"

static void render(const struct diag_list *l, struct buf *out)
{
    buf_reset(out);
    diag_list_render(out, l, false);
}

static void error_with_caret_and_hint(void **state)
{
    struct diag_list l = DIAG_LIST_INIT;
    struct buf out = BUF_INIT;
    const char *line = "bad(a b) echo x";
    struct diag_loc loc = { .file = "Runfile",
                            .line = 3,
                            .col = 7,
                            .offset = 40,
                            .source_line = line,
                            .source_len = strlen(line) };
    struct diag *d;

    (void)state;
    d = diag_add(&l, DIAG_ERROR, &loc, "expected ',' or ')' after parameter '%s'", "a");
    diag_set_hint(d, "separate parameters with commas, as in bad(a, b)");
    assert_int_equal(l.nerrors, 1);
    render(&l, &out);
    assert_string_equal(out.buf,
                        "Runfile:3:7: error: expected ',' or ')' after parameter 'a'\n"
                        "    3 | bad(a b) echo x\n"
                        "      |       ^\n"
                        "      = hint: separate parameters with commas, as in bad(a, b)\n");
    buf_release(&out);
    diag_list_release(&l);
}

static void span_tabs_and_wide_line_numbers(void **state)
{
    struct diag_list l = DIAG_LIST_INIT;
    struct buf out = BUF_INIT;
    const char *line = "\tmigrate(steps: integr = 1) {";
    struct diag_loc loc = { .file = "lib/db.run",
                            .line = 123456,
                            .col = 17,
                            .span = 6,
                            .source_line = line,
                            .source_len = strlen(line) };

    (void)state;
    diag_add(&l, DIAG_WARNING, &loc, "unknown type '%s'", "integr");
    diag_add(&l, DIAG_NOTE, &(struct diag_loc){ .file = "Runfile", .line = 2, .col = 8 },
             "'%s' is sourced here", "lib/db.run");
    assert_int_equal(l.nwarnings, 1);
    assert_int_equal(l.nerrors, 0);
    render(&l, &out);
    assert_string_equal(out.buf, "lib/db.run:123456:17: warning: unknown type 'integr'\n"
                                 "123456 | \tmigrate(steps: integr = 1) {\n"
                                 "       | \t               ^~~~~~\n"
                                 "Runfile:2:8: note: 'lib/db.run' is sourced here\n");
    buf_release(&out);
    diag_list_release(&l);
}

static void columns_count_code_points(void **state)
{
    const char *s = "h\xc3\xa9llo \xe2\x82\xac x\xff!";

    (void)state;
    assert_int_equal(diag_count_chars(s, strlen(s)), 11);
    assert_int_equal(diag_column(s, 3), 3); /* after 'h' and 'é' */
    assert_int_equal(diag_column(s, 0), 1);
    assert_int_equal(diag_column(s, 13), 11); /* the invalid byte counts as one */
}

static void caret_after_end_of_line(void **state)
{
    struct diag_list l = DIAG_LIST_INIT;
    struct buf out = BUF_INIT;
    struct diag_loc loc = {
        .file = "R", .line = 1, .col = 6, .source_line = "f() {", .source_len = 5
    };

    (void)state;
    diag_add(&l, DIAG_ERROR, &loc, "x");
    render(&l, &out);
    assert_string_equal(out.buf, "R:1:6: error: x\n    1 | f() {\n      |      ^\n");
    buf_release(&out);
    diag_list_release(&l);
}

static void too_many_errors(void **state)
{
    struct diag_list l = DIAG_LIST_INIT;
    struct buf out = BUF_INIT;

    (void)state;
    for (int i = 0; i < DIAG_MAX_ERRORS + 5; i++)
        diag_add(&l, DIAG_ERROR, NULL, "e%d", i);
    assert_int_equal(l.nerrors, DIAG_MAX_ERRORS);
    assert_true(diag_list_is_full(&l));
    render(&l, &out);
    assert_non_null(strstr(out.buf, "error: e19\n"));
    assert_null(strstr(out.buf, "e20"));
    assert_true(strlen(out.buf) > 30);
    assert_string_equal(out.buf + out.len - 33, "error: too many errors; stopping\n");
    buf_release(&out);
    diag_list_release(&l);
}

static void json_form(void **state)
{
    struct diag_list l = DIAG_LIST_INIT;
    struct diag_loc loc = { .file = "Runfile", .line = 4, .col = 2, .offset = 31 };
    json_t *o;
    char *s;

    (void)state;
    diag_add(&l, DIAG_WARNING, &loc, "unknown @os value '%s' (ignored)", "beos");
    o = diag_to_json(&l.items[0]);
    s = json_dumps(o, JSON_COMPACT);
    assert_string_equal(s, "{\"file\":\"Runfile\",\"line\":4,\"column\":2,\"offset\":31,"
                           "\"severity\":\"warning\",\"message\":\"unknown @os value 'beos' "
                           "(ignored)\"}");
    free(s);
    json_decref(o);
    diag_list_release(&l);
}

static void append_copies(void **state)
{
    struct diag_list a = DIAG_LIST_INIT, b = DIAG_LIST_INIT;

    (void)state;
    diag_add(&a, DIAG_ERROR, NULL, "one");
    diag_add(&a, DIAG_WARNING, NULL, "two");
    diag_list_append(&b, &a);
    diag_list_release(&a);
    assert_int_equal(b.n, 2);
    assert_int_equal(b.nerrors, 1);
    assert_int_equal(b.nwarnings, 1);
    assert_string_equal(b.items[1].msg, "two");
    diag_list_release(&b);
}

static void log_goes_to_file_and_respects_level(void **state)
{
    char path[] = "/tmp/run-log-test.XXXXXX";
    int fd = mkstemp(path);
    char text[256] = { 0 };
    FILE *f;

    (void)state;
    assert_true(fd >= 0);
    close(fd);
    assert_int_equal(log_open(path), 0);
    log_set_level(LOG_WARN);
    log_debug("hidden %d", 1);
    log_msg(LOG_INFO, "hidden too"); /* the level is checked inside log_msg as well */
    log_warn("shown %d", 2);
    log_error("also shown");
    log_set_level(LOG_DEBUG);
    log_debug("now shown");
    log_close();
    f = fopen(path, "r");
    assert_non_null(f);
    assert_true(fread(text, 1, sizeof(text) - 1, f) > 0);
    fclose(f);
    unlink(path);
    assert_string_equal(text, "run: warning: shown 2\nrun: error: also shown\n"
                              "run: debug: now shown\n");
    log_set_level(LOG_WARN);
    assert_int_equal(log_open("/nonexistent-dir/x.log"), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(error_with_caret_and_hint),
        cmocka_unit_test(span_tabs_and_wide_line_numbers),
        cmocka_unit_test(columns_count_code_points),
        cmocka_unit_test(caret_after_end_of_line),
        cmocka_unit_test(too_many_errors),
        cmocka_unit_test(json_form),
        cmocka_unit_test(append_copies),
        cmocka_unit_test(log_goes_to_file_and_respects_level),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
