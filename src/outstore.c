/*
 * outstore: one captured stream. Small streams live in 'mem'; once a stream with a directory
 * grows past the threshold it is written to a file and 'mem' only keeps a bounded tail, which
 * is enough to render the truncated form (the tail window is the threshold, far below
 * OUTSTORE_TAIL_KEEP). The last non-empty line is tracked incrementally, so progress messages
 * never depend on how much of the stream is still in memory.
 */
#include "outstore.h"

#include "base.h"
#include "buf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* How many file names (consecutive sequence numbers) are tried before giving up. */
#define MAX_NAME_TRIES 100

struct outstore {
    char *dir, *tool, *stream;
    size_t threshold;
    int64_t now_ms;
    uint64_t total;
    /*
     * Every byte while not spilled; afterwards the last bytes of the stream: between
     * OUTSTORE_TAIL_KEEP and 2 * OUTSTORE_TAIL_KEEP of them (or all, while fewer arrived), so
     * trimming costs one memmove per OUTSTORE_TAIL_KEEP bytes.
     */
    struct buf mem;
    bool spilled; /* the stream went past the threshold with a directory configured */
    bool finished;
    int fd;          /* the open file, or -1 */
    char *path;      /* the saved (or being written) file, or NULL */
    char *error;     /* why the stream could not be saved, or NULL */
    struct buf line; /* the current line so far (its first OUTSTORE_LINE_KEEP bytes) */
    struct buf last; /* the last finished non-empty line */
};

/* The process-wide counter of file names (mcp.md §10.1): starts at 0, never reused. */
static unsigned long next_seq;

struct outstore *outstore_new(const struct outstore_opts *opts)
{
    struct outstore *o = xcalloc(1, sizeof(*o));

    o->dir = opts->dir ? xstrdup(opts->dir) : NULL;
    o->tool = xstrdup(opts->tool ? opts->tool : "output");
    o->stream = xstrdup(opts->stream ? opts->stream : "stdout");
    o->threshold = opts->threshold ? opts->threshold : OUTSTORE_THRESHOLD;
    /* The tail must be computable from the bytes kept in memory (see render_truncated). */
    if (o->threshold >= OUTSTORE_TAIL_KEEP)
        BUG("outstore threshold %zu is not below OUTSTORE_TAIL_KEEP", o->threshold);
    o->now_ms = opts->now_ms;
    o->fd = -1;
    buf_init(&o->mem, 0);
    buf_init(&o->line, 0);
    buf_init(&o->last, 0);
    return o;
}

static void set_error(struct outstore *o, const char *what, const char *path, int err)
{
    if (o->error)
        return; /* the first error is the one worth reporting */
    o->error = xasprintf("%s '%s': %s", what, path, strerror(err));
}

/* mkdir -p: create 'dir' and its missing parents. Returns 0, or -1 with the error recorded. */
static int make_dirs(struct outstore *o, const char *dir)
{
    char *p = xstrdup(dir);
    int ret = -1;
    size_t len = strlen(p);

    while (len > 1 && p[len - 1] == '/')
        p[--len] = '\0';
    for (char *s = p + 1;; s++) {
        bool end = *s == '\0';

        if (!end && *s != '/')
            continue;
        *s = '\0';
        if (mkdir(p, 0777) < 0 && errno != EEXIST) {
            set_error(o, "cannot create directory", p, errno);
            goto out;
        }
        if (end)
            break;
        *s = '/';
    }
    ret = 0;
out:
    free(p);
    return ret;
}

/* Write everything, retrying short writes. Returns 0, or -1 with errno set. */
static int write_all(int fd, const char *data, size_t len)
{
    while (len) {
        ssize_t n = write(fd, data, len);

        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        data += n;
        len -= (size_t)n;
    }
    return 0;
}

/* Give up on the file: remember why, close it and remove what was written. */
static void drop_file(struct outstore *o, const char *what, int err)
{
    set_error(o, what, o->path, err);
    if (o->fd >= 0)
        close(o->fd);
    o->fd = -1;
    unlink(o->path);
    free(o->path);
    o->path = NULL;
}

