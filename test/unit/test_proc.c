/*
 * Unit tests: proc (spawn, capture, deadline, kill escalation, drain, spawn failures).
 *
 * Each test runs /bin/sh -c fixtures on its own loop with a watchdog timer; nothing sleeps to
 * synchronise. The test process is a child subreaper, so the background grandchildren of a
 * fixture are reparented to it: that lets a test reap them and then check with
 * kill(-pgid, 0) that a whole process group is gone (zombies would still count).
 *
 * Every test runs twice: once with exits seen on pidfds, once with RUN_PROC_NO_PIDFD set, the
 * SIGCHLD fallback of kernels without pidfd_open.
 */
#include "unit.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "buf.h"
#include "diag.h"
#include "outstore.h"
#include "proc.h"

#define WATCHDOG_MS 20000

/* A NULL-terminated argv of string literals (proc_opts takes char *const *). */
#define ARGV(...) ((char *const *)(const char *[]){ __VA_ARGS__, NULL })

static char tmp[64];
static bool sigchld_mode; /* this group runs with RUN_PROC_NO_PIDFD */

struct run {
    uv_loop_t loop;
    uv_timer_t watchdog;
    struct proc_call *call;
    struct outstore *out, *err;
    int done_calls, output_calls;
    uint64_t last_total;        /* outstore totals at the previous output callback */
    bool output_without_growth; /* an output callback came without new bytes */
    bool watchdog_fired;
    bool cancel_on_output; /* proc_cancel (twice) at the first output */
    int kill_on_output;    /* proc_kill with this signal at the first output */
    /* How the exit is watched, seen at the first output: open pidfds, SIGCHLD caught. */
    int pidfds;
    bool sigchld_caught;
    /* Results copied in 'done'. */
    int status, signo, pid;
    bool timed_out, escalated, group_alive_at_done, out_file_complete;
    uint64_t duration_ms;
    int64_t started_ms;
    struct buf last_line;
};

static void on_watchdog(uv_timer_t *t)
{
    struct run *r = container_of(t, struct run, watchdog);

    r->watchdog_fired = true;
    if (r->call)
        proc_cancel(r->call);
    uv_close((uv_handle_t *)t, NULL);
}

/* How many pidfds this process has open. */
static int count_pidfds(void)
{
    DIR *d = opendir("/proc/self/fd");
    struct dirent *e;
    int n = 0;

    assert_non_null(d);
    while ((e = readdir(d))) {
        char path[300], link[64];
        ssize_t len;

        snprintf(path, sizeof(path), "/proc/self/fd/%s", e->d_name);
        len = readlink(path, link, sizeof(link) - 1);
        if (len > 0) {
            link[len] = '\0';
            n += streq(link, "anon_inode:[pidfd]");
        }
    }
    closedir(d);
    return n;
}

/* Whether SIGCHLD has a handler in this process (the SigCgt mask of /proc/self/status). */
static bool sigchld_caught(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    unsigned long long mask = 0;

    assert_non_null(f);
    while (fgets(line, sizeof(line), f))
        if (sscanf(line, "SigCgt: %llx", &mask) == 1)
            break;
    fclose(f);
    return mask & (1ULL << (SIGCHLD - 1));
}

static void on_output(struct proc_call *call, void *arg)
{
    struct run *r = arg;
    uint64_t total = outstore_total(r->out) + outstore_total(r->err);

    assert_ptr_equal(call, r->call);
    r->output_calls++;
    if (total <= r->last_total)
        r->output_without_growth = true;
    r->last_total = total;
    if (r->output_calls == 1) {
        r->pidfds = count_pidfds();
        r->sigchld_caught = sigchld_caught();
    }
    if (r->kill_on_output && r->output_calls == 1)
        proc_kill(call, r->kill_on_output);
    if (r->cancel_on_output && r->output_calls == 1) {
        proc_cancel(call);
        proc_cancel(call);
    }
}

