/* Unit tests: runfile (the reader, scanners, dedent, diagnostics, discovery and merging). */
#include "unit.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "diag.h"
#include "runfile.h"

struct parsed {
    struct runfile *rf;
    struct diag_list diags;
    struct buf err;
};

static void parse_as(struct parsed *p, const char *src, bool script)
{
    memset(p, 0, sizeof(*p));
    p->err = (struct buf)BUF_INIT;
    p->rf = runfile_parse("Runfile", NULL, src, strlen(src), script, &p->diags);
    diag_list_render(&p->err, &p->diags, false);
}

static void parse(struct parsed *p, const char *src)
{
    parse_as(p, src, false);
}

static void done(struct parsed *p)
{
    runfile_free(p->rf);
    diag_list_release(&p->diags);
    buf_release(&p->err);
}

/* Parse 'src', expect no diagnostics, and return the body of 'name'. */
static const struct runfile_fn *fn_of(struct parsed *p, const char *name)
{
    const struct runfile_fn *fn = runfile_find(p->rf, name);

    if (p->err.len)
        fprintf(stderr, "unexpected diagnostics:\n%s", p->err.buf);
    assert_int_equal(p->err.len, 0);
    assert_non_null(fn);
    return fn;
}

static void expect_body(const char *src, const char *name, const char *body)
{
    struct parsed p;

    parse(&p, src);
    assert_string_equal(fn_of(&p, name)->body, body);
    done(&p);
}

static void expect_err(const char *src, const char *rendered)
{
    struct parsed p;

    parse(&p, src);
    assert_string_equal(p.err.buf, rendered);
    done(&p);
}

/* ---- shell scanner (§4.2) ---- */

static void scanner_dollar_hash_and_escapes(void **state)
{
    (void)state;
    expect_body("f() {\n    echo ${#x} ${#arr[@]} $#\n    echo it\\'s\n}\nafter() echo ok\n", "f",
                "echo ${#x} ${#arr[@]} $#\necho it\\'s");
    expect_body("f() {\n    echo $'a\\'b }'\n}\n", "f", "echo $'a\\'b }'");
    expect_body("f() {\n    x=a#b; y=#; echo a#}\n", "f", "x=a#b; y=#; echo a#");
}

static void scanner_substitutions(void **state)
{
    (void)state;
    expect_body("f() {\n    echo \"$(echo \"}\" $(echo }))\" `echo }` ${x:-${y}} ${x//\\}/}\n}\n",
                "f", "echo \"$(echo \"}\" $(echo }))\" `echo }` ${x:-${y}} ${x//\\}/}");
    expect_body("f() {\n    echo $(( 1 << 2 )) $((x))\n    cat <<< \"}\"\n}\n", "f",
                "echo $(( 1 << 2 )) $((x))\ncat <<< \"}\"");
}

static void scanner_comments(void **state)
{
    (void)state;
    /* an apostrophe and a brace in a comment are harmless */
    expect_body("f() {\n    # it's here }\n    echo a # don't }\n}\n", "f",
                "# it's here }\necho a # don't }");
    expect_body("f() {\n    [ $# -eq 0 ] && { echo none; }\n}\n", "f",
                "[ $# -eq 0 ] && { echo none; }");
}

static void scanner_case(void **state)
{
    (void)state;
    expect_body("f() {\n    case $1 in\n      a) echo a ;;\n      (b|c) echo bc ;;\n    esac\n}\n",
                "f", "case $1 in\n  a) echo a ;;\n  (b|c) echo bc ;;\nesac");
}

static void scanner_heredocs(void **state)
{
    struct parsed p;
    const struct runfile_fn *fn;

    (void)state;
    /* two on one line, bodies in order, quoted delimiters, braces and quotes inside */
    parse(&p, "f() {\n    cat <<A <<'B'\n}} \"'\n  A\n{ it's\n    B\n    echo done\n}\n");
    fn = fn_of(&p, "f");
    assert_string_equal(fn->body, "cat <<A <<'B'\n}} \"'\nA\n{ it's\nB\necho done");
    assert_int_equal(fn->nlines, 6);
    assert_int_equal(fn->line_kinds[0], RUNFILE_LINE_CODE);
    assert_int_equal(fn->line_kinds[1], RUNFILE_LINE_HEREDOC);
    assert_int_equal(fn->line_kinds[2], RUNFILE_LINE_TERMINATOR);
    assert_int_equal(fn->line_kinds[3], RUNFILE_LINE_HEREDOC);
    assert_int_equal(fn->line_kinds[4], RUNFILE_LINE_TERMINATOR);
    assert_int_equal(fn->line_kinds[5], RUNFILE_LINE_CODE);
    done(&p);
    expect_body("f() {\n    cat <<\"E O\"\nx\nE O\n    cat <<\\X\ny\nX\n}\n", "f",
                "cat <<\"E O\"\nx\nE O\ncat <<\\X\ny\nX");
    expect_body("f() {\n    cat <<E\"O\"F\n}\n  EOF  \n}\n", "f", "cat <<E\"O\"F\n}\nEOF");
    /* no code line after the opening one: no common indent at all (found by fuzzing) */
    expect_body("f() { cat <<EOF\n  x\nEOF\n    }\n", "f", "cat <<EOF\n  x\nEOF");
}

