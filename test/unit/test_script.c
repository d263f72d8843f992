/*
 * Unit tests: script (the program text and argv of a call, spec/execution.md).
 *
 * Runfiles are built by hand here, so these tests pin the builder alone; the interpreters are
 * fake executables in a temporary PATH directory, so paths in the output are predictable.
 */
#include "unit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base.h"
#include "buf.h"
#include "diag.h"
#include "runfile.h"
#include "script.h"

/* A string literal as the char * that argv arrays hold. */
#define W(s) ((char *)(s))

static char bindir[64];   /* bash, dash, sh, python3, node, ruby */
static char shonly[80];   /* sh only */
static char nopython[80]; /* bash and python (no python3) */

static void make_exe(const char *dir, const char *name)
{
    char path[160];
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    f = fopen(path, "w");
    assert_non_null(f);
    fputs("#!/bin/sh\nexit 0\n", f);
    fclose(f);
    chmod(path, 0755);
}

static int setup_bins(void **state)
{
    static const char *const all[] = { "bash", "dash", "sh", "python3", "node", "ruby" };
    size_t i;

    (void)state;
    snprintf(bindir, sizeof(bindir), "/tmp/run-test-script.XXXXXX");
    if (!mkdtemp(bindir))
        return -1;
    for (i = 0; i < ARRAY_SIZE(all); i++)
        make_exe(bindir, all[i]);
    snprintf(shonly, sizeof(shonly), "%s/shonly", bindir);
    snprintf(nopython, sizeof(nopython), "%s/nopy", bindir);
    mkdir(shonly, 0755);
    mkdir(nopython, 0755);
    make_exe(shonly, "sh");
    make_exe(nopython, "bash");
    make_exe(nopython, "python");
    return 0;
}

static int teardown_bins(void **state)
{
    char cmd[200];

    (void)state;
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", bindir);
    return system(cmd) == 0 ? 0 : -1;
}

/* ---- a hand-built Runfile ---------------------------------------------------------------- */

struct fixture {
    struct runfile rf;
    struct runfile_file root;
    struct runfile_file *files[1];
    size_t nalloc_fns, nalloc_stmts;
};

static void fx_init(struct fixture *fx, const char *dir, const char *root_path)
{
    memset(fx, 0, sizeof(*fx));
    fx->rf.source = RUNFILE_FROM_TEXT;
    fx->rf.dir = xstrdup(dir);
    fx->root.path = xstrdup(root_path);
    fx->root.label = xstrdup("Runfile");
    fx->root.exists = true;
    fx->files[0] = &fx->root;
    fx->rf.files = fx->files;
    fx->rf.nfiles = 1;
}

/* Add a function; returns its index (pointers move as the array grows). */
static size_t fx_fn(struct fixture *fx, const char *name, const char *code,
                    enum runfile_interp interp)
{
    struct runfile_fn *fn;
    size_t i = fx->rf.nfns;

    ALLOC_GROW(fx->rf.fns, i + 1, fx->nalloc_fns);
    fn = &fx->rf.fns[i];
    memset(fn, 0, sizeof(*fn));
    fn->name = xstrdup(name);
    fn->kind = RUNFILE_BLOCK;
    fn->body = xstrdup(code);
    fn->code = fn->body;
    fn->interp = interp;
    fn->root = &fx->root;
    fn->order = i;
    fx->rf.nfns++;
    return i;
}

static struct runfile_fn *fx_get(struct fixture *fx, size_t i)
{
    return &fx->rf.fns[i];
}

static void fx_param(struct fixture *fx, size_t fi, const char *name, enum runfile_type type,
                     bool required, bool rest, const char *def)
{
    struct runfile_fn *fn = fx_get(fx, fi);
    struct runfile_param *p;

    fn->has_signature = true;
    fn->params = xrealloc(fn->params, (fn->nparams + 1) * sizeof(*fn->params));
    p = &fn->params[fn->nparams++];
    memset(p, 0, sizeof(*p));
    p->name = xstrdup(name);
    p->type = type;
    p->typed = type != RUNFILE_STRING;
    p->required = required;
    p->is_rest = rest;
    p->default_value = def ? xstrdup(def) : NULL;
    p->position = (unsigned)fn->nparams;
}

static void fx_kinds(struct fixture *fx, size_t fi, const enum runfile_line_kind *kinds, size_t n)
{
    struct runfile_fn *fn = fx_get(fx, fi);

    fn->line_kinds = xcalloc(n, sizeof(*kinds));
    memcpy(fn->line_kinds, kinds, n * sizeof(*kinds));
    fn->nlines = n;
}

static void fx_stmt(struct fixture *fx, enum runfile_stmt_kind kind, const char *text,
                    const char *const *args, size_t nargs)
{
    struct runfile_stmt *st;
    size_t i;

    ALLOC_GROW(fx->rf.stmts, fx->rf.nstmts + 1, fx->nalloc_stmts);
    st = &fx->rf.stmts[fx->rf.nstmts++];
    memset(st, 0, sizeof(*st));
    st->kind = kind;
    st->text = xstrdup(text);
    st->nargs = nargs;
    st->args = nargs ? xcalloc(nargs, sizeof(char *)) : NULL;
    for (i = 0; i < nargs; i++)
        st->args[i] = xstrdup(args[i]);
    if (kind != RUNFILE_CALL)
        fx->rf.nprelude++;
}

static void fx_release(struct fixture *fx)
{
    size_t i, j;

    for (i = 0; i < fx->rf.nfns; i++) {
        struct runfile_fn *fn = &fx->rf.fns[i];

        for (j = 0; j < fn->nparams; j++) {
            free(fn->params[j].name);
            free(fn->params[j].default_value);
        }
        free(fn->params);
        free(fn->name);
        free(fn->body);
        free(fn->line_kinds);
    }
    free(fx->rf.fns);
    for (i = 0; i < fx->rf.nstmts; i++) {
        for (j = 0; j < fx->rf.stmts[i].nargs; j++)
            free(fx->rf.stmts[i].args[j]);
        free(fx->rf.stmts[i].args);
        free(fx->rf.stmts[i].text);
    }
    free(fx->rf.stmts);
    free(fx->rf.dir);
    free(fx->root.path);
    free(fx->root.label);
}

/* Build fn 'fi' with RUN_SHELL 'shell' (NULL: default) and the fake PATH. */
static int build(struct fixture *fx, size_t fi, const char *shell, struct script *s,
                 struct diag_list *d)
{
    struct script_env env = { .exe = "/usr/local/bin/run", .shell = shell, .path = bindir };

    return script_build(&fx->rf, fx_get(fx, fi), &env, s, d);
}

static char *bin(const char *name)
{
    return xasprintf("%s/%s", bindir, name);
}

/* ---- examples.md §1 ---------------------------------------------------------------------- */

