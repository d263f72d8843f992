/*
 * floor_mcp: the near-ideal MCP stdio server, the floor of the MCP figures (test/bench).
 *
 *   floor_mcp [-s SHELL] [-o OUTDIR] [-t TOOLS_JSON] NAME=BODY...
 *
 * It answers `initialize` and `tools/list` from constants (the tools array is the compact
 * JSON text of TOOLS_JSON, read once at start), and serves `tools/call` of NAME by
 * posix_spawn of `SHELL -c BODY NAME` (default /bin/sh) in a new session, stdin /dev/null,
 * stdout and stderr on pipes. One poll() loop serves stdin, every pipe and a pidfd per child,
 * so any number of calls run at once and answers leave in completion order. A stream keeps
 * its first 1200 bytes in memory; past that, it is moved into a file in OUTDIR with splice()
 * (no copy through user space) and the answer shows the last 1200 bytes read back from the
 * file, like `run` (mcp.md §10).
 *
 * It does only what a server must: it trusts the client (the benchmark driver, compact JSON
 * lines), validates nothing, and parses requests by looking for "method", "id" and "name".
 * `run --serve-mcp` pays for everything it does beyond this.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define KEEP            1200 /* bytes kept in memory per stream (mcp.md §10.1) */
#define REAP_BY_SIGCHLD (-2)

struct tool {
    const char *name, *body;
};

struct stream {
    int fd;      /* read end, -1 at EOF */
    int file_fd; /* -1 until the stream outgrows KEEP */
    char path[512];
    char mem[KEEP];
    size_t n;
    uint64_t total;
};

struct call {
    char id[64];
    char name[128];
    pid_t pid;
    int pidfd; /* -1 once reaped; REAP_BY_SIGCHLD without pidfds (valgrind) */
    int status;
    double t0;
    struct stream out, err;
};

static struct tool *tools;
static size_t ntools;
static const char *shell = "/bin/sh", *outdir = "/tmp";
static const char *tools_json = "[]";
static unsigned seq;
static int sigfd = -1; /* SIGCHLD, only when pidfd_open is missing */

static struct call **calls;
static size_t ncalls, calls_alloc;

/* Output message buffer (one JSON line at a time, written whole). */
static char *ob;
static size_t obn, oballoc;

static void ob_put(const void *p, size_t n)
{
    if (obn + n > oballoc) {
        while (obn + n > oballoc)
            oballoc = oballoc ? 2 * oballoc : 1 << 16;
        ob = realloc(ob, oballoc);
        if (!ob)
            abort();
    }
    memcpy(ob + obn, p, n);
    obn += n;
}

static void ob_puts(const char *s)
{
    ob_put(s, strlen(s));
}

static void ob_json_text(const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";

    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        char e[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };
        if (c == '"' || c == '\\') {
            e[1] = (char)c;
            ob_put(e, 2);
        } else if (c == '\n') {
            ob_put("\\n", 2);
        } else if (c < 0x20 || c == 0x7f) {
            ob_put(e, 6);
        } else {
            ob_put(&s[i], 1);
        }
    }
}

