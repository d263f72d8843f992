/*
 * cli: argv -> struct cli_opts (spec/cli.md §2, §3). Pure: no I/O, no exit.
 *
 * Options are read only before the first non-option word (or `--`); every word after the
 * FUNCTION or FILE word belongs to it unchanged, so `run greet --list` passes `--list` to greet.
 */
#ifndef RUN_CLI_H
#define RUN_CLI_H

#include <stdbool.h>
#include <stddef.h>

struct buf;

enum cli_mode {
    CLI_HELP,
    CLI_VERSION,
    CLI_INSTALL_COMPLETION,
    CLI_GENERATE_COMPLETION,
    CLI_LIST,
    CLI_INSPECT,
    CLI_SERVE,
    CLI_FILE, /* FILE ARGS... (or its script with --show-script) */
    CLI_RUN,  /* FUNCTION ARGS... (or its program with --show-script) */
    CLI_REPL,
};

enum cli_format {
    CLI_FORMAT_STREAM,
    CLI_FORMAT_JSON,
    CLI_FORMAT_MARKDOWN,
};

struct cli_opts {
    enum cli_mode mode;
    enum cli_format format;
    bool show_script;
    bool no_prelude;
    const char *runfile;          /* --runfile / --working-dir, as typed */
    const char *completion_shell; /* --generate-completion / --install-completion value */
    const char *target;           /* FUNCTION or FILE, NULL when absent */
    char **args;                  /* the words after target (borrowed from argv) */
    size_t nargs;
};

/*
 * Parse argv (argv[0] is skipped). Returns 0, or 2 for a usage error with the message lines
 * appended to 'err' ("error: unknown option '--x'\nTry 'run --help' for more information.\n").
 */
int cli_parse(int argc, char **argv, struct cli_opts *opts, struct buf *err);

/* The --help text. */
void cli_help(struct buf *out);

/* True when 'word' is FILE rather than FUNCTION (cli.md §3 rule 2). */
bool cli_is_file_word(const char *word);

#endif
