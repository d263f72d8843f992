/*
 * Unit tests: schema (mcp.md §6.2-§6.4 tool objects and offering rules, §7.3-§7.4 argument
 * validation and mapping). Functions are built by hand so these tests pin the schema module
 * alone, whatever the parser does.
 */
#include "unit.h"

#include <dirent.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base.h"
#include "buf.h"
#include "diag.h"
#include "runfile.h"
#include "schema.h"

#define TIMEOUT_PROP                                                                          \
    "\"timeout\":{\"type\":\"integer\",\"description\":\"Optional time limit in seconds for " \
    "this call. When it is exceeded, the command and everything it started are stopped and "  \
    "the call fails. Omit it (or use 0) for no limit.\",\"minimum\":0}"

/* ---- building a runfile by hand ---- */

struct tb {
    struct runfile rf;
    struct runfile_file file;
    struct runfile_file *files[1];
};

static void tb_init(struct tb *t, const char *text)
{
    memset(t, 0, sizeof(*t));
    t->file.path = xstrdup("/p/Runfile");
    t->file.label = xstrdup("Runfile");
    t->file.text = xstrdup(text ? text : "");
    t->file.len = strlen(t->file.text);
    t->file.exists = true;
    t->files[0] = &t->file;
    t->rf.files = t->files;
    t->rf.nfiles = 1;
    t->rf.source = RUNFILE_FROM_TEXT;
    t->rf.dir = xstrdup("/p");
}

/* Add a function defined at 'line' (1-based) of the text, column 1. */
static struct runfile_fn *add_fn(struct tb *t, const char *name, const char *desc, bool sig,
                                 unsigned line)
{
    struct runfile_fn *fn;
    const char *p = t->file.text;

    t->rf.fns = xrealloc(t->rf.fns, (t->rf.nfns + 1) * sizeof(*t->rf.fns));
    fn = &t->rf.fns[t->rf.nfns];
    memset(fn, 0, sizeof(*fn));
    fn->name = xstrdup(name);
    fn->desc = desc ? xstrdup(desc) : NULL;
    fn->has_signature = sig;
    fn->body = xstrdup("");
    fn->code = fn->body;
    fn->order = t->rf.nfns;
    fn->origin.file = &t->file;
    fn->origin.line = line ? line : 1;
    fn->origin.col = 1;
    for (unsigned l = 1; l < fn->origin.line && *p; p++) {
        if (*p == '\n')
            l++;
    }
    fn->origin.offset = (size_t)(p - t->file.text);
    fn->root = &t->file;
    t->rf.nfns++;
    return fn;
}

static struct runfile_param *add_param(struct runfile_fn *fn, const char *name,
                                       enum runfile_type type, bool required, const char *def,
                                       const char *desc)
{
    struct runfile_param *p;

    fn->params = xrealloc(fn->params, (fn->nparams + 1) * sizeof(*fn->params));
    p = &fn->params[fn->nparams];
    memset(p, 0, sizeof(*p));
    p->name = xstrdup(name);
    p->type = type;
    p->typed = type != RUNFILE_STRING;
    p->required = required;
    p->default_value = def ? xstrdup(def) : NULL;
    p->desc = desc ? xstrdup(desc) : NULL;
    p->position = (unsigned)fn->nparams + 1;
    fn->nparams++;
    return p;
}

static void add_rest(struct runfile_fn *fn, const char *name, const char *desc)
{
    add_param(fn, name, RUNFILE_STRING, false, NULL, desc)->is_rest = true;
}

static void tb_free(struct tb *t)
{
    for (size_t i = 0; i < t->rf.nfns; i++) {
        struct runfile_fn *fn = &t->rf.fns[i];
        for (size_t k = 0; k < fn->nparams; k++) {
            free(fn->params[k].name);
            free(fn->params[k].default_value);
            free(fn->params[k].desc);
        }
        free(fn->params);
        free(fn->name);
        free(fn->desc);
        free(fn->body);
    }
    free(t->rf.fns);
    free(t->rf.dir);
    free(t->file.path);
    free(t->file.label);
    free(t->file.text);
}

/* ---- helpers ---- */

static char *dump(const json_t *j, size_t flags)
{
    char *s = json_dumps(j, flags | SCHEMA_JSON_FLAGS);
    assert_non_null(s);
    return s;
}

/* The tree's list and the written list, both compact, must be 'expected_compact'. */
static void assert_tools(const struct runfile *rf, const char *expected_compact)
{
    json_t *tools = schema_tools(rf, NULL);
    char *s = dump(tools, JSON_COMPACT), *doc = xasprintf("{\"tools\":%s}", expected_compact);
    struct schema_index *ix = schema_index_new(rf, NULL);
    struct buf text = BUF_INIT;

    assert_string_equal(s, expected_compact);
    schema_write_list(ix, NULL, SCHEMA_COMPACT, &text);
    assert_string_equal(text.buf, doc);
    assert_int_equal(text.len, strlen(doc));
    buf_release(&text);
    schema_index_free(ix);
    free(doc);
    free(s);
    json_decref(tools);
}

/* ---- the written list against the tree ---- */

/*
 * What json_dumps() makes of the tree: {"tools": schema_index_tools(ix) + the elements of
 * 'extra'}, with the flags of 'layout' plus SCHEMA_JSON_FLAGS. The caller frees.
 */
static char *tree_text(const struct schema_index *ix, const json_t *extra,
                       enum schema_layout layout)
{
    json_t *tools = schema_index_tools(ix), *doc = json_object();
    size_t flags = layout == SCHEMA_PRETTY ? JSON_INDENT(2) : JSON_COMPACT;
    char *text;

    for (size_t i = 0; i < json_array_size(extra); i++)
        json_array_append(tools, json_array_get(extra, i));
    json_object_set_new(doc, "tools", tools);
    text = dump(doc, flags);
    json_decref(doc);
    return text;
}

/*
 * Odd values for the 'extra' elements (the built-in tools in the server): nesting deeper than
 * any tool object, empty containers, escapes, reals, and elements that are not objects.
 */
static json_t *odd_extra(void)
{
    json_error_t err;
    json_t *extra = json_loads(
        "[{\"name\":\"x\",\"a\":[],\"o\":{},\"n\":[1,2.5,-0.0,1e300,1e-7,{\"deep\":{\"deeper\":"
        "[null,true,false,\"s\\n\\\"\\\\\\u0001\\u001f/\\u007f\u00e9\\ud83d\\ude00\"]}}]},"
        "\"a string\",42,[],{},[[[]]]]",
        0, &err);

    if (!extra)
        fail_msg("odd_extra: %s", err.text);
    return extra;
}

/*
 * schema_write_list() must give exactly the tree's text: in both layouts, and with and
 * without extra elements. On a difference, says where (with 'what' naming the input).
 */
static void assert_writer_matches(const struct schema_index *ix, const char *what)
{
    static const enum schema_layout layouts[] = { SCHEMA_COMPACT, SCHEMA_PRETTY };
    json_t *extras[] = { NULL, odd_extra() };

    for (size_t e = 0; e < ARRAY_SIZE(extras); e++) {
        for (size_t l = 0; l < ARRAY_SIZE(layouts); l++) {
            char *want = tree_text(ix, extras[e], layouts[l]);
            struct buf got = BUF_INIT;
            size_t at = 0;

            buf_addstr(&got, "prefix:"); /* appends, and leaves what was there */
            schema_write_list(ix, extras[e], layouts[l], &got);
            assert_int_equal(strlen(got.buf), got.len);
            while (want[at] && want[at] == got.buf[7 + at])
                at++;
            if (strncmp(got.buf, "prefix:", 7) || want[at] || got.len != 7 + at)
                fail_msg("%s (layout %d, extra %zu): differs at byte %zu:\n tree:   %.60s\n "
                         "writer: %.60s",
                         what, (int)layouts[l], e, at, want + at, got.buf + 7 + at);
            buf_release(&got);
            free(want);
        }
    }
    json_decref(extras[1]);
}