static void ob_flush(void)
{
    for (size_t w = 0; w < obn;) {
        ssize_t r = write(1, ob + w, obn - w);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            exit(0); /* the client is gone */
        w += (size_t)r;
    }
    obn = 0;
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* The raw text of a member's value ("id": 7 or "id":"x"), copied into buf. */
static bool member(const char *line, const char *key, char *buf, size_t size)
{
    const char *p = strstr(line, key), *q;

    if (!p)
        return false;
    p += strlen(key);
    if (*p == '"') {
        q = strchr(p + 1, '"');
        if (!q)
            return false;
        q++;
    } else {
        q = p + strcspn(p, ",}");
    }
    if ((size_t)(q - p) >= size)
        return false;
    memcpy(buf, p, (size_t)(q - p));
    buf[q - p] = '\0';
    return true;
}

static void reply_head(const char *id)
{
    ob_puts("{\"jsonrpc\":\"2.0\",\"id\":");
    ob_puts(id);
    ob_puts(",\"result\":");
}

static void reply_error(const char *id, const char *msg)
{
    ob_puts("{\"jsonrpc\":\"2.0\",\"id\":");
    ob_puts(id);
    ob_puts(",\"error\":{\"code\":-32602,\"message\":\"");
    ob_puts(msg);
    ob_puts("\"}}\n");
    ob_flush();
}

static void stream_init(struct stream *s, int fd)
{
    s->fd = fd;
    s->file_fd = -1;
    s->n = 0;
    s->total = 0;
    s->path[0] = '\0';
}

static void start_call(const char *id, const char *name)
{
    const struct tool *t = NULL;
    int po[2], pe[2];
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t at;
    struct call *c;
    char *argv[5];
    sigset_t none;
    int rc;

    for (size_t i = 0; i < ntools; i++) {
        if (strcmp(tools[i].name, name) == 0)
            t = &tools[i];
    }
    if (!t) {
        reply_error(id, "Tool not found");
        return;
    }
    if (pipe2(po, O_CLOEXEC) != 0 || pipe2(pe, O_CLOEXEC) != 0) {
        perror("pipe2");
        exit(1);
    }
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, po[1], 1);
    posix_spawn_file_actions_adddup2(&fa, pe[1], 2);
    posix_spawnattr_init(&at);
    sigemptyset(&none);
    posix_spawnattr_setsigmask(&at, &none);
    posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGMASK);
    argv[0] = (char *)shell;
    argv[1] = (char *)"-c";
    argv[2] = (char *)t->body;
    argv[3] = (char *)t->name;
    argv[4] = NULL;

    c = calloc(1, sizeof(*c));
    if (!c)
        abort();
    snprintf(c->id, sizeof(c->id), "%s", id);
    snprintf(c->name, sizeof(c->name), "%s", name);
    c->t0 = now_ms();
    rc = posix_spawnp(&c->pid, shell, &fa, &at, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&at);
    close(po[1]);
    close(pe[1]);
    if (rc != 0) {
        close(po[0]);
        close(pe[0]);
        free(c);
        reply_error(id, "cannot start the shell");
        return;
    }
    c->pidfd = pidfd_open(c->pid, 0);
    if (c->pidfd < 0) {
        /* valgrind does not know pidfd_open: fall back to a signalfd for SIGCHLD */
        if (sigfd < 0) {
            sigset_t chld;
            sigemptyset(&chld);
            sigaddset(&chld, SIGCHLD);
            sigprocmask(SIG_BLOCK, &chld, NULL);
            sigfd = signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK);
            if (sigfd < 0) {
                perror("signalfd");
                exit(1);
            }
        }
        c->pidfd = REAP_BY_SIGCHLD;
        if (waitpid(c->pid, &c->status, WNOHANG) == c->pid) /* exited before we looked */
            c->pidfd = -1;
    }
    fcntl(po[0], F_SETFL, O_NONBLOCK);
    fcntl(pe[0], F_SETFL, O_NONBLOCK);
    stream_init(&c->out, po[0]);
    stream_init(&c->err, pe[0]);
    if (ncalls == calls_alloc) {
        calls_alloc = calls_alloc ? 2 * calls_alloc : 64;
        calls = realloc(calls, calls_alloc * sizeof(*calls));
        if (!calls)
            abort();
    }
    calls[ncalls++] = c;
}

static void write_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t r = write(fd, p, n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            perror("write");
            exit(1);
        }
        p += r;
        n -= (size_t)r;
    }
}