static void on_done(struct proc_call *call, void *arg)
{
    struct run *r = arg;
    const char *path = outstore_path(r->out);

    assert_ptr_equal(call, r->call);
    r->done_calls++;
    r->status = proc_status(call);
    r->signo = proc_signal(call);
    r->timed_out = proc_timed_out(call);
    r->escalated = proc_escalated(call);
    r->duration_ms = proc_duration_ms(call);
    r->started_ms = proc_started_ms(call);
    r->pid = proc_pid(call);
    r->group_alive_at_done = kill(-r->pid, 0) == 0;
    proc_last_line(call, &r->last_line);
    if (path) {
        struct stat st;

        r->out_file_complete =
            stat(path, &st) == 0 && (uint64_t)st.st_size == outstore_total(r->out);
    }
    /* Cancelling a finished call does nothing. */
    proc_cancel(call);
    if (!r->watchdog_fired)
        uv_close((uv_handle_t *)&r->watchdog, NULL);
}

static void run_init(struct run *r, const char *dir)
{
    memset(r, 0, sizeof(*r));
    assert_int_equal(uv_loop_init(&r->loop), 0);
    uv_timer_init(&r->loop, &r->watchdog);
    uv_timer_start(&r->watchdog, on_watchdog, WATCHDOG_MS, 0);
    r->out = outstore_new(&(struct outstore_opts){ .dir = dir, .tool = "t", .stream = "stdout" });
    r->err = outstore_new(&(struct outstore_opts){ .dir = dir, .tool = "t", .stream = "stderr" });
    buf_init(&r->last_line, 0);
}

/* Start 'o' (argv etc. from the caller; sinks and callbacks filled in) and run the loop. */
static void run_opts(struct run *r, struct proc_opts *o)
{
    struct diag_list diags = DIAG_LIST_INIT;

    o->out = r->out;
    o->err = r->err;
    o->done = on_done;
    o->output = on_output;
    o->arg = r;
    r->call = proc_start(&r->loop, o, &diags, NULL);
    assert_non_null(r->call);
    assert_int_equal(diags.n, 0);
    assert_int_equal(uv_run(&r->loop, UV_RUN_DEFAULT), 0);
    assert_false(r->watchdog_fired);
    assert_int_equal(r->done_calls, 1);
    diag_list_release(&diags);
}

static void run_sh(struct run *r, const char *script, unsigned flags)
{
    char *const *argv = ARGV("/bin/sh", "-c", script);

    run_opts(r, &(struct proc_opts){ .argv = argv, .flags = flags });
}

static void run_free(struct run *r)
{
    assert_int_equal(uv_loop_close(&r->loop), 0);
    outstore_discard(r->out);
    outstore_discard(r->err);
    outstore_free(r->out);
    outstore_free(r->err);
    buf_release(&r->last_line);
}

static const char *text(const struct outstore *o)
{
    size_t len;
    const char *d = outstore_data(o, &len);

    assert_int_equal(strlen(d), len);
    return d;
}

/* Reap the group's zombies (our children, as subreaper) until it is gone; false on timeout. */
struct gone {
    uv_timer_t t;
    int pgid, polls;
    bool gone;
};

static void on_poll_group(uv_timer_t *t)
{
    struct gone *g = container_of(t, struct gone, t);

    while (waitpid(-g->pgid, NULL, WNOHANG) > 0)
        ;
    if (kill(-g->pgid, 0) == -1 && errno == ESRCH)
        g->gone = true;
    if (g->gone || ++g->polls > 500)
        uv_close((uv_handle_t *)t, NULL);
}

static bool group_gone(int pgid)
{
    uv_loop_t loop;
    struct gone g = { .pgid = pgid };

    assert_int_equal(uv_loop_init(&loop), 0);
    uv_timer_init(&loop, &g.t);
    uv_timer_start(&g.t, on_poll_group, 0, 10); /* at most 500 polls, 5 s */
    uv_run(&loop, UV_RUN_DEFAULT);
    assert_int_equal(uv_loop_close(&loop), 0);
    return g.gone;
}

