/*
 * runfile_int: what the files of the runfile module share (private; only src/runfile*.c
 * include it). runfile_scan.c holds the body scanners and dedent, runfile_parse.c the
 * statement reader, runfile.c loading, discovery, overrides and the public helpers.
 */
#ifndef RUN_RUNFILE_INT_H
#define RUN_RUNFILE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "runfile.h"
#include "strmap.h"

struct buf;

/* The language a body is scanned with (§4.2, §4.3). */
enum scan_lang {
    LANG_SHELL,
    LANG_PYTHON,
    LANG_NODE,
    LANG_RUBY,
};

enum scan_mode {
    SCAN_BLOCK,  /* from after '{' to the matching '}' */
    SCAN_STMT,   /* a top-level statement: to the first newline outside every construct */
    SCAN_INLINE, /* an inline body: like STMT, but a newline inside a construct is an error */
};

enum scan_status {
    SCAN_OK,
    SCAN_EOF,     /* the text ended inside a construct (err_off: where it was opened) */
    SCAN_HEREDOC, /* a heredoc without its terminator line (err_off: the '<<') */
    SCAN_BREAK,   /* SCAN_INLINE: a line break inside a construct (err_off: its opener) */
};

/* What was open when scanning failed, for the message (§10.3). */
enum scan_open {
    OPEN_NONE,
    OPEN_BRACE, /* the block itself */
    OPEN_SQ,
    OPEN_DQ,
    OPEN_CMDSUB, /* $( or $(( or (( */
    OPEN_PARAM,  /* ${ */
    OPEN_BACKTICK,
    OPEN_OTHER, /* a polyglot string or comment */
};

/* One line that starts inside the scanned region, with the scanner state at its start. */
struct scan_line {
    size_t start;
    enum runfile_line_kind kind;
    uint32_t heredoc; /* HEREDOC and TERMINATOR lines: which heredoc (0-based, per scan) */
};

struct scan_heredoc {
    size_t op;   /* offset of the "<<" */
    char *delim; /* quotes removed */
    bool dash;   /* <<- */
};

struct scan {
    const char *text;
    size_t len;
    enum scan_lang lang;
    enum scan_mode mode;
    bool record; /* fill 'lines' */

    /* Results. */
    enum scan_status status;
    size_t end; /* BLOCK: the closing '}'; STMT/INLINE: the ending '\n' (or len) */
    size_t err_off;
    enum scan_open err_open;
    char *err_delim;   /* SCAN_HEREDOC: the delimiter (owned) */
    bool err_dash;     /* SCAN_HEREDOC: the operator was <<- */
    bool had_heredocs; /* some heredoc was read */
    struct scan_line *lines;
    size_t nlines, alines;
    struct scan_heredoc *heredocs; /* every heredoc seen, by id */
    size_t nheredocs, aheredocs;
};

/*
 * Scan text[start..] in 'mode'. Fills s->status, s->end and the error fields; with
 * s->record, s->lines gets one entry per line that starts after 'start'.
 */
void scan_run(struct scan *s, size_t start);
void scan_release(struct scan *s);

/* "double-quoted string", "'$('" ... for the "unterminated ..." messages. */
const char *scan_open_what(enum scan_open open);

/*
 * §4.6: the final body text of the block whose '{' is at 'ob' and '}' at 'cb', from a
 * recorded scan of it. Returns the body and its line kinds (*kinds, one per line of the
 * result; *nlines their count), both in 'arena'. 'scratch' is working space (its content is
 * replaced), reused from one body to the next.
 */
char *dedent_block(const char *text, size_t ob, size_t cb, const struct scan *s,
                   struct buf *scratch, struct arena *arena, enum runfile_line_kind **kinds,
                   size_t *nlines);

/* §1.2 reserved words of the shell, and of the polyglot languages ("Python", ...). */
bool is_shell_reserved(const char *word, size_t len);
const char *polyglot_reserved(enum runfile_interp interp, const char *name);

/* Edit distance, for "did you mean" hints. */
unsigned edit_distance(const char *a, const char *b);

struct runfile_index {
    struct strmap map;
};

/* Normalise a typed default (execution.md §4); NULL when the text is not valid. */
char *runfile_default_normalise(enum runfile_type type, const char *text);

/* The type named 'word' (long or short form, §3.2); false when it is none. */
bool runfile_type_parse(const char *word, size_t len, enum runfile_type *type);

/*
 * The reader of Runfile text (runfile_parse.c). A load creates one 'loader', calls
 * loader_read_root() for each root file in text order, then loader_finish().
 */
struct loader {
    struct runfile *rf;
    struct diag_list *diags;
    const char *cwd;  /* canonical current directory, for labels; NULL: labels are paths */
    const char *home; /* canonical home directory, or NULL */
    const char *os;   /* the running system for @os */
    bool script;      /* file mode: calls must name known functions */
    bool stop;        /* the error limit was reached */

    struct runfile_fn *defs; /* every kept definition, in text order */
    size_t ndefs, adefs;
    size_t afns, astmts, ainstr, afiles;
    struct strmap seen; /* canonical paths read in the current tree */
    bool no_bodies;     /* runfile_load_opts.no_bodies */
};

void loader_init(struct loader *ld, struct runfile *rf, struct diag_list *diags);
/*
 * Read a root file (already in rf->files) and everything it sources. 'f->text' is set.
 */
void loader_read_root(struct loader *ld, struct runfile_file *f);
/* Read text that is not a file on disk ('dir': for relative `source` paths, or NULL). */
void loader_read_text(struct loader *ld, struct runfile_file *f, const char *dir);
/* Apply overrides (§9), build rf->fns and the index, check calls in file mode. */
void loader_finish(struct loader *ld);

/* Add a file record to rf->files (owned by rf). */
struct runfile_file *loader_add_file(struct loader *ld);
/* The §10.1 label of canonical path 'path'. Caller frees. */
char *loader_label(const struct loader *ld, const char *path);
/*
 * Read a file into f (text with BOM and CRs folded, stat identity). Returns 0 or an errno.
 */
int runfile_file_read(struct runfile_file *f, const char *path);
/* Fold CRLF and drop a BOM in place; returns the new length. */
size_t runfile_fold_text(char *text, size_t len);

#endif
