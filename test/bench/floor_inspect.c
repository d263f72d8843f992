/*
 * floor_inspect: the floor for `run --inspect` (test/bench). Reads ./Runfile (or the file
 * given) in one pass and prints the MCP tool list of its described functions in the exact
 * `--inspect` format (cli.md §6, mcp.md §6: jansson JSON_INDENT(2) layout), building the text
 * directly into one output buffer and writing it once: no JSON tree, no validation.
 *
 * It covers what genrunfile writes: signature parameters (typed, defaults in the three quote
 * styles, rest), legacy `@arg` parameters, `@arg` descriptions, namespaces. run.sh checks that
 * its output is byte-identical to `run --inspect`.
 *
 *   floor_inspect [RUNFILE]
 */
#include "floor_scan.h"

#define TIMEOUT_PROP                                                                           \
    "\"timeout\": {\n"                                                                         \
    "            \"type\": \"integer\",\n"                                                     \
    "            \"description\": \"Optional time limit in seconds for this call. When it is " \
    "exceeded, the command and everything it started are stopped and the call fails. Omit it " \
    "(or use 0) for no limit.\",\n"                                                            \
    "            \"minimum\": 0\n"                                                             \
    "          }"

struct out {
    char *p;
    size_t n, alloc;
    size_t ntools;
};

static void out_reserve(struct out *o, size_t more)
{
    if (o->n + more <= o->alloc)
        return;
    while (o->n + more > o->alloc)
        o->alloc = o->alloc ? 2 * o->alloc : 1 << 16;
    o->p = realloc(o->p, o->alloc);
    if (!o->p)
        abort();
}

static void put(struct out *o, const char *s, size_t n)
{
    out_reserve(o, n);
    memcpy(o->p + o->n, s, n);
    o->n += n;
}

#define PUTS(o, lit) put((o), (lit), sizeof(lit) - 1)

/* A JSON string as jansson writes it (no '/' escaping, UTF-8 kept). */
static void put_json_str(struct out *o, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";

    out_reserve(o, 6 * n + 2);
    o->p[o->n++] = '"';
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') {
            o->p[o->n++] = '\\';
            o->p[o->n++] = (char)c;
        } else if (c < 0x20) {
            o->p[o->n++] = '\\';
            switch (c) {
            case '\n':
                o->p[o->n++] = 'n';
                break;
            case '\t':
                o->p[o->n++] = 't';
                break;
            case '\r':
                o->p[o->n++] = 'r';
                break;
            case '\b':
                o->p[o->n++] = 'b';
                break;
            case '\f':
                o->p[o->n++] = 'f';
                break;
            default:
                memcpy(o->p + o->n, "u00", 3);
                o->p[o->n + 3] = hex[c >> 4];
                o->p[o->n + 4] = hex[c & 15];
                o->n += 5;
            }
        } else {
            o->p[o->n++] = (char)c;
        }
    }
    o->p[o->n++] = '"';
}

static bool slice_eq(struct slice s, const char *lit)
{
    return s.n == strlen(lit) && memcmp(s.p, lit, s.n) == 0;
}

static struct slice trim(const char *p, const char *end)
{
    while (p < end && (*p == ' ' || *p == '\t'))
        p++;
    while (end > p && (end[-1] == ' ' || end[-1] == '\t'))
        end--;
    return (struct slice){ p, (size_t)(end - p) };
}

/* One pair of matching outer quotes removed (attribute values). */
static struct slice unquote(struct slice s)
{
    if (s.n >= 2 && (s.p[0] == '"' || s.p[0] == '\'') && s.p[s.n - 1] == s.p[0])
        return (struct slice){ s.p + 1, s.n - 2 };
    return s;
}

enum ptype {
    T_STRING,
    T_INTEGER,
    T_NUMBER,
    T_BOOLEAN,
    T_OBJECT,
    T_ARRAY
};

static const char *const type_json[] = {
    "string", "integer", "number", "boolean", "object", "array"
};

static bool type_word(struct slice w, enum ptype *t)
{
    static const struct {
        const char *w;
        enum ptype t;
    } words[] = { { "str", T_STRING },      { "string", T_STRING },   { "int", T_INTEGER },
                  { "integer", T_INTEGER }, { "float", T_NUMBER },    { "number", T_NUMBER },
                  { "bool", T_BOOLEAN },    { "boolean", T_BOOLEAN }, { "obj", T_OBJECT },
                  { "object", T_OBJECT },   { "dict", T_OBJECT } };

    for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
        if (slice_eq(w, words[i].w)) {
            *t = words[i].t;
            return true;
        }
    }
    return false;
}

#define MAX_PARAMS 64

struct param {
    struct slice name, desc, def;
    enum ptype type;
    bool has_def, def_quoted, required;
    size_t pos;
};