/* Data is ready on s->fd: keep it, spill it, or see EOF. */
static void stream_read(struct call *c, struct stream *s, const char *which)
{
    char tmp[65536];
    ssize_t r;

    if (s->file_fd >= 0) {
        r = splice(s->fd, NULL, s->file_fd, NULL, 1 << 20, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
        if (r > 0) {
            s->total += (uint64_t)r;
            return;
        }
    } else {
        r = read(s->fd, tmp, sizeof(tmp));
        if (r > 0) {
            s->total += (uint64_t)r;
            if (s->n + (size_t)r <= KEEP) {
                memcpy(s->mem + s->n, tmp, (size_t)r);
                s->n += (size_t)r;
                return;
            }
            snprintf(s->path, sizeof(s->path), "%s/%s-%.0f-%s-%u.txt", outdir, c->name,
                     (double)time(NULL) * 1000, which, seq++);
            s->file_fd = open(s->path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
            if (s->file_fd < 0) {
                perror(s->path);
                exit(1);
            }
            write_all(s->file_fd, s->mem, s->n);
            write_all(s->file_fd, tmp, (size_t)r);
            return;
        }
    }
    if (r < 0 && (errno == EAGAIN || errno == EINTR))
        return;
    close(s->fd);
    s->fd = -1;
}

static void report_stream(struct stream *s)
{
    char tail[KEEP];
    size_t n = s->n;
    const char *p = s->mem;

    if (s->file_fd >= 0) {
        off_t off = (off_t)(s->total > KEEP ? s->total - KEEP : 0);
        ssize_t r = pread(s->file_fd, tail, KEEP, off);
        char head[700];
        size_t skip = 0;
        n = r > 0 ? (size_t)r : 0;
        while (skip < n && tail[skip] != '\n')
            skip++;
        skip = skip < n ? skip + 1 : 0;
        p = tail + skip;
        n -= skip;
        snprintf(head, sizeof(head),
                 "[Output truncated: %llu bytes, showing last %zu bytes]\n"
                 "[Full output saved to: %s]\n\n",
                 (unsigned long long)s->total, n, s->path);
        ob_json_text(head, strlen(head));
        close(s->file_fd);
    }
    ob_json_text(p, n);
    if (n && p[n - 1] != '\n')
        ob_put("\\n", 2);
}

static void finish_call(struct call *c)
{
    char head[256];
    bool ok = WIFEXITED(c->status) && WEXITSTATUS(c->status) == 0;

    reply_head(c->id);
    ob_puts("{\"content\":[{\"type\":\"text\",\"text\":\"");
    snprintf(head, sizeof(head), "Execution: `%s` %s (%.0fms)\n", c->name,
             ok ? "\xe2\x9c\x93 Success" : "\xe2\x9c\x97 Failed", now_ms() - c->t0);
    ob_json_text(head, strlen(head));
    if (c->out.total)
        report_stream(&c->out);
    if (c->err.total) {
        ob_puts("**Stderr:**\\n```\\n");
        report_stream(&c->err);
        ob_puts("```\\n\\n");
    }
    if (!ok) {
        snprintf(head, sizeof(head), "**Exit Code:** %d\\n",
                 WIFEXITED(c->status) ? WEXITSTATUS(c->status) : 128 + WTERMSIG(c->status));
        ob_puts(head);
    }
    ob_puts(ok ? "\"}],\"isError\":false}}\n" : "\"}],\"isError\":true}}\n");
    ob_flush();
}

static void handle_line(const char *line)
{
    char method[64], id[64], name[128];

    if (!member(line, "\"method\":", method, sizeof(method)))
        return;
    if (!member(line, "\"id\":", id, sizeof(id)))
        return; /* a notification */
    if (strcmp(method, "\"initialize\"") == 0) {
        reply_head(id);
        ob_puts("{\"protocolVersion\":\"2025-11-25\",\"capabilities\":{\"tools\":{}},"
                "\"serverInfo\":{\"name\":\"floor_mcp\",\"version\":\"0\"}}}\n");
        ob_flush();
    } else if (strcmp(method, "\"tools/list\"") == 0) {
        reply_head(id);
        ob_puts("{\"tools\":");
        ob_puts(tools_json);
        ob_puts("}}\n");
        ob_flush();
    } else if (strcmp(method, "\"tools/call\"") == 0) {
        const char *params = strstr(line, "\"params\":");
        if (!params || !member(params, "\"name\":", name, sizeof(name)) || name[0] != '"') {
            reply_error(id, "Missing tool name");
            return;
        }
        name[strlen(name) - 1] = '\0';
        start_call(id, name + 1);
    } else if (strcmp(method, "\"ping\"") == 0) {
        reply_head(id);
        ob_puts("{}}\n");
        ob_flush();
    } else {
        ob_puts("{\"jsonrpc\":\"2.0\",\"id\":");
        ob_puts(id);
        ob_puts(",\"error\":{\"code\":-32601,\"message\":\"Method not found\"}}\n");
        ob_flush();
    }
}

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    long n;

    if (!f || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
        perror(path);
        exit(1);
    }
    buf = malloc((size_t)n + 1);
    if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n)
        abort();
    fclose(f);
    while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
        n--;
    buf[n] = '\0';
    return buf;
}