static void exit_codes(void **state)
{
    static const struct {
        const char *script;
        int status;
    } cases[] = { { "exit 0", 0 }, { "exit 3", 3 }, { "exit 125", 125 }, { "false", 1 } };

    (void)state;
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        struct run r;

        run_init(&r, NULL);
        run_sh(&r, cases[i].script, 0);
        assert_int_equal(r.status, cases[i].status);
        assert_int_equal(r.signo, 0);
        assert_false(r.timed_out);
        assert_false(r.escalated);
        assert_int_equal(r.output_calls, 0);
        assert_true(r.pid > 0);
        assert_true(r.started_ms > 1700000000000);
        run_free(&r);
    }
}

static void killed_by_signal(void **state)
{
    static const int sigs[] = { SIGTERM, SIGKILL, SIGSEGV };

    (void)state;
    for (size_t i = 0; i < ARRAY_SIZE(sigs); i++) {
        struct run r;
        char *script = xasprintf("kill -%d $$", sigs[i]);

        run_init(&r, NULL);
        run_sh(&r, script, 0);
        assert_int_equal(r.signo, sigs[i]);
        assert_int_equal(r.status, 128 + sigs[i]);
        assert_false(r.timed_out);
        run_free(&r);
        free(script);
    }
}

static void streams_are_separate(void **state)
{
    struct run r;

    (void)state;
    run_init(&r, NULL);
    run_sh(&r, "echo out; echo err >&2; printf partial; printf '\\n\\n' >&2", 0);
    assert_int_equal(r.status, 0);
    assert_string_equal(text(r.out), "out\npartial");
    assert_string_equal(text(r.err), "err\n\n\n");
    assert_true(r.output_calls >= 2);
    assert_false(r.output_without_growth);
    /* The two pipes are read in no fixed order, so the last line is either stream's. */
    assert_true(streq(r.last_line.buf, "partial") || streq(r.last_line.buf, "err"));
    run_free(&r);
}

static void last_line_from_either_stream(void **state)
{
    struct run r;

    (void)state;
    run_init(&r, NULL);
    run_sh(&r, "echo progress >&2; echo; echo", 0);
    assert_string_equal(r.last_line.buf, "progress");
    run_free(&r);
}

/* 10 MB of stdout goes to a file; memory holds a bounded tail; the file is complete at done. */
static void large_output_spills(void **state)
{
    struct run r;
    const char *data;
    size_t len;

    (void)state;
    run_init(&r, tmp);
    run_sh(&r, "head -c 10485760 /dev/zero | tr '\\0' x; echo done >&2", 0);
    assert_int_equal(r.status, 0);
    assert_int_equal(outstore_total(r.out), 10485760);
    data = outstore_data(r.out, &len);
    assert_int_equal(len, OUTSTORE_TAIL_KEEP);
    for (size_t i = 0; i < len; i++)
        if (data[i] != 'x')
            fail_msg("byte %zu of the tail is %d", i, data[i]);
    assert_non_null(outstore_path(r.out));
    assert_true(r.out_file_complete);
    assert_null(outstore_path(r.err));
    assert_string_equal(text(r.err), "done\n");
    run_free(&r);
}

/* examples.md §13: the timeout stops the shell and the background sleep it waits for. */
static void timeout_kills_the_group(void **state)
{
    struct run r;
    char *const *argv = ARGV("/bin/sh", "-c", "echo waiting; sleep 1000 & wait");

    (void)state;
    run_init(&r, NULL);
    run_opts(&r, &(struct proc_opts){ .argv = argv,
                                      .flags = PROC_NEW_SESSION,
                                      .timeout_ms = 300,
                                      .kill_grace_ms = 2000 });
    assert_true(r.timed_out);
    assert_false(r.escalated);
    assert_int_equal(r.signo, SIGTERM);
    assert_int_equal(r.status, 128 + SIGTERM);
    assert_true(r.duration_ms >= 300);
    assert_string_equal(text(r.out), "waiting\n");
    assert_true(group_gone(r.pid));
    run_free(&r);
}

