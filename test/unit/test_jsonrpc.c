/* Unit tests: jsonrpc framer (pure) and the stdio connection on a private loop. */
#include "unit.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base.h"
#include "buf.h"
#include "jsonrpc.h"

/* Frames collected by 'collect': each line followed by '|', an oversize frame as '<BIG>|'. */
struct sink {
    struct buf text;
    unsigned n, big;
};

static void collect(const char *line, size_t len, bool oversize, void *arg)
{
    struct sink *s = arg;

    if (oversize) {
        assert_null(line);
        buf_addstr(&s->text, "<BIG>|");
        s->big++;
    } else {
        assert_non_null(line);
        buf_add(&s->text, line, len);
        buf_addch(&s->text, '|');
    }
    s->n++;
}

static void feed_str(struct jsonrpc_framer *fr, struct sink *s, const char *str)
{
    jsonrpc_framer_feed(fr, str, strlen(str), collect, s);
}

static void splits_lines_and_strips_cr(void **state)
{
    struct jsonrpc_framer fr;
    struct sink s = { BUF_INIT, 0, 0 };

    (void)state;
    jsonrpc_framer_init(&fr, 100);
    feed_str(&fr, &s, "{\"a\":1}\n{\"b\":2}\r\n\n   \n\t\r\n{\"c\":3}");
    assert_string_equal(s.text.buf, "{\"a\":1}|{\"b\":2}|");
    /* The partial tail is kept until its newline arrives. */
    feed_str(&fr, &s, "4}\n");
    assert_string_equal(s.text.buf, "{\"a\":1}|{\"b\":2}|{\"c\":3}4}|");
    assert_int_equal(s.n, 3);
    /* Only one '\r' before the '\n' is dropped; one inside a line stays. */
    feed_str(&fr, &s, "x\ry\r\r\n");
    assert_string_equal(s.text.buf, "{\"a\":1}|{\"b\":2}|{\"c\":3}4}|x\ry\r|");
    jsonrpc_framer_release(&fr);
    buf_release(&s.text);
}

static void byte_by_byte_equals_whole(void **state)
{
    static const char input[] = "{\"id\":1}\r\n\n{\"id\":2,\"s\":\"\\n\"}\n  \n{\"id\":3}\n";
    struct jsonrpc_framer fr;
    struct sink whole = { BUF_INIT, 0, 0 }, bytes = { BUF_INIT, 0, 0 };

    (void)state;
    jsonrpc_framer_init(&fr, 64);
    feed_str(&fr, &whole, input);
    jsonrpc_framer_release(&fr);
    jsonrpc_framer_init(&fr, 64);
    for (size_t i = 0; i < sizeof(input) - 1; i++)
        jsonrpc_framer_feed(&fr, input + i, 1, collect, &bytes);
    assert_string_equal(whole.text.buf, bytes.text.buf);
    assert_int_equal(whole.n, 3);
    assert_int_equal(bytes.n, 3);
    assert_int_equal(fr.partial.len, 0);
    jsonrpc_framer_release(&fr);
    buf_release(&whole.text);
    buf_release(&bytes.text);
}

static void oversize_is_reported_once_and_skipped(void **state)
{
    struct jsonrpc_framer fr;
    struct sink s = { BUF_INIT, 0, 0 };
    char big[40];

    (void)state;
    memset(big, 'x', sizeof(big));
    jsonrpc_framer_init(&fr, 10);
    /* Exactly at the limit is fine, also with "\r\n". */
    feed_str(&fr, &s, "0123456789\n0123456789\r\n");
    assert_string_equal(s.text.buf, "0123456789|0123456789|");
    /* One byte more is not, whether seen whole or in pieces. */
    feed_str(&fr, &s, "0123456789A\nok\n");
    assert_string_equal(s.text.buf, "0123456789|0123456789|<BIG>|ok|");
    jsonrpc_framer_feed(&fr, big, 5, collect, &s);
    jsonrpc_framer_feed(&fr, big, 20, collect, &s); /* limit passed: reported now */
    assert_int_equal(s.big, 2);
    jsonrpc_framer_feed(&fr, big, 40, collect, &s); /* still the same frame */
    assert_int_equal(s.big, 2);
    assert_true(fr.partial.alloc < 64); /* nothing of it is kept */
    feed_str(&fr, &s, "yy\nnext\n");
    assert_string_equal(s.text.buf, "0123456789|0123456789|<BIG>|ok|<BIG>|next|");
    assert_int_equal(s.n, 6);
    jsonrpc_framer_release(&fr);
    buf_release(&s.text);
}

