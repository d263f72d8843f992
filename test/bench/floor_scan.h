/*
 * floor_scan: the one-pass Runfile reader shared by the floor programs floor_list and
 * floor_inspect (test/bench). It is the physical limit for `--list` and `--inspect`: it maps
 * the whole file, walks it once, and hands every definition to a callback as
 * slices of that buffer, without allocating.
 *
 * It understands exactly what test/bench/genrunfile writes (and ordinary Runfiles of the same
 * shape): comment blocks with @desc/@arg/@shell, one-line signatures, inline bodies, blocks
 * whose `{` is on the header line or the next line, and block ends found by counting braces
 * outside quotes and comments. It does no validation and reports no diagnostics: the floor
 * pays for reading, not for checking. Its results are compared with `run`'s own output by
 * run.sh, so a floor that skipped work would show up as a mismatch.
 */
#ifndef FLOOR_SCAN_H
#define FLOOR_SCAN_H

#include <fcntl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

struct slice {
    const char *p;
    size_t n;
};

#define FS_MAX_ATTRS 32

struct fs_attr {
    struct slice name; /* "desc", "arg", "shell", ... */
    struct slice value;
};

struct fs_def {
    struct slice name;
    bool has_sig;
    struct slice sig; /* between the parentheses */
    struct slice body;
    size_t nattrs;
    struct fs_attr attrs[FS_MAX_ATTRS];
};

typedef void fs_def_fn(const struct fs_def *def, void *arg);

/* Map the whole file (read-only, from the page cache: no copy, no zeroed pages). */
static const char *fs_read_file(const char *path, size_t *len)
{
    struct stat st;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    void *p;

    if (fd < 0 || fstat(fd, &st) != 0) {
        perror(path);
        exit(1);
    }
    *len = (size_t)st.st_size;
    if (*len == 0) {
        close(fd);
        return "";
    }
    p = mmap(NULL, *len, PROT_READ, MAP_PRIVATE, fd, 0);
    if (p == MAP_FAILED) {
        perror(path);
        exit(1);
    }
    close(fd);
    return p;
}

static bool fs_isname(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-' || c == ':';
}

static const char *fs_skip_ws(const char *p, const char *end)
{
    while (p < end && (*p == ' ' || *p == '\t'))
        p++;
    return p;
}

static const char *fs_eol(const char *p, const char *end)
{
    const char *q;

    if (p >= end)
        return end;
    q = memchr(p, '\n', (size_t)(end - p));
    return q ? q : end;
}

/* From just after '{', return the matching '}' (or end), skipping quotes and comments. */
static const char *fs_block_end(const char *p, const char *end)
{
    int depth = 0;
    bool word_start = true;

    while (p < end) {
        char c = *p;
        switch (c) {
        case '\'':
        case '"': {
            const char *q = p + 1;
            while (q < end && *q != c) {
                if (c == '"' && *q == '\\')
                    q++;
                q++;
            }
            p = q + 1;
            word_start = false;
            continue;
        }
        case '#':
            if (word_start) {
                p = fs_eol(p, end);
                continue;
            }
            break;
        case '{':
            depth++;
            break;
        case '}':
            if (depth-- == 0)
                return p;
            break;
        default:
            break;
        }
        word_start = c == ' ' || c == '\t' || c == '\n' || c == ';' || c == '&' || c == '|' ||
                     c == '(' || c == ')' || c == '<' || c == '>';
        p++;
    }
    return end;
}

static void fs_scan(const char *buf, size_t len, fs_def_fn *fn, void *arg)
{
    const char *p = buf, *end = buf + len;
    struct fs_def def;

    def.nattrs = 0;
    while (p < end) {
        const char *line = fs_skip_ws(p, end);
        const char *eol = fs_eol(line, end);
        const char *q;

        if (line == eol) { /* blank: ends a comment block */
            def.nattrs = 0;
            p = eol + 1;
            continue;
        }
        if (*line == '#') {
            q = fs_skip_ws(line + 1, eol);
            if (q < eol && *q == '@' && def.nattrs < FS_MAX_ATTRS) {
                struct fs_attr *a = &def.attrs[def.nattrs++];
                const char *v;
                a->name.p = ++q;
                while (q < eol && *q != ' ' && *q != '\t')
                    q++;
                a->name.n = (size_t)(q - a->name.p);
                v = fs_skip_ws(q, eol);
                q = eol;
                while (q > v && (q[-1] == ' ' || q[-1] == '\t'))
                    q--;
                a->value.p = v;
                a->value.n = (size_t)(q - v);
            }
            p = eol + 1;
            continue;
        }
        q = line;
        if ((size_t)(eol - q) > 9 && memcmp(q, "function ", 9) == 0)
            q = fs_skip_ws(q + 9, eol);
        def.name.p = q;
        while (q < eol && fs_isname((unsigned char)*q))
            q++;
        def.name.n = (size_t)(q - def.name.p);
        q = fs_skip_ws(q, eol);
        if (def.name.n == 0 || q == eol || *q != '(') { /* assignment or command */
            def.nattrs = 0;
            p = eol + 1;
            continue;
        }
        def.sig.p = q + 1;
        for (q++; q < eol && *q != ')'; q++) { /* quotes in defaults may hold ')' */
            if (*q == '"' || *q == '\'') {
                char qc = *q;
                for (q++; q < eol && *q != qc; q++)
                    q += qc == '"' && *q == '\\';
            }
        }
        if (q >= eol) {
            fprintf(stderr, "floor_scan: multi-line signatures are not supported\n");
            exit(1);
        }
        def.sig.n = (size_t)(q - def.sig.p);
        def.has_sig = fs_skip_ws(def.sig.p, q) < q; /* `f()` may take legacy @arg params */
        q = fs_skip_ws(q + 1, eol);
        if (q == eol && eol < end) { /* Allman: '{' on the next line */
            q = fs_skip_ws(eol + 1, end);
            eol = fs_eol(q, end);
        }
        if (q < eol && *q == '{') {
            const char *close = fs_block_end(q + 1, end);
            def.body.p = q + 1;
            def.body.n = (size_t)(close - def.body.p);
            eol = close < end ? fs_eol(close, end) : end;
        } else {
            def.body.p = q;
            def.body.n = (size_t)(eol - q);
        }
        fn(&def, arg);
        def.nattrs = 0;
        p = eol + 1;
    }
}

#endif