/* Create the file for a stream that just went past the threshold and write 'mem' to it. */
static void open_file(struct outstore *o)
{
    int64_t ms = o->now_ms ? o->now_ms : unix_time_ms();
    const char *sep = o->dir[0] && o->dir[strlen(o->dir) - 1] == '/' ? "" : "/";
    char *path = NULL;

    if (make_dirs(o, o->dir) < 0)
        return;
    for (int i = 0; i < MAX_NAME_TRIES; i++) {
        free(path);
        path = xasprintf("%s%s%s-%lld-%s-%lu.txt", o->dir, sep, o->tool, (long long)ms, o->stream,
                         next_seq++);
        o->fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (o->fd >= 0 || errno != EEXIST)
            break;
    }
    if (o->fd < 0) {
        set_error(o, "cannot create", path, errno);
        free(path);
        return;
    }
    o->path = path;
    if (write_all(o->fd, o->mem.buf, o->mem.len) < 0)
        drop_file(o, "cannot write", errno);
}

/* Keep the tail of the stream in 'mem' bounded once it has been spilled. */
static void keep_tail(struct outstore *o, const char *data, size_t len)
{
    if (len >= OUTSTORE_TAIL_KEEP) {
        buf_reset(&o->mem);
        buf_add(&o->mem, data + len - OUTSTORE_TAIL_KEEP, OUTSTORE_TAIL_KEEP);
        return;
    }
    buf_add(&o->mem, data, len);
    if (o->mem.len > 2 * OUTSTORE_TAIL_KEEP) {
        memmove(o->mem.buf, o->mem.buf + o->mem.len - OUTSTORE_TAIL_KEEP, OUTSTORE_TAIL_KEEP);
        buf_setlen(&o->mem, OUTSTORE_TAIL_KEEP);
    }
}

/* The current line without a trailing '\r'. */
static size_t line_len(const struct buf *line)
{
    size_t n = line->len;

    if (n && line->buf[n - 1] == '\r')
        n--;
    return n;
}

/* The last '\n' in [from, to), or NULL. */
static const char *last_newline(const char *from, const char *to)
{
    while (to > from)
        if (*--to == '\n')
            return to;
    return NULL;
}

/* Add to the current line, keeping its first OUTSTORE_LINE_KEEP bytes. */
static void add_to_line(struct outstore *o, const char *data, size_t n)
{
    size_t room = OUTSTORE_LINE_KEEP - o->line.len;

    buf_add(&o->line, data, n < room ? n : room);
}

/* Make the complete line at 'line' ('n' bytes, without its '\n') the last one, if it is not
 * empty once cut to OUTSTORE_LINE_KEEP bytes and stripped of a final '\r'. */
static bool set_last(struct outstore *o, const char *line, size_t n)
{
    size_t kept = n < OUTSTORE_LINE_KEEP ? n : OUTSTORE_LINE_KEEP;

    if (kept && line[kept - 1] == '\r')
        kept--;
    if (!kept)
        return false;
    buf_reset(&o->last);
    buf_add(&o->last, line, kept);
    return true;
}

/*
 * Only the last non-empty line is ever asked for, so a chunk is searched backwards from its
 * last '\n': normally one or two lines are looked at, not every line of the output (copying
 * each line cost ~20% of the server's time on a 100 MiB stream).
 */
static void track_lines(struct outstore *o, const char *data, size_t len)
{
    const char *first = memchr(data, '\n', len), *end = data + len, *e, *nl;
    bool found = false;

    if (!first) {
        add_to_line(o, data, len);
        return;
    }
    /* The lines that end in this chunk after the one completing the current line. */
    nl = last_newline(first, end);
    for (e = nl; e > first && !found;) {
        const char *s = last_newline(first + 1, e);
        const char *start = s ? s + 1 : first + 1;

        found = set_last(o, start, (size_t)(e - start));
        e = s ? s : first;
    }
    if (!found) {
        add_to_line(o, data, (size_t)(first - data));
        set_last(o, o->line.buf, o->line.len);
    }
    buf_reset(&o->line);
    add_to_line(o, nl + 1, (size_t)(end - nl - 1));
}

