/*
 * jsonrpc: newline-delimited JSON-RPC over stdio (mcp.md §2).
 *
 * Two layers. The *framer* is pure (no libuv, no JSON): it turns a byte stream into lines,
 * splitting on '\n', dropping one '\r' before it, skipping blank lines, keeping the partial
 * tail for the next feed, and capping the frame size so a peer cannot make us buffer without
 * bound (redis caps inline requests the same way). It is what the fuzzer and the unit tests
 * drive.
 *
 * The *connection* puts the framer on a libuv loop: it reads stdin whatever it is (pipe,
 * socket, terminal, or a regular file, which cannot be polled and is read with uv_fs_read)
 * and writes whole compact messages to stdout, each followed by '\n', in the order they were
 * sent. A write error (EPIPE: the client is gone) and the end of input are reported once each
 * through the 'end' callback.
 *
 * Framer calling sequence:
 *   struct jsonrpc_framer fr;
 *   jsonrpc_framer_init(&fr, JSONRPC_MAX_FRAME);
 *   jsonrpc_framer_feed(&fr, bytes, n, on_frame, arg);   ... as bytes arrive ...
 *   jsonrpc_framer_finish(&fr, on_frame, arg);           // at end of input
 *   jsonrpc_framer_release(&fr);
 *
 * Connection calling sequence:
 *   struct jsonrpc_conn *c = jsonrpc_conn_new(loop, &(struct jsonrpc_conn_opts){
 *       .in_fd = 0, .out_fd = 1, .frame = on_frame, .end = on_end, .arg = me });
 *   jsonrpc_conn_send(c, msg);          // any time; msg is borrowed
 *   jsonrpc_conn_stop_reading(c);       // shutdown step 1
 *   jsonrpc_conn_flush(c, on_flushed);  // shutdown step 3: called once nothing is pending
 *   jsonrpc_conn_close(c);              // handles closed; freed by the loop
 */
#ifndef RUN_JSONRPC_H
#define RUN_JSONRPC_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <uv.h>

#include "buf.h"

/* The default frame limit (mcp.md §2); RUN_MCP_MAX_FRAME overrides it in the server. */
#define JSONRPC_MAX_FRAME 16777216

/* JSON-RPC error codes. */
#define JSONRPC_PARSE_ERROR      -32700
#define JSONRPC_INVALID_REQUEST  -32600
#define JSONRPC_METHOD_NOT_FOUND -32601
#define JSONRPC_INVALID_PARAMS   -32602
#define JSONRPC_INTERNAL_ERROR   -32603

/*
 * One frame: 'line' holds 'len' bytes without the '\n' (and without a '\r' before it); it
 * is NUL-terminated at line[len] and borrowed for the duration of the call. With 'oversize'
 * true the frame was longer than the limit: 'line' is NULL, the frame's bytes were dropped,
 * and the framer skips everything up to the next '\n'. It is reported once per such frame,
 * as soon as the limit is passed.
 */
typedef void jsonrpc_frame_fn(const char *line, size_t len, bool oversize, void *arg);

struct jsonrpc_framer {
    struct buf partial; /* bytes of the current line seen so far */
    size_t max_frame;   /* a frame longer than this many bytes is discarded */
    bool discarding;    /* inside an oversize frame: drop bytes up to the next '\n' */
};

void jsonrpc_framer_init(struct jsonrpc_framer *fr, size_t max_frame);
/*
 * Split 'len' bytes into frames, calling 'fn' for each complete non-blank line (a line with
 * only spaces, tabs and '\r' is blank). Bytes after the last '\n' are kept for the next call.
 */
void jsonrpc_framer_feed(struct jsonrpc_framer *fr, const char *data, size_t len,
                         jsonrpc_frame_fn *fn, void *arg);
/* End of input: a last line without '\n' is delivered as a frame if it is not blank. */
void jsonrpc_framer_finish(struct jsonrpc_framer *fr, jsonrpc_frame_fn *fn, void *arg);
void jsonrpc_framer_release(struct jsonrpc_framer *fr);

/*
 * Envelopes. Member order is the one mcp.md §2 fixes: jsonrpc, id, result|error (code,
 * message); jsonrpc, method, params. 'id' is borrowed (NULL means null); 'result' and
 * 'params' are stolen ('params' may be NULL: no member). Each returns a new reference.
 * The error message is printf-formatted; bytes that are not UTF-8 become '?'.
 */
json_t *jsonrpc_result(json_t *id, json_t *result);
json_t *jsonrpc_error(json_t *id, int code, const char *fmt, ...) PRINTF_LIKE(3, 4);
json_t *jsonrpc_notification(const char *method, json_t *params);

/* The frame limit from RUN_MCP_MAX_FRAME-style text: a positive decimal, else 'fallback'. */
size_t jsonrpc_parse_limit(const char *text, size_t fallback);

/* Why the connection ended. */
enum jsonrpc_end {
    JSONRPC_END_EOF,         /* stdin reached end of file (or a read error) */
    JSONRPC_END_OUTPUT_GONE, /* writing stdout failed (EPIPE and the like) */
};

struct jsonrpc_conn;

typedef void jsonrpc_end_fn(struct jsonrpc_conn *c, enum jsonrpc_end why, void *arg);
typedef void jsonrpc_flushed_fn(struct jsonrpc_conn *c, void *arg);

struct jsonrpc_conn_opts {
    int in_fd, out_fd; /* normally 0 and 1 */
    size_t max_frame;  /* 0 = JSONRPC_MAX_FRAME */
    size_t dump_flags; /* added to JSON_COMPACT when serialising (e.g. JSON_REAL_PRECISION) */
    jsonrpc_frame_fn *frame;
    jsonrpc_end_fn *end; /* each reason at most once; never after jsonrpc_conn_close() */
    void *arg;
};

/*
 * Start reading 'in_fd' and prepare writing 'out_fd'. Never fails: an fd that cannot be
 * used reads as end of file (input) or as a client that is gone (output, on first send).
 */
struct jsonrpc_conn *jsonrpc_conn_new(uv_loop_t *loop, const struct jsonrpc_conn_opts *opts);

/*
 * Queue 'msg' (an object or array; borrowed) as one compact line. Messages are written whole
 * and in the order of the calls. After the output is gone, messages are dropped silently.
 */
void jsonrpc_conn_send(struct jsonrpc_conn *c, json_t *msg);

/*
 * Queue the response jsonrpc_result(id, R) where 'result' is R already serialised compactly
 * with this connection's dump_flags: the line is byte for byte what jsonrpc_conn_send() would
 * write, without serialising R again (tools/list sends its cached text this way).
 */
void jsonrpc_conn_send_result_text(struct jsonrpc_conn *c, json_t *id, const char *result);

/* Stop delivering frames and reading input (idempotent). */
void jsonrpc_conn_stop_reading(struct jsonrpc_conn *c);

/* Number of messages queued but not yet fully written. */
size_t jsonrpc_conn_pending(const struct jsonrpc_conn *c);

/*
 * Call 'fn' once no message is pending (at once if none is, from the loop). A later call
 * replaces the callback; NULL cancels it.
 */
void jsonrpc_conn_flush(struct jsonrpc_conn *c, jsonrpc_flushed_fn *fn, void *arg);

/*
 * Close every handle; writes still pending are cancelled. The memory is released by the loop
 * once the handles are closed (run the loop until it has no more handles).
 */
void jsonrpc_conn_close(struct jsonrpc_conn *c);

#endif