static void finish_delivers_unterminated_line(void **state)
{
    struct jsonrpc_framer fr;
    struct sink s = { BUF_INIT, 0, 0 };

    (void)state;
    jsonrpc_framer_init(&fr, 0);
    assert_int_equal(fr.max_frame, JSONRPC_MAX_FRAME);
    feed_str(&fr, &s, "a\nlast");
    jsonrpc_framer_finish(&fr, collect, &s);
    assert_string_equal(s.text.buf, "a|last|");
    feed_str(&fr, &s, "  \r");
    jsonrpc_framer_finish(&fr, collect, &s);
    assert_int_equal(s.n, 2);
    jsonrpc_framer_release(&fr);
    buf_release(&s.text);
}

static void parse_limit(void **state)
{
    (void)state;
    assert_int_equal(jsonrpc_parse_limit("1024", 7), 1024);
    assert_int_equal(jsonrpc_parse_limit(NULL, 7), 7);
    assert_int_equal(jsonrpc_parse_limit("", 7), 7);
    assert_int_equal(jsonrpc_parse_limit("0", 7), 7);
    assert_int_equal(jsonrpc_parse_limit("-5", 7), 7);
    assert_int_equal(jsonrpc_parse_limit("12k", 7), 7);
}

static void dumped_is(json_t *msg, const char *expected)
{
    char *text = json_dumps(msg, JSON_COMPACT);

    assert_string_equal(text, expected);
    free(text);
    json_decref(msg);
}

static void envelopes_in_order(void **state)
{
    json_t *id = json_integer(9007199254740991LL);
    json_t *sid = json_string("a\"b");

    (void)state;
    dumped_is(jsonrpc_result(id, json_object()),
              "{\"jsonrpc\":\"2.0\",\"id\":9007199254740991,\"result\":{}}");
    dumped_is(jsonrpc_error(sid, JSONRPC_METHOD_NOT_FOUND, "Method not found: %s", "x/y"),
              "{\"jsonrpc\":\"2.0\",\"id\":\"a\\\"b\",\"error\":{\"code\":-32601,"
              "\"message\":\"Method not found: x/y\"}}");
    dumped_is(jsonrpc_error(NULL, JSONRPC_PARSE_ERROR, "Parse error: near '%s'", "\xff\xfex"),
              "{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32700,"
              "\"message\":\"Parse error: near '??x'\"}}");
    dumped_is(jsonrpc_notification("notifications/tools/list_changed", NULL),
              "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/tools/list_changed\"}");
    dumped_is(jsonrpc_notification("n", json_pack("{s:i}", "progress", 1)),
              "{\"jsonrpc\":\"2.0\",\"method\":\"n\",\"params\":{\"progress\":1}}");
    json_decref(id);
    json_decref(sid);
}

/* ---- the connection ---- */

struct conn_test {
    struct sink sink;
    unsigned eof, gone, flushed;
    struct jsonrpc_conn *conn;
    bool close_on_eof;
};

static void on_end(struct jsonrpc_conn *c, enum jsonrpc_end why, void *arg)
{
    struct conn_test *t = arg;

    if (why == JSONRPC_END_EOF)
        t->eof++;
    else
        t->gone++;
    if (t->close_on_eof)
        jsonrpc_conn_close(c);
}

static void on_flushed(struct jsonrpc_conn *c, void *arg)
{
    struct conn_test *t = arg;

    t->flushed++;
    jsonrpc_conn_close(c);
}

static int temp_file_with(const char *text)
{
    char path[] = "/tmp/test_jsonrpc_XXXXXX";
    int fd = mkstemp(path);

    assert_true(fd >= 0);
    unlink(path);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
    return fd;
}

/* A regular file as stdin (libuv would abort if it were opened as a pipe) and as stdout. */
static void reads_regular_file_and_writes_file(void **state)
{
    uv_loop_t loop;
    struct conn_test t = { .sink = { BUF_INIT, 0, 0 } };
    int in = temp_file_with("{\"a\":1}\r\n\n{\"b\":2}\nlast");
    int out = temp_file_with("");
    json_t *msg = json_pack("{s:s,s:i}", "x", "a\nb", "y", 2);
    char back[100];
    ssize_t n;

    (void)state;
    assert_int_equal(uv_loop_init(&loop), 0);
    t.conn = jsonrpc_conn_new(
        &loop, &(struct jsonrpc_conn_opts){
                   .in_fd = in, .out_fd = out, .frame = collect, .end = on_end, .arg = &t });
    t.close_on_eof = true;
    jsonrpc_conn_send(t.conn, msg);
    assert_int_equal(jsonrpc_conn_pending(t.conn), 0);
    assert_int_equal(uv_run(&loop, UV_RUN_DEFAULT), 0);
    assert_string_equal(t.sink.text.buf, "{\"a\":1}|{\"b\":2}|last|");
    assert_int_equal(t.eof, 1);
    assert_int_equal(uv_loop_close(&loop), 0);
    n = pread(out, back, sizeof(back) - 1, 0);
    assert_true(n > 0);
    back[n] = '\0';
    assert_string_equal(back, "{\"x\":\"a\\nb\",\"y\":2}\n");
    json_decref(msg);
    close(in);
    close(out);
    buf_release(&t.sink.text);
}

