/*
 * report: markdown reports of captured calls (cli.md §8.4, mcp.md §8.2) and the small text
 * helpers they need. Every stream is UTF-8 repaired before it is measured (for the fence) or
 * appended, so the result is valid UTF-8 whatever the process wrote.
 */
#include "report.h"

#include "base.h"
#include "buf.h"
#include "outstore.h"
#include "utf8.h"

#include <pcre2.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void report_utf8_repair(struct buf *out, const char *data, size_t len)
{
    const unsigned char *s = (const unsigned char *)data;
    size_t i = 0, good = 0;

    buf_grow(out, len);
    while (i < len) {
        bool ok;
        size_t n = utf8_seq(s + i, len - i, &ok);

        if (!ok) {
            buf_add(out, data + good, i - good);
            buf_addstr(out, REPORT_REPLACEMENT);
            good = i + n;
        }
        i += n;
    }
    buf_add(out, data + good, len - good);
}

size_t report_utf8_prefix(const char *s, size_t len, size_t max)
{
    size_t n;

    if (len <= max)
        return len;
    n = max;
    while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
        n--;
    return n;
}

/*
 * Matches "ssh deploy@example.com", "ssh -p 2222 ana@db-1.internal" and
 * "ssh -i key -A ops@10.0.0.7 uptime" (cli.md §8.3).
 */
static const char ssh_pattern[] =
    "\\bssh\\s+(?:-[A-Za-z0-9]+(?:\\s+[^-\\s]\\S*)?\\s+)*([A-Za-z0-9_]+)@([A-Za-z0-9_.-]+)";

static pcre2_code *ssh_regex(void)
{
    static pcre2_code *re;
    int err;
    PCRE2_SIZE off;

    if (!re) {
        re = pcre2_compile((PCRE2_SPTR)ssh_pattern, PCRE2_ZERO_TERMINATED, 0, &err, &off, NULL);
        if (!re)
            BUG("ssh pattern does not compile (error %d at %zu)", err, (size_t)off);
    }
    return re;
}

bool report_ssh_hint(const char *body, char **user, char **host)
{
    pcre2_code *re = ssh_regex();
    pcre2_match_data *md;
    bool found = false;

    *user = *host = NULL;
    if (!body)
        return false;
    md = pcre2_match_data_create_from_pattern(re, NULL);
    if (!md)
        die("out of memory");
    if (pcre2_match(re, (PCRE2_SPTR)body, strlen(body), 0, 0, md, NULL) > 2) {
        const PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);

        *user = xstrndup(body + ov[2], ov[3] - ov[2]);
        *host = xstrndup(body + ov[4], ov[5] - ov[4]);
        found = true;
    }
    pcre2_match_data_free(md);
    return found;
}

static const char *const signal_names[] = {
    [SIGHUP] = "SIGHUP",       [SIGINT] = "SIGINT",   [SIGQUIT] = "SIGQUIT",
    [SIGILL] = "SIGILL",       [SIGTRAP] = "SIGTRAP", [SIGABRT] = "SIGABRT",
    [SIGBUS] = "SIGBUS",       [SIGFPE] = "SIGFPE",   [SIGKILL] = "SIGKILL",
    [SIGUSR1] = "SIGUSR1",     [SIGSEGV] = "SIGSEGV", [SIGUSR2] = "SIGUSR2",
    [SIGPIPE] = "SIGPIPE",     [SIGALRM] = "SIGALRM", [SIGTERM] = "SIGTERM",
#ifdef SIGSTKFLT
    [SIGSTKFLT] = "SIGSTKFLT",
#endif
    [SIGCHLD] = "SIGCHLD",     [SIGCONT] = "SIGCONT", [SIGSTOP] = "SIGSTOP",
    [SIGTSTP] = "SIGTSTP",     [SIGTTIN] = "SIGTTIN", [SIGTTOU] = "SIGTTOU",
    [SIGURG] = "SIGURG",       [SIGXCPU] = "SIGXCPU", [SIGXFSZ] = "SIGXFSZ",
    [SIGVTALRM] = "SIGVTALRM", [SIGPROF] = "SIGPROF", [SIGWINCH] = "SIGWINCH",
    [SIGIO] = "SIGIO",
#ifdef SIGPWR
    [SIGPWR] = "SIGPWR",
#endif
    [SIGSYS] = "SIGSYS",
};