/* A group that ignores SIGTERM gets SIGKILL after the grace period. */
static void sigkill_after_grace(void **state)
{
    struct run r;
    char *const *argv =
        ARGV("/bin/sh", "-c", "trap '' TERM; echo ready; sleep 1000; echo survived");

    (void)state;
    run_init(&r, NULL);
    run_opts(
        &r, &(struct proc_opts){
                .argv = argv, .flags = PROC_NEW_SESSION, .timeout_ms = 200, .kill_grace_ms = 300 });
    assert_true(r.timed_out);
    assert_true(r.escalated);
    assert_int_equal(r.signo, SIGKILL);
    assert_int_equal(r.status, 137);
    assert_true(r.duration_ms >= 500);
    assert_string_equal(text(r.out), "ready\n");
    assert_true(group_gone(r.pid));
    run_free(&r);
}

/* Without a session only the child is signalled, and escalation still works. */
static void sigkill_after_grace_without_session(void **state)
{
    struct run r;
    char *const *argv = ARGV("/bin/sh", "-c", "trap '' TERM; exec sleep 1000");

    (void)state;
    run_init(&r, NULL);
    run_opts(&r, &(struct proc_opts){ .argv = argv, .timeout_ms = 100, .kill_grace_ms = 200 });
    assert_true(r.timed_out);
    assert_true(r.escalated);
    assert_int_equal(r.status, 137);
    run_free(&r);
}

static void cancel_stops_the_call(void **state)
{
    struct run r;

    (void)state;
    run_init(&r, NULL);
    r.cancel_on_output = true;
    run_sh(&r, "echo started; sleep 1000 & wait", PROC_NEW_SESSION);
    assert_false(r.timed_out);
    assert_false(r.escalated);
    assert_int_equal(r.signo, SIGTERM);
    assert_int_equal(r.status, 143);
    assert_string_equal(text(r.out), "started\n");
    assert_true(group_gone(r.pid));
    run_free(&r);
}

/*
 * A group that outlives its call only while its members handle SIGTERM, then is down to
 * zombies nobody reaps yet (this process is their subreaper), ends the kill at once: the loop
 * does not wait out the grace period, and no SIGKILL is reported.
 */
static void zombies_end_the_grace_period(void **state)
{
    struct run r;
    uint64_t t0;

    (void)state;
    run_init(&r, NULL);
    r.cancel_on_output = true;
    t0 = uv_hrtime();
    run_opts(&r, &(struct proc_opts){
                     .argv = ARGV("/bin/sh", "-c",
                                  "(trap 'sleep 0.2; exit 0' TERM; while :; do sleep 0.05; done) &"
                                  " echo started; wait"),
                     .flags = PROC_NEW_SESSION,
                     .kill_grace_ms = 5000 });
    assert_false(r.escalated);
    assert_int_equal(r.status, 143);
    assert_true((uv_hrtime() - t0) / 1000000 < 2000);
    assert_true(group_gone(r.pid));
    run_free(&r);
}

/* A forwarded signal reaches the child, and nothing else is sent. */
static void kill_forwards_a_signal(void **state)
{
    struct run r;

    (void)state;
    run_init(&r, NULL);
    r.kill_on_output = SIGHUP;
    run_sh(&r, "trap 'echo hup; exit 7' HUP; echo ready; while :; do sleep 0.05; done", 0);
    assert_false(r.timed_out);
    assert_false(r.escalated);
    assert_int_equal(r.status, 7);
    assert_string_equal(text(r.out), "ready\nhup\n");
    run_free(&r);
}

