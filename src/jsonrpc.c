/*
 * jsonrpc: the line framer (pure) and the stdio connection (libuv).
 *
 * Invariants: the framer never holds more than max_frame + 1 bytes; the connection writes
 * each message with one uv_write (or one synchronous write loop for a regular file), so
 * messages never interleave, and it is freed only after every handle it opened has been
 * closed and its last file read has returned.
 */
#include "jsonrpc.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <unistd.h>

#include "base.h"

#define READ_CHUNK ((size_t)64 * 1024)

void jsonrpc_framer_init(struct jsonrpc_framer *fr, size_t max_frame)
{
    buf_init(&fr->partial, 0);
    fr->max_frame = max_frame ? max_frame : JSONRPC_MAX_FRAME;
    fr->discarding = false;
}

void jsonrpc_framer_release(struct jsonrpc_framer *fr)
{
    buf_release(&fr->partial);
    fr->discarding = false;
}

static bool is_blank(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
            return false;
    return true;
}

/* One complete line (without its '\n'). */
static void emit(struct jsonrpc_framer *fr, const char *line, size_t len, jsonrpc_frame_fn *fn,
                 void *arg)
{
    if (len && line[len - 1] == '\r')
        len--;
    if (len > fr->max_frame)
        fn(NULL, 0, true, arg);
    else if (!is_blank(line, len))
        fn(line, len, false, arg);
}

/* The current frame passed the limit: report it now and drop its bytes. */
static void overflow(struct jsonrpc_framer *fr, bool at_newline, jsonrpc_frame_fn *fn, void *arg)
{
    buf_release(&fr->partial);
    fr->discarding = !at_newline;
    fn(NULL, 0, true, arg);
}

void jsonrpc_framer_feed(struct jsonrpc_framer *fr, const char *data, size_t len,
                         jsonrpc_frame_fn *fn, void *arg)
{
    const char *p = data, *end = data + len;

    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t chunk = (size_t)((nl ? nl : end) - p);

        if (fr->discarding) {
            if (!nl)
                return;
            fr->discarding = false;
            p = nl + 1;
            continue;
        }
        /*
         * A frame may be max_frame bytes plus the '\r' of a "\r\n" ending, so only more than
         * max_frame + 1 bytes prove it too long before its '\n' is seen.
         */
        if (fr->partial.len + chunk > fr->max_frame + 1) {
            overflow(fr, nl != NULL, fn, arg);
            if (!nl)
                return;
            p = nl + 1;
            continue;
        }
        if (!nl) {
            buf_add(&fr->partial, p, chunk);
            return;
        }
        if (fr->partial.len) {
            buf_add(&fr->partial, p, chunk);
            /* Copy out first: 'fn' may feed again (it must not, but stay safe). */
            {
                struct buf line = fr->partial;

                buf_init(&fr->partial, 0);
                emit(fr, line.buf, line.len, fn, arg);
                buf_release(&line);
            }
        } else {
            emit(fr, p, chunk, fn, arg);
        }
        p = nl + 1;
    }
}

void jsonrpc_framer_finish(struct jsonrpc_framer *fr, jsonrpc_frame_fn *fn, void *arg)
{
    struct buf line = fr->partial;

    buf_init(&fr->partial, 0);
    if (!fr->discarding && line.len)
        emit(fr, line.buf, line.len, fn, arg);
    fr->discarding = false;
    buf_release(&line);
}

json_t *jsonrpc_result(json_t *id, json_t *result)
{
    json_t *m = json_object();

    json_object_set_new(m, "jsonrpc", json_string("2.0"));
    json_object_set(m, "id", id ? id : json_null());
    json_object_set_new(m, "result", result);
    return m;
}

json_t *jsonrpc_error(json_t *id, int code, const char *fmt, ...)
{
    json_t *m = json_object(), *e = json_object(), *msg;
    struct buf text = BUF_INIT;
    va_list ap;

    va_start(ap, fmt);
    buf_vaddf(&text, fmt, ap);
    va_end(ap);
    msg = json_stringn(text.buf, text.len);
    if (!msg) {
        /* Not UTF-8 (jansson quoting the bad bytes of a line): keep the ASCII. */
        for (size_t i = 0; i < text.len; i++)
            if ((unsigned char)text.buf[i] >= 0x80 || !text.buf[i])
                text.buf[i] = '?';
        msg = json_stringn(text.buf, text.len);
    }
    json_object_set_new(m, "jsonrpc", json_string("2.0"));
    json_object_set(m, "id", id ? id : json_null());
    json_object_set_new(e, "code", json_integer(code));
    json_object_set_new(e, "message", msg);
    json_object_set_new(m, "error", e);
    buf_release(&text);
    return m;
}