static void example1_values_are_data(void **state)
{
    struct fixture fx;
    struct script s;
    struct diag_list d = DIAG_LIST_INIT;
    char *values[] = { W("Bob\"; touch /tmp/pwned; echo \"") };
    char **argv, *bash = bin("bash");
    size_t g;

    (void)state;
    fx_init(&fx, "/home/ana/shop", "/home/ana/shop/Runfile");
    g = fx_fn(&fx, "greet", "echo \"Hello, $1!\"", RUNFILE_INTERP_DEFAULT);
    fx_get(&fx, g)->kind = RUNFILE_INLINE;
    assert_int_equal(build(&fx, g, NULL, &s, &d), 0);
    assert_string_equal(s.text, "set -eo pipefail\n"
                                "export __RUNFILE_DIR__='/home/ana/shop'\n"
                                "\n"
                                "greet() {\n"
                                "    echo \"Hello, $1!\"\n"
                                "}\n"
                                "\n"
                                "greet \"$@\"\n");
    assert_int_equal(s.family, SCRIPT_BASH);
    assert_string_equal(s.label, "bash");
    assert_string_equal(s.interp, bash);
    argv = script_argv(&s, values, 1);
    assert_string_equal(argv[0], bash);
    assert_string_equal(argv[1], "-c");
    assert_string_equal(argv[2], s.text);
    assert_string_equal(argv[3], "greet");
    assert_ptr_equal(argv[4], values[0]);
    assert_null(argv[5]);
    /* The value is nowhere in the program. */
    assert_null(strstr(s.text, "pwned"));
    free(argv);
    free(bash);
    script_release(&s);
    fx_release(&fx);
}

/* ---- examples.md §2, §3 ------------------------------------------------------------------ */

static void example2_bindings(void **state)
{
    struct fixture fx;
    struct script s;
    struct diag_list d = DIAG_LIST_INIT;
    size_t f;

    (void)state;
    fx_init(&fx, "/home/ana/shop", "/home/ana/shop/Runfile");
    f = fx_fn(&fx, "deploy",
              "if [ \"$dry_run\" = true ]; then\n"
              "    echo \"would deploy $version to $env\"\n"
              "    return 0\n"
              "fi\n"
              "echo \"deploying $version to $env\"",
              RUNFILE_INTERP_DEFAULT);
    fx_param(&fx, f, "env", RUNFILE_STRING, true, false, NULL);
    fx_param(&fx, f, "version", RUNFILE_STRING, false, false, "latest");
    fx_param(&fx, f, "dry_run", RUNFILE_BOOLEAN, false, false, "false");
    assert_int_equal(build(&fx, f, NULL, &s, &d), 0);
    assert_non_null(strstr(s.text, "\n\ndeploy() {\n"
                                   "    local env=\"$1\"\n"
                                   "    local version='latest'\n"
                                   "    [ -z \"${2-}\" ] || version=\"$2\"\n"
                                   "    local dry_run='false'\n"
                                   "    [ -z \"${3-}\" ] || dry_run=\"$3\"\n"
                                   "    if [ \"$dry_run\" = true ]; then\n"
                                   "        echo \"would deploy $version to $env\"\n"
                                   "        return 0\n"
                                   "    fi\n"
                                   "    echo \"deploying $version to $env\"\n"
                                   "}\n\ndeploy \"$@\"\n"));
    script_release(&s);
    fx_release(&fx);
}

static void example3_rest_binding_and_high_positions(void **state)
{
    struct fixture fx;
    struct script s;
    struct diag_list d = DIAG_LIST_INIT;
    size_t f, i;
    char name[8];

    (void)state;
    fx_init(&fx, "/p", "/p/Runfile");
    f = fx_fn(&fx, "in_container", "echo x", RUNFILE_INTERP_DEFAULT);
    fx_param(&fx, f, "name", RUNFILE_STRING, true, false, NULL);
    fx_param(&fx, f, "cmd", RUNFILE_STRING, false, true, NULL);
    assert_int_equal(build(&fx, f, NULL, &s, &d), 0);
    assert_non_null(strstr(s.text, "    local name=\"$1\"\n    local cmd=\"${*:2}\"\n"));
    assert_null(strstr(s.text, "shift"));
    script_release(&s);

    /* Positions from 10 on are written with braces. */
    f = fx_fn(&fx, "many", "echo", RUNFILE_INTERP_DEFAULT);
    for (i = 1; i <= 10; i++) {
        snprintf(name, sizeof(name), "p%zu", i);
        fx_param(&fx, f, name, RUNFILE_STRING, i < 10, false, i < 10 ? NULL : "it's");
    }
    assert_int_equal(build(&fx, f, NULL, &s, &d), 0);
    assert_non_null(strstr(s.text, "    local p9=\"$9\"\n"
                                   "    local p10='it'\\''s'\n"
                                   "    [ -z \"${10-}\" ] || p10=\"${10}\"\n"));
    script_release(&s);
    fx_release(&fx);
}

/* ---- execution.md §5.7: bash and dash ---------------------------------------------------- */

static size_t setup_57(struct fixture *fx)
{
    size_t r, bi;
    fx_init(fx, "/home/ana/shop", "/home/ana/shop/Runfile");
    fx_stmt(fx, RUNFILE_ASSIGN, "IMAGE=shop", NULL, 0);
    fx_stmt(fx, RUNFILE_ASSIGN, "TAG=1.4.2", NULL, 0);
    bi = fx_fn(fx, "build-image", "docker build -t \"$IMAGE:$tag\" .", RUNFILE_INTERP_DEFAULT);
    fx_get(fx, bi)->kind = RUNFILE_INLINE;
    fx_param(fx, bi, "tag", RUNFILE_STRING, false, false, "latest");
    r = fx_fn(fx, "release",
              "build-image \"$TAG\"\n"
              "docker push \"$registry/$IMAGE:latest\" $extra",
              RUNFILE_INTERP_DEFAULT);
    fx_param(fx, r, "registry", RUNFILE_STRING, true, false, NULL);
    fx_param(fx, r, "extra", RUNFILE_STRING, false, true, NULL);
    return r;
}

static void exec57_bash(void **state)
{
    struct fixture fx;
    struct script s;
    struct diag_list d = DIAG_LIST_INIT;
    size_t r;

    (void)state;
    r = setup_57(&fx);
    assert_int_equal(build(&fx, r, NULL, &s, &d), 0);
    assert_string_equal(s.text, "set -eo pipefail\n"
                                "export __RUNFILE_DIR__='/home/ana/shop'\n"
                                "IMAGE=shop\n"
                                "TAG=1.4.2\n"
                                "\n"
                                "build-image() {\n"
                                "    local tag='latest'\n"
                                "    [ -z \"${1-}\" ] || tag=\"$1\"\n"
                                "    docker build -t \"$IMAGE:$tag\" .\n"
                                "}\n"
                                "\n"
                                "release() {\n"
                                "    local registry=\"$1\"\n"
                                "    local extra=\"${*:2}\"\n"
                                "    build-image \"$TAG\"\n"
                                "    docker push \"$registry/$IMAGE:latest\" $extra\n"
                                "}\n"
                                "\n"
                                "release \"$@\"\n");
    script_release(&s);
    fx_release(&fx);
}

