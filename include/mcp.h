/*
 * mcp: the MCP server of `run --serve-mcp` (spec/mcp.md).
 *
 * One server serves one client over a jsonrpc connection on one libuv loop: it classifies
 * messages (§3), negotiates the protocol version (§4), lists the offered Runfile functions
 * plus the built-in tools set_cwd, get_cwd and run_docs (§6, §14), and runs tool calls
 * concurrently as proc calls (§7–§10), with cancellation, timeouts and progress. It keeps
 * the loaded Runfile cached per session cwd, reloads it when one of its files changes and
 * tells the client when the tool list changed (§11). It stops on end of input, on SIGTERM,
 * SIGINT or SIGHUP, or when stdout is gone (§12).
 *
 * The server logs to stderr only (through log.h, and 'log_text' for rendered diagnostics);
 * stdout carries protocol messages and nothing else.
 *
 * Calling sequence (cmd_serve):
 *   uv_loop_t loop; uv_loop_init(&loop);
 *   signal(SIGPIPE, SIG_IGN);
 *   struct mcp_server *s = mcp_server_new(&loop, &opts);  // starts reading stdin
 *   uv_run(&loop, UV_RUN_DEFAULT);                        // returns once the server stopped
 *   mcp_server_free(s);
 *   uv_loop_close(&loop) == 0                             // every handle was closed
 */
#ifndef RUN_MCP_H
#define RUN_MCP_H

#include <stdbool.h>
#include <stddef.h>
#include <uv.h>

#define MCP_MAX_CONCURRENCY 16

/* Writes already rendered text (diagnostics) to the log; the text ends with '\n'. */
typedef void mcp_log_text_fn(const char *text, size_t len);

struct mcp_opts {
    const char *cwd;           /* the first session cwd: absolute, as getcwd returns it */
    const char *home;          /* home directory, or NULL */
    const char *exe;           /* absolute path of this executable (cross-language wrappers) */
    const char *runfile;       /* --runfile/--working-dir as typed (relative to cwd), or NULL */
    bool no_prelude;           /* --no-prelude */
    bool no_global_merge;      /* RUN_NO_GLOBAL_MERGE is set */
    const char *runfile_dir;   /* RUN_RUNFILE_DIR, or NULL */
    const char *shell;         /* RUN_SHELL, or NULL */
    const char *output_dir;    /* RUN_MCP_OUTPUT_DIR, or NULL/"" */
    size_t max_concurrency;    /* 0 = MCP_MAX_CONCURRENCY */
    size_t max_frame;          /* 0 = JSONRPC_MAX_FRAME */
    int in_fd, out_fd;         /* the transport: normally 0 and 1 */
    bool handle_signals;       /* stop on SIGTERM, SIGINT and SIGHUP */
    mcp_log_text_fn *log_text; /* NULL: rendered diagnostics are dropped */
};

struct mcp_server;

/*
 * Create the server and start serving on 'loop'. The strings of 'opts' are copied. The
 * server closes all its handles once it has stopped, so uv_run() returns then.
 */
struct mcp_server *mcp_server_new(uv_loop_t *loop, const struct mcp_opts *opts);

/*
 * Stop as §12 says (what end of input, a signal or a gone stdout do): stop reading, drop
 * waiting calls, stop running ones (SIGTERM, SIGKILL 2 s later), flush for at most 1 s, then
 * close every handle once every call's process is gone. Idempotent.
 */
void mcp_server_stop(struct mcp_server *s);

/* Free the server after uv_run() returned (NULL-safe). */
void mcp_server_free(struct mcp_server *s);

#endif