int main(int argc, char **argv)
{
    char *in = NULL;
    size_t inn = 0, inalloc = 0;
    bool in_open = true;
    struct pollfd *pfd = NULL;
    size_t pfd_alloc = 0;
    int opt;

    signal(SIGPIPE, SIG_IGN);
    while ((opt = getopt(argc, argv, "s:o:t:")) != -1) {
        switch (opt) {
        case 's':
            shell = optarg;
            break;
        case 'o':
            outdir = optarg;
            break;
        case 't':
            tools_json = read_file(optarg);
            break;
        default:
            fprintf(stderr, "usage: floor_mcp [-s SHELL] [-o OUTDIR] [-t TOOLS_JSON] "
                            "NAME=BODY...\n");
            return 2;
        }
    }
    mkdir(outdir, 0700);
    tools = calloc((size_t)argc, sizeof(*tools));
    if (!tools)
        abort();
    for (int i = optind; i < argc; i++) {
        char *eq = strchr(argv[i], '=');
        if (!eq)
            continue;
        *eq = '\0';
        tools[ntools].name = argv[i];
        tools[ntools++].body = eq + 1;
    }

    while (in_open || ncalls) {
        size_t np = 0;
        if (pfd_alloc < 2 + 3 * ncalls) {
            pfd_alloc = 2 * (2 + 3 * ncalls);
            pfd = realloc(pfd, pfd_alloc * sizeof(*pfd));
            if (!pfd)
                abort();
        }
        pfd[np++] = (struct pollfd){ .fd = in_open ? 0 : -1, .events = POLLIN };
        pfd[np++] = (struct pollfd){ .fd = sigfd, .events = POLLIN };
        for (size_t i = 0; i < ncalls; i++) {
            struct call *c = calls[i];
            pfd[np++] = (struct pollfd){ .fd = c->out.fd, .events = POLLIN };
            pfd[np++] = (struct pollfd){ .fd = c->err.fd, .events = POLLIN };
            pfd[np++] = (struct pollfd){ .fd = c->pidfd, .events = POLLIN };
        }
        if (poll(pfd, np, -1) < 0) {
            if (errno == EINTR)
                continue;
            perror("poll");
            return 1;
        }
        /* Calls first: their slots in pfd follow the order of calls[] at poll time. */
        if (pfd[1].revents) {
            struct signalfd_siginfo si;
            while (read(sigfd, &si, sizeof(si)) > 0)
                continue;
            for (size_t i = 0; i < ncalls; i++) {
                struct call *c = calls[i];
                if (c->pidfd == REAP_BY_SIGCHLD && waitpid(c->pid, &c->status, WNOHANG) == c->pid)
                    c->pidfd = -1;
            }
        }
        for (size_t i = 0; i < ncalls; i++) {
            struct call *c = calls[i];
            size_t k = 2 + 3 * i;
            if (pfd[k].revents)
                stream_read(c, &c->out, "stdout");
            if (pfd[k + 1].revents)
                stream_read(c, &c->err, "stderr");
            if (pfd[k + 2].revents && c->pidfd >= 0) {
                waitpid(c->pid, &c->status, 0);
                close(c->pidfd);
                c->pidfd = -1;
            }
        }
        {
            size_t j = 0;
            for (size_t i = 0; i < ncalls; i++) {
                struct call *c = calls[i];
                if (c->out.fd < 0 && c->err.fd < 0 && c->pidfd == -1) {
                    finish_call(c);
                    free(c);
                } else {
                    calls[j++] = c;
                }
            }
            ncalls = j;
        }
        if (pfd[0].revents) {
            ssize_t r;
            char *nl, *start;
            if (inn + 65536 > inalloc) {
                inalloc = inalloc ? 2 * inalloc : 1 << 17;
                in = realloc(in, inalloc);
                if (!in)
                    abort();
            }
            r = read(0, in + inn, inalloc - inn - 1);
            if (r <= 0) {
                if (r < 0 && errno == EINTR)
                    continue;
                in_open = false;
                continue;
            }
            inn += (size_t)r;
            in[inn] = '\0';
            start = in;
            while ((nl = memchr(start, '\n', inn - (size_t)(start - in)))) {
                *nl = '\0';
                handle_line(start);
                start = nl + 1;
            }
            inn -= (size_t)(start - in);
            memmove(in, start, inn);
        }
    }
    free(pfd);
    free(in);
    free(calls);
    free(tools);
    free(ob);
    return 0;
}