/* Parse a one-line signature into params; returns the count. */
static size_t parse_sig(struct slice sig, struct param *ps)
{
    const char *p = sig.p, *end = sig.p + sig.n;
    size_t n = 0;

    while (p < end && n < MAX_PARAMS) {
        struct param *pa = &ps[n];
        const char *q;
        bool rest = false;

        memset(pa, 0, sizeof(*pa));
        p = fs_skip_ws(p, end);
        if (end - p >= 3 && memcmp(p, "...", 3) == 0) {
            rest = true;
            p += 3;
        }
        q = p;
        while (q < end && fs_isname((unsigned char)*q) && *q != ':')
            q++;
        pa->name = (struct slice){ p, (size_t)(q - p) };
        pa->type = rest ? T_ARRAY : T_STRING;
        p = fs_skip_ws(q, end);
        if (p < end && *p == ':') {
            p = fs_skip_ws(p + 1, end);
            q = p;
            while (q < end && fs_isname((unsigned char)*q))
                q++;
            type_word((struct slice){ p, (size_t)(q - p) }, &pa->type);
            p = fs_skip_ws(q, end);
        }
        if (p < end && *p == '=') {
            p = fs_skip_ws(p + 1, end);
            pa->has_def = true;
            if (*p == '"' || *p == '\'') {
                char qc = *p++;
                q = p;
                while (q < end && *q != qc) {
                    if (qc == '"' && *q == '\\')
                        q++;
                    q++;
                }
                pa->def = (struct slice){ p, (size_t)(q - p) };
                pa->def_quoted = true;
                p = q + 1;
            } else {
                q = p;
                while (q < end && *q != ',')
                    q++;
                pa->def = trim(p, q);
                p = q;
            }
        }
        pa->required = !pa->has_def && !rest;
        p = fs_skip_ws(p, end);
        if (p < end && *p == ',')
            p++;
        if (pa->name.n)
            n++;
    }
    return n;
}

/* `# @arg [N:]NAME[?] [TYPE] [DESCRIPTION]` */
static void parse_arg(struct slice v, struct param *pa, size_t *last_pos)
{
    const char *p = v.p, *end = v.p + v.n, *q = p, *colon = NULL;
    struct slice w;

    memset(pa, 0, sizeof(*pa));
    while (q < end && *q != ' ' && *q != '\t') {
        if (*q == ':' && !colon)
            colon = q;
        q++;
    }
    pa->pos = *last_pos + 1;
    if (colon && colon > p) {
        const char *d = p;
        size_t pos = 0;
        while (d < colon && *d >= '0' && *d <= '9')
            pos = pos * 10 + (size_t)(*d++ - '0');
        if (d == colon) {
            pa->pos = pos;
            p = colon + 1;
        }
    }
    *last_pos = pa->pos;
    pa->name = (struct slice){ p, (size_t)(q - p) };
    pa->required = true;
    if (pa->name.n && pa->name.p[pa->name.n - 1] == '?') {
        pa->name.n--;
        pa->required = false;
    }
    p = fs_skip_ws(q, end);
    q = p;
    while (q < end && *q != ' ' && *q != '\t')
        q++;
    w = (struct slice){ p, (size_t)(q - p) };
    pa->type = T_STRING;
    if (type_word(w, &pa->type))
        p = fs_skip_ws(q, end);
    pa->desc = unquote((struct slice){ p, (size_t)(end - p) });
}

static void put_default(struct out *o, const struct param *pa)
{
    if (pa->type == T_STRING) {
        if (pa->def_quoted && memchr(pa->def.p, '\\', pa->def.n)) {
            /* only \" and \\ are escapes in a double-quoted default */
            char tmp[1024];
            size_t n = 0;
            for (size_t i = 0; i < pa->def.n && n < sizeof(tmp); i++) {
                if (pa->def.p[i] == '\\' && i + 1 < pa->def.n &&
                    (pa->def.p[i + 1] == '"' || pa->def.p[i + 1] == '\\'))
                    i++;
                tmp[n++] = pa->def.p[i];
            }
            put_json_str(o, tmp, n);
        } else {
            put_json_str(o, pa->def.p, pa->def.n);
        }
    } else if (pa->type == T_BOOLEAN) {
        static const char *const yes[] = { "true", "1", "yes", "on" };
        bool v = false;
        for (size_t i = 0; i < 4; i++)
            v |= pa->def.n == strlen(yes[i]) && strncasecmp(pa->def.p, yes[i], pa->def.n) == 0;
        if (v)
            PUTS(o, "true");
        else
            PUTS(o, "false");
    } else if (pa->type == T_NUMBER) {
        char num[64], txt[64];
        size_t n = pa->def.n < sizeof(txt) - 1 ? pa->def.n : sizeof(txt) - 1;
        int len;
        memcpy(txt, pa->def.p, n);
        txt[n] = '\0';
        len = snprintf(num, sizeof(num), "%.15g", strtod(txt, NULL));
        if (!strpbrk(num, ".eE"))
            len += snprintf(num + len, sizeof(num) - (size_t)len, ".0");
        put(o, num, (size_t)len);
    } else { /* integer (leading '+' dropped) or object */
        struct slice d = pa->def;
        if (pa->type == T_INTEGER && d.n && d.p[0] == '+') {
            d.p++;
            d.n--;
        }
        put(o, d.p, d.n);
    }
}

