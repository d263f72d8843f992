/*
 * cli: option parsing by hand (getopt would permute words and would read options after the
 * function name, which must reach the function untouched).
 */
#include "cli.h"

#include "base.h"
#include "buf.h"

#include <stdarg.h>
#include <string.h>

static const char try_line[] = "Try 'run --help' for more information.\n";

static const char *const formats[] = { "stream", "json", "markdown" };
static const char *const gen_shells[] = { "bash", "zsh", "fish", "powershell", "pwsh" };
static const char *const inst_shells[] = { "auto", "bash", "zsh", "fish", "powershell", "pwsh" };

static bool in_list(const char *v, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (streq(v, list[i]))
            return true;
    return false;
}

bool cli_is_file_word(const char *word)
{
    size_t n = strlen(word);

    return strchr(word, '/') || (n >= 4 && streq(word + n - 4, ".run"));
}

static int usage(struct buf *err, const char *fmt, ...) PRINTF_LIKE(2, 3);
static int usage(struct buf *err, const char *fmt, ...)
{
    va_list ap;

    buf_addstr(err, "error: ");
    va_start(ap, fmt);
    buf_vaddf(err, fmt, ap);
    va_end(ap);
    buf_addch(err, '\n');
    buf_addstr(err, try_line);
    return 2;
}

/* Split "--opt=value" into name and value; returns the value or NULL. */
static const char *split_eq(const char *word, char *name, size_t cap)
{
    const char *eq = strchr(word, '=');
    size_t n = eq ? (size_t)(eq - word) : strlen(word);

    if (n >= cap)
        n = cap - 1;
    memcpy(name, word, n);
    name[n] = '\0';
    return eq ? eq + 1 : NULL;
}

int cli_parse(int argc, char **argv, struct cli_opts *o, struct buf *err)
{
    bool help = false, version = false, list = false, inspect = false, serve = false;
    bool gen = false, inst = false;
    int i = 1;

    memset(o, 0, sizeof(*o));
    o->format = CLI_FORMAT_STREAM;
    for (; i < argc; i++) {
        const char *w = argv[i];
        char name[64];
        const char *val;

        if (streq(w, "--")) {
            i++;
            break;
        }
        if (w[0] != '-' || streq(w, "-"))
            break;
        val = split_eq(w, name, sizeof(name));
        /* Only the options of §2 that take a value accept "=value". */
        if (val && (streq(name, "-l") || streq(name, "--list") || streq(name, "-h") ||
                    streq(name, "--help") || streq(name, "-V") || streq(name, "--version") ||
                    streq(name, "--inspect") || streq(name, "--serve-mcp") ||
                    streq(name, "--show-script") || streq(name, "--no-prelude")))
            return usage(err, "option '%s' does not take a value", name);
        if (streq(name, "-l") || streq(name, "--list"))
            list = true;
        else if (streq(name, "-h") || streq(name, "--help"))
            help = true;
        else if (streq(name, "-V") || streq(name, "--version"))
            version = true;
        else if (streq(name, "--inspect"))
            inspect = true;
        else if (streq(name, "--serve-mcp"))
            serve = true;
        else if (streq(name, "--show-script"))
            o->show_script = true;
        else if (streq(name, "--no-prelude"))
            o->no_prelude = true;
        else if (streq(name, "--output-format") || streq(name, "--runfile") ||
                 streq(name, "--working-dir") || streq(name, "--generate-completion")) {
            if (!val) {
                if (i + 1 >= argc)
                    return usage(err, "option '%s' needs a value", name);
                val = argv[++i];
            }
            if (streq(name, "--output-format")) {
                if (!in_list(val, formats, ARRAY_SIZE(formats)))
                    return usage(err,
                                 "invalid value '%s' for '%s' (expected stream, json, markdown)",
                                 val, name);
                o->format = streq(val, "json")       ? CLI_FORMAT_JSON
                            : streq(val, "markdown") ? CLI_FORMAT_MARKDOWN
                                                     : CLI_FORMAT_STREAM;
            } else if (streq(name, "--generate-completion")) {
                if (!in_list(val, gen_shells, ARRAY_SIZE(gen_shells)))
                    return usage(
                        err, "invalid value '%s' for '%s' (expected bash, zsh, fish, powershell)",
                        val, name);
                gen = true;
                o->completion_shell = val;
            } else {
                o->runfile = val;
            }
        } else if (streq(name, "--install-completion")) {
            inst = true;
            if (val) {
                if (!in_list(val, inst_shells, ARRAY_SIZE(inst_shells)))
                    return usage(
                        err,
                        "invalid value '%s' for '%s' (expected auto, bash, zsh, fish, powershell)",
                        val, name);
                o->completion_shell = val;
            } else if (i + 1 < argc && in_list(argv[i + 1], inst_shells, ARRAY_SIZE(inst_shells))) {
                o->completion_shell = argv[++i];
            } else {
                o->completion_shell = "auto";
            }
        } else {
            return usage(err, "unknown option '%s'", w);
        }
    }
    if (i < argc) {
        o->target = argv[i];
        o->args = argv + i + 1;
        o->nargs = (size_t)(argc - i - 1);
    }

    if (help)
        o->mode = CLI_HELP;
    else if (version)
        o->mode = CLI_VERSION;
    else if (inst)
        o->mode = CLI_INSTALL_COMPLETION;
    else if (gen)
        o->mode = CLI_GENERATE_COMPLETION;
    else if (list)
        o->mode = CLI_LIST;
    else if (inspect)
        o->mode = CLI_INSPECT;
    else if (serve)
        o->mode = CLI_SERVE;
    else if (o->target)
        o->mode = cli_is_file_word(o->target) ? CLI_FILE : CLI_RUN;
    else if (o->show_script)
        return usage(err, "--show-script needs a function name");
    else
        o->mode = CLI_REPL;
    return 0;
}