const char *report_signal_name(int signo)
{
    /* Built on first use; the program is single-threaded where reports are made. */
    static char other[128][24];

    if (signo > 0 && (size_t)signo < ARRAY_SIZE(signal_names) && signal_names[signo])
        return signal_names[signo];
    if (signo < 0 || (size_t)signo >= ARRAY_SIZE(other))
        return "SIG?";
    if (!other[signo][0]) {
#ifdef SIGRTMIN
        if (signo >= SIGRTMIN && signo <= SIGRTMAX)
            (void)snprintf(other[signo], sizeof(other[signo]), "SIGRTMIN+%d", signo - SIGRTMIN);
        else
#endif
            (void)snprintf(other[signo], sizeof(other[signo]), "SIG%d", signo);
    }
    return other[signo];
}

/* The stream as a report shows it (truncated when it was spilled), UTF-8 repaired. */
static void stream_text(const struct outstore *o, struct buf *out)
{
    struct buf raw = BUF_INIT;

    if (!o)
        return;
    outstore_render(o, &raw);
    report_utf8_repair(out, raw.buf, raw.len);
    buf_release(&raw);
}

/* Three backticks, or one more than the longest run of three or more in 'text'. */
static size_t fence_len(const struct buf *text)
{
    size_t longest = 0, run = 0;

    for (size_t i = 0; i < text->len; i++) {
        run = text->buf[i] == '`' ? run + 1 : 0;
        if (run > longest)
            longest = run;
    }
    return longest >= 3 ? longest + 1 : 3;
}

static void add_with_newline(struct buf *out, const struct buf *text)
{
    buf_add(out, text->buf, text->len);
    if (text->len && text->buf[text->len - 1] != '\n')
        buf_addch(out, '\n');
}

void report_markdown(const struct report *r, bool mcp, struct buf *out)
{
    struct buf so = BUF_INIT, se = BUF_INIT;
    char *user = NULL, *host = NULL;
    bool success = r->status == 0 && r->signo == 0 && !r->timed_out;

    if (r->error) {
        buf_addf(out, "Execution: `%s` \xE2\x9C\x97 Failed (0ms)\n**Error:** %s\n", r->fn_name,
                 r->error);
        return;
    }
    buf_addf(out, "Execution: `%s`", r->fn_name);
    if (report_ssh_hint(r->body, &user, &host))
        buf_addf(out, " on %s@%s", user, host);
    buf_addf(out, " %s (%llums)\n",
             success        ? "\xE2\x9C\x93 Success"
             : r->timed_out ? "\xE2\x9C\x97 Timed out"
                            : "\xE2\x9C\x97 Failed",
             (unsigned long long)r->duration_ms);

    stream_text(r->out, &so);
    add_with_newline(out, &so);

    stream_text(r->err, &se);
    if (se.len && (mcp || !success)) {
        size_t fence = fence_len(&se);

        buf_addstr(out, "**Stderr:**\n");
        buf_addchars(out, '`', fence);
        buf_addch(out, '\n');
        add_with_newline(out, &se);
        buf_addchars(out, '`', fence);
        buf_addstr(out, "\n\n");
    }

    if (r->timed_out)
        buf_addf(out, "**Timed out after %llu s:** the command was stopped with SIGTERM%s.\n",
                 (unsigned long long)r->timeout_s, r->escalated ? ", then SIGKILL" : "");
    else if (r->signo)
        buf_addf(out, "**Exit Code:** %d (killed by signal %s)\n", 128 + r->signo,
                 report_signal_name(r->signo));
    else if (r->status)
        buf_addf(out, "**Exit Code:** %d\n", r->status);

    free(user);
    free(host);
    buf_release(&so);
    buf_release(&se);
}
