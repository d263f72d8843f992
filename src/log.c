/*
 * log: one line per message, written with a single write() so that lines from a server and
 * its tools do not interleave mid-line. Never writes to stdout.
 */
#include "log.h"

#include "buf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <unistd.h>

enum log_level log_level_current = LOG_WARN;
static int log_fd = -1; /* -1 = stderr */

void log_set_level(enum log_level level)
{
    log_level_current = level;
}

enum log_level log_get_level(void)
{
    return log_level_current;
}

int log_open(const char *path)
{
    int fd;

    if (!path) {
        log_close();
        return 0;
    }
    fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd < 0)
        return -1;
    log_close();
    log_fd = fd;
    return 0;
}

void log_init_from_env(void)
{
    const char *path = getenv("RUN_LOG");

    if (path && *path && log_open(path) < 0)
        log_error("cannot open log file '%s'", path);
}

void log_close(void)
{
    if (log_fd >= 0)
        close(log_fd);
    log_fd = -1;
}

static const char *const level_names[] = { "error", "warning", "info", "debug" };

void log_msg(enum log_level level, const char *fmt, ...)
{
    struct buf b = BUF_INIT;
    va_list ap;
    int saved = errno;
    size_t done = 0;

    if (level > log_level_current)
        return;
    buf_addf(&b, "run: %s: ", level_names[level]);
    va_start(ap, fmt);
    buf_vaddf(&b, fmt, ap);
    va_end(ap);
    if (!b.len || b.buf[b.len - 1] != '\n')
        buf_addch(&b, '\n');
    while (done < b.len) {
        ssize_t n = write(log_fd >= 0 ? log_fd : STDERR_FILENO, b.buf + done, b.len - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        done += (size_t)n;
    }
    buf_release(&b);
    errno = saved;
}