static void exec57_dash(void **state)
{
    struct fixture fx;
    struct script s;
    struct diag_list d = DIAG_LIST_INIT;
    char *dash = bin("dash");
    size_t r;

    (void)state;
    r = setup_57(&fx);
    assert_int_equal(build(&fx, r, "dash", &s, &d), 0);
    assert_string_equal(s.text, "set -e\n"
                                "export __RUNFILE_DIR__='/home/ana/shop'\n"
                                "IMAGE=shop\n"
                                "TAG=1.4.2\n"
                                "\n"
                                "__run_rest() {\n"
                                "    __run_skip=$(( $1 + 1 ))\n"
                                "    __run_r=''\n"
                                "    if [ \"$#\" -gt \"$__run_skip\" ]; then\n"
                                "        shift \"$__run_skip\"\n"
                                "        __run_r=\"$*\"\n"
                                "    fi\n"
                                "}\n"
                                "\n"
                                "build_image() {\n"
                                "    local tag='latest'\n"
                                "    [ -z \"${1-}\" ] || tag=\"$1\"\n"
                                "    docker build -t \"$IMAGE:$tag\" .\n"
                                "}\n"
                                "\n"
                                "release() {\n"
                                "    local registry=\"$1\"\n"
                                "    __run_rest 1 \"$@\"\n"
                                "    local extra=\"$__run_r\"\n"
                                "    build_image \"$TAG\"\n"
                                "    docker push \"$registry/$IMAGE:latest\" $extra\n"
                                "}\n"
                                "\n"
                                "release \"$@\"\n");
    assert_int_equal(s.family, SCRIPT_SH);
    assert_string_equal(s.label, "dash");
    assert_string_equal(s.interp, dash);
    assert_string_equal(s.argv[3], "release");
    free(dash);
    script_release(&s);

    /* With --no-prelude the assignments are left out. */
    {
        struct script_env env = {
            .exe = "/x/run", .shell = "dash", .path = bindir, .no_prelude = true
        };

        assert_int_equal(script_build(&fx.rf, fx_get(&fx, r), &env, &s, &d), 0);
        assert_null(strstr(s.text, "IMAGE=shop"));
        assert_non_null(strstr(s.text, "set -e\nexport __RUNFILE_DIR__='/home/ana/shop'\n\n"));
        script_release(&s);
    }
    fx_release(&fx);
}

/* ---- examples.md §6: closure, prelude, errexit, wrapper ----------------------------------- */

static size_t setup_ex6(struct fixture *fx)
{
    size_t ci, c;

    fx_init(fx, "/home/ana/shop", "/home/ana/shop/Runfile");
    fx_stmt(fx, RUNFILE_COMMAND, "export APP_ENV=staging", NULL, 0);
    fx_stmt(fx, RUNFILE_ASSIGN, "IMAGE=shop", NULL, 0);
    fx_fn(fx, "lint", "ruff check .", RUNFILE_INTERP_DEFAULT);
    c = fx_fn(fx, "cleanup", "docker rm -f shop-test\nrm -rf .cache", RUNFILE_INTERP_DEFAULT);
    fx_get(fx, c)->noerrexit = true;
    fx_fn(fx, "py:version",
          "import tomllib\n"
          "print(tomllib.load(open(\"pyproject.toml\", \"rb\"))[\"project\"][\"version\"])",
          RUNFILE_INTERP_PYTHON);
    fx_fn(fx, "broken", "if true; then echo \"no fi\";", RUNFILE_INTERP_DEFAULT);
    ci = fx_fn(fx, "ci",
               "lint\n"
               "echo \"testing ${targets:-all} for $(py:version)\"\n"
               "cleanup",
               RUNFILE_INTERP_DEFAULT);
    fx_param(fx, ci, "targets", RUNFILE_STRING, false, true, NULL);
    return ci;
}

static void example6_show_script(void **state)
{
    struct fixture fx;
    struct script s;
    struct diag_list d = DIAG_LIST_INIT;
    size_t ci;

    (void)state;
    ci = setup_ex6(&fx);
    assert_int_equal(build(&fx, ci, NULL, &s, &d), 0);
    assert_string_equal(
        s.text, "set -eo pipefail\n"
                "export __RUNFILE_DIR__='/home/ana/shop'\n"
                "export APP_ENV=staging\n"
                "IMAGE=shop\n"
                "\n"
                "lint() {\n"
                "    ruff check .\n"
                "}\n"
                "\n"
                "cleanup() (\n"
                "    set +e +o pipefail\n"
                "    docker rm -f shop-test\n"
                "    rm -rf .cache\n"
                ")\n"
                "\n"
                "py:version() {\n"
                "    '/usr/local/bin/run' --runfile '/home/ana/shop/Runfile' --no-prelude -- "
                "'py:version' \"$@\"\n"
                "}\n"
                "\n"
                "ci() {\n"
                "    local targets=\"${*:1}\"\n"
                "    lint\n"
                "    echo \"testing ${targets:-all} for $(py:version)\"\n"
                "    cleanup\n"
                "}\n"
                "\n"
                "ci \"$@\"\n");
    script_release(&s);

    /* In dash the same closure is renamed consistently, errexit switches use sh syntax. */
    assert_int_equal(build(&fx, ci, "dash", &s, &d), 0);
    assert_non_null(strstr(s.text, "cleanup() (\n    set +e\n"));
    assert_non_null(strstr(s.text, "py__version() {\n    '/usr/local/bin/run' --runfile "
                                   "'/home/ana/shop/Runfile' --no-prelude -- 'py:version' "
                                   "\"$@\"\n}\n"));
    assert_non_null(strstr(s.text, "for $(py__version)\"\n"));
    script_release(&s);

    /* The entry of a @noerrexit function: no first line; errexit siblings get a subshell. */
    fx_get(&fx, ci)->noerrexit = true;
    fx_get(&fx, 2)->noerrexit = false; /* cleanup */
    assert_int_equal(build(&fx, ci, NULL, &s, &d), 0);
    assert_true(starts_with(s.text, "export __RUNFILE_DIR__="));
    assert_non_null(strstr(s.text, "lint() (\n    set -eo pipefail\n    ruff check .\n)\n"));
    script_release(&s);
    assert_int_equal(d.n, 0);
    fx_release(&fx);
}

/* ---- the closure (§8) --------------------------------------------------------------------- */

static void closure_by_words(void **state)
{
    struct fixture fx;
    struct script s;
    struct diag_list d = DIAG_LIST_INIT;
    size_t e;

    (void)state;
    fx_init(&fx, "/p", "/p/Runfile");
    fx_fn(&fx, "docker:build", "echo build", RUNFILE_INTERP_DEFAULT);
    fx_fn(&fx, "docker:build-all", "echo all; helper", RUNFILE_INTERP_DEFAULT);
    fx_fn(&fx, "helper", "echo helper", RUNFILE_INTERP_DEFAULT);
    fx_fn(&fx, "unused", "echo unused", RUNFILE_INTERP_DEFAULT);
    fx_fn(&fx, "self", "self", RUNFILE_INTERP_DEFAULT);
    e = fx_fn(&fx, "entry", "# calls docker:build-all twice\ndocker:build-all\nself; self",
              RUNFILE_INTERP_DEFAULT);
    assert_int_equal(build(&fx, e, NULL, &s, &d), 0);
    /* docker:build is not a word of any reached body, helper is reached transitively. */
    assert_null(strstr(s.text, "docker:build()"));
    assert_null(strstr(s.text, "unused"));
    assert_non_null(strstr(s.text, "\ndocker:build-all() {\n"));
    assert_non_null(strstr(s.text, "\nhelper() {\n"));
    /* Runfile order, each member once. */
    assert_true(strstr(s.text, "docker:build-all() {") < strstr(s.text, "helper() {"));
    assert_true(strstr(s.text, "helper() {") < strstr(s.text, "self() {"));
    assert_true(strstr(s.text, "self() {") < strstr(s.text, "entry() {"));
    assert_null(strstr(strstr(s.text, "self() {") + 1, "self() {"));
    script_release(&s);
    fx_release(&fx);
}

