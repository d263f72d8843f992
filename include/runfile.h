/*
 * runfile: discover, load and parse Runfiles into one read-only model.
 *
 * Everything later (the script builder, the schema, --list, the MCP server) reads this model;
 * nothing re-parses text. The module is pure: no libuv, no printing. Problems become diags
 * with the real file:line:col of the text, through `source` and the global merge.
 *
 * Calling sequence:
 *   struct runfile_load_opts o = { .cwd = cwd, .home = home };
 *   struct diag_list diags = DIAG_LIST_INIT;
 *   struct runfile *rf = runfile_load(&o, &diags);   // NULL: no Runfile found
 *   if (rf && !diags.nerrors) {
 *       const struct runfile_fn *fn = runfile_find(rf, "deploy");
 *       ...
 *   }
 *   runfile_free(rf);
 *   diag_list_release(&diags);
 *
 * The language is specified in spec/runfile.md; section numbers below refer to it.
 */
#ifndef RUN_RUNFILE_H
#define RUN_RUNFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "diag.h"

#define RUNFILE_MAX_PARAM_NAME   64
#define RUNFILE_MAX_SOURCE_DEPTH 256

/* Parameter types (§3.2). */
enum runfile_type {
    RUNFILE_STRING,
    RUNFILE_INTEGER,
    RUNFILE_NUMBER,
    RUNFILE_BOOLEAN,
    RUNFILE_OBJECT,
};

/* Interpreters (§6.5, execution.md §2). DEFAULT means "the default shell, chosen at run time". */
enum runfile_interp {
    RUNFILE_INTERP_DEFAULT,
    RUNFILE_INTERP_BASH,
    RUNFILE_INTERP_SH,
    RUNFILE_INTERP_PYTHON,
    RUNFILE_INTERP_PYTHON3,
    RUNFILE_INTERP_NODE,
    RUNFILE_INTERP_RUBY,
    RUNFILE_INTERP_PWSH, /* Later: recognised, refused when called */
};

/* The scanner state at the first character of a body line (§4.6 step 3). */
enum runfile_line_kind {
    RUNFILE_LINE_CODE,
    RUNFILE_LINE_HEREDOC,    /* inside a heredoc body: copied byte for byte */
    RUNFILE_LINE_TERMINATOR, /* the line that ends a heredoc: exactly the delimiter */
    RUNFILE_LINE_STRING,     /* starts inside a multi-line string: copied byte for byte */
};

/* Where something was written. 'file' points into the runfile's file table. */
struct runfile_origin {
    const struct runfile_file *file;
    unsigned line, col; /* 1-based; col in code points */
    size_t offset;      /* byte offset in that file's text */
};

/* One file that took part in a load (a root file, a sourced file, or a missing source). */
struct runfile_file {
    char *path;  /* canonical absolute path (as resolved, when missing) */
    char *label; /* how diagnostics name it (§10.1): "Runfile", "lib/db.run", "~/.runfile" */
    char *text;  /* the bytes read (NULL when missing); \r\n already folded to \n */
    size_t len;
    bool exists;
    bool is_global_tree; /* read as part of ~/.runfile's tree */
    /* Identity when it was read, for change detection (mcp.md §11.1). */
    uint64_t dev, ino, size;
    int64_t mtime_ns;
    /* The directive that sourced it; file NULL for root files. */
    struct runfile_origin sourced_at;
};

struct runfile_param {
    char *name;             /* parameter name, or the @arg name with '?' removed */
    enum runfile_type type; /* RUNFILE_STRING when untyped */
    bool typed;             /* the type was written */
    bool required;
    bool is_rest;        /* ...name */
    char *default_value; /* normalised (execution.md §4), NULL when none */
    char *desc;          /* from @arg, NULL when none */
    unsigned position;   /* 1-based argv position */
    struct runfile_origin origin;
};

enum runfile_fn_kind {
    RUNFILE_INLINE,
    RUNFILE_BLOCK,
};

struct runfile_fn {
    char *name; /* as written: "deploy", "docker:build", "build-image" */
    enum runfile_fn_kind kind;
    /*
     * True when parameters are written between the parentheses. False for the legacy form:
     * no parentheses, or an empty "()" (examples.md §7); params (if any) come from @arg lines.
     */
    bool has_signature;
    struct runfile_param *params;
    size_t nparams;

    /*
     * The body after dedent (§3.4, §4.6), as `--output-format json` shows it. 'code' is the
     * part that becomes program text: the body with a shebang line and the comment lines
     * before it removed (§4.5); it points into 'body'. 'line_kinds' has one entry per line
     * of 'code' (a body with no text has zero lines).
     */
    char *body;
    const char *code;
    enum runfile_line_kind *line_kinds;
    size_t nlines;

    enum runfile_interp interp; /* @shell, else shebang, else DEFAULT */
    char *desc;                 /* @desc text, NULL when absent or empty */
    bool noerrexit;
    struct runfile_origin origin;    /* the first character of the winning definition */
    const struct runfile_file *root; /* the root file whose tree holds the winning definition */
    size_t order;                    /* index in runfile->fns: Runfile order (§9) */
    bool in_project_tree;            /* some definition of this name is in the project tree */
    bool in_global_tree;             /* some definition of this name is in ~/.runfile's tree */
};

enum runfile_stmt_kind {
    RUNFILE_ASSIGN,  /* text = "NAME=VALUE" (§5.1) */
    RUNFILE_COMMAND, /* text = the command verbatim, possibly several lines (§5.2) */
    RUNFILE_CALL,    /* name(args) on its own line (§5.3): text = name, args as written */
};