static void assert_writer_matches_rf(const struct runfile *rf, const char *what)
{
    struct schema_index *ix = schema_index_new(rf, NULL);

    assert_writer_matches(ix, what);
    schema_index_free(ix);
}

/* Every Runfile of the golden cases and the samples: DIR/<case>/Runfile. Returns the count. */
static size_t writer_matches_in(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    size_t n = 0;

    if (!d)
        fail_msg("cannot open '%s' (run the unit tests from the top of the tree)", dir);
    while ((de = readdir(d))) {
        struct diag_list diags = DIAG_LIST_INIT;
        char *casedir, *file, *abs;
        struct runfile *rf;
        struct stat st;

        if (de->d_name[0] == '.')
            continue;
        casedir = xasprintf("%s/%s", dir, de->d_name);
        file = xasprintf("%s/Runfile", casedir);
        if (stat(file, &st) == 0) {
            abs = realpath(casedir, NULL);
            assert_non_null(abs);
            rf = runfile_load(&(struct runfile_load_opts){ .cwd = abs, .runfile = "Runfile" },
                              &diags, NULL);
            if (!rf)
                fail_msg("cannot load '%s'", file);
            assert_writer_matches_rf(rf, file);
            runfile_free(rf);
            free(abs);
            n++;
        }
        diag_list_release(&diags);
        free(file);
        free(casedir);
    }
    closedir(d);
    return n;
}

/* The golden cases (valid and invalid: a Runfile with errors still has a model) and samples. */
static void writer_matches_tree_on_goldens(void **state)
{
    (void)state;
    assert_true(writer_matches_in("test/runfile/valid") >= 10);
    assert_true(writer_matches_in("test/runfile/invalid") >= 10);
    assert_true(writer_matches_in("runfiles") >= 5);
}

/* No Runfile (a NULL index) and a Runfile with no tools. */
static void writer_empty_lists(void **state)
{
    struct buf text = BUF_INIT;
    struct tb t;

    (void)state;
    assert_writer_matches(NULL, "no index");
    schema_write_list(NULL, NULL, SCHEMA_PRETTY, &text);
    assert_string_equal(text.buf, "{\n  \"tools\": []\n}");
    buf_reset(&text);
    schema_write_list(NULL, NULL, SCHEMA_COMPACT, &text);
    assert_string_equal(text.buf, "{\"tools\":[]}");
    buf_release(&text);
    tb_init(&t, "");
    add_fn(&t, "quiet", NULL, true, 1);
    add_fn(&t, "empty", "", true, 1);
    assert_writer_matches_rf(&t.rf, "no described functions");
    tb_free(&t);
}

/* Every byte value in descriptions: escapes, control characters, invalid and valid UTF-8. */
static void writer_text_bytes(void **state)
{
    static const char *const texts[] = {
        "\"quoted\" and \\back\\slash\\ and /slash/ and \x7f (DEL)",
        "\b\f\n\r\t and \x01\x02\x1b\x1f",
        "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xef\xbf\xbd \xf4\x8f\xbf\xbf", /* valid */
        "lone \x80 continuation",
        "overlong \xc0\x80 and \xc1\xbf and \xe0\x80\x80 and \xf0\x80\x80\x80",
        "surrogate \xed\xa0\x80 and \xed\xbf\xbf",
        "above U+10FFFF \xf4\x90\x80\x80 and \xf5\x80\x80\x80 and \xff\xfe",
        "cut at the end \xe2\x82",
        "cut \xe2\x82 inside, then \"escapes\"\n",
        "\xf0\x9f\x98",
        "\xc3",
        " ",
    };
    struct tb t;
    struct buf all = BUF_INIT;

    (void)state;
    tb_init(&t, "");
    for (size_t i = 0; i < ARRAY_SIZE(texts); i++) {
        char *name = xasprintf("f%zu", i);
        struct runfile_fn *fn = add_fn(&t, name, texts[i], true, 1);

        add_param(fn, "p", RUNFILE_STRING, false, texts[i], texts[i]);
        add_rest(fn, "rest", texts[i]);
        free(name);
    }
    /* Every byte from 1 to 255, alone and in a row. */
    for (int c = 1; c < 256; c++) {
        char text[4] = { 'x', (char)c, 'y', '\0' };
        char *name = xasprintf("b%d", c);
        struct runfile_fn *fn = add_fn(&t, name, text, true, 1);

        add_param(fn, "p", RUNFILE_STRING, true, NULL, text);
        buf_addch(&all, c);
        free(name);
    }
    add_fn(&t, "all", all.buf, true, 1);
    assert_writer_matches_rf(&t.rf, "description bytes");
    buf_release(&all);
    tb_free(&t);
}

/*
 * Defaults of every type, including texts the parser would have normalised (so the writer's
 * own fast paths and its fall-back to jansson both run), and ones that give no default.
 */
static void writer_defaults(void **state)
{
    static const char *const ints[] = { "0",
                                        "-5",
                                        "7",
                                        "123456789012345678",
                                        "-123456789012345678",
                                        "9223372036854775807",
                                        "-9223372036854775808",
                                        "9223372036854775808",
                                        "99999999999999999999",
                                        "007",
                                        "-0",
                                        "+5",
                                        "1x" };
    static const char *const nums[] = { "1.5",
                                        "2.0",
                                        "-0.0",
                                        "0.0",
                                        "-2.5",
                                        "0.1",
                                        "0.0001",
                                        "0.00012345",
                                        "0.00001",
                                        "1e21",
                                        "1e+21",
                                        "2e3",
                                        "123456789012345.0",
                                        "1234567890123456.0",
                                        "123456789012345.6",
                                        "12345678901234.5",
                                        "0.123456789012345",
                                        "0.1234567890123456",
                                        "100",
                                        "1.50",
                                        "3",
                                        "nan",
                                        "inf",
                                        "-inf",
                                        "1e400",
                                        "1e-400",
                                        "4.9e-324",
                                        "1.7976931348623157e308",
                                        "0x10",
                                        ".5",
                                        "5.",
                                        "-.5",
                                        "00.5",
                                        "1.0000000000000002",
                                        "9007199254740993.0" };
    static const char *const bools[] = { "true", "false", "yes",  "no",    "on", "off",
                                         "1",    "0",     "TRUE", "bogus", "" };
    static const char *const objs[] = {
        "{}",
        "{\"b\": 1, \"a\": [true, null]}",
        "{\"nested\":{\"x\":{\"y\":[1,[2,[3,{}]]]}}}",
        "{\"s\":\"tab\\t nl\\n quote\\\" slash\\/ u\\u0001 \\u00e9 \\ud83d\\ude00\"}",
        "{\"r\":[0.1,1e21,-0.0,2.0,1.23456789012345678,1e-5]}",
        "{\"dup\":1,\"dup\":2}",
        "[1]",
        "\"text\"",
        "garbage",
        "{\"big\":1e400}",
        "{\"nul\":\"\\u0000\"}",
        ""
    };
    struct tb t;
    struct runfile_fn *fn;

    (void)state;
    tb_init(&t, "");
    fn = add_fn(&t, "ints", "integers", true, 1);
    for (size_t i = 0; i < ARRAY_SIZE(ints); i++) {
        char *name = xasprintf("i%zu", i);
        add_param(fn, name, RUNFILE_INTEGER, false, ints[i], NULL);
        free(name);
    }
    fn = add_fn(&t, "nums", "numbers", true, 1);
    for (size_t i = 0; i < ARRAY_SIZE(nums); i++) {
        char *name = xasprintf("n%zu", i);
        add_param(fn, name, RUNFILE_NUMBER, false, nums[i], "d");
        free(name);
    }
    fn = add_fn(&t, "bools", "booleans", true, 1);
    for (size_t i = 0; i < ARRAY_SIZE(bools); i++) {
        char *name = xasprintf("b%zu", i);
        add_param(fn, name, RUNFILE_BOOLEAN, false, bools[i], NULL);
        free(name);
    }
    fn = add_fn(&t, "objs", "objects", true, 1);
    for (size_t i = 0; i < ARRAY_SIZE(objs); i++) {
        char *name = xasprintf("o%zu", i);
        add_param(fn, name, RUNFILE_OBJECT, false, objs[i], "o");
        free(name);
    }
    /* Defaults that are not shown: legacy parameters, required ones, rest parameters. */
    fn = add_fn(&t, "legacy", "legacy", false, 1);
    add_param(fn, "l", RUNFILE_INTEGER, false, "5", NULL);
    fn = add_fn(&t, "mixed", "mixed", true, 1);
    add_param(fn, "r", RUNFILE_NUMBER, true, "1.5", "required with a default");
    add_param(fn, "s", RUNFILE_STRING, false, "", "empty default");
    add_param(fn, "t", RUNFILE_OBJECT, false, NULL, "optional without a default");
    add_rest(fn, "rest", NULL);
    fn->params[fn->nparams - 1].default_value = xstrdup("x");
    assert_writer_matches_rf(&t.rf, "defaults");
    tb_free(&t);
}