/* The example of §4.6, and the heredoc P rule. */
static void dedent_spec_example(void **state)
{
    (void)state;
    expect_body("write_config() {\n"
                "    cat > app.env <<EOF\n"
                "KEY=value\n"
                "EOF\n"
                "    cat > extra.env <<-END\n"
                "    MODE=dev\n"
                "    END\n"
                "    echo \"done\"\n"
                "}\n",
                "write_config",
                "cat > app.env <<EOF\nKEY=value\nEOF\ncat > extra.env <<-END\nMODE=dev\nEND\n"
                "echo \"done\"");
    /* heredoc lines keep their trailing blanks; blank code lines become empty */
    expect_body("f() {\n\n    cat <<EOF\n  x  \nEOF\n    \n    echo y   \n\n}\n", "f",
                "cat <<EOF\n  x  \nEOF\n\necho y");
    /* a string line is kept byte for byte */
    expect_body("f() {\n    echo \"a\n  b\"\n    echo c\n}\n", "f", "echo \"a\n  b\"\necho c");
    /* text after '{' and before '}' */
    expect_body("f() {   echo a\n        echo b\n    echo c }\n", "f",
                "echo a\n    echo b\necho c");
}

static void blocks_single_line_and_allman(void **state)
{
    struct parsed p;
    const struct runfile_fn *fn;

    (void)state;
    expect_body("f() { echo a; echo \"b;c\" }\n", "f", "echo a; echo \"b;c\"");
    expect_body("f() { }\n", "f", "");
    expect_body("function deploy(env)\n{\n    echo \"deploying $env\"\n}\n", "deploy",
                "echo \"deploying $env\"");
    expect_body("deploy (env)  # a comment\n\n  {\n  echo x\n  }\n", "deploy", "echo x");
    parse(&p, "f() { }\n");
    fn = fn_of(&p, "f");
    assert_int_equal(fn->kind, RUNFILE_BLOCK);
    assert_int_equal(fn->nlines, 0);
    done(&p);
}

/* ---- inline bodies (§3.4) ---- */

static void inline_verbatim_and_continuation(void **state)
{
    struct parsed p;
    const struct runfile_fn *fn;

    (void)state;
    expect_body("f() cmd 2>&1 >>log '{a,b}' $(x) $? $$ a,b # c   \n", "f",
                "cmd 2>&1 >>log '{a,b}' $(x) $? $$ a,b # c");
    parse(&p, "multiline() echo \"This is a\" \\\n    \"multi-line\" \\   \n    \"command\"\n"
              "after() echo ok\n");
    fn = fn_of(&p, "multiline");
    assert_int_equal(fn->kind, RUNFILE_INLINE);
    assert_string_equal(fn->body, "echo \"This is a\" \\\n    \"multi-line\" \\\n    \"command\"");
    assert_int_equal(fn->nlines, 3);
    assert_non_null(runfile_find(p.rf, "after"));
    done(&p);
    expect_body("# @shell python\nf() print(\"hi\") # note '\n", "f", "print(\"hi\") # note '");
}

static void inline_unterminated(void **state)
{
    (void)state;
    expect_err("f() echo \"abc\ng() echo y\n",
               "Runfile:1:10: error: unterminated double-quoted string\n"
               "    1 | f() echo \"abc\n"
               "      |          ^\n"
               "      = hint: a one-line body cannot continue inside quotes; use a { } block for "
               "code that spans lines\n");
}

/* ---- signatures (§3.2) ---- */

static void multi_line_signature_and_defaults(void **state)
{
    struct parsed p;
    const struct runfile_fn *fn;

    (void)state;
    parse(&p, "release(\n    env,\n    version = \"la\\\"t\\\\e\\st\",\n    dry_run: bool = YES,\n"
              "    n: float = 2e3, m: number = .5, k: number = 0.1,\n    i: int = -007,\n"
              "    o: dict = '{\"a\": 1, \"b\" : [1, 2]}',\n    z = a b ,\n    q: str = 'x, (y)'"
              ",\n    ...extra\n) {\n    echo\n}\n");
    fn = fn_of(&p, "release");
    assert_true(fn->has_signature);
    assert_int_equal(fn->nparams, 11);
    assert_string_equal(fn->params[0].name, "env");
    assert_true(fn->params[0].required);
    assert_null(fn->params[0].default_value);
    assert_string_equal(fn->params[1].default_value, "la\"t\\e\\st");
    assert_false(fn->params[1].required);
    assert_int_equal(fn->params[2].type, RUNFILE_BOOLEAN);
    assert_string_equal(fn->params[2].default_value, "true");
    assert_string_equal(fn->params[3].default_value, "2000.0");
    assert_string_equal(fn->params[4].default_value, "0.5");
    assert_string_equal(fn->params[5].default_value, "0.1");
    assert_string_equal(fn->params[6].default_value, "-7");
    assert_int_equal(fn->params[7].type, RUNFILE_OBJECT);
    assert_string_equal(fn->params[7].default_value, "{\"a\":1,\"b\":[1,2]}");
    assert_string_equal(fn->params[8].default_value, "a b");
    assert_string_equal(fn->params[9].default_value, "x, (y)");
    assert_true(fn->params[10].is_rest);
    assert_int_equal(fn->params[10].position, 11);
    assert_ptr_equal(runfile_fn_rest(fn), &fn->params[10]);
    done(&p);
}