/* A background process holding the pipes does not hold up the result past the drain limit. */
static void drain_limit(void **state)
{
    struct run r;
    char *const *argv = ARGV("/bin/sh", "-c", "echo hi; sleep 1000 &");

    (void)state;
    run_init(&r, NULL);
    run_opts(&r, &(struct proc_opts){ .argv = argv, .flags = PROC_NEW_SESSION, .drain_ms = 200 });
    assert_int_equal(r.status, 0);
    assert_false(r.timed_out);
    assert_string_equal(text(r.out), "hi\n");
    /* It is left running: a function may start a server on purpose. */
    assert_true(r.group_alive_at_done);
    /* The drain timer runs on libuv's loop clock (CLOCK_MONOTONIC_COARSE), which can be a
     * millisecond or so behind the uv_hrtime() the duration is measured with. */
    assert_true(r.duration_ms >= 195);
    assert_true(r.duration_ms < WATCHDOG_MS);
    assert_int_equal(kill(-r.pid, SIGKILL), 0);
    assert_true(group_gone(r.pid));
    run_free(&r);
}

static void start_fails_in(char *const *argv, const char *cwd, int want_status,
                           const char *want_msg)
{
    uv_loop_t loop;
    struct diag_list diags = DIAG_LIST_INIT;
    struct run r;
    int status = -1;
    struct proc_call *call;

    memset(&r, 0, sizeof(r));
    r.out = outstore_new(&(struct outstore_opts){ .stream = "stdout" });
    r.err = outstore_new(&(struct outstore_opts){ .stream = "stderr" });
    assert_int_equal(uv_loop_init(&loop), 0);
    call = proc_start(
        &loop,
        &(struct proc_opts){
            .argv = argv, .cwd = cwd, .out = r.out, .err = r.err, .done = on_done, .arg = &r },
        &diags, &status);
    assert_null(call);
    assert_int_equal(status, want_status);
    assert_int_equal(diags.n, 1);
    assert_int_equal(diags.items[0].level, DIAG_ERROR);
    assert_null(diags.items[0].file);
    assert_string_equal(diags.items[0].msg, want_msg);
    /* The handles that were set up are closed on the next loop turn; done never runs. */
    assert_int_equal(uv_run(&loop, UV_RUN_DEFAULT), 0);
    assert_int_equal(r.done_calls, 0);
    assert_int_equal(uv_loop_close(&loop), 0);
    outstore_free(r.out);
    outstore_free(r.err);
    diag_list_release(&diags);
}

static void start_fails(char *const *argv, int want_status, const char *want_msg)
{
    start_fails_in(argv, NULL, want_status, want_msg);
}

/* Valgrind cannot survive a failing execve in the child (it dies instead of reporting). */
static bool under_valgrind(void)
{
    const char *preload = getenv("LD_PRELOAD");

    return preload && strstr(preload, "vgpreload");
}

static void spawn_failures(void **state)
{
    char *const *missing = ARGV("/nonexistent/run-test-prog");
    char *const *not_in_path = ARGV("run-test-no-such-program");
    char *file = xasprintf("%s/not-executable", tmp);
    char *const *plain = ARGV(file);
    char *big = xmalloc(200 * 1024);
    char *const *too_long = ARGV("/bin/echo", big);
    char *msg, *cwd;
    int fd;

    (void)state;
    if (under_valgrind()) {
        free(big);
        free(file);
        skip();
    }
    start_fails(missing, 127, "No such file or directory");
    start_fails(not_in_path, 127, "No such file or directory");
    fd = open(file, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "echo hi\n", 8), 8);
    close(fd);
    start_fails(plain, 126, "Permission denied");
    /* One argument above the kernel's 128 KiB per-string limit. */
    memset(big, 'a', 200 * 1024 - 1);
    big[200 * 1024 - 1] = '\0';
    start_fails(too_long, 126, "Argument list too long");
    /* A missing working directory is not a missing program. */
    msg = xasprintf("cannot change to directory '%s/gone': No such file or directory", tmp);
    cwd = xasprintf("%s/gone", tmp);
    start_fails_in(ARGV("/bin/sh", "-c", "exit 0"), cwd, 126, msg);
    free(msg);
    free(cwd);
    /* A working directory that is not one: the system's reason, 126. */
    start_fails_in(ARGV("/bin/sh", "-c", "exit 0"), file, 126, "Not a directory");
    free(big);
    free(file);
}

