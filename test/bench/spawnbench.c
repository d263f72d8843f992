/*
 * spawnbench: time commands by posix_spawn + waitpid, the floor of `run hi` (test/bench).
 *
 *   spawnbench [-n REPS] [-w WARMUP] [-t SECONDS] -- CMD ARGS... [:: CMD ARGS...]...
 *
 * Every repetition runs each command once, in turn (interleaved, so that a figure and its
 * floor see the same machine state), with stdin and stdout on /dev/null and stderr on
 * /dev/null. A command is the path or name (PATH is searched) and its arguments; no shell is
 * involved. For `sh -c 'echo hi'` the measured time is exactly "posix_spawn of /bin/sh -c
 * 'echo hi' and wait", the physical limit of `run hi`.
 *
 * Prints one line per command, in order:
 *   ok REPS MEDIAN_US MIN_US MAX_US
 *   error STATUS           (the command failed to start or exited non-zero; STATUS is the
 *                           wait status text, e.g. "exit 1" or "signal 11")
 * -t stops adding repetitions once that many seconds have passed (after at least 3).
 */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

struct cmd {
    char **argv;
    double *us;
    int n;
    char err[64];
};

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Run once; returns the wall time in µs, or -1 with c->err set. */
static double run_once(struct cmd *c, const posix_spawn_file_actions_t *fa)
{
    pid_t pid;
    int st, rc;
    double t0 = now_us(), t1;

    rc = posix_spawnp(&pid, c->argv[0], fa, NULL, c->argv, environ);
    if (rc != 0) {
        snprintf(c->err, sizeof(c->err), "spawn: %s", strerror(rc));
        return -1;
    }
    while (waitpid(pid, &st, 0) < 0) {
        if (errno != EINTR) {
            snprintf(c->err, sizeof(c->err), "waitpid: %s", strerror(errno));
            return -1;
        }
    }
    t1 = now_us();
    if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
        return t1 - t0;
    if (WIFEXITED(st))
        snprintf(c->err, sizeof(c->err), "exit %d", WEXITSTATUS(st));
    else
        snprintf(c->err, sizeof(c->err), "signal %d", WTERMSIG(st));
    return -1;
}

int main(int argc, char **argv)
{
    int reps = 100, warm = 3, opt, ncmd = 0;
    double limit_s = 0, start;
    struct cmd *cmds;
    posix_spawn_file_actions_t fa;

    while ((opt = getopt(argc, argv, "n:w:t:")) != -1) {
        switch (opt) {
        case 'n':
            reps = atoi(optarg);
            break;
        case 'w':
            warm = atoi(optarg);
            break;
        case 't':
            limit_s = atof(optarg);
            break;
        default:
            goto usage;
        }
    }
    if (optind >= argc || reps < 1)
        goto usage;

    cmds = calloc((size_t)argc, sizeof(*cmds));
    if (!cmds)
        abort();
    for (int i = optind; i < argc;) {
        struct cmd *c = &cmds[ncmd++];
        int j = i;
        while (j < argc && strcmp(argv[j], "::") != 0)
            j++;
        if (j == i)
            goto usage;
        argv[j < argc ? j : argc] = NULL; /* argv[argc] is NULL already */
        c->argv = &argv[i];
        c->us = calloc((size_t)reps, sizeof(double));
        if (!c->us)
            abort();
        i = j + 1;
    }

    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);

    for (int w = 0; w < warm; w++) {
        for (int k = 0; k < ncmd; k++) {
            if (!cmds[k].err[0])
                run_once(&cmds[k], &fa);
        }
    }
    start = now_us();
    for (int r = 0; r < reps; r++) {
        for (int k = 0; k < ncmd; k++) {
            struct cmd *c = &cmds[k];
            double t;
            if (c->err[0])
                continue;
            t = run_once(c, &fa);
            if (t >= 0)
                c->us[c->n++] = t;
        }
        if (limit_s > 0 && r >= 2 && now_us() - start > limit_s * 1e6)
            break;
    }

    for (int k = 0; k < ncmd; k++) {
        struct cmd *c = &cmds[k];
        if (c->err[0]) {
            printf("error %s\n", c->err);
            continue;
        }
        qsort(c->us, (size_t)c->n, sizeof(double), cmp_double);
        printf("ok %d %.1f %.1f %.1f\n", c->n,
               c->n % 2 ? c->us[c->n / 2] : (c->us[c->n / 2 - 1] + c->us[c->n / 2]) / 2, c->us[0],
               c->us[c->n - 1]);
    }
    posix_spawn_file_actions_destroy(&fa);
    for (int k = 0; k < ncmd; k++)
        free(cmds[k].us);
    free(cmds);
    return 0;

usage:
    fprintf(stderr, "usage: spawnbench [-n REPS] [-w WARMUP] [-t SECONDS] -- CMD ARGS... "
                    "[:: CMD ARGS...]...\n");
    return 2;
}