json_t *jsonrpc_notification(const char *method, json_t *params)
{
    json_t *m = json_object();

    json_object_set_new(m, "jsonrpc", json_string("2.0"));
    json_object_set_new(m, "method", json_string(method));
    if (params)
        json_object_set_new(m, "params", params);
    return m;
}

size_t jsonrpc_parse_limit(const char *text, size_t fallback)
{
    char *endp;
    unsigned long long v;

    if (!text || *text < '0' || *text > '9')
        return fallback;
    errno = 0;
    v = strtoull(text, &endp, 10);
    if (errno || *endp || v == 0 || v > SIZE_MAX / 2)
        return fallback;
    return (size_t)v;
}

/* ---- the connection ---------------------------------------------------------------------- */

enum in_kind {
    IN_NONE,   /* unusable: reads as end of file */
    IN_STREAM, /* pipe, socket or terminal */
    IN_FILE,   /* regular file or other non-pollable fd: uv_fs_read */
};

enum out_kind {
    OUT_STREAM,
    OUT_FD, /* synchronous write(2): regular files and anything libuv cannot poll */
};

union stream {
    uv_handle_t handle;
    uv_stream_t stream;
    uv_pipe_t pipe;
    uv_tcp_t tcp;
    uv_tty_t tty;
};

struct jsonrpc_conn {
    uv_loop_t *loop;
    struct jsonrpc_framer framer;
    jsonrpc_frame_fn *frame;
    jsonrpc_end_fn *end;
    void *arg;
    size_t dump_flags;

    enum in_kind in_kind;
    int in_fd;
    union stream in;
    uv_fs_t read_req;
    bool read_in_flight;
    char *rbuf;

    enum out_kind out_kind;
    int out_fd;
    union stream out;

    uv_timer_t defer; /* runs deferred end-of-file and flush callbacks from the loop */

    unsigned open;  /* handles not yet closed + a file read in flight */
    size_t pending; /* messages queued but not yet written */
    bool reading;   /* frames are delivered */
    bool eof_seen;  /* input ended; the 'end' callback may still be due */
    bool eof_told;  /* 'end(EOF)' was called */
    bool out_gone;  /* 'end(OUTPUT_GONE)' was called or is due */
    bool gone_told;
    bool closing;
    jsonrpc_flushed_fn *flushed;
    void *flushed_arg;
};

struct write_req {
    uv_write_t req;
    struct jsonrpc_conn *conn;
    size_t len;
    char data[];
};

static void maybe_free(struct jsonrpc_conn *c)
{
    if (!c->closing || c->open)
        return;
    jsonrpc_framer_release(&c->framer);
    free(c->rbuf);
    free(c);
}

static void on_handle_closed(uv_handle_t *h)
{
    struct jsonrpc_conn *c = h->data;

    c->open--;
    maybe_free(c);
}

static void deliver(const char *line, size_t len, bool oversize, void *arg)
{
    struct jsonrpc_conn *c = arg;

    if (c->reading && !c->closing)
        c->frame(line, len, oversize, c->arg);
}

/* Run the callbacks that must not run inside the caller's stack. */
static void on_defer(uv_timer_t *t)
{
    struct jsonrpc_conn *c = container_of(t, struct jsonrpc_conn, defer);

    if (c->closing)
        return;
    if (c->out_gone && !c->gone_told) {
        c->gone_told = true;
        c->end(c, JSONRPC_END_OUTPUT_GONE, c->arg);
        if (c->closing)
            return;
    }
    if (c->eof_seen && !c->eof_told && c->reading) {
        c->eof_told = true;
        c->end(c, JSONRPC_END_EOF, c->arg);
        if (c->closing)
            return;
    }
    if (c->flushed && c->pending == 0) {
        jsonrpc_flushed_fn *fn = c->flushed;

        c->flushed = NULL;
        fn(c, c->flushed_arg);
    }
}

static void kick(struct jsonrpc_conn *c)
{
    if (!c->closing)
        uv_timer_start(&c->defer, on_defer, 0, 0);
}

static void input_ended(struct jsonrpc_conn *c)
{
    if (c->eof_seen)
        return;
    c->eof_seen = true;
    jsonrpc_framer_finish(&c->framer, deliver, c);
    kick(c);
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *b)
{
    struct jsonrpc_conn *c = h->data;

    (void)suggested;
    *b = uv_buf_init(c->rbuf, READ_CHUNK);
}

static void on_stream_read(uv_stream_t *s, ssize_t n, const uv_buf_t *b)
{
    struct jsonrpc_conn *c = s->data;

    if (n > 0) {
        jsonrpc_framer_feed(&c->framer, b->base, (size_t)n, deliver, c);
    } else if (n < 0) {
        uv_read_stop(s);
        input_ended(c);
    }
}