static void sh_cannot_define_bash_functions(void **state)
{
    struct fixture fx;
    struct script s;
    struct diag_list d = DIAG_LIST_INIT;
    size_t e;

    (void)state;
    fx_init(&fx, "/p", "/p/Runfile");
    fx_fn(&fx, "b", "echo ${x[0]}", RUNFILE_INTERP_BASH);
    fx_fn(&fx, "s", "echo s", RUNFILE_INTERP_SH);
    fx_fn(&fx, "dflt", "echo d", RUNFILE_INTERP_DEFAULT);
    e = fx_fn(&fx, "entry", "b; s; dflt", RUNFILE_INTERP_SH);
    /* Default shell bash: an @shell sh entry gets an sh script; bash functions are wrapped. */
    assert_int_equal(build(&fx, e, NULL, &s, &d), 0);
    assert_int_equal(s.family, SCRIPT_SH);
    assert_string_equal(s.label, "sh");
    assert_non_null(strstr(s.text, "b() {\n    '/usr/local/bin/run' --runfile '/p/Runfile'"));
    assert_non_null(strstr(s.text, "dflt() {\n    '/usr/local/bin/run'"));
    assert_non_null(strstr(s.text, "s() {\n    echo s\n}\n"));
    script_release(&s);
    /* A bash entry defines sh functions inline. */
    fx_get(&fx, e)->interp = RUNFILE_INTERP_BASH;
    assert_int_equal(build(&fx, e, "dash", &s, &d), 0);
    assert_int_equal(s.family, SCRIPT_BASH);
    assert_non_null(strstr(s.text, "b() {\n    echo ${x[0]}\n}\n"));
    assert_non_null(strstr(s.text, "dflt() {\n    echo d\n}\n"));
    script_release(&s);
    fx_release(&fx);
}

/* ---- sh names and call-site rewriting (§5.2, §5.6) ---------------------------------------- */

static char *dash_body(const char *code, const enum runfile_line_kind *kinds, size_t nk)
{
    struct fixture fx;
    struct script s;
    struct diag_list d = DIAG_LIST_INIT;
    size_t e;
    char *start, *end, *res;

    fx_init(&fx, "/p", "/p/Runfile");
    fx_fn(&fx, "build-image", "echo bi", RUNFILE_INTERP_DEFAULT);
    fx_fn(&fx, "docker:up", "echo up", RUNFILE_INTERP_DEFAULT);
    e = fx_fn(&fx, "entry", code, RUNFILE_INTERP_DEFAULT);
    if (kinds)
        fx_kinds(&fx, e, kinds, nk);
    assert_int_equal(build(&fx, e, "dash", &s, &d), 0);
    start = strstr(s.text, "entry() {\n");
    assert_non_null(start);
    start += strlen("entry() {\n");
    end = strstr(start, "\n}\n\nentry \"$@\"\n");
    assert_non_null(end);
    res = xstrndup(start, (size_t)(end - start));
    script_release(&s);
    fx_release(&fx);
    return res;
}

static void sh_call_sites(void **state)
{
    static const struct {
        const char *in, *out;
    } cases[] = {
        { "build-image x", "    build_image x" },
        { "  docker:up", "      docker__up" },
        { "a; build-image && docker:up || build-image | docker:up & build-image",
          "    a; build_image && docker__up || build_image | docker__up & build_image" },
        { "if build-image; then docker:up; else build-image; fi",
          "    if build_image; then docker__up; else build_image; fi" },
        { "while docker:up; do build-image; done", "    while docker__up; do build_image; done" },
        { "x=$(docker:up) y=`build-image`", "    x=$(docker__up) y=`build_image`" },
        { "echo \"$(docker:up)\" \"docker:up\"", "    echo \"$(docker__up)\" \"docker:up\"" },
        { "echo build-image 'build-image' # build-image",
          "    echo build-image 'build-image' # build-image" },
        { "! build-image; { docker:up; }; (build-image)",
          "    ! build_image; { docker__up; }; (build_image)" },
        { "FOO=1 build-image >out docker:up", "    FOO=1 build_image >out docker:up" },
        { "build-image-x; docker:up:z; build-image=1",
          "    build-image-x; docker:up:z; build-image=1" },
        { "\"$cmd\" build-image", "    \"$cmd\" build-image" },
        { "echo ${x:-build-image} $((1+2)); docker:up",
          "    echo ${x:-build-image} $((1+2)); docker__up" },
        { "case $x in a) build-image ;; esac", "    case $x in a) build_image ;; esac" },
        { "build-image 2>/dev/null; docker:up >&2 2>&1",
          "    build_image 2>/dev/null; docker__up >&2 2>&1" },
    };
    size_t i;

    (void)state;
    for (i = 0; i < ARRAY_SIZE(cases); i++) {
        char *got = dash_body(cases[i].in, NULL, 0);

        if (strcmp(got, cases[i].out))
            print_error("case %zu: got [%s]\n", i, got);
        assert_string_equal(got, cases[i].out);
        free(got);
    }
}

static void heredoc_lines_copied_exactly(void **state)
{
    static const enum runfile_line_kind k[] = { RUNFILE_LINE_CODE, RUNFILE_LINE_HEREDOC,
                                                RUNFILE_LINE_TERMINATOR, RUNFILE_LINE_CODE,
                                                RUNFILE_LINE_CODE };
    static const enum runfile_line_kind k2[] = { RUNFILE_LINE_CODE, RUNFILE_LINE_STRING,
                                                 RUNFILE_LINE_CODE, RUNFILE_LINE_CODE };
    char *got;

    (void)state;
    got = dash_body("cat <<EOF\n  build-image\nEOF\n\nbuild-image", k, ARRAY_SIZE(k));
    assert_string_equal(got, "    cat <<EOF\n  build-image\nEOF\n\n    build_image");
    free(got);

    /* A string line is copied as is; a continuation line is code but not a command. */
    got = dash_body("echo 'a\nbuild-image' \\\n  docker:up\nbuild-image", k2, ARRAY_SIZE(k2));
    assert_string_equal(got, "    echo 'a\nbuild-image' \\\n      docker:up\n    build_image");
    free(got);
}

static void sh_name_collision(void **state)
{
    struct fixture fx;
    struct script s;
    struct diag_list d = DIAG_LIST_INIT;
    size_t e;

    (void)state;
    fx_init(&fx, "/p", "/p/Runfile");
    fx_fn(&fx, "a-b", "echo 1", RUNFILE_INTERP_DEFAULT);
    fx_fn(&fx, "a_b", "echo 2", RUNFILE_INTERP_DEFAULT);
    e = fx_fn(&fx, "entry", "a-b; a_b", RUNFILE_INTERP_DEFAULT);
    assert_int_equal(build(&fx, e, "dash", &s, &d), 1);
    assert_int_equal(d.nerrors, 1);
    assert_string_equal(d.items[0].msg,
                        "functions 'a-b' and 'a_b' have the same name in sh; rename one or use "
                        "bash");
    assert_null(s.text);
    diag_list_release(&d);
    /* bash keeps the real names: no collision. */
    assert_int_equal(build(&fx, e, NULL, &s, &d), 0);
    assert_non_null(strstr(s.text, "a-b() {"));
    assert_non_null(strstr(s.text, "a_b() {"));
    script_release(&s);
    fx_release(&fx);
}

/* ---- interpreters (§2) ------------------------------------------------------------------- */

