/*
 * ideal_run: the best possible `run NAME` (test/bench), to show what limits the `run hi`
 * figure. It does the least a task runner must: one pass over ./Runfile to find NAME, then
 * execv() of bash with a script holding the prelude assignment and the function (no fork:
 * the runner's process becomes bash). It checks nothing, handles no siblings, no arguments, no
 * errors: it is not a runner, only the lower bound of one that is a separate program.
 *
 *   ideal_run NAME
 */
#include "floor_scan.h"

struct want {
    const char *name;
    struct fs_def def;
    bool found;
};

static void find(const struct fs_def *def, void *arg)
{
    struct want *w = arg;

    if (def->name.n == strlen(w->name) && memcmp(def->name.p, w->name, def->name.n) == 0) {
        w->def = *def;
        w->found = true;
    }
}

int main(int argc, char **argv)
{
    struct want w = { 0 };
    size_t len, n;
    const char *buf;
    char *script, cwd[4096];

    if (argc != 2)
        return 2;
    w.name = argv[1];
    buf = fs_read_file("Runfile", &len);
    fs_scan(buf, len, find, &w);
    if (!w.found || !getcwd(cwd, sizeof(cwd)))
        return 127;
    n = strlen(cwd) + 2 * w.def.name.n + w.def.body.n + 128;
    script = malloc(n);
    if (!script)
        return 1;
    snprintf(script, n,
             "set -eo pipefail\nexport __RUNFILE_DIR__='%s'\nPROJECT=bench\n\n%.*s() {\n%.*s\n}\n\n"
             "%.*s \"$@\"\n",
             cwd, (int)w.def.name.n, w.def.name.p, (int)w.def.body.n, w.def.body.p,
             (int)w.def.name.n, w.def.name.p);
    execv("/bin/bash", (char *[]){ (char *)"bash", (char *)"-c", script, argv[1], NULL });
    return 126;
}
