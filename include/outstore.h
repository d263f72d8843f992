/*
 * outstore: where one output stream (stdout or stderr) of a call goes (mcp.md §10).
 *
 * Up to 'threshold' bytes stay in memory. Beyond that (when a directory is configured) the
 * whole stream is written to a new file <dir>/<tool>-<unix ms>-<stream>-<seq>.txt, created
 * with O_EXCL and mode 0600, and only the last OUTSTORE_TAIL_KEEP bytes stay in memory, so a
 * 10 GB output costs no more memory than a small one. Without a directory (the CLI) every
 * byte stays in memory and nothing is ever truncated.
 *
 * The directory (and missing parents) is created when the first file is needed; <seq> is a
 * process-wide counter starting at 0, and a name that exists already is skipped (up to 100
 * names). A file that cannot be created or written is removed and remembered as the reason
 * shown by the truncated form; the caller never sees an error. The directory should be
 * absolute: file paths are reported as <dir>/<name>.
 *
 * Pure (no libuv): proc feeds it bytes as they arrive. 'threshold' must stay below
 * OUTSTORE_TAIL_KEEP (the tail window is the threshold).
 *
 * Calling sequence:
 *   struct outstore *o = outstore_new(&(struct outstore_opts){ .dir = d, .tool = "nums",
 *                                                              .stream = "stdout" });
 *   outstore_write(o, bytes, n);   ... many times ...
 *   outstore_finish(o);            // file complete and closed
 *   outstore_render(o, &text);     // full text, or the truncated form of §10.2
 *   outstore_free(o);              // or outstore_discard() first to delete the file
 */
#ifndef RUN_OUTSTORE_H
#define RUN_OUTSTORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct buf;

#define OUTSTORE_THRESHOLD 1200
#define OUTSTORE_TAIL_KEEP ((size_t)64 * 1024)
#define OUTSTORE_LINE_KEEP 1024

struct outstore_opts {
    const char *dir;    /* output directory, created on first need; NULL = keep all in memory */
    const char *tool;   /* tool name used in the file name (already safe: [A-Za-z0-9_-]) */
    const char *stream; /* "stdout" or "stderr" */
    size_t threshold;   /* 0 = OUTSTORE_THRESHOLD */
    int64_t now_ms;     /* tests: Unix ms to put in the file name instead of the clock; 0 = clock */
};

struct outstore;

/*
 * A new, empty store; never NULL. The strings of 'opts' are copied. A threshold that is not
 * below OUTSTORE_TAIL_KEEP is a BUG. Free with outstore_free().
 */
struct outstore *outstore_new(const struct outstore_opts *opts);
/* Append bytes. Never fails for the caller: a file error is remembered and reported by render. */
void outstore_write(struct outstore *o, const void *data, size_t len);
/* Flush and close the file, if any. Idempotent. */
void outstore_finish(struct outstore *o);
/* Total bytes written. */
uint64_t outstore_total(const struct outstore *o);
/* Bytes kept in memory (all of them without a file; the tail with one). Borrowed. */
const char *outstore_data(const struct outstore *o, size_t *len);
/* Path of the saved file ('dir' + name, so absolute when 'dir' is), or NULL (borrowed; valid
 * until outstore_free). */
const char *outstore_path(const struct outstore *o);
/*
 * Append the stream as a report shows it: the raw bytes when total <= threshold (or no
 * directory), otherwise the truncated form of mcp.md §10.2 (raw bytes; the caller decodes).
 */
void outstore_render(const struct outstore *o, struct buf *out);
/* Why the stream could not be saved ("cannot create directory '/x': Permission denied"), or
 * NULL. Borrowed; valid until outstore_free. */
const char *outstore_error(const struct outstore *o);
/* Append the last non-empty line seen so far (for progress messages), without its '\n' (and a
 * '\r' before it); an unfinished last line counts. At most OUTSTORE_LINE_KEEP bytes of a line
 * (its beginning) are kept. */
void outstore_last_line(const struct outstore *o, struct buf *out);
/* Delete the saved file, if any (cancelled calls). */
void outstore_discard(struct outstore *o);
/* Close the file if still open (it stays on disk) and free the store. NULL-safe. */
void outstore_free(struct outstore *o);

#endif
