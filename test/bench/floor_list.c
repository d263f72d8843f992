/*
 * floor_list: the floor for `run --list` (test/bench). Reads ./Runfile (or the file given) in
 * one pass, sorts the names by byte order and prints them in the exact `--list` format, with
 * one write. `run --list` must do at least this much, so its time over this one is what it
 * pays for everything else (validation, the data model, diagnostics).
 *
 *   floor_list [RUNFILE]     label: "./Runfile" without an argument, else the argument
 */
#include <stdint.h>

#include "floor_scan.h"

/* A name with its first 16 bytes as two big-endian integers, so most comparisons of the
 * sort are two integer compares (names hold no NUL, so zero padding keeps byte order). */
struct name {
    uint64_t k0, k1;
    struct slice s;
};

struct names {
    struct name *v;
    size_t n, alloc;
};

static uint64_t be_key(const char *p, size_t n)
{
    uint64_t k = 0;

    for (size_t i = 0; i < 8; i++)
        k = k << 8 | (i < n ? (unsigned char)p[i] : 0);
    return k;
}

static void add_name(const struct fs_def *def, void *arg)
{
    struct names *ns = arg;
    struct name *nm;

    if (ns->n == ns->alloc) {
        ns->alloc = ns->alloc ? 2 * ns->alloc : 1024;
        ns->v = realloc(ns->v, ns->alloc * sizeof(*ns->v));
        if (!ns->v)
            abort();
    }
    nm = &ns->v[ns->n++];
    nm->s = def->name;
    nm->k0 = be_key(def->name.p, def->name.n);
    nm->k1 = def->name.n > 8 ? be_key(def->name.p + 8, def->name.n - 8) : 0;
}

static int cmp_name(const void *a, const void *b)
{
    const struct name *x = a, *y = b;
    size_t n;
    int c;

    if (x->k0 != y->k0)
        return x->k0 < y->k0 ? -1 : 1;
    if (x->k1 != y->k1)
        return x->k1 < y->k1 ? -1 : 1;
    n = x->s.n < y->s.n ? x->s.n : y->s.n;
    c = n > 16 ? memcmp(x->s.p + 16, y->s.p + 16, n - 16) : 0;
    if (c)
        return c;
    return (x->s.n > y->s.n) - (x->s.n < y->s.n);
}

int main(int argc, char **argv)
{
    const char *path = argc > 1 ? argv[1] : "Runfile";
    const char *label = argc > 1 ? argv[1] : "./Runfile";
    struct names ns = { 0 };
    size_t len, total = 0, k = 0;
    const char *buf = fs_read_file(path, &len);
    char *out, *o;

    fs_scan(buf, len, add_name, &ns);
    qsort(ns.v, ns.n, sizeof(*ns.v), cmp_name);
    for (size_t i = 0; i < ns.n; i++)
        total += ns.v[i].s.n + 3;
    out = o = malloc(total + strlen(label) + 64);
    if (!out)
        abort();
    if (ns.n == 0) {
        o += sprintf(o, "No functions defined in Runfile.\n");
    } else {
        o += sprintf(o, "Available functions from %s:\n", label);
        for (size_t i = 0; i < ns.n; i++) {
            if (i && cmp_name(&ns.v[i], &ns.v[k]) == 0)
                continue; /* listed once each */
            k = i;
            *o++ = ' ';
            *o++ = ' ';
            memcpy(o, ns.v[i].s.p, ns.v[i].s.n);
            o += ns.v[i].s.n;
            *o++ = '\n';
        }
    }
    for (char *w = out; w < o;) {
        ssize_t r = write(1, w, (size_t)(o - w));
        if (r <= 0)
            return 1;
        w += r;
    }
    free(out);
    free(ns.v);
    return 0;
}