static void interpreter_errors_and_choice(void **state)
{
    struct fixture fx;
    struct script s;
    struct diag_list d = DIAG_LIST_INIT;
    struct script_env env = { .exe = "/r", .path = shonly };
    size_t f, p, w;
    char *sh = xasprintf("%s/sh", shonly), *py = xasprintf("%s/python", nopython);

    (void)state;
    fx_init(&fx, "/p", "/p/Runfile");
    f = fx_fn(&fx, "f", "echo", RUNFILE_INTERP_DEFAULT);
    p = fx_fn(&fx, "p", "print(1)", RUNFILE_INTERP_PYTHON);
    w = fx_fn(&fx, "w", "Write-Host", RUNFILE_INTERP_PWSH);

    /* No bash in PATH: the default shell is sh. */
    assert_int_equal(script_build(&fx.rf, fx_get(&fx, f), &env, &s, &d), 0);
    assert_string_equal(s.label, "sh");
    assert_string_equal(s.interp, sh);
    assert_true(starts_with(s.text, "set -e\n"));
    script_release(&s);

    assert_int_equal(script_build(&fx.rf, fx_get(&fx, p), &env, &s, &d), 127);
    assert_string_equal(d.items[0].msg, "interpreter 'python' not found in PATH (needed by 'p')");
    diag_list_release(&d);

    env.shell = "zsh";
    assert_int_equal(script_build(&fx.rf, fx_get(&fx, f), &env, &s, &d), 127);
    assert_string_equal(d.items[0].msg, "interpreter 'zsh' not found in PATH (needed by 'f')");
    diag_list_release(&d);
    env.shell = "/no/such/zsh"; /* a path is named as given */
    assert_int_equal(script_build(&fx.rf, fx_get(&fx, f), &env, &s, &d), 127);
    assert_string_equal(d.items[0].msg,
                        "interpreter '/no/such/zsh' not found in PATH (needed by 'f')");
    diag_list_release(&d);
    env.shell = "zsh";

    assert_int_equal(script_build(&fx.rf, fx_get(&fx, w), &env, &s, &d), 126);
    assert_string_equal(d.items[0].msg,
                        "the pwsh interpreter is not supported yet (needed by 'w')");
    diag_list_release(&d);

    /* python falls back to `python` when there is no python3. */
    env.shell = NULL;
    env.path = nopython;
    assert_int_equal(script_build(&fx.rf, fx_get(&fx, p), &env, &s, &d), 0);
    assert_string_equal(s.interp, py);
    assert_string_equal(s.label, "python");
    script_release(&s);

    /* RUN_SHELL given as a path; a basename of bash means the bash family. */
    env.path = bindir;
    {
        char *b = bin("bash");

        env.shell = b;
        assert_int_equal(script_build(&fx.rf, fx_get(&fx, f), &env, &s, &d), 0);
        assert_int_equal(s.family, SCRIPT_BASH);
        assert_string_equal(s.label, "bash");
        assert_string_equal(s.interp, b);
        script_release(&s);
        free(b);
    }
    free(sh);
    free(py);
    fx_release(&fx);
}

static void which_lookup(void **state)
{
    char *p, *path = xasprintf("/nonexistent:%s", bindir), *want = bin("node");

    (void)state;
    p = script_which("node", path);
    assert_string_equal(p, want);
    free(p);
    assert_null(script_which("nope-not-here", path));
    assert_null(script_which("dash", shonly));
    p = script_which(want, "/nonexistent");
    assert_string_equal(p, want);
    free(p);
    assert_null(script_which("/nonexistent/node", NULL));
    assert_null(script_which("shonly", bindir)); /* a directory is not a program */
    free(path);
    free(want);
}

/* Interpreters are looked up once per process (§2.1): a later change of PATH's contents is
 * not seen, a different PATH value is. */
static void interpreters_looked_up_once(void **state)
{
    struct fixture fx;
    struct script s;
    struct diag_list d = DIAG_LIST_INIT;
    char dir[96], node[128];
    struct script_env env = { .exe = "/r", .path = dir };
    size_t f;

    (void)state;
    snprintf(dir, sizeof(dir), "%s/once", bindir);
    snprintf(node, sizeof(node), "%s/node", dir);
    mkdir(dir, 0755);
    make_exe(dir, "bash");
    fx_init(&fx, "/p", "/p/Runfile");
    f = fx_fn(&fx, "f", "1", RUNFILE_INTERP_NODE);
    assert_int_equal(script_build(&fx.rf, fx_get(&fx, f), &env, &s, &d), 127);
    diag_list_release(&d);
    make_exe(dir, "node");
    assert_int_equal(script_build(&fx.rf, fx_get(&fx, f), &env, &s, &d), 127);
    diag_list_release(&d);
    assert_int_equal(script_build(&fx.rf, fx_get(&fx, f),
                                  &(struct script_env){ .exe = "/r", .path = bindir }, &s, &d),
                     0);
    script_release(&s);
    unlink(node);
    fx_release(&fx);
}

/* ---- polyglot (§9) ----------------------------------------------------------------------- */

static void example14_node(void **state)
{
    struct fixture fx;
    struct script s;
    struct diag_list d = DIAG_LIST_INIT;
    char *node = bin("node");
    char *values[] = { W("9.5"), W("3"), W("true") };
    char **argv;
    size_t f;

    (void)state;
    fx_init(&fx, "/home/ana/shop", "/home/ana/shop/Runfile");
    f = fx_fn(&fx, "fmt",
              "const total = (price * qty).toFixed(2);\n"
              "console.log(`total=${total} gift=${gift}`);",
              RUNFILE_INTERP_NODE);
    fx_param(&fx, f, "price", RUNFILE_NUMBER, true, false, NULL);
    fx_param(&fx, f, "qty", RUNFILE_INTEGER, false, false, "1");
    fx_param(&fx, f, "gift", RUNFILE_BOOLEAN, false, false, "false");
    assert_int_equal(build(&fx, f, NULL, &s, &d), 0);
    assert_string_equal(s.text,
                        "const __RUNFILE_DIR__ = process.env.__RUNFILE_DIR__ || '';\n"
                        "const price = parseFloat(process.argv[1]);\n"
                        "const qty = (process.argv.length > 2 && process.argv[2] !== '') ? "
                        "parseInt(process.argv[2], 10) : 1;\n"
                        "const gift = (process.argv.length > 3 && process.argv[3] !== '') ? "
                        "(process.argv[3] === 'true') : false;\n"
                        "const total = (price * qty).toFixed(2);\n"
                        "console.log(`total=${total} gift=${gift}`);\n");
    assert_int_equal(s.family, SCRIPT_NODE);
    assert_string_equal(s.label, "node");
    argv = script_argv(&s, values, 3);
    assert_string_equal(argv[0], node);
    assert_string_equal(argv[1], "-e");
    assert_string_equal(argv[2], s.text);
    assert_string_equal(argv[3], "--");
    assert_string_equal(argv[4], "9.5");
    assert_string_equal(argv[6], "true");
    assert_null(argv[7]);
    free(argv);
    free(node);
    script_release(&s);
    fx_release(&fx);
}

