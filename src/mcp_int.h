/*
 * mcp_int: what the three files of the mcp module share (mcp.c: messages, methods, built-ins
 * and shutdown; mcp_project.c: the cached Runfile, its reload and watch; mcp_call.c: running
 * tool calls). Only these files include it.
 */
#ifndef RUN_MCP_INT_H
#define RUN_MCP_INT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <uv.h>

#include "diag.h"
#include "jsonrpc.h"
#include "mcp.h"

struct runfile;
struct schema_index;
struct mcp_call;

/* Protocol versions (§1), newest first; the first is the answer to unknown versions. */
#define MCP_V2025_11_25 "2025-11-25"
#define MCP_V2025_06_18 "2025-06-18"
#define MCP_V2025_03_26 "2025-03-26"
#define MCP_V2024_11_05 "2024-11-05"

/* How long the reload watch waits for the files to be quiet (§11.3). */
#define MCP_RELOAD_QUIET_MS 200
/* How long shutdown waits for stdout to take what is already complete (§12). */
#define MCP_FLUSH_MS 1000

/* One file whose identity decides whether the cached load is still valid (§11.1). */
struct mcp_ident {
    char *path;
    bool exists;
    uint64_t dev, ino, size;
    int64_t mtime_ns;
};

/* A directory watched for changes of the load's files. Freed in its close callback. */
struct mcp_watch {
    uv_fs_event_t handle;
    struct mcp_server *server;
};

/* The cached load of the session's Runfile. */
struct mcp_project {
    bool loaded;             /* a load happened (the fields below describe it) */
    char *cwd;               /* the session cwd of the load */
    struct runfile *rf;      /* NULL: none found (or the pinned file cannot be read) */
    int load_errno;          /* with a pinned file that cannot be read */
    struct diag_list diags;  /* problems of the load */
    char *errors_text;       /* rendered diags when the load has errors (§8.4), else NULL */
    struct schema_index *ix; /* offered tools; NULL when none (no Runfile or errors) */
    json_t *list;            /* the tools/list result as a tree, NULL until a batch needs it */
    char *list_text;         /* the result as compact text: sent, and compared after a reload */
    struct mcp_ident *idents;
    size_t nidents, alloc_idents;
    struct mcp_watch **watches;
    size_t nwatches, alloc_watches;
};

/* A batch of requests (§3.3): its responses, sent together when the last one is ready. */
struct mcp_batch {
    json_t *responses; /* array */
    size_t pending;    /* answers still due (tool calls running or waiting, plus one while
                          the batch is being read) */
};

/* The request being answered: its id (borrowed) and the batch it came in, or NULL. */
struct mcp_req {
    json_t *id;
    struct mcp_batch *batch;
};

enum mcp_state {
    MCP_SERVING,
    MCP_STOPPING, /* no more input; waiting for running calls' processes, then flushing */
    MCP_CLOSING,  /* handles are being closed */
};

struct mcp_server {
    uv_loop_t *loop;
    struct mcp_opts opts; /* strings point at the copies below */
    char *home, *exe, *pinned, *runfile_dir, *shell, *output_dir;
    struct jsonrpc_conn *conn;
    enum mcp_state state;

    uv_signal_t sigs[3];
    unsigned nsigs;
    uv_timer_t flush_timer;  /* shutdown: the flush limit */
    uv_timer_t reload_timer; /* the quiet period after a watched change */
    bool flushing;

    const char *version; /* negotiated (§4.1); NULL before initialize */
    bool initialized;    /* notifications/initialized arrived */
    char *cwd;           /* the session cwd (§11.2) */
    struct mcp_project project;
    bool list_changed; /* a reload changed the list; the notification is due */
    json_t *builtins;  /* the three built-in tool objects (§14) */

    struct mcp_call *calls; /* every call waiting or running, in arrival order */
    size_t nrunning;
    unsigned open_handles; /* handles of the server itself, for the close bookkeeping */
};

/* mcp.c */
/* {"content":[{"type":"text","text":...}],"isError":...}; 'text' must be UTF-8. */
json_t *mcp_text_result(const char *text, bool is_error);
/* The same for 'len' bytes that may hold NUL (tool output: it arrives escaped, intact). */
json_t *mcp_text_resultn(const char *text, size_t len, bool is_error);
/* A JSON string of 'len' bytes, invalid UTF-8 replaced by U+FFFD. New reference. */
json_t *mcp_json_text(const char *text, size_t len);
/* Send 'msg' (stolen) now, or add it to the batch of 'req'. */
void mcp_reply(struct mcp_server *s, const struct mcp_req *req, json_t *msg);
/* One awaited answer of 'b' is done (sent into it or dropped); sends the batch when complete. */
void mcp_batch_done(struct mcp_server *s, struct mcp_batch *b);
/* True when 'v' is a JSON string without NUL characters (its C string holds all of it). */
bool mcp_is_text(const json_t *v);
/* Error 'code' whose message is 'prefix' followed by the string 'str', NUL characters kept. */
json_t *mcp_error_with(json_t *id, int code, const char *prefix, const json_t *str);
/* A validation failure (§7.3): -32602 error or isError result by version. */
void mcp_reply_invalid_args(struct mcp_server *s, const struct mcp_req *req, const char *text);
/* The negotiated version (2024-11-05 rules before initialize). */
const char *mcp_version(const struct mcp_server *s);
/* Send notifications/tools/list_changed when a reload changed the list and it may be sent. */
void mcp_send_list_changed(struct mcp_server *s);
/* Shutdown: called when a call ended; finishes the shutdown when none runs any more. */
void mcp_check_stopped(struct mcp_server *s);
void mcp_send(struct mcp_server *s, json_t *msg);

/* mcp_project.c */
void mcp_project_release(struct mcp_project *p);
/* Load or reuse the cached load for the session cwd (§11.1). Sets s->list_changed when the
 * serialised list differs from the last one computed. */
void mcp_project_refresh(struct mcp_server *s);
/* The tools/list result of the current load as a tree (a batch answer), built on first use
 * from the same model as list_text. Borrowed: valid until the next load. */
json_t *mcp_project_list(struct mcp_server *s);
/* Close the watch handles (shutdown). */
void mcp_project_unwatch(struct mcp_server *s);
/* The root Runfile path of the load, or NULL (borrowed). */
const char *mcp_project_root(const struct mcp_project *p);

/* mcp_call.c */
void mcp_call_start(struct mcp_server *s, const struct mcp_req *req, const char *tool,
                    json_t *arguments, json_t *params);
/* notifications/cancelled for 'request_id' (§9.3). */
void mcp_call_cancel(struct mcp_server *s, json_t *request_id);
/* True when a call with this id is waiting or running (and not cancelled). */
bool mcp_call_id_in_use(const struct mcp_server *s, json_t *id);
/* Shutdown: drop waiting calls, stop running ones. */
void mcp_call_stop_all(struct mcp_server *s);

#endif
