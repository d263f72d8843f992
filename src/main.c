/*
 * main: wiring only. Allocation hooks first, then argv, then the handler of the mode.
 */
#include <jansson.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <uv.h>

#include "base.h"
#include "buf.h"
#include "cli.h"
#include "cmd.h"
#include "log.h"

static void *uv_calloc_hook(size_t n, size_t size)
{
    return xcalloc(n, size);
}

int main(int argc, char **argv)
{
    struct cli_opts opts;
    struct buf err = BUF_INIT;
    char exe[PATH_MAX], *cwd;
    const char *home = getenv("HOME");
    struct cmd_ctx ctx;
    ssize_t n;
    int rc;

    uv_replace_allocator(xmalloc, xrealloc, uv_calloc_hook, free);
    json_set_alloc_funcs(xmalloc, free);
    (void)signal(SIGPIPE, SIG_DFL); /* cannot fail for a valid signal number */
    log_init_from_env();

    if (cli_parse(argc, argv, &opts, &err)) {
        rc = cmd_usage_error(&err);
        buf_release(&err);
        return rc;
    }
    n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    if (n > 0)
        exe[n] = '\0';
    else if (!realpath(argv[0], exe))
        (void)snprintf(exe, sizeof(exe), "%s", argv[0]); /* longer than PATH_MAX: no path anyway */
    cwd = getcwd(NULL, 0);
    if (!cwd)
        die("cannot get the current directory");
    if (!home || !*home) {
        struct passwd *pw = getpwuid(getuid());
        home = pw ? pw->pw_dir : NULL;
    }
    ctx = (struct cmd_ctx){ .opts = &opts, .exe = exe, .cwd = cwd, .home = home };
    rc = cmd_for_mode(opts.mode)(&ctx);
    free(cwd);
    log_close();
    return rc;
}