/* Offering rules: namespaces, collisions, names that are not offered, many tools. */
static void writer_offering(void **state)
{
    struct tb t;
    struct runfile_fn *fn;
    char long_name[80];

    (void)state;
    tb_init(&t, "");
    add_fn(&t, "db:migrate:up", "namespaced", true, 1);
    add_fn(&t, "db__migrate__up", "same tool name, wins", true, 1);
    add_fn(&t, "a:b__c", "collides with the next", true, 1);
    add_fn(&t, "a__b:c", "and wins as the later", true, 1);
    add_fn(&t, "build-image", "dash", true, 1);
    add_fn(&t, "get_cwd", "built-in name", true, 1);
    fn = add_fn(&t, "limited", "has a timeout parameter", true, 1);
    add_param(fn, "timeout", RUNFILE_INTEGER, true, NULL, NULL);
    memset(long_name, 'x', 65);
    long_name[65] = '\0';
    add_fn(&t, long_name, "too long", true, 1);
    for (int i = 0; i < 300; i++) {
        char *name = xasprintf("ns%d:task%d", i % 7, i);
        fn = add_fn(&t, name, "many", i % 2, 1);
        add_param(fn, "x", (enum runfile_type)(i % 5), i % 3 == 0, "1", i % 4 ? "x" : NULL);
        free(name);
    }
    assert_writer_matches_rf(&t.rf, "offering");
    tb_free(&t);
}

/* A Runfile through the parser: what real models hold. */
static void writer_parsed_runfile(void **state)
{
    static const char text[] =
        "# @desc Release \"it\" \\ now / \xc3\xa9 \xff\xfe \x01\ttab\n"
        "# @arg version The \"version\" to ship\n"
        "# @arg opts Extra options\n"
        "release:canary(version, count: int = -3, ratio: float = 2e3, small: number = 0.1,\n"
        "  big: number = 1e21, tiny: number = 1e-7, dry: bool = yes, label = \"it's \\\"q\\\"\",\n"
        "  opts: object = '{\"b\": 1, \"a\": [true, null, {\"c\": 2.50}]}', plain: str, ...extra) {\n"
        "  echo \"$version\"\n"
        "}\n"
        "# @desc Legacy form\n"
        "# @arg 1:name Who\n"
        "# @arg 2:count? int How many\n"
        "# @arg 3:flag? bool\n"
        "legacy() echo \"$1\"\n"
        "# @desc In Python\n"
        "# @shell python\n"
        "py(x: int = 1, y: float = 0.5) {\n"
        "  print(x, y)\n"
        "}\n"
        "# @desc Node \xe2\x82\xac\n"
        "js(...words) {\n"
        "  #!/usr/bin/env node\n"
        "  console.log(process.argv)\n"
        "}\n"
        "# @desc\n"
        "undescribed() echo\n"
        "# @desc Empty arg description\n"
        "# @arg a\n"
        "emptyarg(a) echo \"$a\"\n";
    struct diag_list diags = DIAG_LIST_INIT;
    struct runfile *rf = runfile_parse("Runfile", NULL, text, sizeof(text) - 1, false, &diags);
    struct schema_index *ix = schema_index_new(rf, NULL);
    struct buf out = BUF_INIT;

    (void)state;
    assert_true(rf->nfns >= 6);
    assert_writer_matches(ix, "parsed Runfile");
    /* The writer really covered the tricky parts (the parser kept them). */
    schema_write_list(ix, NULL, SCHEMA_COMPACT, &out);
    assert_non_null(strstr(out.buf, "\"release__canary\""));
    assert_non_null(
        strstr(out.buf, "\\\"it\\\" \\\\ now / \xc3\xa9 \xef\xbf\xbd\xef\xbf\xbd \\u0001\\ttab"));
    assert_non_null(strstr(out.buf, "\"default\":1e21"));
    assert_non_null(strstr(out.buf, "\"default\":{\"b\":1,\"a\":[true,null,{\"c\":2.5}]}"));
    buf_release(&out);
    schema_index_free(ix);
    runfile_free(rf);
    diag_list_release(&diags);
}

/* The first line of every rendered warning, joined by '\n'. */
static void warning_heads(const struct runfile *rf, struct buf *out)
{
    struct diag_list w = DIAG_LIST_INIT;
    json_t *tools = schema_tools(rf, &w);

    buf_reset(out);
    for (size_t i = 0; i < w.n; i++) {
        assert_int_equal(w.items[i].level, DIAG_WARNING);
        buf_addf(out, "%s:%u:%u: %s\n", w.items[i].file, w.items[i].line, w.items[i].col,
                 w.items[i].msg);
    }
    assert_int_equal(w.nerrors, 0);
    diag_list_release(&w);
    json_decref(tools);
}

/* Map 'args_json' for 'fn'; returns the rc and the values joined as [a][b]... or the problem. */
static int map(const struct runfile_fn *fn, const char *args_json, struct buf *out,
               uint64_t *timeout)
{
    json_t *args = args_json ? json_loads(args_json, 0, NULL) : NULL;
    char **values = NULL;
    size_t n = 99;
    uint64_t t = 12345;
    int rc;

    if (args_json)
        assert_non_null(args);
    buf_reset(out);
    rc = schema_map_arguments(fn, "tool", args, &values, &n, &t, out);
    if (rc == 0) {
        assert_non_null(values);
        assert_null(values[n]);
        for (size_t i = 0; i < n; i++)
            buf_addf(out, "[%s]", values[i]);
        if (timeout)
            *timeout = t;
        schema_free_values(values);
    } else {
        assert_int_equal(rc, -1);
        assert_int_equal(n, 99); /* untouched on failure */
        assert_int_equal(t, 12345);
    }
    json_decref(args);
    return rc;
}

static void assert_maps(const struct runfile_fn *fn, const char *args, const char *expected)
{
    struct buf out = BUF_INIT;

    if (map(fn, args, &out, NULL) != 0)
        fail_msg("mapping %s failed: %s", args, out.buf);
    assert_string_equal(out.buf, expected);
    buf_release(&out);
}

static void assert_rejects(const struct runfile_fn *fn, const char *args, const char *problems)
{
    struct buf out = BUF_INIT;
    char *expected = xasprintf("Invalid arguments for tool 'tool': %s", problems);

    if (map(fn, args, &out, NULL) == 0)
        fail_msg("mapping %s succeeded: %s", args, out.buf);
    assert_string_equal(out.buf, expected);
    free(expected);
    buf_release(&out);
}

/* ---- tool names and offering ---- */

static void tool_names(void **state)
{
    static const char *const cases[][2] = {
        { "deploy", "deploy" },
        { "docker:build", "docker__build" },
        { "db:migrate:up", "db__migrate__up" },
        { "build-image", "build-image" },
        { "_x:y_z", "_x__y_z" },
    };

    (void)state;
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        char *t = schema_tool_name(cases[i][0]);
        assert_string_equal(t, cases[i][1]);
        free(t);
    }
}

