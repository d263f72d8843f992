/*
 * fuzz_mcp: a whole MCP session on bytes. The input is what a client writes to the server's
 * stdin; the server (mcp_server_new with in_fd/out_fd) reads it to the end, answers on
 * /dev/null, stops at end of input and must close every handle, free everything and never
 * crash, whatever the lines, batches, versions, ids, methods and tool arguments.
 *
 * No process is ever started: the pinned Runfile offers tools whose interpreter is pwsh,
 * which is recognised and refused when called (an isError result), so tools/call runs
 * validation and argv mapping up to the start and stops there. Pinning (--runfile) also keeps
 * set_cwd from discovering some other Runfile on the machine.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <uv.h>

#include "log.h"
#include "mcp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char runfile[] =
    "# @instructions Be careful\n"
    "# @desc every type\n"
    "# @shell pwsh\n"
    "all(s, i: int, n: float, b: bool = yes, o: object = '{\"a\": 1}', ...rest) {\n"
    "    Write-Output $s\n"
    "}\n"
    "# @desc legacy\n"
    "# @shell pwsh\n"
    "# @arg name the name\n"
    "# @arg count? how many\n"
    "ns:legacy() Write-Output hi\n"
    "# @desc clash\n"
    "# @shell pwsh\n"
    "clash(timeout) Write-Output x\n";

static char dir[64], input[96], rf_path[96];
static int in_fd = -1, out_fd = -1;

static void cleanup(void)
{
    close(in_fd);
    close(out_fd);
    unlink(input);
    unlink(rf_path);
    rmdir(dir);
}

static void setup(void)
{
    FILE *f;

    snprintf(dir, sizeof(dir), "/tmp/run-fuzz-mcp.XXXXXX");
    if (!mkdtemp(dir))
        abort();
    snprintf(rf_path, sizeof(rf_path), "%s/Runfile", dir);
    snprintf(input, sizeof(input), "%s/input", dir);
    f = fopen(rf_path, "w");
    if (!f || fputs(runfile, f) < 0 || fclose(f))
        abort();
    in_fd = open(input, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    out_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
    if (in_fd < 0 || out_fd < 0)
        abort();
    atexit(cleanup);
    log_set_level(LOG_ERROR); /* warnings about malformed notifications would flood the log */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uv_loop_t loop;
    struct mcp_server *s;

    if (in_fd < 0)
        setup();
    if (ftruncate(in_fd, 0) || pwrite(in_fd, data, size, 0) != (ssize_t)size ||
        lseek(in_fd, 0, SEEK_SET) != 0)
        abort();
    if (uv_loop_init(&loop))
        abort();
    s = mcp_server_new(
        &loop,
        &(struct mcp_opts){
            .cwd = dir, .runfile = rf_path, .max_frame = 4096, .in_fd = in_fd, .out_fd = out_fd });
    uv_run(&loop, UV_RUN_DEFAULT);
    mcp_server_free(s);
    if (uv_loop_close(&loop))
        abort(); /* a handle was left open */
    return 0;
}
