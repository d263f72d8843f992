/*
 * proc: one captured child process on a libuv loop. The call owns four handles (process, two
 * pipes, one timer) and counts them; it is finished when the child exited and both pipes are
 * at EOF (or the drain limit passed), and it is freed in the last close callback, right after
 * 'done'. A kill (timeout or cancellation) sends SIGTERM and hands the SIGKILL escalation to a
 * separate "reaper" timer, because the group can outlive the call: the response must not wait
 * for the grace period, but group members that ignore SIGTERM must still die.
 */
#include "proc.h"

#include "base.h"
#include "buf.h"
#include "outstore.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define READ_BUF_SIZE (64 * 1024)

struct proc_reaper {
    uv_timer_t timer;
    struct proc_call *call; /* NULL once the call finished */
    int pgid;               /* the group to check and kill; 0 = only the child itself */
    uint64_t deadline;      /* loop time when the grace period ends */
};

/* How often a group that outlived its call is checked for live members. */
#define REAPER_POLL_MS 50

struct proc_call {
    uv_process_t child;           /* exit -> on_child_exit */
    uv_pipe_t out_pipe, err_pipe; /* reads -> the outstores */
    uv_timer_t timer;             /* the deadline while running, the drain limit after exit */
    struct proc_reaper *reaper;   /* the pending SIGKILL escalation, or NULL */
    uv_loop_t *loop;
    unsigned open_handles; /* freed when the last close callback runs */
    bool spawned;          /* 'done' runs only for calls that started */
    bool session, exited, out_eof, err_eof, finished, killing, timed_out, escalated;
    int status, signo, pid;
    uint64_t start_hr, duration_ms, grace_ms, drain_ms;
    int64_t started_ms;
    struct outstore *out, *err;
    struct outstore *last_line_from; /* the stream that last got a non-empty line */
    proc_done_fn *done;
    proc_output_fn *output;
    void *arg;
    /* Both pipes share it: libuv calls alloc and read back to back for one read. */
    char rbuf[READ_BUF_SIZE];
};

static void on_handle_closed(uv_handle_t *h)
{
    struct proc_call *call = h->data;

    if (--call->open_handles)
        return;
    if (call->spawned && call->done)
        call->done(call, call->arg);
    free(call);
}

static void close_handle(struct proc_call *call, uv_handle_t *h)
{
    h->data = call;
    uv_close(h, on_handle_closed);
}

/*
 * Whether process group 'pgid' has a member that is not a zombie. kill(-pgid, 0) succeeds as
 * long as any member exists, zombies included: a background grandchild whose shell died first
 * stays a zombie until init reaps it, and waiting (or escalating to SIGKILL) for it would only
 * delay shutdown and misreport the kill. Linux tells them apart in /proc/<pid>/stat; elsewhere
 * the plain probe is the answer.
 */
static bool group_has_live_member(int pgid)
{
    DIR *dir;
    struct dirent *e;
    bool live = false;

    if (kill(-pgid, 0) != 0 && errno != EPERM)
        return false;
    dir = opendir("/proc");
    if (!dir)
        return true;
    while (!live && (e = readdir(dir))) {
        char path[300], stat[512];
        const char *end;
        char *next;
        long pgrp;
        ssize_t n;
        int fd;

        if (e->d_name[0] < '1' || e->d_name[0] > '9')
            continue;
        if (snprintf(path, sizeof(path), "/proc/%s/stat", e->d_name) >= (int)sizeof(path))
            continue;
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            continue;
        n = read(fd, stat, sizeof(stat) - 1);
        close(fd);
        if (n <= 0)
            continue;
        stat[n] = '\0';
        /*
         * "pid (comm) state ppid pgrp ...": comm may hold anything, so parse after the last
         * ')': the state letter, then two numbers.
         */
        end = strrchr(stat, ')');
        if (!end || end[1] != ' ' || !end[2] || end[2] == 'Z' || end[2] == 'X')
            continue;
        (void)strtol(end + 3, &next, 10); /* ppid */
        pgrp = strtol(next, &next, 10);
        if (pgrp == pgid && (*next == ' ' || *next == '\n'))
            live = true;
    }
    closedir(dir);
    return live;
}

/* Whether any process of the call's group (or the child itself without a group) is alive. */
static bool group_alive(const struct proc_reaper *r)
{
    if (r->pgid)
        return group_has_live_member(r->pgid);
    return r->call && !r->call->exited;
}

static void on_reaper_closed(uv_handle_t *h)
{
    free(container_of((uv_timer_t *)h, struct proc_reaper, timer));
}

/*
 * Check again within REAPER_POLL_MS, or at the deadline. After the call finished, the group
 * may be down to processes that are still handling SIGTERM: the reaper ends as soon as none
 * is left, so that a server waiting for its loop to empty exits promptly.
 */