static void only_described_functions_in_runfile_order(void **state)
{
    struct tb t;
    struct buf w = BUF_INIT;

    (void)state;
    tb_init(&t, "");
    add_fn(&t, "zeta", "Last letter", true, 1);
    add_fn(&t, "helper", NULL, true, 2);
    add_fn(&t, "empty", "", true, 3);
    add_fn(&t, "docker:build", "Build it", true, 4);
    add_fn(&t, "alpha", "First letter", true, 5);
    assert_tools(&t.rf,
                 "[{\"name\":\"zeta\",\"description\":\"Last letter\",\"inputSchema\":"
                 "{\"type\":\"object\",\"properties\":{" TIMEOUT_PROP "},\"required\":[]}},"
                 "{\"name\":\"docker__build\",\"description\":\"Build it\",\"inputSchema\":"
                 "{\"type\":\"object\",\"properties\":{" TIMEOUT_PROP "},\"required\":[]}},"
                 "{\"name\":\"alpha\",\"description\":\"First letter\",\"inputSchema\":"
                 "{\"type\":\"object\",\"properties\":{" TIMEOUT_PROP "},\"required\":[]}}]");
    /* Undescribed functions are silently not tools. */
    warning_heads(&t.rf, &w);
    assert_string_equal(w.buf, "");
    assert_non_null(schema_find_tool(&t.rf, "docker__build"));
    assert_string_equal(schema_find_tool(&t.rf, "docker__build")->name, "docker:build");
    assert_null(schema_find_tool(&t.rf, "docker:build"));
    assert_null(schema_find_tool(&t.rf, "helper"));
    assert_null(schema_find_tool(&t.rf, "empty"));
    assert_null(schema_find_tool(&t.rf, "Zeta"));
    assert_null(schema_find_tool(&t.rf, ""));
    buf_release(&w);
    tb_free(&t);
}

/* cli.md §6: the example, byte for byte with JSON_INDENT(2). */
static void cli_inspect_example(void **state)
{
    struct tb t;
    struct runfile_fn *fn;
    json_t *tools, *doc;
    char *s;

    (void)state;
    tb_init(&t, "");
    fn = add_fn(&t, "deploy", "Deploy the app", true, 3);
    add_param(fn, "env", RUNFILE_STRING, true, NULL, "Target environment");
    add_param(fn, "replicas", RUNFILE_INTEGER, false, "2", NULL);
    add_rest(fn, "flags", NULL);
    tools = schema_tools(&t.rf, NULL);
    doc = json_pack("{s:o}", "tools", tools);
    s = dump(doc, JSON_INDENT(2));
    assert_string_equal(
        s, "{\n"
           "  \"tools\": [\n"
           "    {\n"
           "      \"name\": \"deploy\",\n"
           "      \"description\": \"Deploy the app\",\n"
           "      \"inputSchema\": {\n"
           "        \"type\": \"object\",\n"
           "        \"properties\": {\n"
           "          \"env\": {\n"
           "            \"type\": \"string\",\n"
           "            \"description\": \"Target environment\"\n"
           "          },\n"
           "          \"replicas\": {\n"
           "            \"type\": \"integer\",\n"
           "            \"default\": 2\n"
           "          },\n"
           "          \"flags\": {\n"
           "            \"type\": \"array\",\n"
           "            \"items\": {\n"
           "              \"type\": \"string\"\n"
           "            }\n"
           "          },\n"
           "          \"timeout\": {\n"
           "            \"type\": \"integer\",\n"
           "            \"description\": \"Optional time limit in seconds for this call. When it "
           "is exceeded, the command and everything it started are stopped and the call fails. "
           "Omit it (or use 0) for no limit.\",\n"
           "            \"minimum\": 0\n"
           "          }\n"
           "        },\n"
           "        \"required\": [\n"
           "          \"env\"\n"
           "        ]\n"
           "      }\n"
           "    }\n"
           "  ]\n"
           "}");
    free(s);
    json_decref(doc);
    tb_free(&t);
}

/* examples.md §9: the greet tool in wire form. */
static void greet_wire_form(void **state)
{
    struct tb t;
    struct runfile_fn *fn;

    (void)state;
    tb_init(&t, "");
    fn = add_fn(&t, "greet", "Greet someone", true, 4);
    add_param(fn, "name", RUNFILE_STRING, true, NULL, NULL);
    add_param(fn, "greeting", RUNFILE_STRING, false, "Hello", NULL);
    assert_tools(&t.rf, "[{\"name\":\"greet\",\"description\":\"Greet someone\",\"inputSchema\":{"
                        "\"type\":\"object\",\"properties\":{\"name\":{\"type\":\"string\"},"
                        "\"greeting\":{\"type\":\"string\",\"default\":\"Hello\"}," TIMEOUT_PROP
                        "},\"required\":[\"name\"]}}]");
    tb_free(&t);
}

/* examples.md §7: legacy @arg parameters, optional ones not required, no defaults. */
static void legacy_args(void **state)
{
    struct tb t;
    struct runfile_fn *fn;
    struct runfile_param *p;
    struct buf out = BUF_INIT;

    (void)state;
    tb_init(&t, "");
    fn = add_fn(&t, "docker:logs", "Tail the logs of a service", false, 4);
    add_param(fn, "service", RUNFILE_STRING, true, NULL, "Service name");
    p = add_param(fn, "lines", RUNFILE_INTEGER, false, NULL, "How many lines");
    p->typed = true;
    assert_tools(&t.rf,
                 "[{\"name\":\"docker__logs\",\"description\":\"Tail the logs of a "
                 "service\",\"inputSchema\":{\"type\":\"object\",\"properties\":{"
                 "\"service\":{\"type\":\"string\",\"description\":\"Service name\"},"
                 "\"lines\":{\"type\":\"integer\",\"description\":\"How many lines\"}," TIMEOUT_PROP
                 "},\"required\":[\"service\"]}}]");
    fn = (struct runfile_fn *)schema_find_tool(&t.rf, "docker__logs");
    assert_non_null(fn);
    assert_maps(fn, "{\"service\":\"api\"}", "[api]");
    assert_maps(fn, "{\"lines\":20,\"service\":\"api\"}", "[api][20]");
    /* MCP checks legacy parameters like any others. */
    assert_rejects(fn, "{\"lines\":\"many\"}",
                   "missing required argument 'service'; 'lines' must be an integer, got \"many\"");
    /* A legacy parameter never shows a default, even if one were recorded. */
    fn->params[1].default_value = xstrdup("100");
    assert_tools(&t.rf,
                 "[{\"name\":\"docker__logs\",\"description\":\"Tail the logs of a "
                 "service\",\"inputSchema\":{\"type\":\"object\",\"properties\":{"
                 "\"service\":{\"type\":\"string\",\"description\":\"Service name\"},"
                 "\"lines\":{\"type\":\"integer\",\"description\":\"How many lines\"}," TIMEOUT_PROP
                 "},\"required\":[\"service\"]}}]");
    buf_release(&out);
    tb_free(&t);
}

