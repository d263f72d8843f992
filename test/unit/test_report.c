/* Unit tests: report (markdown of cli.md §8.4 and mcp.md §8.2, UTF-8 repair, SSH hint). */
#include "unit.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "outstore.h"
#include "report.h"

static struct outstore *store(const char *dir, const char *stream, const char *text)
{
    struct outstore *o =
        outstore_new(&(struct outstore_opts){ .dir = dir, .tool = "t", .stream = stream });

    outstore_write(o, text, strlen(text));
    outstore_finish(o);
    return o;
}

/* Render 'r' with the given streams and compare with 'want'. */
static void check(struct report *r, const char *out, const char *err, bool mcp, const char *want)
{
    struct buf b = BUF_INIT;

    r->out = store(NULL, "stdout", out);
    r->err = store(NULL, "stderr", err);
    report_markdown(r, mcp, &b);
    assert_string_equal(b.buf, want);
    outstore_free((struct outstore *)r->out);
    outstore_free((struct outstore *)r->err);
    buf_release(&b);
}

/* cli.md §8.4: the report plus the one "\n" the caller adds gives the documented text. */
static void cli_examples(void **state)
{
    struct report ok = { .fn_name = "greet", .duration_ms = 3 };
    struct report bad = { .fn_name = "fail", .status = 3, .duration_ms = 2 };

    (void)state;
    /* Success hides stderr on the command line. */
    check(&ok, "Hello, World!\n", "warn\n", false,
          "Execution: `greet` ✓ Success (3ms)\nHello, World!\n");
    check(
        &bad, "out\n", "err\n", false,
        "Execution: `fail` ✗ Failed (2ms)\nout\n**Stderr:**\n```\nerr\n```\n\n**Exit Code:** 3\n");
}

static void mcp_examples(void **state)
{
    struct report warn = { .fn_name = "warn", .duration_ms = 3 };
    struct report check3 = { .fn_name = "check", .status = 3, .duration_ms = 2 };
    struct report slow = { .fn_name = "slow",
                           .status = 128 + SIGTERM,
                           .signo = SIGTERM,
                           .timed_out = true,
                           .timeout_s = 2,
                           .duration_ms = 2004 };
    struct report count = { .fn_name = "count", .duration_ms = 7 };

    (void)state;
    check(&warn, "out-text\n", "warn-text\n", true,
          "Execution: `warn` ✓ Success (3ms)\nout-text\n**Stderr:**\n```\nwarn-text\n```\n\n");
    check(&check3, "bad input\n", "", true,
          "Execution: `check` ✗ Failed (2ms)\nbad input\n**Exit Code:** 3\n");
    check(&slow, "waiting\n", "", true,
          "Execution: `slow` ✗ Timed out (2004ms)\nwaiting\n**Timed out after 2 s:** the command "
          "was stopped with SIGTERM.\n");
    slow.escalated = true;
    slow.signo = SIGKILL;
    slow.status = 128 + SIGKILL;
    check(&slow, "", "", true,
          "Execution: `slow` ✗ Timed out (2004ms)\n**Timed out after 2 s:** the command was "
          "stopped with SIGTERM, then SIGKILL.\n");
    /* examples.md §10 */
    check(&count, "3\n", "counted notes.txt\n", true,
          "Execution: `count` ✓ Success (7ms)\n3\n**Stderr:**\n```\ncounted notes.txt\n```\n\n");
}

static void signals_and_missing_newlines(void **state)
{
    struct report killed = {
        .fn_name = "k", .status = 128 + SIGKILL, .signo = SIGKILL, .duration_ms = 10
    };
    struct report ok = { .fn_name = "n", .duration_ms = 1 };

    (void)state;
    check(&killed, "partial", "boom", false,
          "Execution: `k` ✗ Failed (10ms)\npartial\n**Stderr:**\n```\nboom\n```\n\n"
          "**Exit Code:** 137 (killed by signal SIGKILL)\n");
    check(&killed, "", "", true,
          "Execution: `k` ✗ Failed (10ms)\n**Exit Code:** 137 (killed by signal SIGKILL)\n");
    /* Empty stdout adds nothing at all, not even a line break. */
    check(&ok, "", "", false, "Execution: `n` ✓ Success (1ms)\n");
    check(&ok, "", "", true, "Execution: `n` ✓ Success (1ms)\n");
}