static void example93_python(void **state)
{
    struct fixture fx;
    struct script s;
    struct diag_list d = DIAG_LIST_INIT;
    size_t f;

    (void)state;
    fx_init(&fx, "/p", "/p/Runfile");
    f = fx_fn(&fx, "greet",
              "for _ in range(times):\n"
              "    print(f\"Hello, {name}!\".upper() if loud else f\"Hello, {name}!\")\n"
              "print(\"tags:\", tags)",
              RUNFILE_INTERP_PYTHON);
    fx_param(&fx, f, "name", RUNFILE_STRING, true, false, NULL);
    fx_param(&fx, f, "times", RUNFILE_INTEGER, false, false, "2");
    fx_param(&fx, f, "loud", RUNFILE_BOOLEAN, false, false, "false");
    fx_param(&fx, f, "tags", RUNFILE_STRING, false, true, NULL);
    assert_int_equal(build(&fx, f, NULL, &s, &d), 0);
    assert_string_equal(s.text,
                        "import sys, os\n"
                        "__RUNFILE_DIR__ = os.environ.get('__RUNFILE_DIR__', '')\n"
                        "name = sys.argv[1]\n"
                        "times = int(sys.argv[2]) if len(sys.argv) > 2 and sys.argv[2] != '' "
                        "else 2\n"
                        "loud = (sys.argv[3] == 'true') if len(sys.argv) > 3 and sys.argv[3] "
                        "!= '' else False\n"
                        "tags = sys.argv[4:]\n"
                        "for _ in range(times):\n"
                        "    print(f\"Hello, {name}!\".upper() if loud else f\"Hello, {name}!\")\n"
                        "print(\"tags:\", tags)\n");
    assert_int_equal(s.argc, 3);
    assert_string_equal(s.argv[1], "-c");
    script_release(&s);
    fx_release(&fx);
}

static void polyglot_literals_and_types(void **state)
{
    struct fixture fx;
    struct script s;
    struct diag_list d = DIAG_LIST_INIT;
    size_t f;

    (void)state;
    fx_init(&fx, "/p", "/p/Runfile");
    f = fx_fn(&fx, "t", "", RUNFILE_INTERP_PYTHON3);
    fx_param(&fx, f, "s", RUNFILE_STRING, false, false, "it's a\\b\tc\nd$x");
    fx_param(&fx, f, "n", RUNFILE_NUMBER, false, false, "2e3");
    fx_param(&fx, f, "m", RUNFILE_NUMBER, false, false, "0.1");
    fx_param(&fx, f, "i", RUNFILE_INTEGER, false, false, "+007");
    fx_param(&fx, f, "o", RUNFILE_OBJECT, false, false, "{\"a\": [1, \"x'y\"]}");
    fx_param(&fx, f, "b", RUNFILE_BOOLEAN, false, false, "YES");
    assert_int_equal(build(&fx, f, NULL, &s, &d), 0);
    assert_string_equal(
        s.text,
        "import sys, os, json\n"
        "__RUNFILE_DIR__ = os.environ.get('__RUNFILE_DIR__', '')\n"
        "s = sys.argv[1] if len(sys.argv) > 1 and sys.argv[1] != '' else "
        "'it\\'s a\\\\b\\tc\\x0ad$x'\n"
        "n = float(sys.argv[2]) if len(sys.argv) > 2 and sys.argv[2] != '' else 2000.0\n"
        "m = float(sys.argv[3]) if len(sys.argv) > 3 and sys.argv[3] != '' else 0.1\n"
        "i = int(sys.argv[4]) if len(sys.argv) > 4 and sys.argv[4] != '' else 7\n"
        "o = json.loads(sys.argv[5]) if len(sys.argv) > 5 and sys.argv[5] != '' else "
        "json.loads('{\"a\":[1,\"x\\'y\"]}')\n"
        "b = (sys.argv[6] == 'true') if len(sys.argv) > 6 and sys.argv[6] != '' else True\n");
    script_release(&s);

    fx_get(&fx, f)->interp = RUNFILE_INTERP_RUBY;
    assert_int_equal(build(&fx, f, NULL, &s, &d), 0);
    assert_string_equal(
        s.text, "require 'json'\n"
                "__RUNFILE_DIR__ = ENV.fetch('__RUNFILE_DIR__', '')\n"
                "s = (ARGV.length > 0 && ARGV[0] != '') ? ARGV[0] : 'it\\'s a\\\\b\tc\nd$x'\n"
                "n = (ARGV.length > 1 && ARGV[1] != '') ? Float(ARGV[1]) : 2000.0\n"
                "m = (ARGV.length > 2 && ARGV[2] != '') ? Float(ARGV[2]) : 0.1\n"
                "i = (ARGV.length > 3 && ARGV[3] != '') ? Integer(ARGV[3], 10) : 7\n"
                "o = (ARGV.length > 4 && ARGV[4] != '') ? JSON.parse(ARGV[4]) : "
                "JSON.parse('{\"a\":[1,\"x\\'y\"]}')\n"
                "b = (ARGV.length > 5 && ARGV[5] != '') ? (ARGV[5] == 'true') : true\n");
    assert_string_equal(s.argv[3], "--");
    script_release(&s);

    /* Legacy polyglot functions get only the header lines. */
    fx_get(&fx, f)->has_signature = false;
    fx_get(&fx, f)->interp = RUNFILE_INTERP_NODE;
    assert_int_equal(build(&fx, f, NULL, &s, &d), 0);
    assert_string_equal(s.text, "const __RUNFILE_DIR__ = process.env.__RUNFILE_DIR__ || '';\n");
    script_release(&s);
    fx_release(&fx);
}

static void prelude_stage(void **state)
{
    struct fixture fx;
    struct script s;
    struct diag_list d = DIAG_LIST_INIT;
    char *bash = bin("bash"), *py = bin("python3"), *dash = bin("dash");
    const char *args[] = { "x" };
    size_t f, n;

    (void)state;
    fx_init(&fx, "/p", "/p/Runfile");
    fx_stmt(&fx, RUNFILE_COMMAND, "export TOKEN=$(cat token)", NULL, 0);
    fx_stmt(&fx, RUNFILE_CALL, "f", args, 1); /* calls are never part of a prelude */
    f = fx_fn(&fx, "f", "print(os.environ['TOKEN'])", RUNFILE_INTERP_PYTHON);
    assert_int_equal(build(&fx, f, NULL, &s, &d), 0);
    assert_string_equal(s.text, "set -eo pipefail\n"
                                "__run_exe=$1 __run_prog=$2\n"
                                "shift 2\n"
                                "export __RUNFILE_DIR__='/p'\n"
                                "export TOKEN=$(cat token)\n"
                                "exec \"$__run_exe\" -c \"$__run_prog\" \"$@\"\n"
                                "\n"
                                "# program passed to python:\n"
                                "import sys, os\n"
                                "__RUNFILE_DIR__ = os.environ.get('__RUNFILE_DIR__', '')\n"
                                "print(os.environ['TOKEN'])\n");
    assert_int_equal(s.argc, 6);
    assert_string_equal(s.argv[0], bash);
    assert_string_equal(s.argv[1], "-c");
    assert_true(starts_with(s.argv[2], "set -eo pipefail\n__run_exe=$1"));
    assert_null(strstr(s.argv[2], "# program passed"));
    assert_string_equal(s.argv[3], "f");
    assert_string_equal(s.argv[4], py);
    assert_true(starts_with(s.argv[5], "import sys, os\n"));
    assert_string_equal(s.interp, bash);
    assert_int_equal(s.family, SCRIPT_PYTHON);
    script_release(&s);

    /* node with dash and @noerrexit: no errexit line, `-e … --`. */
    fx_get(&fx, f)->interp = RUNFILE_INTERP_NODE;
    fx_get(&fx, f)->noerrexit = true;
    assert_int_equal(build(&fx, f, "dash", &s, &d), 0);
    assert_true(starts_with(s.text, "__run_exe=$1 __run_prog=$2\n"));
    assert_non_null(strstr(s.text, "exec \"$__run_exe\" -e \"$__run_prog\" -- \"$@\"\n\n"
                                   "# program passed to node:\n"));
    assert_string_equal(s.argv[0], dash);
    script_release(&s);

    /* --no-prelude: the program runs directly. */
    {
        struct script_env env = { .exe = "/r", .path = bindir, .no_prelude = true };

        assert_int_equal(script_build(&fx.rf, fx_get(&fx, f), &env, &s, &d), 0);
        n = s.argc;
        assert_int_equal(n, 4);
        assert_true(starts_with(s.text, "const __RUNFILE_DIR__"));
        script_release(&s);
    }
    free(bash);
    free(py);
    free(dash);
    fx_release(&fx);
}