/* Property member order, defaults of every type, rest descriptions. */
static void properties_and_defaults(void **state)
{
    struct tb t;
    struct runfile_fn *fn;
    json_t *tools;
    char *s;

    (void)state;
    tb_init(&t, "");
    fn = add_fn(&t, "f", "All kinds", true, 1);
    add_param(fn, "s", RUNFILE_STRING, false, "it's \"x\" é", "a string");
    add_param(fn, "i", RUNFILE_INTEGER, false, "-3", "an int");
    add_param(fn, "n", RUNFILE_NUMBER, false, "2000.0", NULL);
    add_param(fn, "n2", RUNFILE_NUMBER, false, "0.1", NULL);
    add_param(fn, "n3", RUNFILE_NUMBER, false, "1.5", NULL);
    add_param(fn, "b", RUNFILE_BOOLEAN, false, "false", NULL);
    add_param(fn, "b2", RUNFILE_BOOLEAN, false, "true", NULL);
    add_param(fn, "o", RUNFILE_OBJECT, false, "{\"z\": 1, \"a\": [true, null]}", "opts");
    add_param(fn, "req", RUNFILE_INTEGER, true, NULL, NULL);
    add_param(fn, "empty_desc", RUNFILE_STRING, true, NULL, "");
    add_rest(fn, "more", "extra words");
    tools = schema_tools(&t.rf, NULL);
    s = dump(
        json_object_get(json_object_get(json_array_get(tools, 0), "inputSchema"), "properties"),
        JSON_COMPACT);
    assert_string_equal(
        s, "{\"s\":{\"type\":\"string\",\"description\":\"a string\",\"default\":\"it's \\\"x\\\" "
           "é\"},"
           "\"i\":{\"type\":\"integer\",\"description\":\"an int\",\"default\":-3},"
           "\"n\":{\"type\":\"number\",\"default\":2000.0},"
           "\"n2\":{\"type\":\"number\",\"default\":0.1},"
           "\"n3\":{\"type\":\"number\",\"default\":1.5},"
           "\"b\":{\"type\":\"boolean\",\"default\":false},"
           "\"b2\":{\"type\":\"boolean\",\"default\":true},"
           "\"o\":{\"type\":\"object\",\"description\":\"opts\",\"default\":{\"z\":1,\"a\":[true,"
           "null]}},"
           "\"req\":{\"type\":\"integer\"},"
           "\"empty_desc\":{\"type\":\"string\"},"
           "\"more\":{\"type\":\"array\",\"description\":\"extra words\",\"items\":{\"type\":"
           "\"string\"}}," TIMEOUT_PROP "}");
    free(s);
    s = dump(json_object_get(json_object_get(json_array_get(tools, 0), "inputSchema"), "required"),
             JSON_COMPACT);
    assert_string_equal(s, "[\"req\",\"empty_desc\"]");
    free(s);
    json_decref(tools);
    tb_free(&t);
}

/* Required parameters may follow optional ones; `required` keeps parameter order. */
static void required_in_parameter_order(void **state)
{
    struct tb t;
    struct runfile_fn *fn;
    json_t *tools;
    char *s;

    (void)state;
    tb_init(&t, "");
    fn = add_fn(&t, "f", "d", true, 1);
    add_param(fn, "zz", RUNFILE_STRING, true, NULL, NULL);
    add_param(fn, "mid", RUNFILE_STRING, false, "1", NULL);
    add_param(fn, "aa", RUNFILE_STRING, true, NULL, NULL);
    tools = schema_tools(&t.rf, NULL);
    s = dump(json_object_get(json_object_get(json_array_get(tools, 0), "inputSchema"), "required"),
             JSON_COMPACT);
    assert_string_equal(s, "[\"zz\",\"aa\"]");
    free(s);
    json_decref(tools);
    tb_free(&t);
}

/* Invalid UTF-8 in a description must not make the tool (or the list) vanish. */
static void invalid_utf8_description(void **state)
{
    struct tb t;

    (void)state;
    tb_init(&t, "");
    add_fn(&t, "f", "bad \xff byte", true, 1);
    assert_tools(&t.rf,
                 "[{\"name\":\"f\",\"description\":\"bad \xef\xbf\xbd byte\",\"inputSchema\":{"
                 "\"type\":\"object\",\"properties\":{" TIMEOUT_PROP "},\"required\":[]}}]");
    tb_free(&t);
}

static void timeout_parameter_not_offered(void **state)
{
    struct tb t;
    struct runfile_fn *fn;
    struct buf w = BUF_INIT;

    (void)state;
    tb_init(&t, "wait(timeout) sleep 1\nlegacy() :\nok() :\n");
    fn = add_fn(&t, "wait", "Wait", true, 1);
    add_param(fn, "timeout", RUNFILE_INTEGER, true, NULL, NULL);
    fn = add_fn(&t, "legacy", "Legacy", false, 2);
    add_param(fn, "timeout", RUNFILE_STRING, false, NULL, NULL);
    add_fn(&t, "ok", "Fine", true, 3);
    warning_heads(&t.rf, &w);
    assert_string_equal(w.buf, "Runfile:1:1: function 'wait' is not offered as an MCP tool: its "
                               "parameter 'timeout' clashes with the built-in timeout argument\n"
                               "Runfile:2:1: function 'legacy' is not offered as an MCP tool: its "
                               "parameter 'timeout' clashes with the built-in timeout argument\n");
    assert_null(schema_find_tool(&t.rf, "wait"));
    assert_null(schema_find_tool(&t.rf, "legacy"));
    assert_non_null(schema_find_tool(&t.rf, "ok"));
    assert_tools(&t.rf, "[{\"name\":\"ok\",\"description\":\"Fine\",\"inputSchema\":{"
                        "\"type\":\"object\",\"properties\":{" TIMEOUT_PROP "},\"required\":[]}}]");
    buf_release(&w);
    tb_free(&t);
}

static void tool_name_length_limit(void **state)
{
    struct tb t;
    struct buf w = BUF_INIT, too_long = BUF_INIT, exactly64 = BUF_INIT, expected = BUF_INIT;
    char *tool;

    (void)state;
    buf_addchars(&too_long, 'a', 60);
    buf_addstr(&too_long, ":b:c");     /* 60 + 2 + 1 + 2 + 1 = 66 as a tool name: too long */
    buf_addchars(&exactly64, 'x', 64); /* exactly 64: fine */
    tb_init(&t, "");
    add_fn(&t, too_long.buf, "Long", true, 1);
    add_fn(&t, exactly64.buf, "Exactly 64", true, 2);
    warning_heads(&t.rf, &w);
    buf_addf(&expected,
             "Runfile:1:1: function '%s' is not offered as an MCP tool: its tool name is longer "
             "than 64 characters\n",
             too_long.buf);
    assert_string_equal(w.buf, expected.buf);
    tool = schema_tool_name(too_long.buf);
    assert_null(schema_find_tool(&t.rf, tool));
    free(tool);
    assert_non_null(schema_find_tool(&t.rf, exactly64.buf));
    buf_release(&w);
    buf_release(&too_long);
    buf_release(&exactly64);
    buf_release(&expected);
    tb_free(&t);
}

static void builtin_names_not_offered(void **state)
{
    struct tb t;
    struct buf w = BUF_INIT;

    (void)state;
    tb_init(&t, "");
    add_fn(&t, "set_cwd", "Mine", true, 1);
    add_fn(&t, "get_cwd", "Mine", true, 2);
    add_fn(&t, "run_docs", "Mine", true, 3);
    add_fn(&t, "run-docs", "Not a built-in", true, 4);
    add_fn(&t, "get:cwd", "Not a built-in either", true, 5);
    warning_heads(&t.rf, &w);
    assert_string_equal(
        w.buf,
        "Runfile:1:1: function 'set_cwd' is not offered as an MCP tool: 'set_cwd' is a built-in "
        "tool\n"
        "Runfile:2:1: function 'get_cwd' is not offered as an MCP tool: 'get_cwd' is a built-in "
        "tool\n"
        "Runfile:3:1: function 'run_docs' is not offered as an MCP tool: 'run_docs' is a built-in "
        "tool\n");
    assert_null(schema_find_tool(&t.rf, "set_cwd"));
    assert_non_null(schema_find_tool(&t.rf, "run-docs"));
    assert_non_null(schema_find_tool(&t.rf, "get__cwd"));
    buf_release(&w);
    tb_free(&t);
}