static void reaper_poll(struct proc_reaper *r);

static void on_grace_over(uv_timer_t *t)
{
    struct proc_reaper *r = container_of(t, struct proc_reaper, timer);
    bool alive = group_alive(r);

    if (alive && !r->call && uv_now(t->loop) < r->deadline) {
        reaper_poll(r);
        return;
    }
    if (alive) {
        if (r->pgid)
            kill(-r->pgid, SIGKILL);
        else
            uv_process_kill(&r->call->child, SIGKILL);
        if (r->call)
            r->call->escalated = true;
    }
    if (r->call)
        r->call->reaper = NULL;
    uv_close((uv_handle_t *)t, on_reaper_closed);
}

static void reaper_poll(struct proc_reaper *r)
{
    uint64_t now = uv_now(r->timer.loop), left = r->deadline > now ? r->deadline - now : 0;

    uv_timer_start(&r->timer, on_grace_over, left < REAPER_POLL_MS ? left : REAPER_POLL_MS, 0);
}

static void send_signal(struct proc_call *call, int sig)
{
    if (call->session)
        kill(-call->pid, sig); /* ESRCH: everybody is gone already */
    else if (!call->exited)
        uv_process_kill(&call->child, sig);
}

static void start_kill(struct proc_call *call)
{
    struct proc_reaper *r;

    if (call->killing || call->finished)
        return;
    call->killing = true;
    send_signal(call, SIGTERM);
    r = xcalloc(1, sizeof(*r));
    r->call = call;
    r->pgid = call->session ? call->pid : 0;
    uv_timer_init(call->loop, &r->timer);
    r->deadline = uv_now(call->loop) + call->grace_ms;
    uv_timer_start(&r->timer, on_grace_over, call->grace_ms, 0);
    call->reaper = r;
}

static void finish_if_done(struct proc_call *call)
{
    struct proc_reaper *r = call->reaper;

    if (call->finished || !call->exited || !call->out_eof || !call->err_eof)
        return;
    call->finished = true;
    call->duration_ms = (uv_hrtime() - call->start_hr) / 1000000;
    if (call->out)
        outstore_finish(call->out);
    if (call->err)
        outstore_finish(call->err);
    if (r) {
        /* Members of the group that survived SIGTERM still get SIGKILL when the grace ends. */
        r->call = NULL;
        call->reaper = NULL;
        if (!r->pgid || !group_alive(r)) {
            uv_timer_stop(&r->timer);
            uv_close((uv_handle_t *)&r->timer, on_reaper_closed);
        } else {
            reaper_poll(r);
        }
    }
    uv_timer_stop(&call->timer);
    close_handle(call, (uv_handle_t *)&call->timer);
    close_handle(call, (uv_handle_t *)&call->child);
}

/* Stop reading one pipe and close it: EOF, a read error, or the drain limit. */
static void end_pipe(struct proc_call *call, uv_pipe_t *pipe)
{
    bool *eof = pipe == &call->out_pipe ? &call->out_eof : &call->err_eof;

    if (*eof)
        return;
    *eof = true;
    uv_read_stop((uv_stream_t *)pipe);
    close_handle(call, (uv_handle_t *)pipe);
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
    struct proc_call *call = h->data;

    (void)suggested;
    buf->base = call->rbuf;
    buf->len = sizeof(call->rbuf);
}

static void on_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf)
{
    struct proc_call *call = s->data;
    bool is_out = s == (uv_stream_t *)&call->out_pipe;
    struct outstore *store = is_out ? call->out : call->err;

    if (nread < 0) {
        end_pipe(call, (uv_pipe_t *)s);
        finish_if_done(call);
        return;
    }
    if (nread == 0)
        return;
    if (!store)
        return; /* this stream is not wanted */
    outstore_write(store, buf->base, (size_t)nread);
    for (ssize_t i = 0; i < nread; i++) {
        if (buf->base[i] != '\n' && buf->base[i] != '\r') {
            call->last_line_from = store;
            break;
        }
    }
    if (call->output)
        call->output(call, call->arg);
}

static void on_drain_over(uv_timer_t *t)
{
    struct proc_call *call = container_of(t, struct proc_call, timer);

    /* A background process still holds a pipe: stop waiting for it (it keeps running). */
    end_pipe(call, &call->out_pipe);
    end_pipe(call, &call->err_pipe);
    finish_if_done(call);
}

static void on_deadline(uv_timer_t *t)
{
    struct proc_call *call = container_of(t, struct proc_call, timer);

    call->timed_out = true;
    start_kill(call);
}

static void on_child_exit(uv_process_t *child, int64_t status, int signo)
{
    struct proc_call *call = container_of(child, struct proc_call, child);

    call->exited = true;
    call->signo = signo;
    call->status = signo ? 128 + signo : (int)status;
    uv_timer_stop(&call->timer);
    if (!call->out_eof || !call->err_eof)
        uv_timer_start(&call->timer, on_drain_over, call->drain_ms, 0);
    finish_if_done(call);
}

