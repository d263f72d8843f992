/*
 * script: the deterministic program for one function call (spec/execution.md).
 *
 * Argument values never become program text: a script depends only on the Runfile, the
 * interpreter choice, the executable path and the Runfile location, and values travel as
 * argv words appended by script_argv(). This is what makes `--show-script` trustworthy and
 * injection impossible by construction.
 *
 * Calling sequence:
 *   struct script_env env = { .exe = "/usr/local/bin/run", .shell = getenv("RUN_SHELL") };
 *   struct script s;
 *   int rc = script_build(rf, fn, &env, &s, &diags);   // 0, or an exit status + one diag
 *   char **argv = script_argv(&s, args, nargs);         // NULL-terminated, strings borrowed
 *   ... spawn argv[0] with argv ...
 *   free(argv);
 *   script_release(&s);
 */
#ifndef RUN_SCRIPT_H
#define RUN_SCRIPT_H

#include <stdbool.h>
#include <stddef.h>

#include "runfile.h"

struct buf;

struct script_env {
    const char *exe;   /* absolute path of the running `run` (for cross-language wrappers) */
    const char *shell; /* $RUN_SHELL; NULL or "" = bash if in PATH, else sh */
    const char *path;  /* $PATH for interpreter lookup; NULL = getenv("PATH") */
    bool no_prelude;   /* --no-prelude */
};

enum script_family {
    SCRIPT_BASH,
    SCRIPT_SH,
    SCRIPT_PYTHON,
    SCRIPT_NODE,
    SCRIPT_RUBY,
};

struct script {
    enum script_family family; /* of the entry function's interpreter */
    char *label;               /* "bash", "dash", "python3", "node" (JSON `interpreter`) */
    char *interp;              /* absolute path of the program to exec */
    char *text;                /* exactly what --show-script prints */
    char **argv;               /* the argv before the argument values, NULL-terminated */
    size_t argc;
};

/*
 * Build the program of 'fn' (execution.md §2, §5–§10). Returns 0 on success. On failure
 * returns the exit status the CLI uses and appends one error diag without position whose
 * message is the text after "error: ":
 *   127  interpreter '<name>' not found in PATH (needed by '<fn>')
 *   126  the pwsh interpreter is not supported yet (needed by '<fn>')
 *   1    functions 'a-b' and 'a_b' have the same name in sh; rename one or use bash
 * 'out' is only set up on success; release it with script_release().
 */
int script_build(const struct runfile *rf, const struct runfile_fn *fn,
                 const struct script_env *env, struct script *out, struct diag_list *diags);

/*
 * Build the file-mode script of 'rf' (execution.md §13): 'path' is the script as typed
 * (it becomes $0). Same return convention as script_build().
 */
int script_build_file(const struct runfile *rf, const char *path, const struct script_env *env,
                      struct script *out, struct diag_list *diags);

/*
 * A new NULL-terminated argv: s->argv followed by the values. The strings are borrowed (valid
 * while 's' and 'values' are); the caller frees only the array, with free().
 */
char **script_argv(const struct script *s, char *const *values, size_t nvalues);

void script_release(struct script *s);

/*
 * Check command-line argument values against fn's signature (execution.md §3.2, cli.md §12).
 * Returns 0 and sets *norm to a new array of new strings (nvalues of them, normalised; free
 * with script_free_values) or returns 2 and appends the two-line message to 'err':
 *   error: missing required argument 'env' for 'deploy'
 *   usage: run deploy <env> [version] [dry_run]
 * Legacy functions (no signature) are never checked.
 */
int script_check_args(const struct runfile_fn *fn, char *const *values, size_t nvalues,
                      char ***norm, struct buf *err);
void script_free_values(char **values, size_t n);

/* The full path of 'name' found in 'path' (NULL = $PATH), or NULL. 'name' with '/' is
 * returned as is when it exists and is not a directory (executable or not: a file that
 * cannot be started is reported by the spawn, exit 126). The caller frees. */
char *script_which(const char *name, const char *path);

/* Quote 'text' as a shell single-quoted literal onto 'out' (execution.md §4). */
void script_quote_sh(struct buf *out, const char *text);

#endif