static void collisions(void **state)
{
    struct tb t;
    struct buf w = BUF_INIT;
    json_t *tools;

    (void)state;
    /* The function named like the tool wins, wherever it is. */
    tb_init(&t, "");
    add_fn(&t, "a__b", "Plain", true, 1);
    add_fn(&t, "a:b", "Namespaced", true, 2);
    warning_heads(&t.rf, &w);
    assert_string_equal(w.buf, "Runfile:2:1: function 'a:b' is not offered as an MCP tool: 'a__b' "
                               "has the same tool name 'a__b'\n");
    assert_string_equal(schema_find_tool(&t.rf, "a__b")->name, "a__b");
    tools = schema_tools(&t.rf, NULL);
    assert_int_equal(json_array_size(tools), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(tools, 0), "description")),
                        "Plain");
    json_decref(tools);
    tb_free(&t);

    tb_init(&t, "");
    add_fn(&t, "a:b", "Namespaced", true, 1);
    add_fn(&t, "a__b", "Plain", true, 2);
    warning_heads(&t.rf, &w);
    assert_string_equal(w.buf, "Runfile:1:1: function 'a:b' is not offered as an MCP tool: 'a__b' "
                               "has the same tool name 'a__b'\n");
    assert_string_equal(schema_find_tool(&t.rf, "a__b")->name, "a__b");
    tb_free(&t);

    /* Neither matches the tool name: the later definition wins. */
    tb_init(&t, "");
    add_fn(&t, "a:_b", "First", true, 1);
    add_fn(&t, "other", "Other", true, 2);
    add_fn(&t, "a_:b", "Second", true, 3);
    warning_heads(&t.rf, &w);
    assert_string_equal(w.buf, "Runfile:1:1: function 'a:_b' is not offered as an MCP tool: "
                               "'a_:b' has the same tool name 'a___b'\n");
    assert_string_equal(schema_find_tool(&t.rf, "a___b")->name, "a_:b");
    tools = schema_tools(&t.rf, NULL);
    assert_int_equal(json_array_size(tools), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(tools, 0), "name")),
                        "other");
    assert_string_equal(json_string_value(json_object_get(json_array_get(tools, 1), "name")),
                        "a___b");
    json_decref(tools);
    tb_free(&t);

    /* A function left out for another reason takes no part in a collision. */
    tb_init(&t, "");
    add_fn(&t, "a:b", "Namespaced", true, 1);
    add_param(add_fn(&t, "a__b", "Plain", true, 2), "timeout", RUNFILE_STRING, true, NULL, NULL);
    warning_heads(&t.rf, &w);
    assert_string_equal(w.buf, "Runfile:2:1: function 'a__b' is not offered as an MCP tool: its "
                               "parameter 'timeout' clashes with the built-in timeout argument\n");
    assert_string_equal(schema_find_tool(&t.rf, "a__b")->name, "a:b");
    tb_free(&t);

    /* An undescribed function takes no part either. */
    tb_init(&t, "");
    add_fn(&t, "x:y", "Described", true, 1);
    add_fn(&t, "x__y", NULL, true, 2);
    warning_heads(&t.rf, &w);
    assert_string_equal(w.buf, "");
    assert_string_equal(schema_find_tool(&t.rf, "x__y")->name, "x:y");
    tb_free(&t);

    /* Three-way: two losers, both named in Runfile order. */
    tb_init(&t, "");
    add_fn(&t, "p:q", "1", true, 1);
    add_fn(&t, "p__q", "2", true, 2);
    add_fn(&t, "p:_q", "3", true, 3);
    add_fn(&t, "p_:q", "4", true, 4);
    warning_heads(&t.rf, &w);
    assert_string_equal(w.buf, "Runfile:1:1: function 'p:q' is not offered as an MCP tool: 'p__q' "
                               "has the same tool name 'p__q'\n"
                               "Runfile:3:1: function 'p:_q' is not offered as an MCP tool: "
                               "'p_:q' has the same tool name 'p___q'\n");
    tb_free(&t);
    buf_release(&w);
}

/* Warnings are diags at the definition's first character, underlining through the name. */
static void warning_location_and_rendering(void **state)
{
    struct tb t;
    struct diag_list w = DIAG_LIST_INIT;
    struct buf out = BUF_INIT;
    struct runfile_fn *fn;
    json_t *tools;

    (void)state;
    tb_init(&t, "# @desc Mine\nfunction  set_cwd() {\n  :\n}\n");
    fn = add_fn(&t, "set_cwd", "Mine", true, 2);
    (void)fn;
    tools = schema_tools(&t.rf, &w);
    assert_int_equal(w.n, 1);
    assert_int_equal(w.nwarnings, 1);
    diag_list_render(&out, &w, false);
    assert_string_equal(out.buf,
                        "Runfile:2:1: warning: function 'set_cwd' is not offered as an MCP tool: "
                        "'set_cwd' is a built-in tool\n"
                        "    2 | function  set_cwd() {\n"
                        "      | ^~~~~~~~~~~~~~~~~\n");
    json_decref(tools);
    diag_list_release(&w);
    buf_release(&out);
    tb_free(&t);
}

/* The index hands out a fresh array each time: appending built-ins changes nothing inside. */
static void index_tools_are_a_fresh_array(void **state)
{
    struct tb t;
    struct schema_index *ix;
    json_t *a, *b;

    (void)state;
    tb_init(&t, "");
    add_fn(&t, "one", "One", true, 1);
    ix = schema_index_new(&t.rf, NULL);
    a = schema_index_tools(ix);
    json_array_append_new(a, json_string("builtin"));
    b = schema_index_tools(ix);
    assert_int_equal(json_array_size(a), 2);
    assert_int_equal(json_array_size(b), 1);
    assert_string_equal(schema_index_find(ix, "one")->name, "one");
    assert_null(schema_index_find(ix, "two"));
    json_decref(a);
    json_decref(b);
    schema_index_free(ix);
    schema_index_free(NULL);
    tb_free(&t);

    /* No functions at all. */
    ix = schema_index_new(NULL, NULL);
    a = schema_index_tools(ix);
    assert_int_equal(json_array_size(a), 0);
    assert_null(schema_index_find(ix, "x"));
    json_decref(a);
    schema_index_free(ix);
}

/* ---- tools/call arguments ---- */

static void number_text(void **state)
{
    static const struct {
        const char *json, *text;
    } cases[] = {
        { "[1]", "1" },
        { "[-42]", "-42" },
        { "[1.5]", "1.5" },
        { "[0.1]", "0.1" },
        { "[2.0]", "2" },
        { "[-0.0]", "0" },
        { "[1e21]", "1e+21" },
        { "[1e15]", "1000000000000000" },
        { "[9007199254740992.0]", "9.00719925474099e+15" },
        { "[0.30000000000000004]", "0.3" },
        { "[3.14159265358979323]", "3.14159265358979" },
        { "[9223372036854775807]", "9223372036854775807" },
    };
    struct buf b = BUF_INIT;

    (void)state;
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        json_t *a = json_loads(cases[i].json, 0, NULL);
        assert_non_null(a);
        buf_reset(&b);
        schema_number_text(&b, json_array_get(a, 0));
        assert_string_equal(b.buf, cases[i].text);
        json_decref(a);
    }
    buf_release(&b);
}