static void fence_grows_with_backticks(void **state)
{
    struct report bad = { .fn_name = "f", .status = 1 };

    (void)state;
    check(&bad, "", "a `` b\n", false,
          "Execution: `f` ✗ Failed (0ms)\n**Stderr:**\n```\na `` b\n```\n\n**Exit Code:** 1\n");
    check(&bad, "", "```x\n", false,
          "Execution: `f` ✗ Failed (0ms)\n**Stderr:**\n````\n```x\n````\n\n**Exit Code:** 1\n");
    check(&bad, "", "x ````` y ``` z", false,
          "Execution: `f` ✗ Failed (0ms)\n**Stderr:**\n``````\nx ````` y ``` z\n``````\n\n"
          "**Exit Code:** 1\n");
}

static void ssh_hint_in_header(void **state)
{
    struct report r = {
        .fn_name = "deploy",
        .body = "rsync -a dist/ x\nssh -p 2222 ana@db-1.example.com 'systemctl restart app'",
        .duration_ms = 5
    };

    (void)state;
    check(&r, "done\n", "", false,
          "Execution: `deploy` on ana@db-1.example.com ✓ Success (5ms)\ndone\n");
}

static void cannot_start(void **state)
{
    struct report r = { .fn_name = "py",
                        .error = "interpreter 'python3' not found in PATH (needed by 'py')" };
    struct buf b = BUF_INIT;

    (void)state;
    report_markdown(&r, true, &b);
    assert_string_equal(b.buf, "Execution: `py` ✗ Failed (0ms)\n**Error:** interpreter 'python3' "
                               "not found in PATH (needed by 'py')\n");
    buf_release(&b);
}

static void invalid_output_is_repaired(void **state)
{
    struct report r = { .fn_name = "bin", .status = 1 };

    (void)state;
    check(&r, "caf\xC3\n",
          "\xFF\xFE"
          "ok\n",
          false,
          "Execution: `bin` ✗ Failed (0ms)\ncaf\xEF\xBF\xBD\n**Stderr:**\n```\n"
          "\xEF\xBF\xBD\xEF\xBF\xBDok\n```\n\n**Exit Code:** 1\n");
}