static void add_tool(const struct fs_def *def, void *arg)
{
    struct out *o = arg;
    struct param ps[MAX_PARAMS];
    struct slice desc = { NULL, 0 };
    size_t n = 0, last_pos = 0, nreq = 0;

    for (size_t i = 0; i < def->nattrs; i++) {
        if (slice_eq(def->attrs[i].name, "desc"))
            desc = unquote(def->attrs[i].value);
    }
    if (desc.n == 0)
        return; /* only described functions are tools */
    if (def->has_sig)
        n = parse_sig(def->sig, ps);
    for (size_t i = 0; i < def->nattrs; i++) {
        struct param a;
        if (!slice_eq(def->attrs[i].name, "arg"))
            continue;
        parse_arg(def->attrs[i].value, &a, &last_pos);
        if (!def->has_sig) {
            if (n < MAX_PARAMS)
                ps[n++] = a;
            continue;
        }
        for (size_t j = 0; j < n; j++) {
            if (ps[j].name.n == a.name.n && memcmp(ps[j].name.p, a.name.p, a.name.n) == 0)
                ps[j].desc = a.desc;
        }
    }

    if (o->ntools++)
        PUTS(o, ",\n");
    PUTS(o, "    {\n      \"name\": ");
    out_reserve(o, 2 * def->name.n + 2);
    o->p[o->n++] = '"';
    for (size_t i = 0; i < def->name.n; i++) {
        char c = def->name.p[i];
        o->p[o->n++] = c == ':' ? '_' : c;
        if (c == ':')
            o->p[o->n++] = '_';
    }
    o->p[o->n++] = '"';
    PUTS(o, ",\n      \"description\": ");
    put_json_str(o, desc.p, desc.n);
    PUTS(o, ",\n      \"inputSchema\": {\n        \"type\": \"object\",\n"
            "        \"properties\": {\n");
    for (size_t i = 0; i < n; i++) {
        const struct param *pa = &ps[i];
        PUTS(o, "          ");
        put_json_str(o, pa->name.p, pa->name.n);
        PUTS(o, ": {\n            \"type\": \"");
        put(o, type_json[pa->type], strlen(type_json[pa->type]));
        PUTS(o, "\"");
        if (pa->desc.n) {
            PUTS(o, ",\n            \"description\": ");
            put_json_str(o, pa->desc.p, pa->desc.n);
        }
        if (pa->has_def) {
            PUTS(o, ",\n            \"default\": ");
            put_default(o, pa);
        }
        if (pa->type == T_ARRAY)
            PUTS(o, ",\n            \"items\": {\n              \"type\": \"string\"\n"
                    "            }");
        PUTS(o, "\n          },\n");
        nreq += pa->required;
    }
    PUTS(o, "          " TIMEOUT_PROP "\n        },\n        \"required\": [");
    if (nreq) {
        size_t k = 0;
        for (size_t i = 0; i < n; i++) {
            if (!ps[i].required)
                continue;
            if (k++)
                PUTS(o, ",");
            PUTS(o, "\n          ");
            put_json_str(o, ps[i].name.p, ps[i].name.n);
        }
        PUTS(o, "\n        ");
    }
    PUTS(o, "]\n      }\n    }");
}

int main(int argc, char **argv)
{
    const char *path = argc > 1 ? argv[1] : "Runfile";
    struct out o = { 0 };
    size_t len;
    const char *buf = fs_read_file(path, &len);

    PUTS(&o, "{\n  \"tools\": [");
    o.ntools = 0;
    {
        size_t mark = o.n;
        PUTS(&o, "\n");
        fs_scan(buf, len, add_tool, &o);
        if (o.ntools == 0)
            o.n = mark;
        else
            PUTS(&o, "\n  ");
    }
    PUTS(&o, "]\n}\n");
    for (size_t w = 0; w < o.n;) {
        ssize_t r = write(1, o.p + w, o.n - w);
        if (r <= 0)
            return 1;
        w += (size_t)r;
    }
    free(o.p);
    return 0;
}
