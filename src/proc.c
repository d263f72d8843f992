/*
 * proc: one captured child process on a libuv loop. The call owns four handles (the exit
 * watch, two pipes, one timer) and counts them; it is finished when the child exited and both
 * pipes are at EOF (or the drain limit passed), and it is freed in the last close callback,
 * right after 'done'. A kill (timeout or cancellation) sends SIGTERM and hands the SIGKILL
 * escalation to a separate "reaper" timer, because the group can outlive the call: the
 * response must not wait for the grace period, but group members that ignore SIGTERM must
 * still die.
 *
 * The child is started with posix_spawn, not uv_spawn: on Linux libuv forks, and copying the
 * server's page tables for every call cost about half the server's CPU with 16 calls in flight
 * (test/bench/RESULTS.md E); glibc's posix_spawn shares the memory until exec (CLONE_VM |
 * CLONE_VFORK). Its exit is seen on a pidfd, or through SIGCHLD where there is none, and each
 * call reaps only its own pid: the program may have other children.
 */
/* pipe2, posix_spawn_file_actions_add{chdir,closefrom}_np and POSIX_SPAWN_SETSID: */
#define _GNU_SOURCE // NOLINT(bugprone-reserved-identifier,cert-dcl37-c,cert-dcl51-cpp)
#include "proc.h"

#include "base.h"
#include "buf.h"
#include "outstore.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

#define READ_BUF_SIZE (64 * 1024)

/*
 * The capacity of the stdout and stderr pipes. With Linux's default of 64 KiB the server is
 * woken for every few pages a fast writer produces: 100 MiB of output cost it 3 times the CPU
 * (170-240 ms instead of 50-60 ms) that libuv's socketpairs (about 200 KiB of buffer) did;
 * 256 KiB brings it back to 60-90 ms.
 */
#define PIPE_CAPACITY (256 * 1024)

/*
 * posix_spawn_file_actions_addclosefrom_np is glibc 2.34 or later; without it only
 * close-on-exec keeps descriptors from the child (all of run's own have it, but not
 * necessarily those it inherited).
 */
#ifdef __GLIBC__
#if __GLIBC_PREREQ(2, 34)
#define HAVE_ADDCLOSEFROM 1
#endif
#endif

struct proc_reaper {
    uv_timer_t timer;
    struct proc_call *call; /* NULL once the call finished */
    int pgid;               /* the group to check and kill; 0 = only the child itself */
    uint64_t deadline;      /* loop time when the grace period ends */
};

/* How often a group that outlived its call is checked for live members. */
#define REAPER_POLL_MS 50