/* mcp.md §7.4 example: by name, empty strings below the last given position, rest after. */
static void positions_by_name(void **state)
{
    struct tb t;
    struct runfile_fn *fn;

    (void)state;
    tb_init(&t, "");
    fn = add_fn(&t, "deploy", "Deploy", true, 1);
    add_param(fn, "env", RUNFILE_STRING, true, NULL, NULL);
    add_param(fn, "version", RUNFILE_STRING, false, "latest", NULL);
    add_param(fn, "region", RUNFILE_STRING, false, "eu", NULL);
    add_rest(fn, "flags", NULL);
    assert_maps(fn, "{\"region\":\"us\",\"env\":\"prod\"}", "[prod][][us]");
    assert_maps(fn, "{\"env\":\"prod\",\"flags\":[\"--dry-run\"]}", "[prod][][][--dry-run]");
    assert_maps(fn, "{\"env\":\"prod\"}", "[prod]");
    assert_maps(fn, "{\"env\":\"prod\",\"flags\":[]}", "[prod]");
    assert_maps(fn, "{\"env\":\"prod\",\"version\":\"\",\"region\":\"\"}", "[prod]");
    assert_maps(fn, "{\"env\":\"prod\",\"version\":\"2\",\"region\":null}", "[prod][2]");
    assert_maps(fn, "{\"flags\":\"-v\",\"env\":\"x\",\"other\":[1]}", "[x][][][-v]");
    assert_maps(fn, "{\"env\":\"x\",\"flags\":\"\"}", "[x]");
    /* Values are data: they are passed as the exact characters. */
    assert_maps(fn, "{\"env\":\"$(rm -rf ~) --list\",\"flags\":[\"-h\",\"\"]}",
                "[$(rm -rf ~) --list][][][-h][]");
    tb_free(&t);

    /* Legacy positions may have gaps; the gap is "" too. */
    tb_init(&t, "");
    fn = add_fn(&t, "gap", "Gap", false, 1);
    add_param(fn, "a", RUNFILE_STRING, false, NULL, NULL);
    add_param(fn, "c", RUNFILE_STRING, false, NULL, NULL)->position = 3;
    assert_maps(fn, "{\"c\":\"z\"}", "[][][z]");
    assert_maps(fn, "{\"a\":\"y\"}", "[y]");
    assert_maps(fn, "{}", "");
    assert_maps(fn, NULL, "");
    tb_free(&t);
}

static void missing_and_empty(void **state)
{
    struct tb t;
    struct runfile_fn *fn;

    (void)state;
    tb_init(&t, "");
    fn = add_fn(&t, "f", "F", true, 1);
    add_param(fn, "name", RUNFILE_STRING, true, NULL, NULL);
    add_param(fn, "count", RUNFILE_INTEGER, true, NULL, NULL);
    add_param(fn, "n", RUNFILE_INTEGER, false, "3", NULL);
    assert_rejects(fn, "{}", "missing required argument 'name'; missing required argument 'count'");
    assert_rejects(fn, NULL, "missing required argument 'name'; missing required argument 'count'");
    assert_rejects(fn, "{\"name\":null,\"count\":1}", "missing required argument 'name'");
    /* "" is a value for a required string, and a wrong value for a required integer. */
    assert_maps(fn, "{\"name\":\"\",\"count\":1}", "[][1]");
    assert_rejects(fn, "{\"name\":\"\",\"count\":\"\"}", "'count' must be an integer, got \"\"");
    /* For an optional typed parameter "" means the default. */
    assert_maps(fn, "{\"name\":\"a\",\"count\":1,\"n\":\"\"}", "[a][1]");
    tb_free(&t);
}

static void string_values(void **state)
{
    struct tb t;
    struct runfile_fn *fn;

    (void)state;
    tb_init(&t, "");
    fn = add_fn(&t, "f", "F", true, 1);
    add_param(fn, "s", RUNFILE_STRING, true, NULL, NULL);
    assert_maps(fn, "{\"s\":\"héllo wörld\"}", "[héllo wörld]");
    assert_maps(fn, "{\"s\":42}", "[42]");
    assert_maps(fn, "{\"s\":1.5}", "[1.5]");
    assert_maps(fn, "{\"s\":2.0}", "[2]");
    assert_maps(fn, "{\"s\":1e21}", "[1e+21]");
    assert_maps(fn, "{\"s\":true}", "[true]");
    assert_maps(fn, "{\"s\":false}", "[false]");
    assert_rejects(fn, "{\"s\":[1,2]}", "'s' must be a string, got [1,2]");
    assert_rejects(fn, "{\"s\":{\"a\": \"b\"}}", "'s' must be a string, got {\"a\":\"b\"}");
    tb_free(&t);
}

static void integer_values(void **state)
{
    struct tb t;
    struct runfile_fn *fn;

    (void)state;
    tb_init(&t, "");
    fn = add_fn(&t, "f", "F", true, 1);
    add_param(fn, "i", RUNFILE_INTEGER, true, NULL, NULL);
    assert_maps(fn, "{\"i\":3}", "[3]");
    assert_maps(fn, "{\"i\":-9223372036854775807}", "[-9223372036854775807]");
    assert_maps(fn, "{\"i\":3.0}", "[3]");
    assert_maps(fn, "{\"i\":1e3}", "[1000]");
    assert_maps(fn, "{\"i\":\"42\"}", "[42]");
    assert_maps(fn, "{\"i\":\"+007\"}", "[7]");
    assert_maps(fn, "{\"i\":\"-12\"}", "[-12]");
    assert_rejects(fn, "{\"i\":3.5}", "'i' must be an integer, got 3.5");
    assert_rejects(fn, "{\"i\":1e300}", "'i' must be an integer, got 1e300");
    assert_rejects(fn, "{\"i\":\"3.5\"}", "'i' must be an integer, got \"3.5\"");
    assert_rejects(fn, "{\"i\":\"12abc\"}", "'i' must be an integer, got \"12abc\"");
    assert_rejects(fn, "{\"i\":\"99999999999999999999\"}",
                   "'i' must be an integer, got \"99999999999999999999\"");
    assert_rejects(fn, "{\"i\":true}", "'i' must be an integer, got true");
    assert_rejects(fn, "{\"i\":[]}", "'i' must be an integer, got []");
    tb_free(&t);
}

static void number_values(void **state)
{
    struct tb t;
    struct runfile_fn *fn;

    (void)state;
    tb_init(&t, "");
    fn = add_fn(&t, "f", "F", true, 1);
    add_param(fn, "x", RUNFILE_NUMBER, true, NULL, NULL);
    assert_maps(fn, "{\"x\":1}", "[1]");
    assert_maps(fn, "{\"x\":1.5}", "[1.5]");
    assert_maps(fn, "{\"x\":0.1}", "[0.1]");
    assert_maps(fn, "{\"x\":2.0}", "[2]");
    assert_maps(fn, "{\"x\":\"2e3\"}", "[2e3]");
    assert_maps(fn, "{\"x\":\".5\"}", "[.5]");
    assert_maps(fn, "{\"x\":\"-1.25\"}", "[-1.25]");
    assert_rejects(fn, "{\"x\":\"abc\"}", "'x' must be a number, got \"abc\"");
    assert_rejects(fn, "{\"x\":false}", "'x' must be a number, got false");
    assert_rejects(fn, "{\"x\":{}}", "'x' must be a number, got {}");
    tb_free(&t);
}

static void boolean_values(void **state)
{
    struct tb t;
    struct runfile_fn *fn;

    (void)state;
    tb_init(&t, "");
    fn = add_fn(&t, "f", "F", true, 1);
    add_param(fn, "b", RUNFILE_BOOLEAN, true, NULL, NULL);
    assert_maps(fn, "{\"b\":true}", "[true]");
    assert_maps(fn, "{\"b\":false}", "[false]");
    assert_maps(fn, "{\"b\":\"YES\"}", "[true]");
    assert_maps(fn, "{\"b\":\"off\"}", "[false]");
    assert_maps(fn, "{\"b\":\"1\"}", "[true]");
    assert_maps(fn, "{\"b\":\"False\"}", "[false]");
    assert_rejects(fn, "{\"b\":1}", "'b' must be a boolean (true/false/yes/no/on/off/1/0), got 1");
    assert_rejects(fn, "{\"b\":\"maybe\"}",
                   "'b' must be a boolean (true/false/yes/no/on/off/1/0), got \"maybe\"");
    tb_free(&t);
}

static void object_values(void **state)
{
    struct tb t;
    struct runfile_fn *fn;

    (void)state;
    tb_init(&t, "");
    fn = add_fn(&t, "f", "F", true, 1);
    add_param(fn, "o", RUNFILE_OBJECT, true, NULL, NULL);
    assert_maps(fn, "{\"o\":{\"z\": 1, \"a\": [true, 0.1, \"é\"]}}",
                "[{\"z\":1,\"a\":[true,0.1,\"é\"]}]");
    assert_maps(fn, "{\"o\":\"{\\\"b\\\": {\\\"c\\\": null}, \\\"a\\\": 2}\"}",
                "[{\"b\":{\"c\":null},\"a\":2}]");
    assert_maps(fn, "{\"o\":{}}", "[{}]");
    assert_rejects(fn, "{\"o\":\"[1]\"}", "'o' must be a JSON object, got \"[1]\"");
    assert_rejects(fn, "{\"o\":\"{bad\"}", "'o' must be a JSON object, got \"{bad\"");
    assert_rejects(fn, "{\"o\":[1]}", "'o' must be a JSON object, got [1]");
    assert_rejects(fn, "{\"o\":5}", "'o' must be a JSON object, got 5");
    tb_free(&t);
}