static void worked_examples(void **state)
{
    (void)state;
    expect_err("\n\nbad(a b) echo x\n",
               "Runfile:3:7: error: expected ',' or ')' after parameter 'a'\n"
               "    3 | bad(a b) echo x\n"
               "      |       ^\n"
               "      = hint: separate parameters with commas, as in bad(a, b)\n");
    expect_err("\n\n\n\n\n\n\n\n\n\n\ndeploy(env) {\n    echo\n",
               "Runfile:12:13: error: unclosed '{': no matching '}' for this block\n"
               "   12 | deploy(env) {\n"
               "      |             ^\n"
               "      = hint: the block starting here runs to the end of the file; check quotes "
               "and braces inside it\n");
    expect_err("\n\n\nmigrate(steps: integr = 1) {\n}\n",
               "Runfile:4:16: error: unknown type 'integr'\n"
               "    4 | migrate(steps: integr = 1) {\n"
               "      |                ^~~~~~\n"
               "      = hint: did you mean 'integer'? types are str, int, float, bool, object\n");
}

static void one_error_per_definition(void **state)
{
    struct parsed p;

    (void)state;
    parse(&p, "seed(file = \"seed.sql\" {\n    psql < \"$file }\"\n}\nok() echo fine\n");
    assert_int_equal(p.diags.nerrors, 1);
    assert_non_null(strstr(p.err.buf, "Runfile:1:24: error: expected ',' or ')' after parameter "
                                      "'file'"));
    assert_non_null(runfile_find(p.rf, "ok"));
    done(&p);
}

static void too_many_errors(void **state)
{
    struct parsed p;
    struct buf src = BUF_INIT;

    (void)state;
    for (int i = 0; i < 40; i++)
        buf_addf(&src, "f%d(a b) echo\n", i);
    parse(&p, src.buf);
    assert_int_equal(p.diags.nerrors, 20);
    assert_true(p.diags.full);
    assert_non_null(strstr(p.err.buf, "error: too many errors; stopping\n"));
    done(&p);
    buf_release(&src);
}

static void reserved_words(void **state)
{
    struct parsed p;

    (void)state;
    /* a line starting with a shell reserved word is a command */
    parse(&p, "if (true) then echo; fi\nfor(x) echo\n");
    assert_int_equal(p.rf->nfns, 0);
    assert_int_equal(p.rf->nstmts, 2);
    assert_int_equal(p.err.len, 0);
    done(&p);
    /* polyglot parameter names are checked per language, shell ones are not */
    parse(&p, "f(class, lambda, end) echo\n");
    assert_int_equal(p.err.len, 0);
    done(&p);
    parse(&p, "# @shell python3\nf(x,\n  from) {\n}\n");
    assert_non_null(strstr(p.err.buf, "Runfile:3:3: error: 'from' is a reserved word in Python"));
    done(&p);
}

/* ---- attributes (§6) ---- */

static void attributes_attach(void **state)
{
    struct parsed p;
    const struct runfile_fn *fn;

    (void)state;
    parse(&p, "# @desc ignored: blank line follows\n\n"
              "    #@desc   \"Deploy  it\"  \n"
              "  # an ordinary comment\n"
              "# @noerrexit\n"
              "# @instructions  'Never on Fridays'\n"
              "# @future thing\n"
              "# @arg env Target \"env\"\n"
              "# @arg 2:x int \"a number\"\n"
              "    deploy(env, x: int) echo\n"
              "# @instructions second\n"
              "plain() echo\n");
    fn = runfile_find(p.rf, "deploy");
    assert_non_null(fn);
    assert_string_equal(fn->desc, "Deploy  it");
    assert_true(fn->noerrexit);
    assert_string_equal(fn->params[0].desc, "Target \"env\"");
    assert_string_equal(fn->params[1].desc, "a number");
    assert_null(runfile_find(p.rf, "plain")->desc);
    assert_int_equal(p.rf->ninstructions, 2);
    assert_string_equal(p.rf->instructions[0], "Never on Fridays");
    assert_string_equal(p.rf->instructions[1], "second");
    assert_int_equal(p.err.len, 0);
    done(&p);
}

static void legacy_args(void **state)
{
    struct parsed p;
    const struct runfile_fn *fn;

    (void)state;
    parse(&p, "# @arg 1:service string Service name\n# @arg 3:lines? int How many lines\n"
              "# @arg mode \"number of things\"\n# @arg a.b-c\ndocker:logs() echo\n");
    fn = fn_of(&p, "docker:logs");
    assert_false(fn->has_signature);
    assert_int_equal(fn->nparams, 4);
    assert_string_equal(fn->params[0].name, "service");
    assert_int_equal(fn->params[0].position, 1);
    assert_true(fn->params[0].required);
    assert_string_equal(fn->params[1].name, "lines");
    assert_int_equal(fn->params[1].position, 3);
    assert_int_equal(fn->params[1].type, RUNFILE_INTEGER);
    assert_false(fn->params[1].required);
    assert_string_equal(fn->params[1].desc, "How many lines");
    assert_string_equal(fn->params[2].name, "mode");
    assert_int_equal(fn->params[2].position, 4);
    assert_int_equal(fn->params[2].type, RUNFILE_STRING);
    assert_string_equal(fn->params[2].desc, "number of things");
    assert_string_equal(fn->params[3].name, "a.b-c");
    done(&p);
}