struct proc_call {
    union {
        uv_handle_t handle;
        uv_poll_t poll;      /* on the pidfd, readable once the child exited */
        uv_signal_t sigchld; /* without a pidfd: every SIGCHLD, then waitpid for this pid */
    } exit_watch;
    int pidfd;                    /* -1 when SIGCHLD is watched */
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
    if (call->pidfd >= 0)
        close(call->pidfd);
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
            kill(r->call->pid, SIGKILL); /* not reaped yet (group_alive), so still ours */
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
        kill(call->pid, sig); /* at worst a zombie until reaped: the pid is not reused */
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
    uv_update_time(call->loop); /* a stale clock would shorten the grace period */
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
    close_handle(call, &call->exit_watch.handle);
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

static void stop_exit_watch(struct proc_call *call)
{
    if (call->pidfd >= 0)
        uv_poll_stop(&call->exit_watch.poll);
    else
        uv_signal_stop(&call->exit_watch.sigchld);
}

/*
 * Reap the child if it has exited. Only its own pid is waited for: waitpid(-1) would steal
 * the status of children that others in this process wait for.
 */
static void check_exit(struct proc_call *call)
{
    int ws = 0;
    pid_t r;

    if (call->exited)
        return;
    do
        r = waitpid(call->pid, &ws, WNOHANG);
    while (r < 0 && errno == EINTR);
    if (r == 0)
        return; /* still running: the SIGCHLD was another child's */
    /*
     * ECHILD: somebody else reaped it (SIGCHLD set to SIG_IGN, or a waitpid(-1) elsewhere).
     * Nothing in run does that; the status is lost, so it reads as 0, and the call still ends
     * instead of waiting for an exit that will never be seen again.
     */
    if (r < 0)
        ws = 0;
    stop_exit_watch(call);
    call->exited = true;
    call->signo = WIFSIGNALED(ws) ? WTERMSIG(ws) : 0;
    call->status = call->signo ? 128 + call->signo : WEXITSTATUS(ws);
    uv_timer_stop(&call->timer);
    if (!call->out_eof || !call->err_eof) {
        /*
         * The loop's clock is that of the start of this iteration, which can be long past
         * when the exit is seen from proc_start or after a slow callback (a big tools/list):
         * counted from it, the drain limit could be over before the pipes were read once.
         */
        uv_update_time(call->loop);
        uv_timer_start(&call->timer, on_drain_over, call->drain_ms, 0);
    }
    finish_if_done(call);
}

static void on_pidfd(uv_poll_t *h, int status, int events)
{
    (void)status; /* an error on a pidfd can only mean the child is gone: reap it too */
    (void)events;
    check_exit(container_of(h, struct proc_call, exit_watch.poll));
}

static void on_sigchld(uv_signal_t *h, int signo)
{
    (void)signo;
    check_exit(container_of(h, struct proc_call, exit_watch.sigchld));
}

/* A pidfd for 'pid', or -1 (ENOSYS before Linux 5.3, or RUN_PROC_NO_PIDFD set for tests). */
static int open_pidfd(pid_t pid)
{
    static bool unsupported; /* asked once: the kernel (or valgrind 3.19) has no pidfd_open */
    const char *off = getenv("RUN_PROC_NO_PIDFD");
    int fd = -1;

    errno = ENOSYS;
    if (unsupported || (off && *off))
        return -1;
#ifdef SYS_pidfd_open
    fd = (int)syscall(SYS_pidfd_open, pid, 0); /* always close-on-exec */
#endif
    if (fd < 0 && errno == ENOSYS)
        unsupported = true;
    return fd;
}

/*
 * Watch for the child's exit: its pidfd on a poll handle, or else SIGCHLD (every call
 * watching gets each one and checks its own pid). Returns 0 or a negative UV error.
 */
static int watch_exit(struct proc_call *call)
{
    int fd = open_pidfd(call->pid), err;

    if (fd >= 0 && uv_poll_init(call->loop, &call->exit_watch.poll, fd) == 0) {
        call->pidfd = fd;
        call->open_handles++;
        return uv_poll_start(&call->exit_watch.poll, UV_READABLE, on_pidfd);
    }
    if (fd >= 0)
        close(fd);
    err = uv_signal_init(call->loop, &call->exit_watch.sigchld);
    if (err < 0)
        return err;
    call->open_handles++;
    return uv_signal_start(&call->exit_watch.sigchld, on_sigchld, SIGCHLD);
}

/*
 * A pipe for a child's stream, both ends at 3 or above: the child's file actions overwrite
 * fds 0-2, which are free here only when run was started with one of them closed. Its buffer
 * is raised to PIPE_CAPACITY. Returns 0 or an errno.
 */
static int make_pipe(int fds[2])
{
    if (pipe2(fds, O_CLOEXEC) < 0)
        return errno;
    /* Best effort: the per-user pipe quota (pipe-user-pages-soft) may refuse it. */
    (void)fcntl(fds[0], F_SETPIPE_SZ, PIPE_CAPACITY);
    for (int i = 0; i < 2; i++) {
        if (fds[i] < 3) {
            int fd = fcntl(fds[i], F_DUPFD_CLOEXEC, 3), err = errno;

            close(fds[i]);
            fds[i] = fd;
            if (fd < 0) {
                close(fds[1 - i]);
                fds[0] = fds[1] = -1;
                return err;
            }
        }
    }
    return 0;
}

/*
 * posix_spawnp 'opts->argv' with stdin from /dev/null, stdout and stderr on 'out_w' and
 * 'err_w', nothing else open (fds 3 and up closed; ours are close-on-exec anyway, but a
 * descriptor inherited without it from whoever started run must not reach the child either),
 * default signal dispositions, an empty mask and, for 'session', setsid. Returns 0 or an
 * errno: the child's exec or file-action failure is reported here (glibc waits for the exec).
 */
int proc_spawnattr_init(posix_spawnattr_t *attr, bool new_session)
{
    sigset_t all, none;
    int err = posix_spawnattr_init(attr);

    if (err)
        return err;
    sigfillset(&all);
    sigdelset(&all, SIGKILL);
    sigdelset(&all, SIGSTOP);
    sigemptyset(&none);
    err = posix_spawnattr_setsigdefault(attr, &all);
    if (!err)
        err = posix_spawnattr_setsigmask(attr, &none);
    if (!err)
        err = posix_spawnattr_setflags(attr, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK |
                                                 (new_session ? POSIX_SPAWN_SETSID : 0));
    if (err)
        posix_spawnattr_destroy(attr);
    return err;
}

static int spawn_child(const struct proc_opts *opts, bool session, int out_w, int err_w, pid_t *pid)
{
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t attr;
    char **env = opts->env ? (char **)opts->env : environ;
    int err;

    err = posix_spawn_file_actions_init(&fa);
    if (err)
        return err;
    err = proc_spawnattr_init(&attr, session);
    if (err) {
        posix_spawn_file_actions_destroy(&fa);
        return err;
    }
    err = posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    if (!err)
        err = posix_spawn_file_actions_adddup2(&fa, out_w, 1);
    if (!err)
        err = posix_spawn_file_actions_adddup2(&fa, err_w, 2);
#ifdef HAVE_ADDCLOSEFROM
    if (!err)
        err = posix_spawn_file_actions_addclosefrom_np(&fa, 3);
#endif
    if (!err && opts->cwd)
        err = posix_spawn_file_actions_addchdir_np(&fa, opts->cwd);
    if (!err)
        err = posix_spawnp(pid, opts->argv[0], &fa, &attr, opts->argv, env);
    /*
     * execvp (and so uv_spawn) runs an executable without a "#!" line with /bin/sh;
     * posix_spawn reports ENOEXEC instead. Keep execvp's rule for a path (the interpreters
     * script.c finds are full paths).
     */
    if (err == ENOEXEC && strchr(opts->argv[0], '/')) {
        size_t n = 0;
        char **sh_argv;

        while (opts->argv[n])
            n++;
        sh_argv = xcalloc(n + 2, sizeof(*sh_argv));
        sh_argv[0] = (char *)"/bin/sh";
        for (size_t i = 0; i < n; i++)
            sh_argv[i + 1] = opts->argv[i];
        err = posix_spawn(pid, sh_argv[0], &fa, &attr, sh_argv, env);
        free(sh_argv);
    }
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&attr);
    return err;
}