void outstore_write(struct outstore *o, const void *data, size_t len)
{
    if (!len)
        return;
    if (o->finished)
        BUG("outstore_write after outstore_finish");
    o->total += len;
    track_lines(o, data, len);
    if (!o->spilled && (!o->dir || o->total <= o->threshold)) {
        buf_add(&o->mem, data, len);
        return;
    }
    if (!o->spilled) {
        o->spilled = true;
        open_file(o);
    }
    if (o->fd >= 0 && write_all(o->fd, data, len) < 0)
        drop_file(o, "cannot write", errno);
    keep_tail(o, data, len);
}

void outstore_finish(struct outstore *o)
{
    o->finished = true;
    if (o->fd < 0)
        return;
    /* close() can report a failed delayed write (NFS, quota): the file is then incomplete. */
    if (close(o->fd) < 0) {
        o->fd = -1;
        drop_file(o, "cannot write", errno);
    }
    o->fd = -1;
}

uint64_t outstore_total(const struct outstore *o)
{
    return o->total;
}

const char *outstore_data(const struct outstore *o, size_t *len)
{
    size_t n = o->mem.len;

    if (o->spilled && n > OUTSTORE_TAIL_KEEP) {
        *len = OUTSTORE_TAIL_KEEP;
        return o->mem.buf + n - OUTSTORE_TAIL_KEEP;
    }
    *len = n;
    return o->mem.buf;
}

const char *outstore_path(const struct outstore *o)
{
    return o->path;
}

const char *outstore_error(const struct outstore *o)
{
    return o->error;
}

static bool is_continuation(unsigned char c)
{
    return c >= 0x80 && c <= 0xBF;
}

/*
 * mcp.md §10.2. 'mem' holds the last mem.len bytes of a stream of 'total' > threshold bytes;
 * mem.len > threshold, so the byte before every candidate start is in memory.
 */
static void render_truncated(const struct outstore *o, struct buf *out)
{
    const char *d = o->mem.buf;
    size_t len = o->mem.len, start = len - o->threshold, p;
    bool dots = false;

    for (p = start; p < len; p++)
        if (d[p - 1] == '\n')
            break;
    if (p == len) {
        /* The last line alone is longer than the window: cut it at a character boundary. */
        p = start;
        for (int i = 0; i < 3 && p < len && is_continuation((unsigned char)d[p]); i++)
            p++;
        dots = true;
    }
    buf_addf(out, "[Output truncated: %llu bytes, showing last %zu bytes]\n",
             (unsigned long long)o->total, len - p);
    if (o->path && !o->error)
        buf_addf(out, "[Full output saved to: %s]\n", o->path);
    else
        buf_addf(out, "[Full output could not be saved: %s]\n",
                 o->error ? o->error : "the file was deleted");
    buf_addch(out, '\n');
    if (dots)
        buf_addstr(out, "...");
    buf_add(out, d + p, len - p);
}

void outstore_render(const struct outstore *o, struct buf *out)
{
    if (!o->spilled)
        buf_add(out, o->mem.buf, o->mem.len);
    else
        render_truncated(o, out);
}

void outstore_last_line(const struct outstore *o, struct buf *out)
{
    size_t n = line_len(&o->line);

    if (n)
        buf_add(out, o->line.buf, n);
    else
        buf_add(out, o->last.buf, o->last.len);
}

void outstore_discard(struct outstore *o)
{
    outstore_finish(o);
    if (!o->path)
        return;
    unlink(o->path);
    free(o->path);
    o->path = NULL;
}

void outstore_free(struct outstore *o)
{
    if (!o)
        return;
    if (o->fd >= 0)
        close(o->fd);
    free(o->dir);
    free(o->tool);
    free(o->stream);
    free(o->path);
    free(o->error);
    buf_release(&o->mem);
    buf_release(&o->line);
    buf_release(&o->last);
    free(o);
}