static void shell_and_shebang(void **state)
{
    struct parsed p;
    const struct runfile_fn *fn;

    (void)state;
    parse(&p, "# @shell node\n# @shell ruby\nf() {\n    #!/usr/bin/env python3\n    x\n}\n"
              "g() {\n\n    # c\n    #!/usr/bin/python3.11\n\n    print(1)\n}\n"
              "h() {\n    echo\n    #!/bin/bash\n}\n");
    fn = fn_of(&p, "f");
    assert_int_equal(fn->interp, RUNFILE_INTERP_NODE);
    assert_true(runfile_fn_is_polyglot(fn));
    assert_string_equal(fn->code, "x");
    fn = fn_of(&p, "g");
    assert_int_equal(fn->interp, RUNFILE_INTERP_PYTHON3);
    assert_string_equal(fn->body, "# c\n#!/usr/bin/python3.11\n\nprint(1)");
    assert_string_equal(fn->code, "print(1)");
    assert_int_equal(fn->nlines, 1);
    fn = fn_of(&p, "h");
    assert_int_equal(fn->interp, RUNFILE_INTERP_DEFAULT);
    assert_string_equal(fn->code, "echo\n#!/bin/bash");
    done(&p);
}

static void os_filter_and_overrides(void **state)
{
    struct parsed p;
    const struct runfile_fn *fn;

    (void)state;
    parse(&p, "a() echo first\nb() { echo b; }\n"
              "# @os windows\na() echo windows\n"
              "# @os linux\n# @os macos\nc() echo c\n"
              "# @os unix\na() {\n    echo unix\n}\n");
    assert_int_equal(p.rf->nfns, 3);
    fn = fn_of(&p, "a");
    assert_string_equal(fn->body, "echo unix");
    assert_int_equal(fn->kind, RUNFILE_BLOCK);
    assert_int_equal(fn->origin.line, 9);
    /* Runfile order is the position of the winning definition */
    assert_string_equal(p.rf->fns[0].name, "b");
    assert_string_equal(p.rf->fns[1].name, "c");
    assert_string_equal(p.rf->fns[2].name, "a");
    for (size_t i = 0; i < p.rf->nfns; i++)
        assert_int_equal(p.rf->fns[i].order, i);
    done(&p);
}

static void statements_and_calls(void **state)
{
    struct parsed p;

    (void)state;
    parse_as(
        &p,
        "X = \"a b\"  # c\nexport Y=1\nV=$(echo \"\n)\")\ngreet() echo \"hi $1\"\nshow() echo\n"
        "greet(World)\nshow(bare, \"quo,ted\", '$x', ${y}, $z)\ncat <<EOF\n}\nEOF\n",
        true);
    assert_int_equal(p.err.len, 0);
    assert_int_equal(p.rf->nstmts, 6);
    assert_int_equal(p.rf->nprelude, 4);
    assert_int_equal(p.rf->stmts[0].kind, RUNFILE_ASSIGN);
    assert_string_equal(p.rf->stmts[0].text, "X=\"a b\"  # c");
    assert_int_equal(p.rf->stmts[1].kind, RUNFILE_COMMAND);
    assert_string_equal(p.rf->stmts[2].text, "V=$(echo \"\n)\")");
    assert_int_equal(p.rf->stmts[3].kind, RUNFILE_CALL);
    assert_string_equal(p.rf->stmts[3].text, "greet");
    assert_int_equal(p.rf->stmts[4].nargs, 5);
    assert_string_equal(p.rf->stmts[4].args[1], "\"quo,ted\"");
    assert_string_equal(p.rf->stmts[4].args[3], "${y}");
    assert_string_equal(p.rf->stmts[5].text, "cat <<EOF\n}\nEOF");
    done(&p);
    /* file mode: calls must name a function */
    parse_as(&p, "nope(1)\n", true);
    assert_string_equal(p.err.buf, "Runfile:1:1: error: call to unknown function 'nope'\n"
                                   "    1 | nope(1)\n"
                                   "      | ^~~~\n"
                                   "      = hint: define it before running the script, or check "
                                   "the spelling\n");
    done(&p);
    parse_as(&p, "nope(1)\n", false);
    assert_int_equal(p.err.len, 0);
    done(&p);
}

static void crlf_and_bom(void **state)
{
    struct parsed p;
    const struct runfile_fn *fn;

    (void)state;
    parse(&p,
          "\xef\xbb\xbf# @desc d\r\nf() {\r\n    cat <<EOF\r\nx\r\nEOF\r\n}\r\ng() echo a\rb\r");
    fn = fn_of(&p, "f");
    assert_string_equal(fn->body, "cat <<EOF\nx\nEOF");
    assert_string_equal(fn->desc, "d");
    assert_string_equal(fn_of(&p, "g")->body, "echo a\rb");
    done(&p);
}

/* ---- values ---- */