static void start_file_read(struct jsonrpc_conn *c);

static void on_file_read(uv_fs_t *req)
{
    struct jsonrpc_conn *c = container_of(req, struct jsonrpc_conn, read_req);
    ssize_t n = req->result;

    uv_fs_req_cleanup(req);
    c->read_in_flight = false;
    c->open--;
    if (c->closing) {
        maybe_free(c);
        return;
    }
    if (n > 0) {
        jsonrpc_framer_feed(&c->framer, c->rbuf, (size_t)n, deliver, c);
        if (c->reading && !c->closing)
            start_file_read(c);
    } else if (n == UV_EINTR || n == UV_EAGAIN) {
        start_file_read(c);
    } else {
        input_ended(c);
    }
}

static void start_file_read(struct jsonrpc_conn *c)
{
    uv_buf_t b = uv_buf_init(c->rbuf, READ_CHUNK);

    /* Offset -1: read at the current file position, like read(2), so an inherited offset is
     * honoured. */
    if (uv_fs_read(c->loop, &c->read_req, c->in_fd, &b, 1, -1, on_file_read) < 0) {
        uv_fs_req_cleanup(&c->read_req);
        input_ended(c);
        return;
    }
    c->read_in_flight = true;
    c->open++;
}

/*
 * Open 'fd' as a stream handle of the right kind. Returns 0, or a negative UV error; on error
 * '*inited' says whether the handle was initialised anyway (then it must be closed).
 */
static int open_stream(uv_loop_t *loop, union stream *u, int fd, bool readable, void *data,
                       bool *inited)
{
    int rc;

    *inited = false;
    switch (uv_guess_handle(fd)) {
    case UV_NAMED_PIPE:
        uv_pipe_init(loop, &u->pipe, 0);
        *inited = true;
        rc = uv_pipe_open(&u->pipe, fd);
        break;
    case UV_TCP:
        uv_tcp_init(loop, &u->tcp);
        *inited = true;
        rc = uv_tcp_open(&u->tcp, fd);
        break;
    case UV_TTY:
        rc = uv_tty_init(loop, &u->tty, fd, readable);
        *inited = rc == 0;
        break;
    default:
        return UV_EINVAL;
    }
    if (*inited)
        u->handle.data = data;
    return rc;
}

struct jsonrpc_conn *jsonrpc_conn_new(uv_loop_t *loop, const struct jsonrpc_conn_opts *opts)
{
    struct jsonrpc_conn *c = xcalloc(1, sizeof(*c));
    uv_handle_type in_type = uv_guess_handle(opts->in_fd);
    uv_handle_type out_type = uv_guess_handle(opts->out_fd);

    c->loop = loop;
    jsonrpc_framer_init(&c->framer, opts->max_frame);
    c->frame = opts->frame;
    c->end = opts->end;
    c->arg = opts->arg;
    c->dump_flags = opts->dump_flags;
    c->in_fd = opts->in_fd;
    c->out_fd = opts->out_fd;
    c->rbuf = xmalloc(READ_CHUNK);
    c->reading = true;

    uv_timer_init(loop, &c->defer);
    c->defer.data = c;
    c->open++;

    if (in_type == UV_NAMED_PIPE || in_type == UV_TCP || in_type == UV_TTY) {
        bool inited;
        int rc = open_stream(loop, &c->in, opts->in_fd, true, c, &inited);

        if (inited)
            c->open++;
        if (rc == 0) {
            c->in_kind = IN_STREAM;
            if (uv_read_start(&c->in.stream, on_alloc, on_stream_read) < 0)
                input_ended(c);
        } else {
            if (inited)
                uv_close(&c->in.handle, on_handle_closed);
            c->in_kind = IN_NONE;
            input_ended(c);
        }
    } else if (in_type == UV_FILE) {
        /* Regular files (and character devices such as /dev/null) cannot be polled. */
        c->in_kind = IN_FILE;
        start_file_read(c);
    } else {
        c->in_kind = IN_NONE;
        input_ended(c);
    }

    c->out_kind = OUT_FD;
    if (out_type == UV_NAMED_PIPE || out_type == UV_TCP || out_type == UV_TTY) {
        bool inited;
        int rc = open_stream(loop, &c->out, opts->out_fd, false, c, &inited);

        if (inited)
            c->open++;
        if (rc == 0)
            c->out_kind = OUT_STREAM;
        else if (inited)
            uv_close(&c->out.handle, on_handle_closed);
    }
    return c;
}