static void cwd_and_env(void **state)
{
    struct run r;
    char *const *argv = ARGV("/bin/sh", "-c", "pwd; echo \"$FOO\"; echo \"${HOME-unset}\"");
    char *const *env = ARGV("FOO=bar baz", "PATH=/usr/bin:/bin");
    char *want = xasprintf("%s\nbar baz\nunset\n", tmp);

    (void)state;
    assert_non_null(getenv("PATH"));
    run_init(&r, NULL);
    run_opts(&r, &(struct proc_opts){ .argv = argv, .env = env, .cwd = tmp });
    assert_string_equal(text(r.out), want);
    run_free(&r);
    free(want);
}

static void stdin_is_dev_null(void **state)
{
    struct run r;

    (void)state;
    run_init(&r, NULL);
    /* cat would wait forever on a terminal or an open pipe. */
    run_sh(&r, "readlink /proc/self/fd/0; cat; echo end", 0);
    assert_string_equal(text(r.out), "/dev/null\nend\n");
    run_free(&r);
}

/* The server ignores SIGPIPE and may block signals; its children must not inherit that. */
static void default_signal_dispositions(void **state)
{
    struct run r;
    char *const *argv = ARGV("/bin/grep", "-E", "^Sig(Blk|Ign)", "/proc/self/status");
    struct sigaction ign = { .sa_handler = SIG_IGN }, old;
    sigset_t block, oldmask;
    unsigned long long blocked = 1, ignored = 1;

    (void)state;
    sigemptyset(&block);
    sigaddset(&block, SIGUSR1);
    assert_int_equal(sigaction(SIGPIPE, &ign, &old), 0);
    assert_int_equal(sigprocmask(SIG_BLOCK, &block, &oldmask), 0);
    run_init(&r, NULL);
    run_opts(&r, &(struct proc_opts){ .argv = argv });
    sigaction(SIGPIPE, &old, NULL);
    sigprocmask(SIG_SETMASK, &oldmask, NULL);
    assert_int_equal(sscanf(text(r.out), "SigBlk: %llx SigIgn: %llx", &blocked, &ignored), 2);
    assert_int_equal(blocked, 0);
    /*
     * Signals 1-31 are reset (libuv does it in the child). Real-time signals ignored by
     * whoever started the tests (e.g. 32 and 33 under timeout(1)) are inherited as they are.
     */
    assert_int_equal(ignored & 0x7fffffffULL, 0);
    run_free(&r);
}

/* Field 6 of /proc/PID/stat is the session id. */
static void new_session(void **state)
{
    struct run r;
    char *want;

    (void)state;
    run_init(&r, NULL);
    run_sh(&r, "cut -d' ' -f5,6 /proc/$$/stat", PROC_NEW_SESSION);
    want = xasprintf("%d %d\n", r.pid, r.pid);
    assert_string_equal(text(r.out), want);
    free(want);
    run_free(&r);

    run_init(&r, NULL);
    run_sh(&r, "cut -d' ' -f6 /proc/$$/stat", 0);
    want = xasprintf("%d\n", (int)getsid(0));
    assert_string_equal(text(r.out), want);
    free(want);
    run_free(&r);
}

/* Whether this process can open pidfds (not before Linux 5.3, nor under valgrind 3.19). */
static bool have_pidfd(void)
{
#ifdef SYS_pidfd_open
    int fd = (int)syscall(SYS_pidfd_open, getpid(), 0);

    if (fd >= 0) {
        close(fd);
        return true;
    }
#endif
    return false;
}

/* The exit is watched on a pidfd, or through SIGCHLD when pidfds are off or missing. */
static void exit_watch(void **state)
{
    struct run r;
    bool pidfd = !sigchld_mode && have_pidfd();

    (void)state;
    run_init(&r, NULL);
    /* It runs until the first output has been looked at, then exits on SIGUSR1. */
    r.kill_on_output = SIGUSR1;
    run_sh(&r, "trap 'exit 4' USR1; echo hi; while :; do sleep 0.01; done", PROC_NEW_SESSION);
    assert_int_equal(r.status, 4);
    assert_int_equal(r.pidfds, pidfd ? 1 : 0);
    assert_int_equal(r.sigchld_caught, !pidfd);
    run_free(&r);
}

