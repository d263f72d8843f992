/*
 * report: the text a captured call turns into: the markdown report of the CLI (cli.md §8.4)
 * and of MCP results (mcp.md §8.2), plus the pieces the JSON format needs (UTF-8 repair, the
 * SSH hint of cli.md §8.3, signal names).
 *
 * Pure (no libuv): it reads finished outstores and writes into a buf.
 *
 * Calling sequence (MCP, after the proc_call's 'done'):
 *   struct report r = { .fn_name = fn->name, .body = fn->body,
 *                       .status = proc_status(c), .signo = proc_signal(c),
 *                       .timed_out = proc_timed_out(c), .escalated = proc_escalated(c),
 *                       .timeout_s = t, .duration_ms = proc_duration_ms(c),
 *                       .out = out_store, .err = err_store };
 *   struct buf text = BUF_INIT;
 *   report_markdown(&r, true, &text);       // CLI: false, then print text and one more "\n"
 *   ... text.buf is valid UTF-8 ...
 *   buf_release(&text);
 */
#ifndef RUN_REPORT_H
#define RUN_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct buf;
struct outstore;

/* The Unicode replacement character U+FFFD in UTF-8. */
#define REPORT_REPLACEMENT "\xEF\xBF\xBD"

/*
 * Append 'len' bytes of 'data' to 'out' as valid UTF-8: every invalid sequence is replaced by
 * U+FFFD, one per maximal subpart (the Unicode/WHATWG "substitution of maximal subparts"
 * practice: "\xE2\x82" followed by 'A' gives one U+FFFD then 'A'; "\xFF\xFE" gives two).
 * NUL and control characters are kept as they are.
 */
void report_utf8_repair(struct buf *out, const char *data, size_t len);

/*
 * The length of the longest prefix of the valid UTF-8 text 's' (of 'len' bytes) that is at most
 * 'max' bytes long and ends on a character boundary (for progress messages cut to 200 bytes).
 */
size_t report_utf8_prefix(const char *s, size_t len, size_t max);

/*
 * The SSH hint of cli.md §8.3: the first match in 'body' of
 *   \bssh\s+(?:-[A-Za-z0-9]+(?:\s+[^-\s]\S*)?\s+)*([A-Za-z0-9_]+)@([A-Za-z0-9_.-]+)
 * On a match returns true with *user and *host set to new strings (the caller frees them);
 * otherwise returns false and sets both to NULL. 'body' may be NULL (no match).
 */
bool report_ssh_hint(const char *body, char **user, char **host);

/* "SIGTERM", "SIGKILL", ... for a signal number; "SIGRTMIN+N" for real-time signals;
 * "SIG<N>" style text for numbers that are no signal. Borrowed, static. */
const char *report_signal_name(int signo);

struct report {
    const char *fn_name;              /* the function's own name, e.g. "docker:build" */
    const char *body;                 /* body text for the SSH hint; NULL = no hint */
    int status;                       /* exit status, or 128+signo */
    int signo;                        /* 0, or the signal that killed the process */
    bool timed_out;                   /* the timeout fired (MCP) */
    bool escalated;                   /* SIGKILL had to follow SIGTERM */
    uint64_t timeout_s;               /* the timeout, in seconds, for the timeout line */
    uint64_t duration_ms;             /* wall time */
    const struct outstore *out, *err; /* finished streams; NULL = empty */
    const char *error; /* non-NULL: the process could not be started, this is the reason */
};

/*
 * Append the markdown report of 'r' to 'out'.
 *
 * mcp == false: exactly the text of cli.md §8.4 without its final extra "\n" (the caller
 * prints that): header, stdout, and on failure the stderr section (when stderr is not empty)
 * and the exit line.
 * mcp == true: the text of mcp.md §8.2: stderr is shown whenever it is not empty, streams
 * appear in their truncated form when they were spilled (outstore_render), a timeout gives
 * the status "✗ Timed out" and the line "**Timed out after <T> s:** the command was stopped
 * with SIGTERM." (", then SIGKILL." when escalated).
 *
 * When r->error is set, the result is the "cannot be started" form of mcp.md §8.4 (used by
 * both): "Execution: `<fn>` ✗ Failed (0ms)\n**Error:** <error>\n".
 *
 * The stream text is UTF-8 repaired (report_utf8_repair), so 'out' receives valid UTF-8 as long
 * as fn_name and error are valid UTF-8.
 */
void report_markdown(const struct report *r, bool mcp, struct buf *out);

#endif