static void output_gone(struct jsonrpc_conn *c)
{
    if (c->out_gone)
        return;
    c->out_gone = true;
    kick(c);
}

static void on_write_done(uv_write_t *req, int status)
{
    struct write_req *w = container_of(req, struct write_req, req);
    struct jsonrpc_conn *c = w->conn;

    free(w);
    c->pending--;
    if (status < 0 && status != UV_ECANCELED)
        output_gone(c);
    if (c->pending == 0 && c->flushed)
        kick(c);
}

static int write_fd(int fd, const char *p, size_t len)
{
    while (len) {
        ssize_t n = write(fd, p, len);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == EAGAIN) {
            /* A non-blocking fd we could not poll: wait for it without a busy loop. */
            usleep(1000);
            continue;
        }
        if (n <= 0)
            return -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

/* Queue the concatenation of 'parts' (one compact message, without its newline) as a line. */
static void send_line(struct jsonrpc_conn *c, const char *const *parts, const size_t *lens,
                      size_t nparts)
{
    struct write_req *w;
    size_t len = 0, at = 0;
    uv_buf_t b;

    for (size_t i = 0; i < nparts; i++)
        len += lens[i];
    w = xmalloc(sizeof(*w) + len + 1);
    for (size_t i = 0; i < nparts; i++) {
        memcpy(w->data + at, parts[i], lens[i]);
        at += lens[i];
    }
    w->data[len] = '\n';
    w->len = len + 1;
    w->conn = c;

    if (c->out_kind == OUT_FD) {
        if (write_fd(c->out_fd, w->data, w->len) < 0)
            output_gone(c);
        free(w);
        return;
    }
    b = uv_buf_init(w->data, (unsigned)w->len);
    c->pending++;
    if (uv_write(&w->req, &c->out.stream, &b, 1, on_write_done) < 0) {
        c->pending--;
        free(w);
        output_gone(c);
    }
}

void jsonrpc_conn_send(struct jsonrpc_conn *c, json_t *msg)
{
    char *text;
    size_t len;

    if (c->out_gone || c->closing)
        return;
    /* Compact output never contains a raw newline: strings escape it. */
    text = json_dumps(msg, JSON_COMPACT | JSON_ENCODE_ANY | c->dump_flags);
    if (!text)
        BUG("cannot serialise a JSON-RPC message");
    len = strlen(text);
    send_line(c, (const char *const[]){ text }, (const size_t[]){ len }, 1);
    free(text);
}

void jsonrpc_conn_send_result_text(struct jsonrpc_conn *c, json_t *id, const char *result)
{
    static const char head[] = "{\"jsonrpc\":\"2.0\",\"id\":", mid[] = ",\"result\":";
    char *idtext;

    if (c->out_gone || c->closing)
        return;
    /* The same bytes as jsonrpc_conn_send(jsonrpc_result(id, result)): that puts the members
     * in this order, and compact output has no space between them. */
    idtext = json_dumps(id ? id : json_null(), JSON_COMPACT | JSON_ENCODE_ANY | c->dump_flags);
    if (!idtext)
        BUG("cannot serialise a JSON-RPC id");
    send_line(
        c, (const char *const[]){ head, idtext, mid, result, "}" },
        (const size_t[]){ sizeof(head) - 1, strlen(idtext), sizeof(mid) - 1, strlen(result), 1 },
        5);
    free(idtext);
}

void jsonrpc_conn_stop_reading(struct jsonrpc_conn *c)
{
    if (!c->reading)
        return;
    c->reading = false;
    if (c->in_kind == IN_STREAM && !c->closing)
        uv_read_stop(&c->in.stream);
}

size_t jsonrpc_conn_pending(const struct jsonrpc_conn *c)
{
    return c->pending;
}

void jsonrpc_conn_flush(struct jsonrpc_conn *c, jsonrpc_flushed_fn *fn, void *arg)
{
    c->flushed = fn;
    c->flushed_arg = arg;
    if (fn && c->pending == 0)
        kick(c);
}

void jsonrpc_conn_close(struct jsonrpc_conn *c)
{
    if (c->closing)
        return;
    jsonrpc_conn_stop_reading(c);
    c->closing = true;
    c->flushed = NULL;
    uv_close((uv_handle_t *)&c->defer, on_handle_closed);
    if (c->in_kind == IN_STREAM)
        uv_close(&c->in.handle, on_handle_closed);
    if (c->out_kind == OUT_STREAM)
        uv_close(&c->out.handle, on_handle_closed);
    /* A file read in flight cannot be interrupted; try to cancel it, else its callback frees. */
    if (c->read_in_flight)
        uv_cancel((uv_req_t *)&c->read_req);
    maybe_free(c);
}