static void rest_values(void **state)
{
    struct tb t;
    struct runfile_fn *fn;

    (void)state;
    tb_init(&t, "");
    fn = add_fn(&t, "f", "F", true, 1);
    add_param(fn, "a", RUNFILE_STRING, false, "x", NULL);
    add_rest(fn, "more", NULL);
    assert_maps(fn, "{\"more\":[\"s p\",1,2.5,3.0,true,false,null,[1,\"x\"],{\"k\":\"v\"}]}",
                "[][s p][1][2.5][3][true][false][null][[1,\"x\"]][{\"k\":\"v\"}]");
    assert_maps(fn, "{\"more\":\"one word\"}", "[][one word]");
    assert_maps(fn, "{\"a\":\"A\",\"more\":[\"\"]}", "[A][]");
    assert_rejects(fn, "{\"more\":5}", "'more' must be an array, got 5");
    assert_rejects(fn, "{\"more\":{\"a\":1}}", "'more' must be an array, got {\"a\":1}");
    tb_free(&t);
}

static void timeout_values(void **state)
{
    struct tb t;
    struct runfile_fn *fn;
    struct buf out = BUF_INIT;
    uint64_t timeout;
    static const struct {
        const char *json;
        uint64_t seconds;
    } ok[] = {
        { "{}", 0 },
        { "{\"timeout\":null}", 0 },
        { "{\"timeout\":0}", 0 },
        { "{\"timeout\":30}", 30 },
        { "{\"timeout\":2.0}", 2 },
        { "{\"timeout\":-0.0}", 0 },
        { "{\"timeout\":86400000}", 86400000 },
    };

    (void)state;
    tb_init(&t, "");
    fn = add_fn(&t, "f", "F", true, 1);
    for (size_t i = 0; i < ARRAY_SIZE(ok); i++) {
        timeout = 777;
        assert_int_equal(map(fn, ok[i].json, &out, &timeout), 0);
        assert_int_equal(timeout, ok[i].seconds);
        assert_string_equal(out.buf, "");
    }
    assert_rejects(fn, "{\"timeout\":\"soon\"}",
                   "'timeout' must be a non-negative integer, got \"soon\"");
    assert_rejects(fn, "{\"timeout\":-5}", "'timeout' must be a non-negative integer, got -5");
    assert_rejects(fn, "{\"timeout\":1.5}", "'timeout' must be a non-negative integer, got 1.5");
    assert_rejects(fn, "{\"timeout\":true}", "'timeout' must be a non-negative integer, got true");
    assert_rejects(fn, "{\"timeout\":\"5\"}",
                   "'timeout' must be a non-negative integer, got \"5\"");
    buf_release(&out);
    tb_free(&t);
}

/* Problems in parameter order (not JSON member order), then timeout; joined by "; ". */
static void problem_order_and_text(void **state)
{
    struct tb t;
    struct runfile_fn *fn;
    struct buf problem = BUF_INIT;
    json_t *args;
    char **values = NULL;
    size_t n = 0;
    uint64_t timeout = 0;

    (void)state;
    tb_init(&t, "");
    fn = add_fn(&t, "docker:build", "F", true, 1);
    add_param(fn, "a", RUNFILE_INTEGER, true, NULL, NULL);
    add_param(fn, "b", RUNFILE_STRING, true, NULL, NULL);
    add_param(fn, "c", RUNFILE_BOOLEAN, false, "true", NULL);
    args = json_loads("{\"timeout\":-1,\"c\":\"nah\",\"a\":\"x\"}", 0, NULL);
    buf_addstr(&problem, "old text that must go");
    assert_int_equal(
        schema_map_arguments(fn, "docker__build", args, &values, &n, &timeout, &problem), -1);
    assert_null(values);
    assert_string_equal(problem.buf,
                        "Invalid arguments for tool 'docker__build': 'a' must be an integer, got "
                        "\"x\"; missing required argument 'b'; 'c' must be a boolean "
                        "(true/false/yes/no/on/off/1/0), got \"nah\"; 'timeout' must be a "
                        "non-negative integer, got -1");
    json_decref(args);
    buf_release(&problem);
    tb_free(&t);
}

/* <json> is compact and cut to 100 bytes, never inside a UTF-8 sequence. */
static void long_values_are_cut(void **state)
{
    struct tb t;
    struct runfile_fn *fn;
    struct buf args = BUF_INIT, expected = BUF_INIT;

    (void)state;
    tb_init(&t, "");
    fn = add_fn(&t, "f", "F", true, 1);
    add_param(fn, "i", RUNFILE_INTEGER, true, NULL, NULL);

    /* "\"" + 200 x 'a' + "\"": the first 100 bytes are the quote and 99 letters. */
    buf_addstr(&args, "{\"i\":\"");
    buf_addchars(&args, 'a', 200);
    buf_addstr(&args, "\"}");
    buf_addstr(&expected, "'i' must be an integer, got \"");
    buf_addchars(&expected, 'a', 99);
    assert_rejects(fn, args.buf, expected.buf);

    /* A quote, 98 letters, then 'é' (2 bytes) at bytes 100-101: cut before it (99 bytes). */
    buf_reset(&args);
    buf_addstr(&args, "{\"i\":\"");
    buf_addchars(&args, 'a', 98);
    buf_addstr(&args, "ééé\"}");
    buf_reset(&expected);
    buf_addstr(&expected, "'i' must be an integer, got \"");
    buf_addchars(&expected, 'a', 98);
    assert_rejects(fn, args.buf, expected.buf);

    /* Compact: no spaces from the request survive. */
    assert_rejects(fn, "{\"i\": [1, 2, {\"a\": \"b\"}]}",
                   "'i' must be an integer, got [1,2,{\"a\":\"b\"}]");
    buf_release(&args);
    buf_release(&expected);
    tb_free(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(tool_names),
        cmocka_unit_test(only_described_functions_in_runfile_order),
        cmocka_unit_test(cli_inspect_example),
        cmocka_unit_test(greet_wire_form),
        cmocka_unit_test(legacy_args),
        cmocka_unit_test(properties_and_defaults),
        cmocka_unit_test(required_in_parameter_order),
        cmocka_unit_test(invalid_utf8_description),
        cmocka_unit_test(timeout_parameter_not_offered),
        cmocka_unit_test(tool_name_length_limit),
        cmocka_unit_test(builtin_names_not_offered),
        cmocka_unit_test(collisions),
        cmocka_unit_test(warning_location_and_rendering),
        cmocka_unit_test(index_tools_are_a_fresh_array),
        cmocka_unit_test(writer_matches_tree_on_goldens),
        cmocka_unit_test(writer_empty_lists),
        cmocka_unit_test(writer_text_bytes),
        cmocka_unit_test(writer_defaults),
        cmocka_unit_test(writer_offering),
        cmocka_unit_test(writer_parsed_runfile),
        cmocka_unit_test(number_text),
        cmocka_unit_test(positions_by_name),
        cmocka_unit_test(missing_and_empty),
        cmocka_unit_test(string_values),
        cmocka_unit_test(integer_values),
        cmocka_unit_test(number_values),
        cmocka_unit_test(boolean_values),
        cmocka_unit_test(object_values),
        cmocka_unit_test(rest_values),
        cmocka_unit_test(timeout_values),
        cmocka_unit_test(problem_order_and_text),
        cmocka_unit_test(long_values_are_cut),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
