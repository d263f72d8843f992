/*
 * cmd_serve: `run --serve-mcp` (spec/mcp.md). Reads the environment, runs the MCP server on
 * its own loop until it stops, and checks that it left no handle behind. Always exits 0
 * once serving started: end of input and signals are the normal ways to stop.
 */
#include "cmd.h"

#include "base.h"
#include "jsonrpc.h"
#include "log.h"
#include "mcp.h"

#include <signal.h>
#include <stdlib.h>
#include <unistd.h>
#include <uv.h>

static void log_text(const char *text, size_t len)
{
    cmd_write_all(STDERR_FILENO, text, len);
}

int cmd_serve(const struct cmd_ctx *ctx)
{
    uv_loop_t loop;
    struct mcp_server *s;
    struct mcp_opts o = {
        .cwd = ctx->cwd,
        .home = ctx->home,
        .exe = ctx->exe,
        .runfile = ctx->opts->runfile,
        .no_prelude = ctx->opts->no_prelude,
        .no_global_merge = getenv("RUN_NO_GLOBAL_MERGE") != NULL,
        .runfile_dir = getenv("RUN_RUNFILE_DIR"),
        .shell = getenv("RUN_SHELL"),
        .output_dir = getenv("RUN_MCP_OUTPUT_DIR"),
        .max_concurrency =
            jsonrpc_parse_limit(getenv("RUN_MCP_MAX_CONCURRENCY"), MCP_MAX_CONCURRENCY),
        .max_frame = jsonrpc_parse_limit(getenv("RUN_MCP_MAX_FRAME"), JSONRPC_MAX_FRAME),
        .in_fd = STDIN_FILENO,
        .out_fd = STDOUT_FILENO,
        .handle_signals = true,
        .log_text = log_text,
    };
    int rc;

    /* A client that went away must not kill us mid-write: EPIPE ends the session instead.
     * Tool processes get the default disposition back (proc resets it). */
    (void)signal(SIGPIPE, SIG_IGN);
    rc = uv_loop_init(&loop);
    if (rc < 0) {
        log_error("cannot start the event loop: %s", uv_strerror(rc));
        return 1;
    }
    s = mcp_server_new(&loop, &o);
    uv_run(&loop, UV_RUN_DEFAULT);
    mcp_server_free(s);
    rc = uv_loop_close(&loop);
    if (rc < 0)
        BUG("the MCP server left libuv handles open: %s", uv_strerror(rc));
    return 0;
}