/*
 * Many calls on one loop that end close together: each gets its own status, none is lost
 * when SIGCHLDs merge, and the ones that exit before their watch is set up are seen too.
 */
#define NCALLS 12

struct many {
    struct proc_call *call;
    int done, status;
};

struct many_run {
    uv_timer_t watchdog;
    struct many calls[NCALLS];
    bool watchdog_fired;
};

static void on_many_done(struct proc_call *call, void *arg)
{
    struct many *m = arg;

    assert_ptr_equal(call, m->call);
    m->done++;
    m->status = proc_status(call);
}

static void on_many_watchdog(uv_timer_t *t)
{
    struct many_run *mr = container_of(t, struct many_run, watchdog);

    mr->watchdog_fired = true;
    for (int i = 0; i < NCALLS; i++)
        if (!mr->calls[i].done)
            proc_cancel(mr->calls[i].call);
}

static void concurrent_calls(void **state)
{
    struct many_run mr = { 0 };
    uv_loop_t loop;

    (void)state;
    assert_int_equal(uv_loop_init(&loop), 0);
    uv_timer_init(&loop, &mr.watchdog);
    uv_timer_start(&mr.watchdog, on_many_watchdog, WATCHDOG_MS, 0);
    uv_unref((uv_handle_t *)&mr.watchdog);
    for (int i = 0; i < NCALLS; i++) {
        char *script = xasprintf(i % 2 ? "exit %d" : "sleep 0.05; exit %d", 10 + i);
        struct diag_list diags = DIAG_LIST_INIT;

        mr.calls[i].call = proc_start(&loop,
                                      &(struct proc_opts){ .argv = ARGV("/bin/sh", "-c", script),
                                                           .flags = i % 3 ? PROC_NEW_SESSION : 0,
                                                           .done = on_many_done,
                                                           .arg = &mr.calls[i] },
                                      &diags, NULL);
        assert_non_null(mr.calls[i].call);
        diag_list_release(&diags);
        free(script);
    }
    assert_int_equal(uv_run(&loop, UV_RUN_DEFAULT), 0);
    assert_false(mr.watchdog_fired);
    for (int i = 0; i < NCALLS; i++) {
        assert_int_equal(mr.calls[i].done, 1);
        assert_int_equal(mr.calls[i].status, 10 + i);
    }
    uv_close((uv_handle_t *)&mr.watchdog, NULL);
    assert_int_equal(uv_run(&loop, UV_RUN_DEFAULT), 0);
    assert_int_equal(uv_loop_close(&loop), 0);
}

/*
 * Only fds 0-2 reach the child, even from a descriptor this process has without
 * close-on-exec (one inherited from whoever started run), and 1 and 2 are the capture pipes,
 * never this process's own stdout and stderr.
 */
static void only_stdio_is_inherited(void **state)
{
    int fd = open("/dev/null", O_RDONLY); /* no O_CLOEXEC, on purpose */
    char own[2][64];

    (void)state;
    assert_true(fd >= 3);
    for (int i = 0; i < 2; i++) {
        char path[32];
        ssize_t n;

        snprintf(path, sizeof(path), "/proc/self/fd/%d", i + 1);
        n = readlink(path, own[i], sizeof(own[i]) - 1);
        own[i][n > 0 ? n : 0] = '\0';
    }
    for (int flags = 0; flags <= PROC_NEW_SESSION; flags += PROC_NEW_SESSION) {
        struct run r;
        const char *out;

        run_init(&r, NULL);
        /* ls runs as the shell's child and lists the shell's descriptors, not its own. */
        run_sh(&r, "ls /proc/$$/fd; readlink /proc/$$/fd/1 /proc/$$/fd/2 >&2", (unsigned)flags);
        assert_string_equal(text(r.out), "0\n1\n2\n");
        out = text(r.err);
        assert_true(strncmp(out, "pipe:", 5) == 0);
        assert_true(strstr(out, "\npipe:") != NULL);
        assert_null(strstr(out, own[0]));
        assert_null(strstr(out, own[1]));
        run_free(&r);
    }
    close(fd);
}