/* ---- file mode (§13, examples.md §15) --------------------------------------------------- */

static void example15_file_mode(void **state)
{
    struct fixture fx;
    struct script s;
    struct diag_list d = DIAG_LIST_INIT;
    struct script_env env = { .exe = "/usr/local/bin/run", .path = bindir };
    const char *args[] = { "\"$TARGET team\"" };
    size_t g;

    (void)state;
    fx_init(&fx, "/home/ana/shop", "/home/ana/shop/deploy.run");
    fx_stmt(&fx, RUNFILE_ASSIGN, "TARGET=${1:-staging}", NULL, 0);
    g = fx_fn(&fx, "greet", "echo \"hello $who\"", RUNFILE_INTERP_DEFAULT);
    fx_param(&fx, g, "who", RUNFILE_STRING, true, false, NULL);
    fx_fn(&fx, "unused", "echo no", RUNFILE_INTERP_DEFAULT);
    fx_stmt(&fx, RUNFILE_COMMAND, "echo \"deploying to $TARGET\"", NULL, 0);
    fx_stmt(&fx, RUNFILE_CALL, "greet", args, 1);
    assert_int_equal(script_build_file(&fx.rf, "./deploy.run", &env, &s, &d), 0);
    assert_string_equal(s.text, "set -eo pipefail\n"
                                "export __RUNFILE_DIR__='/home/ana/shop'\n"
                                "\n"
                                "greet() {\n"
                                "    local who=\"$1\"\n"
                                "    echo \"hello $who\"\n"
                                "}\n"
                                "\n"
                                "TARGET=${1:-staging}\n"
                                "echo \"deploying to $TARGET\"\n"
                                "greet \"$TARGET team\"\n");
    assert_string_equal(s.argv[3], "./deploy.run");
    script_release(&s);

    /* dash: calls and commands use sh names; the file always has errexit. */
    fx_get(&fx, g)->noerrexit = true;
    free(fx_get(&fx, g)->name);
    fx_get(&fx, g)->name = xstrdup("gre-et");
    free(fx.rf.stmts[2].text);
    fx.rf.stmts[2].text = xstrdup("gre-et");
    free(fx.rf.stmts[1].text);
    fx.rf.stmts[1].text = xstrdup("gre-et first");
    env.shell = "dash";
    assert_int_equal(script_build_file(&fx.rf, "deploy.run", &env, &s, &d), 0);
    assert_string_equal(s.text, "set -e\n"
                                "export __RUNFILE_DIR__='/home/ana/shop'\n"
                                "\n"
                                "gre_et() (\n"
                                "    local who=\"$1\"\n"
                                "    set +e\n"
                                "    echo \"hello $who\"\n"
                                ")\n"
                                "\n"
                                "TARGET=${1:-staging}\n"
                                "gre_et first\n"
                                "gre_et \"$TARGET team\"\n");
    script_release(&s);
    fx_release(&fx);
}

/* ---- quoting and argument checks --------------------------------------------------------- */

static void quote_sh(void **state)
{
    struct buf b = BUF_INIT;

    (void)state;
    script_quote_sh(&b, "it's");
    assert_string_equal(b.buf, "'it'\\''s'");
    buf_reset(&b);
    script_quote_sh(&b, "");
    assert_string_equal(b.buf, "''");
    buf_reset(&b);
    script_quote_sh(&b, "$(x) `y` \\ \"");
    assert_string_equal(b.buf, "'$(x) `y` \\ \"'");
    buf_release(&b);
}

static void empty_body_and_sh_rest_helper_once(void **state)
{
    struct fixture fx;
    struct script s;
    struct diag_list d = DIAG_LIST_INIT;
    size_t a, e;
    const char *first;

    (void)state;
    fx_init(&fx, "/p", "/p/Runfile");
    a = fx_fn(&fx, "a", "", RUNFILE_INTERP_DEFAULT);
    fx_param(&fx, a, "r", RUNFILE_STRING, false, true, NULL);
    e = fx_fn(&fx, "e", "a", RUNFILE_INTERP_DEFAULT);
    fx_param(&fx, e, "x", RUNFILE_STRING, true, false, NULL);
    fx_param(&fx, e, "more", RUNFILE_STRING, false, true, NULL);
    assert_int_equal(build(&fx, e, "dash", &s, &d), 0);
    first = strstr(s.text, "__run_rest() {");
    assert_non_null(first);
    assert_null(strstr(first + 1, "__run_rest() {"));
    assert_non_null(strstr(s.text, "a() {\n    __run_rest 0 \"$@\"\n    local r=\"$__run_r\"\n"
                                   "    :\n}\n"));
    assert_non_null(strstr(s.text, "    __run_rest 1 \"$@\"\n    local more=\"$__run_r\"\n"));
    script_release(&s);
    fx_release(&fx);
}

/* check_args uses runfile_value_check; only signature functions are checked. */
static void check_args_messages(void **state)
{
    struct fixture fx;
    struct buf err = BUF_INIT;
    char **norm = NULL;
    size_t f, l;
    char *none[] = { NULL };
    char *bad[] = { W("prod"), W("2.1"), W("maybe") };
    char *ok[] = { W("prod"), W(""), W("YES"), W("extra") };
    char *empty_req[] = { W("") };

    (void)state;
    fx_init(&fx, "/p", "/p/Runfile");
    f = fx_fn(&fx, "deploy", "", RUNFILE_INTERP_DEFAULT);
    fx_param(&fx, f, "env", RUNFILE_STRING, true, false, NULL);
    fx_param(&fx, f, "version", RUNFILE_STRING, false, false, "latest");
    fx_param(&fx, f, "dry_run", RUNFILE_BOOLEAN, false, false, "false");
    fx_param(&fx, f, "flags", RUNFILE_STRING, false, true, NULL);

    assert_int_equal(script_check_args(fx_get(&fx, f), none, 0, &norm, &err), 2);
    assert_null(norm);
    assert_string_equal(err.buf, "error: missing required argument 'env' for 'deploy'\n"
                                 "usage: run deploy <env> [version] [dry_run] [flags...]\n");
    buf_reset(&err);
    assert_int_equal(script_check_args(fx_get(&fx, f), bad, 3, &norm, &err), 2);
    assert_string_equal(err.buf, "error: argument 'dry_run' of 'deploy' must be a boolean "
                                 "(true/false/yes/no/on/off/1/0), got 'maybe'\n"
                                 "usage: run deploy <env> [version] [dry_run] [flags...]\n");
    buf_reset(&err);
    assert_int_equal(script_check_args(fx_get(&fx, f), ok, 4, &norm, &err), 0);
    assert_string_equal(norm[0], "prod");
    assert_string_equal(norm[1], "");
    assert_string_equal(norm[2], "true");
    assert_string_equal(norm[3], "extra");
    assert_int_equal(err.len, 0);
    script_free_values(norm, 4);

    /* An empty string is an argument; empty for a required typed parameter is an error. */
    l = fx_fn(&fx, "n", "", RUNFILE_INTERP_DEFAULT);
    fx_param(&fx, l, "count", RUNFILE_INTEGER, true, false, NULL);
    assert_int_equal(script_check_args(fx_get(&fx, l), empty_req, 1, &norm, &err), 2);
    assert_string_equal(err.buf, "error: argument 'count' of 'n' must be an integer, got ''\n"
                                 "usage: run n <count>\n");
    buf_reset(&err);

    /* Legacy functions are never checked. */
    fx_get(&fx, l)->has_signature = false;
    assert_int_equal(script_check_args(fx_get(&fx, l), empty_req, 1, &norm, &err), 0);
    assert_string_equal(norm[0], "");
    script_free_values(norm, 1);
    buf_release(&err);
    fx_release(&fx);
}