/* A socket pair (what node's spawn gives us): frames arrive, writes are ordered, EOF ends. */
static void socket_round_trip_and_flush(void **state)
{
    uv_loop_t loop;
    struct conn_test t = { .sink = { BUF_INIT, 0, 0 } };
    int in[2], out[2];
    char back[4096];
    ssize_t n, total = 0;
    static const char req[] = "{\"id\":1}\n{\"id\":";

    (void)state;
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, in), 0);
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, out), 0);
    assert_int_equal(write(in[1], req, sizeof(req) - 1), (ssize_t)sizeof(req) - 1);
    assert_int_equal(write(in[1], "2}\n", 3), 3);
    close(in[1]);
    assert_int_equal(uv_loop_init(&loop), 0);
    t.conn = jsonrpc_conn_new(
        &loop, &(struct jsonrpc_conn_opts){
                   .in_fd = in[0], .out_fd = out[0], .frame = collect, .end = on_end, .arg = &t });
    for (int i = 0; i < 50; i++) {
        json_t *m = json_pack("{s:i}", "n", i);

        jsonrpc_conn_send(t.conn, m);
        json_decref(m);
    }
    assert_int_equal(jsonrpc_conn_pending(t.conn), 50);
    jsonrpc_conn_flush(t.conn, on_flushed, &t);
    assert_int_equal(uv_run(&loop, UV_RUN_DEFAULT), 0);
    assert_int_equal(t.flushed, 1);
    assert_int_equal(uv_loop_close(&loop), 0);
    assert_string_equal(t.sink.text.buf, "{\"id\":1}|{\"id\":2}|");
    while ((n = read(out[1], back + total, sizeof(back) - 1 - (size_t)total)) > 0) {
        total += n;
        if (total >= 50 * 8)
            break;
    }
    back[total] = '\0';
    assert_true(strncmp(back, "{\"n\":0}\n{\"n\":1}\n{\"n\":2}\n", 24) == 0);
    assert_non_null(strstr(back, "{\"n\":48}\n{\"n\":49}\n"));
    close(in[0]);
    close(out[0]);
    close(out[1]);
    buf_release(&t.sink.text);
}

/* A client that closed its end of stdout is gone: EPIPE is reported once, not SIGPIPE. */
static void broken_stdout_is_reported(void **state)
{
    uv_loop_t loop;
    struct conn_test t = { .sink = { BUF_INIT, 0, 0 } };
    int in[2], out[2];
    json_t *m = json_pack("{s:s}", "k", "v");

    (void)state;
    signal(SIGPIPE, SIG_IGN);
    assert_int_equal(pipe(in), 0);
    assert_int_equal(pipe(out), 0);
    close(out[0]);
    assert_int_equal(uv_loop_init(&loop), 0);
    t.conn = jsonrpc_conn_new(
        &loop, &(struct jsonrpc_conn_opts){
                   .in_fd = in[0], .out_fd = out[1], .frame = collect, .end = on_end, .arg = &t });
    t.close_on_eof = true;
    jsonrpc_conn_send(t.conn, m);
    jsonrpc_conn_send(t.conn, m);
    assert_int_equal(uv_run(&loop, UV_RUN_DEFAULT), 0);
    assert_int_equal(t.gone, 1);
    assert_int_equal(t.eof, 0);
    assert_int_equal(uv_loop_close(&loop), 0);
    json_decref(m);
    close(in[0]);
    close(in[1]);
    close(out[1]);
    buf_release(&t.sink.text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(splits_lines_and_strips_cr),
        cmocka_unit_test(byte_by_byte_equals_whole),
        cmocka_unit_test(oversize_is_reported_once_and_skipped),
        cmocka_unit_test(finish_delivers_unterminated_line),
        cmocka_unit_test(parse_limit),
        cmocka_unit_test(envelopes_in_order),
        cmocka_unit_test(reads_regular_file_and_writes_file),
        cmocka_unit_test(socket_round_trip_and_flush),
        cmocka_unit_test(broken_stdout_is_reported),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
