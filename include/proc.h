/*
 * proc: run one interpreter process on a libuv loop with its output captured (mcp.md §9,
 * execution.md §11 captured columns).
 *
 * The child is started with posix_spawn (no fork of the server). It gets stdin from /dev/null,
 * stdout and stderr on pipes that feed two outstores and no other descriptor, default
 * dispositions for all signals (so SIG_DFL for SIGPIPE even though the server ignores it) and
 * an empty mask, and (with PROC_NEW_SESSION) its own session and process group so that a
 * timeout or a cancellation can kill everything it started.
 * Its exit is seen on a pidfd, or, where pidfd_open is missing (Linux < 5.3), through SIGCHLD
 * (a uv_signal_t per call); setting RUN_PROC_NO_PIDFD to a non-empty value forces that
 * fallback, for tests. Either way only the call's own pid is reaped (waitpid(pid)), so the
 * program may have other children; it must not ignore SIGCHLD, or the status is lost (0).
 * A call is finished when the child has exited and both pipes are at EOF (or the drain limit
 * of PROC_DRAIN_MS after exit passed; processes left in the background keep running); then
 * both outstores are finished (files complete and closed), 'done' runs exactly once, after
 * every handle has been closed, and the call is freed when 'done' returns.
 *
 * Calling sequence:
 *   struct proc_opts o = { .argv = argv, .cwd = dir, .flags = PROC_NEW_SESSION,
 *                          .timeout_ms = 5000, .out = out_store, .err = err_store,
 *                          .done = on_done, .arg = me };
 *   struct proc_call *c = proc_start(loop, &o, &diags, &st); // NULL: see diags, st
 *   ... uv_run(loop) ...; proc_cancel(c) at any time before done ...
 *   static void on_done(struct proc_call *c, void *arg) { proc_status(c); ... }
 */
#ifndef RUN_PROC_H
#define RUN_PROC_H

#include <spawn.h>
#include <stdbool.h>
#include <stdint.h>
#include <uv.h>

#include "diag.h"

struct buf;
struct outstore;
struct proc_call;

#define PROC_KILL_GRACE_MS 2000
#define PROC_DRAIN_MS      1000

enum proc_flags {
    PROC_NEW_SESSION = 1 << 0, /* setsid: own session and process group (MCP) */
};

typedef void proc_done_fn(struct proc_call *call, void *arg);
/* Called with new bytes as they arrive (after they went to the outstore); may be NULL. */
typedef void proc_output_fn(struct proc_call *call, void *arg);

struct proc_opts {
    /* NULL-terminated; argv[0] is run as execvp would (a name without '/' is searched in run's
     * own PATH; a path to a file without "#!" runs with /bin/sh); used only by proc_start */
    char *const *argv;
    char *const *env;    /* NULL-terminated "K=V" list, used only by proc_start; NULL = environ */
    const char *cwd;     /* NULL = inherit */
    unsigned flags;      /* enum proc_flags */
    uint64_t timeout_ms; /* 0 = none; SIGTERM to the group, SIGKILL after the grace period */
    struct outstore *out, *err; /* borrowed sinks, finished before 'done'; NULL = discard */
    proc_done_fn *done;
    proc_output_fn *output;
    void *arg;
    uint64_t kill_grace_ms; /* 0 = PROC_KILL_GRACE_MS */
    uint64_t drain_ms;      /* 0 = PROC_DRAIN_MS */
};

/*
 * Start the process. Returns NULL when it could not be started, with one error diag
 * (no position) whose message is the reason (strerror text) and *status set to 127 when the
 * program does not exist, 126 otherwise (permission, E2BIG). A missing working directory is
 * status 126 with the message "cannot change to directory '<cwd>': <strerror text>".
 * 'diags' and 'status' may be NULL.
 * Even after a failure the loop must run once more to close the handles that were set up
 * ('done' is not called then).
 *
 * Once a kill has started (timeout or proc_cancel) and the child's group outlives the call,
 * a timer keeps the loop alive after 'done' until the grace period ends, so that SIGKILL still
 * reaches group members that ignored SIGTERM (PROC_NEW_SESSION only).
 */
struct proc_call *proc_start(uv_loop_t *loop, const struct proc_opts *opts, struct diag_list *diags,
                             int *status);

/* Stop the call: SIGTERM to its group (or the child), SIGKILL after PROC_KILL_GRACE_MS if any
 * member is alive. 'done' still runs. Idempotent. */
void proc_cancel(struct proc_call *call);

/* Send 'signo' to the group (PROC_NEW_SESSION) or to the child while it runs, with no
 * escalation (the CLI forwards SIGTERM and SIGHUP this way). Does nothing once the call has
 * finished. */
void proc_kill(struct proc_call *call, int signo);

/*
 * Initialise 'attr' with what every interpreter `run` starts gets (execution.md §11): default
 * dispositions for all signals and an empty mask, and with 'new_session' its own session and
 * process group. For the CLI's stream mode, which spawns and waits without a loop. Returns 0
 * or an errno value; destroy with posix_spawnattr_destroy().
 */
int proc_spawnattr_init(posix_spawnattr_t *attr, bool new_session);

/* Results, valid inside 'done'. */
int proc_status(const struct proc_call *call);     /* exit code, or 128+signal */
int proc_signal(const struct proc_call *call);     /* 0, or the signal that killed it */
bool proc_timed_out(const struct proc_call *call); /* the timeout fired */
bool proc_escalated(const struct proc_call *call); /* SIGKILL had to be sent */
uint64_t proc_duration_ms(const struct proc_call *call);
int64_t proc_started_ms(const struct proc_call *call); /* Unix milliseconds */
int proc_pid(const struct proc_call *call);
/* Append the last non-empty line seen so far on either stream (the stream that most recently
 * received a non-empty line), as outstore_last_line() gives it. Valid at any time before done
 * returns, e.g. in a progress timer. */
void proc_last_line(const struct proc_call *call, struct buf *out);

#endif