static void values(void **state)
{
    char *n = NULL;

    (void)state;
    assert_true(runfile_value_check(RUNFILE_INTEGER, "+12", &n));
    assert_string_equal(n, "+12");
    free(n);
    assert_false(runfile_value_check(RUNFILE_INTEGER, "9223372036854775808", NULL));
    assert_true(runfile_value_check(RUNFILE_INTEGER, "-9223372036854775808", NULL));
    assert_false(runfile_value_check(RUNFILE_INTEGER, "", NULL));
    assert_true(runfile_value_check(RUNFILE_STRING, "", NULL));
    assert_true(runfile_value_check(RUNFILE_NUMBER, "-.5e-3", NULL));
    assert_false(runfile_value_check(RUNFILE_NUMBER, "1e", NULL));
    assert_false(runfile_value_check(RUNFILE_NUMBER, "inf", NULL));
    assert_true(runfile_value_check(RUNFILE_BOOLEAN, "Off", &n));
    assert_string_equal(n, "false");
    free(n);
    assert_false(runfile_value_check(RUNFILE_BOOLEAN, "2", NULL));
    assert_true(runfile_value_check(RUNFILE_OBJECT, "{\"a\": [1]}", NULL));
    assert_false(runfile_value_check(RUNFILE_OBJECT, "[1]", NULL));
    assert_string_equal(runfile_type_name(RUNFILE_NUMBER), "number");
    assert_string_equal(runfile_interp_name(RUNFILE_INTERP_PYTHON3), "python3");
    assert_null(runfile_interp_name(RUNFILE_INTERP_DEFAULT));
}

/*
 * Number defaults take a shortcut when they are already in normal form. The shortcut must
 * agree with the full search: "D.DD" (shortcut) and "D.DD0" (full search, the trailing zero
 * disqualifies it) name the same double, so their normal forms must be equal, and a text
 * the shortcut takes must come back unchanged. Random decimals cover both sides of the
 * 15-digit and 1e-5 limits.
 */
static void number_defaults_shortcut_agrees(void **state)
{
    struct buf src = BUF_INIT;
    struct parsed p;
    uint64_t x = 0x9e3779b97f4a7c15u;
    enum {
        N = 3000
    };
    char(*texts)[48] = calloc(N, sizeof(*texts));

    (void)state;
    assert_non_null(texts);
    for (int i = 0; i < N; i++) {
        char *t = texts[i];
        size_t n = 0, zeros, nfrac;

        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        if (x & 1)
            t[n++] = '-';
        if ((x >> 1) & 1) {
            n += (size_t)snprintf(t + n, 24, "%llu",
                                  (unsigned long long)((x >> 8) % 100000000000ull));
            zeros = 0;
        } else {
            t[n++] = '0';
            zeros = (x >> 2) % 7; /* 0..6 zeros after the point: the limit is 4 */
        }
        t[n++] = '.';
        for (size_t z = 0; z < zeros; z++)
            t[n++] = '0';
        nfrac = 1 + (x >> 40) % 9;
        for (size_t d = 0; d < nfrac; d++)
            t[n++] = (char)('0' + (x >> (d * 3 + 5)) % 10);
        if (t[n - 1] == '0')
            t[n - 1] = '7';
        t[n] = '\0';
        buf_addf(&src, "f%d(a: float = %s, b: float = %s0) echo\n", i, t, t);
    }
    /* Known answers on both sides of the limits. */
    buf_addstr(&src, "k(a: float = 0.00001, b: float = 0.000001, c: float = 2, d: float = 1.50, "
                     "e: float = 123456789012345.6, f: float = 0.1234567890123456, "
                     "g: float = 12345678901234.5) echo\n");
    parse(&p, src.buf);
    for (int i = 0; i < N; i++) {
        char name[16];
        const struct runfile_fn *fn;
        const char *t = texts[i], *digits = t + (*t == '-');
        size_t sig = 0, lead = 0;
        bool short_form;

        snprintf(name, sizeof(name), "f%d", i);
        fn = fn_of(&p, name);
        assert_int_equal(fn->nparams, 2);
        assert_string_equal(fn->params[0].default_value, fn->params[1].default_value);
        /* The shortcut's promise, counted independently. */
        for (const char *c = digits; *c; c++)
            if (*c >= '0' && *c <= '9')
                sig++;
        if (digits[0] == '0') {
            sig--; /* the integer part "0" */
            for (const char *c = digits + 2; *c == '0'; c++)
                lead++;
            sig -= lead;
        }
        short_form = sig <= 15 && lead <= 4;
        if (short_form)
            assert_string_equal(fn->params[0].default_value, t);
    }
    {
        const struct runfile_fn *k = fn_of(&p, "k");
        assert_string_equal(k->params[0].default_value, "0.00001");
        assert_string_equal(k->params[1].default_value, "1e-06");
        assert_string_equal(k->params[2].default_value, "2.0");
        assert_string_equal(k->params[3].default_value, "1.5");
        assert_string_equal(k->params[4].default_value, "123456789012346.0"); /* 16 digits */
        assert_string_equal(k->params[5].default_value, "0.123456789012346");
        assert_string_equal(k->params[6].default_value, "12345678901234.5"); /* 15 */
    }
    done(&p);
    buf_release(&src);
    free(texts);
}

/* Bodies longer than dedent's stack array of lines, with and without heredocs. */
static void long_bodies_dedent(void **state)
{
    struct buf src = BUF_INIT, want = BUF_INIT;

    (void)state;
    for (int heredoc = 0; heredoc < 2; heredoc++) {
        buf_reset(&src);
        buf_reset(&want);
        buf_addstr(&src, "long() {\n");
        for (int i = 0; i < 100; i++) {
            buf_addf(&src, "    echo %d\n", i);
            buf_addf(&want, "%secho %d", i ? "\n" : "", i);
            if (heredoc && i == 70) {
                buf_addstr(&src, "    cat <<EOF\n    in heredoc\n    EOF\n");
                buf_addstr(&want, "\ncat <<EOF\nin heredoc\nEOF");
            }
        }
        buf_addstr(&src, "}\n");
        expect_body(src.buf, "long", want.buf);
    }
    buf_release(&src);
    buf_release(&want);
}