/* mcp.md §10.2 through the report: the truncated form replaces stdout. */
static void mcp_truncated_stdout(void **state)
{
    char dir[] = "/tmp/run-report-XXXXXX";
    struct buf in = BUF_INIT, b = BUF_INIT, want = BUF_INIT;
    struct report r = { .fn_name = "nums", .duration_ms = 9 };
    struct outstore *o;
    char *cmd;

    (void)state;
    assert_non_null(mkdtemp(dir));
    for (int i = 1; i <= 400; i++)
        buf_addf(&in, "%d\n", i);
    o = store(dir, "stdout", in.buf);
    r.out = o;
    report_markdown(&r, true, &b);
    buf_addf(&want,
             "Execution: `nums` ✓ Success (9ms)\n"
             "[Output truncated: 1492 bytes, showing last 1200 bytes]\n"
             "[Full output saved to: %s]\n\n",
             outstore_path(o));
    buf_addstr(&want, strstr(in.buf, "\n101\n") + 1);
    assert_string_equal(b.buf, want.buf);
    outstore_discard(o);
    outstore_free(o);
    cmd = xasprintf("rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
    free(cmd);
    buf_release(&in);
    buf_release(&b);
    buf_release(&want);
}

static void repair(const char *in, size_t len, const char *want)
{
    struct buf b = BUF_INIT;

    report_utf8_repair(&b, in, len);
    assert_int_equal(b.len, strlen(want));
    assert_memory_equal(b.buf, want, b.len);
    buf_release(&b);
}

#define R                "\xEF\xBF\xBD"
#define REPAIR(in, want) repair(in, sizeof(in) - 1, want)

static void utf8_repair_maximal_subparts(void **state)
{
    (void)state;
    REPAIR("plain ascii", "plain ascii");
    REPAIR("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80",
           "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80");
    /* Unicode 15 §3.9, Table 3-8: "a F1 80 80 E1 80 C2 b 80 c 80 BF d". */
    REPAIR("a\xF1\x80\x80\xE1\x80\xC2"
           "b\x80"
           "c\x80\xBF"
           "d",
           "a" R R R "b" R "c" R R "d");
    REPAIR("\xC0\xAF", R R);             /* overlong '/' */
    REPAIR("\xE0\x80\xAF", R R R);       /* overlong, E0 needs A0..BF next */
    REPAIR("\xED\xA0\x80", R R R);       /* a surrogate */
    REPAIR("\xF4\x90\x80\x80", R R R R); /* above U+10FFFF */
    REPAIR("\xF5\xFF", R R);             /* never lead bytes */
    REPAIR("\xE2\x82"
           "A",
           R "A");             /* truncated sequence: one U+FFFD */
    REPAIR("\xF0\x9F\x98", R); /* truncated at the end */
    {
        struct buf b = BUF_INIT;

        report_utf8_repair(&b, "x\0y", 3);
        assert_int_equal(b.len, 3);
        assert_int_equal(b.buf[1], 0);
        buf_release(&b);
    }
}

static void utf8_prefix(void **state)
{
    const char *s = "a\xC3\xA9\xE2\x82\xAC"; /* a é € */

    (void)state;
    assert_int_equal(report_utf8_prefix(s, 6, 200), 6);
    assert_int_equal(report_utf8_prefix(s, 6, 6), 6);
    assert_int_equal(report_utf8_prefix(s, 6, 5), 3);
    assert_int_equal(report_utf8_prefix(s, 6, 4), 3);
    assert_int_equal(report_utf8_prefix(s, 6, 3), 3);
    assert_int_equal(report_utf8_prefix(s, 6, 2), 1);
    assert_int_equal(report_utf8_prefix(s, 6, 0), 0);
}

static void ssh_hint(const char *body, const char *user, const char *host)
{
    char *u, *h;
    bool found = report_ssh_hint(body, &u, &h);

    if (!user) {
        assert_false(found);
        assert_null(u);
        assert_null(h);
        return;
    }
    assert_true(found);
    assert_string_equal(u, user);
    assert_string_equal(h, host);
    free(u);
    free(h);
}

static void ssh_hint_matches(void **state)
{
    (void)state;
    ssh_hint("ssh deploy@example.com", "deploy", "example.com");
    ssh_hint("ssh -p 2222 ana@db-1.internal uptime", "ana", "db-1.internal");
    ssh_hint("ssh -i key -A ops@10.0.0.7", "ops", "10.0.0.7");
    ssh_hint("ssh -o StrictHostKeyChecking=no -t root@web_2 'ls'", "root", "web_2");
    ssh_hint("echo start\n  ssh\tbob@h1 ls\nssh carol@h2", "bob", "h1");
    ssh_hint(NULL, NULL, NULL);
    ssh_hint("ssh", NULL, NULL);
    ssh_hint("myssh user@host", NULL, NULL);
    ssh_hint("echo ssh: user@host", NULL, NULL);
    ssh_hint("scp file user@host:/tmp", NULL, NULL);
    ssh_hint("ssh -p 22 @host", NULL, NULL);
    ssh_hint("git clone git@github.com:x/y", NULL, NULL);
}

static void signal_names(void **state)
{
    (void)state;
    assert_string_equal(report_signal_name(SIGTERM), "SIGTERM");
    assert_string_equal(report_signal_name(SIGKILL), "SIGKILL");
    assert_string_equal(report_signal_name(SIGINT), "SIGINT");
    assert_string_equal(report_signal_name(SIGPIPE), "SIGPIPE");
    assert_string_equal(report_signal_name(SIGSEGV), "SIGSEGV");
    assert_string_equal(report_signal_name(SIGRTMIN + 2), "SIGRTMIN+2");
    assert_string_equal(report_signal_name(100), "SIG100");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(cli_examples),
        cmocka_unit_test(mcp_examples),
        cmocka_unit_test(signals_and_missing_newlines),
        cmocka_unit_test(fence_grows_with_backticks),
        cmocka_unit_test(ssh_hint_in_header),
        cmocka_unit_test(cannot_start),
        cmocka_unit_test(invalid_output_is_repaired),
        cmocka_unit_test(mcp_truncated_stdout),
        cmocka_unit_test(utf8_repair_maximal_subparts),
        cmocka_unit_test(utf8_prefix),
        cmocka_unit_test(ssh_hint_matches),
        cmocka_unit_test(signal_names),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