/* As execvp does (and uv_spawn did), a program file without "#!" is run by /bin/sh. */
static void script_without_shebang(void **state)
{
    struct run r;
    char *file = xasprintf("%s/no-shebang", tmp);
    char *want = xasprintf("sh ran %s with x y\n", file);
    int fd;

    (void)state;
    if (under_valgrind()) {
        free(file);
        free(want);
        skip();
    }
    fd = open(file, O_WRONLY | O_CREAT | O_TRUNC, 0755);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "echo sh ran $0 with $@\n", 23), 23);
    close(fd);
    run_init(&r, NULL);
    run_opts(&r, &(struct proc_opts){ .argv = ARGV(file, "x", "y") });
    assert_int_equal(r.status, 0);
    assert_string_equal(text(r.out), want);
    run_free(&r);
    free(file);
    free(want);
}

/* stdout and stderr are pipes of 256 KiB: at 64 KiB, big output cost the server 3x the CPU. */
static void pipes_are_large(void **state)
{
    struct run r;

    (void)state;
    if (access("/usr/bin/python3", X_OK) != 0)
        skip();
    run_init(&r, NULL);
    run_opts(&r, &(struct proc_opts){
                     .argv = ARGV("/usr/bin/python3", "-c",
                                  "import fcntl\nfor fd in 1, 2: print(fcntl.fcntl(fd, 1032))") });
    assert_int_equal(r.status, 0);
    assert_string_equal(text(r.out), "262144\n262144\n");
    run_free(&r);
}

static int setup(void **state)
{
    (void)state;
    strcpy(tmp, "/tmp/run-proc-XXXXXX");
    if (!mkdtemp(tmp))
        return -1;
    /* Orphaned grandchildren of the fixtures become our children (see the top comment). */
    return prctl(PR_SET_CHILD_SUBREAPER, 1) == 0 ? 0 : -1;
}

static int setup_sigchld(void **state)
{
    sigchld_mode = true;
    setenv("RUN_PROC_NO_PIDFD", "1", 1);
    return setup(state);
}

static int teardown(void **state)
{
    char *cmd = xasprintf("rm -rf '%s'", tmp);
    int rc = system(cmd);

    (void)state;
    free(cmd);
    return rc;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(exit_codes),
        cmocka_unit_test(killed_by_signal),
        cmocka_unit_test(streams_are_separate),
        cmocka_unit_test(last_line_from_either_stream),
        cmocka_unit_test(large_output_spills),
        cmocka_unit_test(timeout_kills_the_group),
        cmocka_unit_test(sigkill_after_grace),
        cmocka_unit_test(sigkill_after_grace_without_session),
        cmocka_unit_test(cancel_stops_the_call),
        cmocka_unit_test(zombies_end_the_grace_period),
        cmocka_unit_test(kill_forwards_a_signal),
        cmocka_unit_test(drain_limit),
        cmocka_unit_test(spawn_failures),
        cmocka_unit_test(cwd_and_env),
        cmocka_unit_test(stdin_is_dev_null),
        cmocka_unit_test(default_signal_dispositions),
        cmocka_unit_test(new_session),
        cmocka_unit_test(exit_watch),
        cmocka_unit_test(concurrent_calls),
        cmocka_unit_test(only_stdio_is_inherited),
        cmocka_unit_test(script_without_shebang),
        cmocka_unit_test(pipes_are_large),
    };
    int failed = cmocka_run_group_tests_name("pidfd", tests, setup, teardown);

    return failed + cmocka_run_group_tests_name("sigchld", tests, setup_sigchld, teardown);
}