void cli_help(struct buf *out)
{
    buf_addstr(
        out,
        "run " RUN_VERSION " - run the functions of a Runfile, from the shell or as MCP tools\n"
        "\n"
        "Usage:\n"
        "  run [OPTIONS] [--] FUNCTION [ARGS...]   run a function of the Runfile\n"
        "  run [OPTIONS] [--] FILE [ARGS...]       run a script file (FILE has a '/' or ends in .run)\n"
        "  run [OPTIONS]                           start the REPL\n"
        "  run -l | --list                         list the functions\n"
        "  run --inspect                           print the MCP tool definitions as JSON\n"
        "  run --serve-mcp                         serve the functions as MCP tools on stdio\n"
        "  run --show-script FUNCTION              print the program instead of running it\n"
        "\n"
        "Options (only before FUNCTION or FILE; later words go to the function):\n"
        "  -l, --list                   list the callable functions\n"
        "      --inspect                print the MCP tool list of described functions as JSON\n"
        "      --serve-mcp              run the MCP server on stdin/stdout\n"
        "      --show-script            print the program of FUNCTION or FILE and exit\n"
        "      --output-format FORMAT   stream (default), json or markdown\n"
        "      --runfile PATH           use this Runfile (a file, or a directory holding one);\n"
        "      --working-dir PATH       no discovery, no ~/.runfile merge, no chdir\n"
        "      --no-prelude             do not run the Runfile's top-level statements first\n"
        "      --generate-completion SHELL   print the completion script (bash, zsh, fish, powershell)\n"
        "      --install-completion [SHELL]  install it (default: detect from $SHELL)\n"
        "  -h, --help                   show this help\n"
        "  -V, --version                print the version\n"
        "\n"
        "Environment:\n"
        "  RUN_SHELL                default shell for functions (default: bash, else sh)\n"
        "  RUN_NO_GLOBAL_MERGE      do not merge ~/.runfile into a project Runfile\n"
        "  RUN_MCP_OUTPUT_DIR       where the MCP server saves long outputs\n"
        "  RUN_MCP_MAX_CONCURRENCY  MCP calls running at once (default 16)\n"
        "  RUN_MCP_MAX_FRAME        largest MCP request line in bytes (default 16777216)\n"
        "  RUN_RUNFILE_DIR          overrides __RUNFILE_DIR__\n"
        "  HOME, PATH, SHELL, XDG_DATA_HOME, XDG_CONFIG_HOME, ZDOTDIR, NO_COLOR\n"
        "\n"
        "Exit status:\n"
        "  0 success; 1-125 the function's own status; 128+N killed by signal N;\n"
        "  1 no Runfile or a Runfile error; 2 usage error or bad argument;\n"
        "  126 interpreter cannot start; 127 function or interpreter not found\n"
        "\n"
        "See man run and man runfile.\n");
}