/* Origins far above the point the reader has reached (an @arg line 100 KB above its
 * definition) get their real line and column. */
static void origins_far_back(void **state)
{
    struct buf src = BUF_INIT;
    struct parsed p;
    const struct runfile_fn *fn;

    (void)state;
    buf_addstr(&src, "# @arg 1:first Far above\n");
    for (int i = 0; i < 3000; i++)
        buf_addstr(&src, "# padding padding padding pad\n");
    buf_addstr(&src, "#   @arg 2:second Near\n"
                     "far() echo \"$1\" \"$2\"\n");
    parse(&p, src.buf);
    fn = fn_of(&p, "far");
    assert_int_equal(fn->nparams, 2);
    assert_string_equal(fn->params[0].name, "first");
    assert_int_equal(fn->params[0].origin.line, 1);
    assert_int_equal(fn->params[0].origin.col, 10);
    assert_string_equal(fn->params[1].name, "second");
    assert_int_equal(fn->params[1].origin.line, 3002);
    assert_int_equal(fn->params[1].origin.col, 12);
    assert_int_equal(fn->origin.line, 3003);
    done(&p);
    buf_release(&src);
}

static void names(void **state)
{
    (void)state;
    assert_true(runfile_is_fn_name("db:migrate:up"));
    assert_true(runfile_is_fn_name("k8s:v2"));
    assert_true(runfile_is_fn_name("_x-y"));
    assert_false(runfile_is_fn_name("a::b"));
    assert_false(runfile_is_fn_name("a:"));
    assert_false(runfile_is_fn_name("-a"));
    assert_false(runfile_is_fn_name(":a"));
    assert_false(runfile_is_fn_name("2a"));
    assert_true(runfile_is_name_segment("2a", false));
    assert_false(runfile_is_name_segment("2a", true));
}

/* ---- files: source, discovery, merging ---- */

static char tmpdir[PATH_MAX];