/* The diag and status of a start failure 'err' (an errno), as proc.h describes them. */
static void report_start_failure(const struct proc_opts *opts, int err, struct diag_list *diags,
                                 int *status)
{
    struct stat st;
    /* posix_spawn says ENOENT for a missing directory as for a missing program. */
    bool no_cwd = err == ENOENT && opts->cwd && stat(opts->cwd, &st) < 0;

    if (no_cwd && diags)
        diag_add(diags, DIAG_ERROR, NULL, "cannot change to directory '%s': %s", opts->cwd,
                 strerror(errno));
    else if (diags)
        diag_add(diags, DIAG_ERROR, NULL, "%s", strerror(err));
    if (status)
        *status = err == ENOENT && !no_cwd ? 127 : 126;
}

/* Read the parent's end 'fd' of a child's stream on 'pipe'; on failure that stream is empty. */
static void open_stream(struct proc_call *call, uv_pipe_t *pipe, int fd)
{
    if (uv_pipe_open(pipe, fd) < 0) {
        close(fd);
        end_pipe(call, pipe);
    } else if (uv_read_start((uv_stream_t *)pipe, on_alloc, on_read) < 0) {
        end_pipe(call, pipe);
    }
}

struct proc_call *proc_start(uv_loop_t *loop, const struct proc_opts *opts, struct diag_list *diags,
                             int *status)
{
    struct proc_call *call = xcalloc(1, sizeof(*call));
    int out[2] = { -1, -1 }, err[2] = { -1, -1 };
    pid_t pid = 0;
    int rc;

    call->loop = loop;
    call->pidfd = -1;
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
    call->open_handles = 3; /* the exit watch is added once the child runs */

    call->start_hr = uv_hrtime();
    call->started_ms = unix_time_ms();
    rc = make_pipe(out);
    if (!rc)
        rc = make_pipe(err);
    if (!rc)
        rc = spawn_child(opts, call->session, out[1], err[1], &pid);
    /* The child has its copies (or never will): our write ends would hold off the EOF. */
    if (out[1] >= 0)
        close(out[1]);
    if (err[1] >= 0)
        close(err[1]);
    if (!rc) {
        call->pid = pid;
        rc = watch_exit(call);
        if (rc < 0) {
            /* Nothing could tell us when it ends: stop it now rather than lose it. */
            kill(call->session ? -pid : pid, SIGKILL);
            while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
                ;
            rc = -rc;
        }
    }
    if (rc) {
        if (out[0] >= 0)
            close(out[0]);
        if (err[0] >= 0)
            close(err[0]);
        report_start_failure(opts, rc, diags, status);
        if (call->open_handles == 4)
            close_handle(call, &call->exit_watch.handle);
        close_handle(call, (uv_handle_t *)&call->out_pipe);
        close_handle(call, (uv_handle_t *)&call->err_pipe);
        close_handle(call, (uv_handle_t *)&call->timer);
        return NULL;
    }
    call->spawned = true;
    open_stream(call, &call->out_pipe, out[0]);
    open_stream(call, &call->err_pipe, err[0]);
    if (opts->timeout_ms) {
        /* The loop's clock is only updated per iteration; the deadline counts from now. */
        uv_update_time(loop);
        uv_timer_start(&call->timer, on_deadline, opts->timeout_ms, 0);
    }
    /* A SIGCHLD that came before the handler was installed is lost: look once now. */
    if (call->pidfd < 0)
        check_exit(call);
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