struct runfile_stmt {
    enum runfile_stmt_kind kind;
    char *text;
    char **args; /* RUNFILE_CALL: each argument word exactly as written ("\"$ENV\"", 2) */
    size_t nargs;
    struct runfile_origin origin;
};

/* How the project was decided (runfile.md §8, cli.md §5.4). */
enum runfile_source {
    RUNFILE_FROM_PROJECT, /* a discovered Runfile (maybe merged with ~/.runfile) */
    RUNFILE_FROM_GLOBAL,  /* only ~/.runfile */
    RUNFILE_FROM_OPTION,  /* --runfile / --working-dir */
    RUNFILE_FROM_SCRIPT,  /* file mode */
    RUNFILE_FROM_TEXT,    /* runfile_parse() */
};

struct runfile {
    enum runfile_source source;
    bool merged; /* both a project Runfile and ~/.runfile were loaded */
    char
        *list_label; /* cli.md §5.4 <LABEL>: "./Runfile", "../Runfile", "~/.runfile", or as typed */
    char *dir;       /* __RUNFILE_DIR__: canonical absolute directory (§8.2) */

    struct runfile_fn *fns; /* the winning definitions, in Runfile order */
    size_t nfns;
    struct runfile_stmt *stmts; /* top-level assignments, commands and calls, in text order */
    size_t nstmts;
    size_t nprelude;     /* how many of stmts are assignments or commands */
    char **instructions; /* @instructions texts, in order */
    size_t ninstructions;

    struct runfile_file **files; /* every file read or tried: roots, sources, missing sources */
    size_t nfiles;

    struct runfile_index *index; /* private: name lookup */
    struct arena arena;          /* private: the strings and arrays of fns, stmts, instructions */
};

struct runfile_load_opts {
    const char *cwd;         /* absolute; where discovery starts and labels are relative to */
    const char *home;        /* the home directory, or NULL (then: no global file, no ~/ labels) */
    const char *runfile;     /* --runfile/--working-dir value as typed, or NULL */
    const char *script;      /* file mode: the script path as typed, or NULL */
    bool no_global_merge;    /* RUN_NO_GLOBAL_MERGE was set */
    const char *runfile_dir; /* RUN_RUNFILE_DIR, or NULL */
    const char *os;          /* "linux", "macos", "windows"; NULL = this system */
    /*
     * Leave every function's body, code and line_kinds empty (NULL, 0 lines): for callers
     * that only need names and signatures (--list, --inspect). The text is still scanned the
     * same way, so the diagnostics are the same; only the dedented copies are not made.
     */
    bool no_bodies;
};

/*
 * Discover and load per §8 (or the --runfile file, or the file-mode script). Returns NULL
 * when there is no file to load (no Runfile found; for --runfile and file mode, also when the
 * file cannot be read: then *err_no holds errno, else 0). 'err_no' may be NULL.
 * Otherwise returns the model; parse problems are appended to 'diags' and the model holds
 * the functions that did parse. Free with runfile_free().
 */
struct runfile *runfile_load(const struct runfile_load_opts *opts, struct diag_list *diags,
                             int *err_no);

/*
 * Parse 'len' bytes of Runfile text; 'label' names it in diagnostics and 'dir' is used for
 * relative `source` paths and as __RUNFILE_DIR__ (NULL: no source resolution, dir "/").
 * Never returns NULL. With 'script' true, calls to unknown functions are errors (file mode).
 * Free with runfile_free().
 */
struct runfile *runfile_parse(const char *label, const char *dir, const char *text, size_t len,
                              bool script, struct diag_list *diags);

void runfile_free(struct runfile *rf);

/* The function named exactly 'name', or NULL. Borrowed: valid until runfile_free(). */
const struct runfile_fn *runfile_find(const struct runfile *rf, const char *name);
/* The same for the 'len' bytes at 'name' (a word inside a body; no NUL needed). A hash
 * lookup for a loaded model; a model built by hand without the loader is searched linearly. */
const struct runfile_fn *runfile_findn(const struct runfile *rf, const char *name, size_t len);

/* True for python, python3, node and ruby. */
bool runfile_fn_is_polyglot(const struct runfile_fn *fn);
/* The first parameter that is a rest parameter, or NULL. Borrowed: points into 'fn'. */
const struct runfile_param *runfile_fn_rest(const struct runfile_fn *fn);

/* "string", "integer", "number", "boolean", "object". */
const char *runfile_type_name(enum runfile_type type);
/* "bash", "sh", "python", "python3", "node", "ruby", "pwsh"; NULL for DEFAULT. */
const char *runfile_interp_name(enum runfile_interp interp);

/*
 * Check an argument value against a type (execution.md §3.2). On success returns true and,
 * when 'norm' is not NULL, sets *norm to a new string holding the normalised value (the
 * caller frees). The empty string is never valid for a typed (non-string) parameter.
 */
bool runfile_value_check(enum runfile_type type, const char *text, char **norm);

/* §1.2: a whole function name ("db:migrate:up"), and one segment of it ("migrate"). */
bool runfile_is_fn_name(const char *name);
bool runfile_is_name_segment(const char *seg, bool first);

/* Fill a diag_loc for 'origin' with the source line and a span of 'span' characters. */
void runfile_origin_loc(const struct runfile_origin *origin, unsigned span, struct diag_loc *loc);

#endif