struct proc_call *proc_start(uv_loop_t *loop, const struct proc_opts *opts, struct diag_list *diags,
                             int *status)
{
    struct proc_call *call = xcalloc(1, sizeof(*call));
    uv_process_options_t po = { 0 };
    uv_stdio_container_t stdio[3];
    int err;

    call->loop = loop;
    call->session = opts->flags & PROC_NEW_SESSION;
    call->grace_ms = opts->kill_grace_ms ? opts->kill_grace_ms : PROC_KILL_GRACE_MS;
    call->drain_ms = opts->drain_ms ? opts->drain_ms : PROC_DRAIN_MS;
    call->out = opts->out;
    call->err = opts->err;
    call->done = opts->done;
    call->output = opts->output;
    call->arg = opts->arg;

    uv_pipe_init(loop, &call->out_pipe, 0);
    uv_pipe_init(loop, &call->err_pipe, 0);
    uv_timer_init(loop, &call->timer);
    call->out_pipe.data = call->err_pipe.data = call->timer.data = call;
    call->open_handles = 4; /* the process handle is set up by uv_spawn even when it fails */

    /* UV_IGNORE on fd 0 makes libuv open /dev/null for the child. */
    stdio[0].flags = UV_IGNORE;
    stdio[1].flags = UV_CREATE_PIPE | UV_WRITABLE_PIPE;
    stdio[1].data.stream = (uv_stream_t *)&call->out_pipe;
    stdio[2].flags = UV_CREATE_PIPE | UV_WRITABLE_PIPE;
    stdio[2].data.stream = (uv_stream_t *)&call->err_pipe;
    po.file = opts->argv[0];
    po.args = (char **)opts->argv;
    po.env = (char **)opts->env;
    po.cwd = opts->cwd;
    po.flags = call->session ? UV_PROCESS_DETACHED : 0;
    po.exit_cb = on_child_exit;
    po.stdio_count = 3;
    po.stdio = stdio;

    call->start_hr = uv_hrtime();
    call->started_ms = unix_time_ms();
    err = uv_spawn(loop, &call->child, &po);
    if (err < 0) {
        /* libuv's errors are negated errno values on Unix; we want the system's wording. */
        struct stat st;
        bool no_cwd = err == UV_ENOENT && opts->cwd && stat(opts->cwd, &st) < 0;

        if (no_cwd && diags)
            diag_add(diags, DIAG_ERROR, NULL, "cannot change to directory '%s': %s", opts->cwd,
                     strerror(errno));
        else if (diags)
            diag_add(diags, DIAG_ERROR, NULL, "%s", strerror(-err));
        if (status)
            *status = err == UV_ENOENT && !no_cwd ? 127 : 126;
        close_handle(call, (uv_handle_t *)&call->out_pipe);
        close_handle(call, (uv_handle_t *)&call->err_pipe);
        close_handle(call, (uv_handle_t *)&call->timer);
        close_handle(call, (uv_handle_t *)&call->child);
        return NULL;
    }
    call->spawned = true;
    call->pid = call->child.pid;
    if (uv_read_start((uv_stream_t *)&call->out_pipe, on_alloc, on_read) < 0)
        end_pipe(call, &call->out_pipe);
    if (uv_read_start((uv_stream_t *)&call->err_pipe, on_alloc, on_read) < 0)
        end_pipe(call, &call->err_pipe);
    if (opts->timeout_ms) {
        /* The loop's clock is only updated per iteration; the deadline counts from now. */
        uv_update_time(loop);
        uv_timer_start(&call->timer, on_deadline, opts->timeout_ms, 0);
    }
    return call;
}

void proc_cancel(struct proc_call *call)
{
    if (call)
        start_kill(call);
}

void proc_kill(struct proc_call *call, int signo)
{
    if (call && !call->finished)
        send_signal(call, signo);
}

int proc_status(const struct proc_call *call)
{
    return call->status;
}

int proc_signal(const struct proc_call *call)
{
    return call->signo;
}

bool proc_timed_out(const struct proc_call *call)
{
    return call->timed_out;
}

bool proc_escalated(const struct proc_call *call)
{
    return call->escalated;
}

uint64_t proc_duration_ms(const struct proc_call *call)
{
    return call->duration_ms;
}

int64_t proc_started_ms(const struct proc_call *call)
{
    return call->started_ms;
}

int proc_pid(const struct proc_call *call)
{
    return call->pid;
}

void proc_last_line(const struct proc_call *call, struct buf *out)
{
    if (call->last_line_from)
        outstore_last_line(call->last_line_from, out);
}