static void write_file(const char *rel, const char *text)
{
    char path[PATH_MAX * 2];
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", tmpdir, rel);
    f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void mkdirs(const char *rel)
{
    char path[PATH_MAX * 2];

    snprintf(path, sizeof(path), "%s/%s", tmpdir, rel);
    assert_int_equal(mkdir(path, 0755), 0);
}

static int setup_tmp(void **state)
{
    char *canon;

    (void)state;
    snprintf(tmpdir, sizeof(tmpdir), "%s/run-unit-XXXXXX",
             getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (!mkdtemp(tmpdir))
        return -1;
    canon = realpath(tmpdir, NULL);
    snprintf(tmpdir, sizeof(tmpdir), "%s", canon);
    free(canon);
    return 0;
}

static int teardown_tmp(void **state)
{
    char cmd[PATH_MAX + 16];

    (void)state;
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
    return system(cmd);
}

static void load_discovery_and_merge(void **state)
{
    struct diag_list diags = DIAG_LIST_INIT;
    struct runfile_load_opts o = { 0 };
    char home[PATH_MAX + 32], cwd[PATH_MAX + 32], proj[PATH_MAX + 32];
    struct runfile *rf;
    int err;

    (void)state;
    mkdirs("home");
    mkdirs("home/shop");
    mkdirs("home/shop/src");
    snprintf(home, sizeof(home), "%s/home", tmpdir);
    snprintf(proj, sizeof(proj), "%s/home/shop", tmpdir);
    snprintf(cwd, sizeof(cwd), "%s/home/shop/src", tmpdir);
    o.cwd = cwd;
    o.home = home;

    /* nothing at all */
    rf = runfile_load(&o, &diags, &err);
    assert_null(rf);
    assert_int_equal(err, 0);

    write_file("home/.runfile", "disk() df -h\nshared() echo global\n");
    rf = runfile_load(&o, &diags, &err);
    assert_non_null(rf);
    assert_int_equal(rf->source, RUNFILE_FROM_GLOBAL);
    assert_string_equal(rf->list_label, "~/.runfile");
    assert_string_equal(rf->dir, home);
    assert_true(runfile_find(rf, "disk")->in_global_tree);
    runfile_free(rf);

    write_file("home/shop/Runfile", "test() ./t.sh\nshared() echo project\n");
    rf = runfile_load(&o, &diags, &err);
    assert_non_null(rf);
    assert_int_equal(rf->source, RUNFILE_FROM_PROJECT);
    assert_true(rf->merged);
    assert_string_equal(rf->list_label, "../Runfile");
    assert_string_equal(rf->dir, proj);
    assert_string_equal(runfile_find(rf, "shared")->body, "echo project");
    assert_true(runfile_find(rf, "shared")->in_global_tree);
    assert_true(runfile_find(rf, "shared")->in_project_tree);
    assert_false(runfile_find(rf, "disk")->in_project_tree);
    assert_string_equal(rf->files[0]->label, "~/.runfile");
    assert_string_equal(rf->files[1]->label, "~/shop/Runfile");
    assert_true(rf->files[1]->exists);
    assert_int_equal(rf->files[1]->size, strlen("test() ./t.sh\nshared() echo project\n"));
    assert_true(rf->files[1]->ino != 0);
    assert_true(rf->files[1]->mtime_ns > 0);
    runfile_free(rf);

    o.no_global_merge = true;
    o.runfile_dir = home;
    rf = runfile_load(&o, &diags, &err);
    assert_false(rf->merged);
    assert_null(runfile_find(rf, "disk"));
    assert_string_equal(rf->dir, home);
    runfile_free(rf);

    /* --runfile: a directory means its Runfile; no global file */
    o.no_global_merge = false;
    o.runfile_dir = NULL;
    o.runfile = "..";
    rf = runfile_load(&o, &diags, &err);
    assert_int_equal(rf->source, RUNFILE_FROM_OPTION);
    assert_string_equal(rf->list_label, "..");
    assert_null(runfile_find(rf, "disk"));
    runfile_free(rf);
    o.runfile = "missing";
    assert_null(runfile_load(&o, &diags, &err));
    assert_int_equal(err, ENOENT);
    assert_int_equal(diags.n, 0);
    diag_list_release(&diags);
}

static void load_sources(void **state)
{
    struct diag_list diags = DIAG_LIST_INIT;
    struct runfile_load_opts o = { 0 };
    struct buf out = BUF_INIT;
    struct runfile *rf;
    int err;

    (void)state;
    mkdirs("p");
    mkdirs("p/lib");
    mkdirs("p/lib/sub");
    write_file("p/Runfile", "source lib/a.run\nsource \"lib/missing.run\" # gone\nsource Runfile\n"
                            "root() echo root\n");
    write_file("p/lib/a.run", "a() echo a\nsource sub/b.run\n");
    write_file("p/lib/sub/b.run", "source ../a.run\nsource ../../Runfile\n\nb(n: int = x) echo\n");
    o.cwd = tmpdir;
    o.runfile = "p/Runfile";
    rf = runfile_load(&o, &diags, &err);
    assert_non_null(rf);
    diag_list_render(&out, &diags, false);
    assert_string_equal(out.buf,
                        "p/lib/sub/b.run:4:12: error: default value 'x' is not a valid integer\n"
                        "    4 | b(n: int = x) echo\n"
                        "      |            ^\n"
                        "      = hint: give a default that matches the type, or remove the type\n"
                        "p/lib/a.run:2:8: note: 'p/lib/sub/b.run' is sourced here\n"
                        "p/Runfile:1:8: note: 'p/lib/a.run' is sourced here\n"
                        "p/Runfile:2:8: warning: cannot source 'lib/missing.run': No such file or "
                        "directory\n"
                        "    2 | source \"lib/missing.run\" # gone\n"
                        "      |        ^~~~~~~~~~~~~~~~~\n");
    assert_non_null(runfile_find(rf, "a"));
    assert_non_null(runfile_find(rf, "root"));
    /* root, a.run, b.run, the missing file */
    assert_int_equal(rf->nfiles, 4);
    runfile_free(rf);
    buf_release(&out);
    diag_list_release(&diags);
}

/* no_bodies (--list, --inspect) changes nothing but the bodies: same functions, same
 * parameters, same diagnostics, also for errors found while scanning a body. */
static void load_without_bodies(void **state)
{
    static const char text[] = "# @desc Build\n"
                               "build(target = \"all\", jobs: int = 2) {\n"
                               "    cat <<EOF\n"
                               "    }\n"
                               "    EOF\n"
                               "    make \"$target\" -j\"$jobs\"\n"
                               "}\n"
                               "hi() echo hi\n"
                               "# @arg 1:name Who\n"
                               "greet() echo \"$1\"\n"
                               "bad() echo 'open\n"
                               "py() {\n"
                               "    #!/usr/bin/env python3\n"
                               "    print(1)\n"
                               "}\n"
                               "broken() {\n"
                               "    echo \"unterminated\n"
                               "}\n";
    struct runfile *rf[2];
    struct buf out[2] = { BUF_INIT, BUF_INIT };

    (void)state;
    mkdirs("nb");
    write_file("nb/Runfile", text);
    for (int k = 0; k < 2; k++) {
        struct diag_list diags = DIAG_LIST_INIT;
        struct runfile_load_opts o = { .cwd = tmpdir, .runfile = "nb/Runfile", .no_bodies = k };
        int err;

        rf[k] = runfile_load(&o, &diags, &err);
        assert_non_null(rf[k]);
        diag_list_render(&out[k], &diags, false);
        diag_list_release(&diags);
    }
    assert_true(strstr(out[0].buf, "unterminated") != NULL);
    assert_string_equal(out[0].buf, out[1].buf);
    assert_int_equal(rf[0]->nfns, rf[1]->nfns);
    assert_int_equal(rf[0]->nfns, 4);
    for (size_t i = 0; i < rf[0]->nfns; i++) {
        const struct runfile_fn *a = &rf[0]->fns[i], *b = &rf[1]->fns[i];

        assert_string_equal(a->name, b->name);
        assert_int_equal(a->kind, b->kind);
        assert_int_equal(a->interp, b->interp);
        assert_int_equal(a->nparams, b->nparams);
        for (size_t j = 0; j < a->nparams; j++) {
            assert_string_equal(a->params[j].name, b->params[j].name);
            assert_int_equal(a->params[j].origin.col, b->params[j].origin.col);
        }
        assert_non_null(a->body);
        assert_null(b->body);
        assert_null(b->code);
        assert_int_equal(b->nlines, 0);
    }
    assert_int_equal(runfile_find(rf[1], "py")->interp, RUNFILE_INTERP_PYTHON3);
    for (int k = 0; k < 2; k++) {
        runfile_free(rf[k]);
        buf_release(&out[k]);
    }
}

static void source_depth_limit(void **state)
{
    struct diag_list diags = DIAG_LIST_INIT;
    struct runfile_load_opts o = { 0 };
    struct runfile *rf;
    char name[64], text[128];
    int err;

    (void)state;
    mkdirs("deep");
    for (int i = 1; i <= 300; i++) {
        snprintf(name, sizeof(name), "deep/f%d.run", i);
        snprintf(text, sizeof(text), "fn%d() echo\nsource f%d.run\n", i, i + 1);
        write_file(name, text);
    }
    o.cwd = tmpdir;
    o.runfile = "deep/f1.run";
    rf = runfile_load(&o, &diags, &err);
    assert_non_null(rf);
    assert_int_equal(diags.nerrors, 1);
    assert_string_equal(diags.items[0].msg, "source nesting deeper than 256 files");
    assert_string_equal(diags.items[0].file, "deep/f256.run");
    assert_non_null(runfile_find(rf, "fn256"));
    assert_null(runfile_find(rf, "fn257"));
    runfile_free(rf);
    diag_list_release(&diags);
}

static void large_runfile_loads_whole(void **state)
{
    struct buf src = BUF_INIT;
    struct parsed p;

    (void)state;
    for (int i = 0; i < 100000; i++) {
        if (i % 2)
            buf_addf(&src, "# @desc fn %d\n# @arg a first\nf%d(a, b: int = 3) echo \"$a\" %d\n", i,
                     i, i);
        else
            buf_addf(&src, "g%d() {\n    echo ${#x} %d\n    cat <<EOF\n  hi\nEOF\n}\n", i, i);
    }
    buf_addstr(&src, "g0() echo last\n");
    parse(&p, src.buf);
    assert_int_equal(p.rf->nfns, 100000);
    assert_int_equal(p.diags.n, 0);
    assert_string_equal(runfile_find(p.rf, "g0")->body, "echo last");
    assert_string_equal(p.rf->fns[99999].name, "g0");
    done(&p);
    buf_release(&src);
}

/* One definition with very many parameters or @arg lines loads whole. Speed is measured by
 * make bench (never by timed assertions); a quadratic regression would also hit the timeout
 * that test/check.sh puts on each test binary. */
static void wide_definitions_load_whole(void **state)
{
    struct buf src = BUF_INIT;
    struct parsed p;
    const int n = 50000;

    (void)state;
    buf_addstr(&src, "wide(");
    for (int i = 0; i < n; i++)
        buf_addf(&src, "%sp%d", i ? ", " : "", i);
    buf_addstr(&src, ") echo\n");
    for (int i = 0; i < n; i++)
        buf_addf(&src, "# @arg %d:a%d int\n", n - i, i);
    buf_addstr(&src, "legacy() echo\n");
    parse(&p, src.buf);
    assert_int_equal(p.diags.n, 0);
    assert_int_equal(runfile_find(p.rf, "wide")->nparams, (size_t)n);
    assert_int_equal(runfile_find(p.rf, "legacy")->nparams, (size_t)n);
    /* sorted by position: the last line holds position 1 */
    assert_string_equal(runfile_find(p.rf, "legacy")->params[0].name, "a49999");
    done(&p);
    buf_release(&src);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(scanner_dollar_hash_and_escapes),
        cmocka_unit_test(scanner_substitutions),
        cmocka_unit_test(scanner_comments),
        cmocka_unit_test(scanner_case),
        cmocka_unit_test(scanner_heredocs),
        cmocka_unit_test(dedent_spec_example),
        cmocka_unit_test(blocks_single_line_and_allman),
        cmocka_unit_test(inline_verbatim_and_continuation),
        cmocka_unit_test(inline_unterminated),
        cmocka_unit_test(multi_line_signature_and_defaults),
        cmocka_unit_test(worked_examples),
        cmocka_unit_test(one_error_per_definition),
        cmocka_unit_test(too_many_errors),
        cmocka_unit_test(reserved_words),
        cmocka_unit_test(attributes_attach),
        cmocka_unit_test(legacy_args),
        cmocka_unit_test(shell_and_shebang),
        cmocka_unit_test(os_filter_and_overrides),
        cmocka_unit_test(statements_and_calls),
        cmocka_unit_test(crlf_and_bom),
        cmocka_unit_test(values),
        cmocka_unit_test(origins_far_back),
        cmocka_unit_test(long_bodies_dedent),
        cmocka_unit_test(number_defaults_shortcut_agrees),
        cmocka_unit_test(names),
        cmocka_unit_test(load_discovery_and_merge),
        cmocka_unit_test(load_sources),
        cmocka_unit_test(load_without_bodies),
        cmocka_unit_test(source_depth_limit),
        cmocka_unit_test(large_runfile_loads_whole),
        cmocka_unit_test(wide_definitions_load_whole),
    };

    return cmocka_run_group_tests(tests, setup_tmp, teardown_tmp);
}