/* ---- through the parser: the model runfile_parse() builds ---------------------------------- */

/* Parse 'text' as /home/ana/shop/Runfile and build 'name' (or the file-mode script). */
static char *parsed_script(const char *text, const char *name, const char *shell, bool file)
{
    struct diag_list d = DIAG_LIST_INIT;
    struct runfile *rf = runfile_parse(file ? "deploy.run" : "Runfile", "/home/ana/shop", text,
                                       strlen(text), file, &d);
    struct script_env env = { .exe = "/usr/local/bin/run", .shell = shell, .path = bindir };
    struct script s;
    char *res;

    assert_int_equal(d.nerrors, 0);
    if (file)
        assert_int_equal(script_build_file(rf, "./deploy.run", &env, &s, &d), 0);
    else
        assert_int_equal(script_build(rf, runfile_find(rf, name), &env, &s, &d), 0);
    res = xstrdup(s.text);
    script_release(&s);
    runfile_free(rf);
    diag_list_release(&d);
    return res;
}

static void parsed_example6(void **state)
{
    char *got;

    (void)state;
    got = parsed_script(
        "export APP_ENV=staging\n"
        "IMAGE=shop\n"
        "\n"
        "lint() ruff check .\n"
        "\n"
        "# @noerrexit\n"
        "cleanup() {\n"
        "    docker rm -f shop-test\n"
        "    rm -rf .cache\n"
        "}\n"
        "\n"
        "# @shell python\n"
        "py:version() {\n"
        "    import tomllib\n"
        "    print(tomllib.load(open(\"pyproject.toml\", \"rb\"))[\"project\"][\"version\"])\n"
        "}\n"
        "\n"
        "broken() { if true; then echo \"no fi\"; }\n"
        "\n"
        "ci(...targets) {\n"
        "    lint\n"
        "    echo \"testing ${targets:-all} for $(py:version)\"\n"
        "    cleanup\n"
        "}\n",
        "ci", NULL, false);
    assert_string_equal(
        got, "set -eo pipefail\n"
             "export __RUNFILE_DIR__='/home/ana/shop'\n"
             "export APP_ENV=staging\n"
             "IMAGE=shop\n"
             "\n"
             "lint() {\n"
             "    ruff check .\n"
             "}\n"
             "\n"
             "cleanup() (\n"
             "    set +e +o pipefail\n"
             "    docker rm -f shop-test\n"
             "    rm -rf .cache\n"
             ")\n"
             "\n"
             "py:version() {\n"
             "    '/usr/local/bin/run' --runfile '/home/ana/shop/Runfile' --no-prelude -- "
             "'py:version' \"$@\"\n"
             "}\n"
             "\n"
             "ci() {\n"
             "    local targets=\"${*:1}\"\n"
             "    lint\n"
             "    echo \"testing ${targets:-all} for $(py:version)\"\n"
             "    cleanup\n"
             "}\n"
             "\n"
             "ci \"$@\"\n");
    free(got);
}

static void parsed_example15(void **state)
{
    char *got;

    (void)state;
    got = parsed_script("TARGET=${1:-staging}\n"
                        "greet(who) echo \"hello $who\"\n"
                        "echo \"deploying to $TARGET\"\n"
                        "greet(\"$TARGET team\")\n",
                        NULL, NULL, true);
    assert_string_equal(got, "set -eo pipefail\n"
                             "export __RUNFILE_DIR__='/home/ana/shop'\n"
                             "\n"
                             "greet() {\n"
                             "    local who=\"$1\"\n"
                             "    echo \"hello $who\"\n"
                             "}\n"
                             "\n"
                             "TARGET=${1:-staging}\n"
                             "echo \"deploying to $TARGET\"\n"
                             "greet \"$TARGET team\"\n");
    free(got);
}

/* Heredoc bodies, terminators and multi-line strings are copied exactly, never rewritten. */
static void parsed_heredoc_and_strings_in_dash(void **state)
{
    char *got;

    (void)state;
    got = parsed_script("say-hi() echo hi\n"
                        "write_config() {\n"
                        "    cat > app.env <<EOF\n"
                        "KEY=value\n"
                        "say-hi\n"
                        "EOF\n"
                        "    cat > extra.env <<-END\n"
                        "    MODE=dev\n"
                        "    END\n"
                        "    echo \"a\n"
                        "  say-hi\" && say-hi\n"
                        "    say-hi\n"
                        "}\n",
                        "write_config", "dash", false);
    assert_string_equal(got, "set -e\n"
                             "export __RUNFILE_DIR__='/home/ana/shop'\n"
                             "\n"
                             "say_hi() {\n"
                             "    echo hi\n"
                             "}\n"
                             "\n"
                             "write_config() {\n"
                             "    cat > app.env <<EOF\n"
                             "KEY=value\n"
                             "say-hi\n"
                             "EOF\n"
                             "    cat > extra.env <<-END\n"
                             "MODE=dev\n"
                             "END\n"
                             "    echo \"a\n"
                             "  say-hi\" && say_hi\n"
                             "    say_hi\n"
                             "}\n"
                             "\n"
                             "write_config \"$@\"\n");
    free(got);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(example1_values_are_data),
        cmocka_unit_test(example2_bindings),
        cmocka_unit_test(example3_rest_binding_and_high_positions),
        cmocka_unit_test(exec57_bash),
        cmocka_unit_test(exec57_dash),
        cmocka_unit_test(example6_show_script),
        cmocka_unit_test(closure_by_words),
        cmocka_unit_test(sh_cannot_define_bash_functions),
        cmocka_unit_test(sh_call_sites),
        cmocka_unit_test(heredoc_lines_copied_exactly),
        cmocka_unit_test(sh_name_collision),
        cmocka_unit_test(interpreter_errors_and_choice),
        cmocka_unit_test(which_lookup),
        cmocka_unit_test(interpreters_looked_up_once),
        cmocka_unit_test(example14_node),
        cmocka_unit_test(example93_python),
        cmocka_unit_test(polyglot_literals_and_types),
        cmocka_unit_test(prelude_stage),
        cmocka_unit_test(example15_file_mode),
        cmocka_unit_test(quote_sh),
        cmocka_unit_test(empty_body_and_sh_rest_helper_once),
        cmocka_unit_test(check_args_messages),
        cmocka_unit_test(parsed_example6),
        cmocka_unit_test(parsed_example15),
        cmocka_unit_test(parsed_heredoc_and_strings_in_dash),
    };

    return cmocka_run_group_tests(tests, setup_bins, teardown_bins);
}
