/*
 * schema: which functions are MCP tools, their JSON Schemas, and tools/call arguments → argv.
 *
 * The index is built once per loaded Runfile: offering rules are applied to every described
 * function in Runfile order, and a hash table of the winners' tool names answers lookups. The
 * tool list is written as text straight from the model (schema_write_list); the jansson tree
 * of the same list is built only on request. Everything here is pure; warnings are diags,
 * failures are text.
 */
#include "schema.h"

#include "base.h"
#include "buf.h"
#include "strmap.h"
#include "utf8.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Compact JSON as mcp.md §7.3 quotes values, and as objects are passed to functions. */
#define COMPACT_FLAGS (JSON_COMPACT | JSON_ENCODE_ANY | SCHEMA_JSON_FLAGS)
/* How much of a bad value a problem text quotes (mcp.md §7.3). */
#define EXCERPT_MAX 100

static const char *const builtin_tools[] = { "set_cwd", "get_cwd", "run_docs" };

enum offer {
    OFFER_YES,
    OFFER_NO_DESC, /* not a candidate at all: no warning */
    OFFER_TIMEOUT_PARAM,
    OFFER_TOO_LONG,
    OFFER_BAD_CHARS, /* cannot happen for parsed names (runfile.md §1.2); no warning */
    OFFER_BUILTIN,
    OFFER_COLLISION,
};

struct entry {
    const char *tool; /* fn->name itself when that has no ':', else owned (tool_of) */
    const struct runfile_fn *fn;
};

struct schema_index {
    struct entry *offered; /* the offered functions in Runfile order */
    size_t noffered;
    struct strmap by_tool; /* tool name -> index into 'offered' */
};

char *schema_tool_name(const char *fn_name)
{
    size_t n = 0, colons = 0;
    char *tool, *q;

    for (; fn_name[n]; n++)
        colons += fn_name[n] == ':';
    tool = xmalloc(n + colons + 1);
    q = tool;
    for (const char *p = fn_name; *p; p++) {
        if (*p == ':') {
            *q++ = '_';
            *q++ = '_';
        } else {
            *q++ = *p;
        }
    }
    *q = '\0';
    return tool;
}

/* The length of the valid UTF-8 sequence at 's' (n > 0 bytes available), or 0 when there is none.
 */
static size_t utf8_valid_len(const unsigned char *s, size_t n)
{
    bool ok;
    size_t len = utf8_seq(s, n, &ok);

    return ok ? len : 0;
}

/*
 * A JSON string from Runfile text. jansson refuses invalid UTF-8, and a Runfile may hold
 * some (runfile.md §1.1 keeps bytes as they are), so invalid bytes become U+FFFD here rather
 * than making a tool disappear.
 */
static json_t *text_json(const char *s)
{
    struct buf b = BUF_INIT;
    size_t n = strlen(s);
    json_t *j;

    j = json_stringn(s, n);
    if (j)
        return j;
    for (size_t i = 0; i < n;) {
        size_t len = utf8_valid_len((const unsigned char *)s + i, n - i);
        if (len) {
            buf_add(&b, s + i, len);
            i += len;
        } else {
            buf_addstr(&b, "\xEF\xBF\xBD");
            i++;
        }
    }
    j = json_stringn(b.buf, b.len);
    buf_release(&b);
    return j;
}

/* The `default` value of an optional signature parameter (mcp.md §6.3), or NULL for none. */
static json_t *default_json(const struct runfile_param *p)
{
    const char *v = p->default_value;
    char *norm = NULL;
    json_t *j = NULL;
    long long i;

    switch (p->type) {
    case RUNFILE_STRING:
        j = text_json(v);
        break;
    case RUNFILE_INTEGER:
        errno = 0;
        i = strtoll(v, NULL, 10);
        if (!errno)
            j = json_integer(i);
        break;
    case RUNFILE_NUMBER:
        j = json_real(strtod(v, NULL)); /* NULL for an infinite value: no default then */
        break;
    case RUNFILE_BOOLEAN:
        if (runfile_value_check(RUNFILE_BOOLEAN, v, &norm))
            j = json_boolean(streq(norm, "true"));
        break;
    case RUNFILE_OBJECT:
        j = json_loads(v, 0, NULL);
        if (j && !json_is_object(j)) {
            json_decref(j);
            j = NULL;
        }
        break;
    }
    free(norm);
    return j;
}

static json_t *param_json(const struct runfile_fn *fn, const struct runfile_param *p)
{
    json_t *prop = json_object();

    json_object_set_new(prop, "type",
                        json_string(p->is_rest ? "array" : runfile_type_name(p->type)));
    if (p->desc && *p->desc)
        json_object_set_new(prop, "description", text_json(p->desc));
    if (fn->has_signature && !p->is_rest && !p->required && p->default_value) {
        json_t *def = default_json(p);
        if (def)
            json_object_set_new(prop, "default", def);
    }
    if (p->is_rest)
        json_object_set_new(prop, "items", json_pack("{s:s}", "type", "string"));
    return prop;
}

json_t *schema_tool_json(const struct runfile_fn *fn, const char *tool_name)
{
    json_t *props = json_object(), *required = json_array();

    for (size_t i = 0; i < fn->nparams; i++) {
        const struct runfile_param *p = &fn->params[i];
        json_object_set_new(props, p->name, param_json(fn, p));
        if (p->required && !p->is_rest)
            json_array_append_new(required, json_string(p->name));
    }
    json_object_set_new(props, "timeout",
                        json_pack("{s:s, s:s, s:i}", "type", "integer", "description",
                                  SCHEMA_TIMEOUT_DESC, "minimum", 0));
    return json_pack("{s:s, s:o, s:{s:s, s:o, s:o}}", "name", tool_name, "description",
                     text_json(fn->desc ? fn->desc : ""), "inputSchema", "type", "object",
                     "properties", props, "required", required);
}

static bool is_tool_name(const char *s)
{
    size_t n = 0;

    for (; s[n]; n++) {
        char c = s[n];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-'))
            return false;
    }
    return n >= 1;
}

/* The rules of mcp.md §6.4 that look at one function alone, in the table's order. */
static enum offer offer_alone(const struct runfile_fn *fn, const char *tool)
{
    if (!fn->desc || !*fn->desc)
        return OFFER_NO_DESC;
    for (size_t i = 0; i < fn->nparams; i++) {
        if (streq(fn->params[i].name, "timeout"))
            return OFFER_TIMEOUT_PARAM;
    }
    if (strlen(tool) > SCHEMA_MAX_TOOL_NAME)
        return OFFER_TOO_LONG;
    if (!is_tool_name(tool))
        return OFFER_BAD_CHARS;
    for (size_t i = 0; i < ARRAY_SIZE(builtin_tools); i++) {
        if (streq(tool, builtin_tools[i]))
            return OFFER_BUILTIN;
    }
    return OFFER_YES;
}

/* The tool name of 'fn_name' without a copy when it is the same (no ':' in it). */
static const char *tool_of(const char *fn_name)
{
    return strchr(fn_name, ':') ? schema_tool_name(fn_name) : fn_name;
}

static void tool_free(const char *tool, const struct runfile_fn *fn)
{
    if (tool != fn->name)
        free((char *)tool);
}

/*
 * The warning goes at the definition's position (its first character, runfile.md §10.3) and
 * underlines up to the end of the name, which follows `function` in that form.
 */
static void definition_loc(const struct runfile_fn *fn, struct diag_loc *loc)
{
    const struct runfile_origin *o = &fn->origin;
    size_t namelen = strlen(fn->name), span = namelen;
    const char *from = fn->name; /* the text the span is counted in */
    const struct runfile_file *f = o->file;

    if (f && f->text && o->offset < f->len) {
        const char *p = f->text + o->offset, *end = f->text + f->len, *q = p;
        if ((size_t)(end - p) > 8 && !strncmp(p, "function", 8) && (p[8] == ' ' || p[8] == '\t')) {
            q = p + 8;
            while (q < end && (*q == ' ' || *q == '\t'))
                q++;
        }
        if ((size_t)(end - q) >= namelen && !strncmp(q, fn->name, namelen)) {
            span = (size_t)(q - p) + namelen;
            from = p;
        }
    }
    runfile_origin_loc(o, diag_count_chars(from, span), loc);
}

/* The notes of runfile.md §10.1: where each file on the way was sourced, innermost first. */
static void add_source_notes(struct diag_list *l, const struct runfile_file *file)
{
    for (const struct runfile_file *f = file; f && f->sourced_at.file; f = f->sourced_at.file) {
        struct diag_loc loc = { .file = f->sourced_at.file->label,
                                .line = f->sourced_at.line,
                                .col = f->sourced_at.col,
                                .offset = f->sourced_at.offset };
        diag_add(l, DIAG_NOTE, &loc, "'%s' is sourced here", f->label);
    }
}

static void warn(struct diag_list *l, const struct runfile_fn *fn, enum offer why, const char *tool,
                 const char *winner)
{
    struct diag_loc loc;

    if (!l)
        return;
    definition_loc(fn, &loc);
    switch (why) {
    case OFFER_TIMEOUT_PARAM:
        diag_add(l, DIAG_WARNING, &loc,
                 "function '%s' is not offered as an MCP tool: its parameter 'timeout' clashes "
                 "with the built-in timeout argument",
                 fn->name);
        break;
    case OFFER_TOO_LONG:
        diag_add(l, DIAG_WARNING, &loc,
                 "function '%s' is not offered as an MCP tool: its tool name is longer than 64 "
                 "characters",
                 fn->name);
        break;
    case OFFER_BUILTIN:
        diag_add(l, DIAG_WARNING, &loc,
                 "function '%s' is not offered as an MCP tool: '%s' is a built-in tool", fn->name,
                 tool);
        break;
    case OFFER_COLLISION:
        diag_add(l, DIAG_WARNING, &loc,
                 "function '%s' is not offered as an MCP tool: '%s' has the same tool name '%s'",
                 fn->name, winner, tool);
        break;
    default:
        return;
    }
    add_source_notes(l, fn->origin.file);
}

struct schema_index *schema_index_new(const struct runfile *rf, struct diag_list *warnings)
{
    struct schema_index *ix = xcalloc(1, sizeof(*ix));
    size_t nfns = rf ? rf->nfns : 0, ncand = 0;
    enum offer *why = xcalloc(nfns ? nfns : 1, sizeof(*why));
    const char **winner = xcalloc(nfns ? nfns : 1, sizeof(*winner));
    const char **tool = xcalloc(nfns ? nfns : 1, sizeof(*tool));
    struct entry *cand = xcalloc(nfns ? nfns : 1, sizeof(*cand));
    size_t *renumber = xcalloc(nfns ? nfns : 1, sizeof(*renumber));
    size_t **group = xcalloc(nfns ? nfns : 1, sizeof(*group));

    for (size_t i = 0; i < nfns; i++) {
        tool[i] = tool_of(rf->fns[i].name);
        why[i] = offer_alone(&rf->fns[i], tool[i]);
        if (why[i] == OFFER_YES)
            cand[ncand++] = (struct entry){ .tool = tool[i], .fn = &rf->fns[i] };
    }

    /*
     * Group the candidates by tool name in Runfile order. Each group holds its winner so far:
     * the one named exactly like the tool stays once it arrives (function names are unique,
     * so there is at most one), else the later definition takes over.
     */
    strmap_init(&ix->by_tool, ncand); /* sized: the group pointers stay valid */
    for (size_t c = 0; c < ncand; c++) {
        bool added;
        size_t *w = strmap_add(&ix->by_tool, cand[c].tool, c, &added);

        if (!added && !streq(cand[*w].fn->name, cand[*w].tool))
            *w = c;
        group[c] = w;
    }

    /* The winners, still in Runfile order. */
    ix->offered = xcalloc(ncand ? ncand : 1, sizeof(*ix->offered));
    for (size_t c = 0; c < ncand; c++) {
        size_t win = *group[c];
        size_t order = (size_t)(cand[c].fn - rf->fns);

        if (win == c) {
            renumber[c] = ix->noffered;
            ix->offered[ix->noffered++] = cand[c];
        } else {
            why[order] = OFFER_COLLISION;
            winner[order] = cand[win].fn->name;
        }
    }
    /*
     * Each entry now points at its winner in 'offered', under the winner's own tool string:
     * a group's first key may be a loser's, which is freed below. An equal string hashes to
     * the same slot, so the table stays valid.
     */
    for (size_t k = 0; k < ix->by_tool.cap; k++) {
        if (ix->by_tool.keys[k]) {
            size_t win = ix->by_tool.vals[k];
            ix->by_tool.keys[k] = cand[win].tool;
            ix->by_tool.vals[k] = renumber[win];
        }
    }

    /* Warnings in Runfile order; the winners' tool names now belong to the index. */
    for (size_t i = 0; i < nfns; i++) {
        if (why[i] == OFFER_YES)
            continue;
        warn(warnings, &rf->fns[i], why[i], tool[i], winner[i]);
        tool_free(tool[i], &rf->fns[i]);
    }
    free(tool);
    free(why);
    free(winner);
    free(cand);
    free(renumber);
    free(group);
    return ix;
}

void schema_index_free(struct schema_index *ix)
{
    if (!ix)
        return;
    for (size_t i = 0; i < ix->noffered; i++)
        tool_free(ix->offered[i].tool, ix->offered[i].fn);
    free(ix->offered);
    strmap_release(&ix->by_tool);
    free(ix);
}

json_t *schema_index_tools(const struct schema_index *ix)
{
    json_t *tools = json_array();

    for (size_t i = 0; ix && i < ix->noffered; i++)
        json_array_append_new(tools, schema_tool_json(ix->offered[i].fn, ix->offered[i].tool));
    return tools;
}

const struct runfile_fn *schema_index_find(const struct schema_index *ix, const char *tool_name)
{
    const size_t *i = strmap_get(&ix->by_tool, tool_name);

    return i ? ix->offered[*i].fn : NULL;
}

json_t *schema_tools(const struct runfile *rf, struct diag_list *warnings)
{
    struct schema_index *ix = schema_index_new(rf, warnings);
    json_t *tools = schema_index_tools(ix);

    schema_index_free(ix);
    return tools;
}

const struct runfile_fn *schema_find_tool(const struct runfile *rf, const char *tool_name)
{
    struct schema_index *ix = schema_index_new(rf, NULL);
    const struct runfile_fn *fn = schema_index_find(ix, tool_name);

    schema_index_free(ix);
    return fn;
}

/* ---- the tool list as text ---- */

/*
 * The writer produces what json_dumps() of the tree built above gives, without the tree: at
 * 10,000 functions, building, dumping and freeing the tree took ~650M instructions, the
 * writer takes ~18M. What jansson does and this copies (dump.c of jansson 2.14):
 *   - layout: "{" / "[" then a newline and the indentation of the next depth before the first
 *     member, "," plus newline and indentation between members, newline and the outer
 *     indentation before "}" / "]"; an empty container is "{}" / "[]"; ": " between key and
 *     value (":" with JSON_COMPACT, which has no newlines at all);
 *   - strings: '"' and '\\' escaped, \b \f \n \r \t by name, other bytes below 0x20 as
 *     \u00XX with upper-case hex; '/', DEL and non-ASCII kept as they are;
 *   - integers with "%" JSON_INTEGER_FORMAT.
 * Text that may hold invalid UTF-8 goes through the replacement text_json() does. A number
 * default is copied when its text is provably what jansson prints (normalised defaults are);
 * any other number, and object defaults, are formatted by jansson itself (put_default).
 * Parameter names are unique within a function (the parser drops duplicates), so no property
 * is written twice where the tree would keep one. The unit tests and the fuzz harness compare
 * the two on every input they have.
 */

/* A newline and the indentation of depth 0..15 (two spaces a level). */
static const char newline_indent[] = "\n                              ";

struct writer {
    struct buf *out;
    bool pretty; /* JSON_INDENT(2), else JSON_COMPACT */
};

/*
 * Append without buf_add's per-call checks; the NUL is written once at the end of
 * schema_write_list (the buffer is the writer's alone until then).
 */
static inline void put(struct writer *w, const char *s, size_t n)
{
    struct buf *b = w->out;

    if (b->alloc - b->len <= n)
        buf_grow(b, n);
    memcpy(b->buf + b->len, s, n);
    b->len += n;
}

#define PUT_LIT(w, lit) put((w), (lit), sizeof(lit) - 1)

/* The separator before a member at 'depth' in pretty layout: the line break and indent. */
static inline void put_indent(struct writer *w, unsigned depth)
{
    if (w->pretty)
        put(w, newline_indent, 1 + 2 * (size_t)depth);
}

/* ",<newline><indent>" between two members at 'depth'. */
static inline void put_next(struct writer *w, unsigned depth)
{
    PUT_LIT(w, ",");
    put_indent(w, depth);
}

/* What goes between a key and its value. */
static inline void put_colon(struct writer *w)
{
    if (w->pretty)
        PUT_LIT(w, ": ");
    else
        PUT_LIT(w, ":");
}

/* A key known to need no escaping, with its separator: "type": */
static inline void put_key(struct writer *w, const char *quoted, size_t n)
{
    put(w, quoted, n);
    put_colon(w);
}

#define PUT_KEY(w, lit) put_key((w), "\"" lit "\"", sizeof(lit) + 1)

/* What each byte needs inside a JSON string: 0 copy, 1 escape, 2 check as UTF-8. */
static const unsigned char byte_class[256] = {
    /* 0x00-0x1F: control characters */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0x00 */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0x10 */
    ['"'] = 1, ['\\'] = 1,
    /* 0x80-0xFF: sequences of two to four bytes, or invalid ones */
    [0x80] = 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, /* 0x80 */
    2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,          /* 0x90 */
    2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,          /* 0xA0 */
    2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,          /* 0xB0 */
    2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,          /* 0xC0 */
    2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,          /* 0xD0 */
    2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,          /* 0xE0 */
    2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,          /* 0xF0 */
};

/*
 * 's' (NUL-terminated) as a JSON string: invalid UTF-8 becomes U+FFFD, as in text_json(),
 * then escaped as jansson's dump_string() does.
 */
static void put_text(struct writer *w, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    const unsigned char *p = (const unsigned char *)s, *run = p;
    const unsigned char *end = p + strlen(s);

    PUT_LIT(w, "\"");
    while (p < end) {
        unsigned char c = *p;

        if (!byte_class[c]) {
            p++;
            continue;
        }
        if (byte_class[c] == 2) {
            size_t len = utf8_valid_len(p, (size_t)(end - p));

            if (len) {
                p += len;
                continue;
            }
            put(w, (const char *)run, (size_t)(p - run));
            PUT_LIT(w, "\xEF\xBF\xBD");
            run = ++p;
            continue;
        }
        put(w, (const char *)run, (size_t)(p - run));
        run = ++p;
        switch (c) {
        case '"':
            PUT_LIT(w, "\\\"");
            break;
        case '\\':
            PUT_LIT(w, "\\\\");
            break;
        case '\b':
            PUT_LIT(w, "\\b");
            break;
        case '\f':
            PUT_LIT(w, "\\f");
            break;
        case '\n':
            PUT_LIT(w, "\\n");
            break;
        case '\r':
            PUT_LIT(w, "\\r");
            break;
        case '\t':
            PUT_LIT(w, "\\t");
            break;
        default: {
            char u[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 0xF] };
            put(w, u, sizeof(u));
        }
        }
    }
    put(w, (const char *)run, (size_t)(p - run));
    PUT_LIT(w, "\"");
}

/*
 * json_dumps() of 'v' in the writer's layout, placed at nesting 'depth': jansson indents from
 * depth 0, and every newline in its output is layout (newlines inside strings are escaped),
 * so each one gets the missing indentation.
 */
static void put_dumped(struct writer *w, const json_t *v, unsigned depth)
{
    size_t flags =
        JSON_ENCODE_ANY | SCHEMA_JSON_FLAGS | (w->pretty ? JSON_INDENT(2) : JSON_COMPACT);
    char *text = json_dumps(v, flags);
    const char *p, *nl;

    if (!text)
        BUG("cannot serialise a JSON value");
    for (p = text; (nl = strchr(p, '\n')); p = nl + 1) {
        put(w, p, (size_t)(nl - p));
        put_indent(w, depth);
    }
    put(w, p, strlen(p));
    free(text);
}

/*
 * True when jansson prints json_real(strtod(v)) with SCHEMA_JSON_FLAGS as 'v' itself, which
 * is then copied. That holds for [-]digits.digits without leading zeros and with at most 15
 * significant digits (so the double prints back to the same digits: DBL_DIG is 15), whose
 * decimal exponent is from -4 to 14 (where "%.15g" uses fixed notation), with no trailing
 * zero ("%g" drops it) unless the fraction is just "0" (jansson puts ".0" back). Normalised
 * defaults (execution.md §4: "1.5", "2.0", "0.25") are; anything else goes through jansson.
 */
static bool is_plain_real(const char *v)
{
    const char *p = v + (*v == '-'), *dot = strchr(p, '.'), *frac;
    size_t intlen, fraclen;

    if (!dot || dot == p || !dot[1])
        return false;
    frac = dot + 1;
    intlen = (size_t)(dot - p);
    fraclen = strlen(frac);
    if (intlen > 1 && *p == '0')
        return false;
    for (const char *q = p; *q; q++) {
        if (q != dot && (*q < '0' || *q > '9'))
            return false;
    }
    if (fraclen == 1 && *frac == '0') /* "2.0": %.15g gives "2", jansson adds ".0" */
        return intlen <= 15;
    if (frac[fraclen - 1] == '0')
        return false;
    if (*p == '0') { /* 0.000ddd: the exponent is -(zeros + 1) */
        size_t lead = 0;

        while (frac[lead] == '0')
            lead++;
        return lead <= 3 && fraclen - lead <= 15;
    }
    return intlen + fraclen <= 15;
}

/*
 * True when 'v' is the decimal text strtoll() reads and "%lld" writes back unchanged: an
 * optional '-', no leading zeros, no "-0", at most 18 digits (so never out of range).
 */
static bool is_plain_integer(const char *v)
{
    const char *p = v + (*v == '-');
    size_t n = 0;

    if (*p == '0')
        return !p[1] && p == v;
    for (; p[n]; n++) {
        if (p[n] < '0' || p[n] > '9')
            return false;
    }
    return n >= 1 && n <= 18;
}

/*
 * The `default` member of 'p' with its leading separator, exactly as param_json() and
 * default_json() decide it (nothing when they give no default). At depth 6.
 */
static void put_default(struct writer *w, const struct runfile_param *p)
{
    const char *v = p->default_value;
    json_t *j = NULL;

    switch (p->type) {
    case RUNFILE_STRING:
        put_next(w, 6);
        PUT_KEY(w, "default");
        put_text(w, v);
        return;
    case RUNFILE_INTEGER:
        if (is_plain_integer(v)) {
            put_next(w, 6);
            PUT_KEY(w, "default");
            put(w, v, strlen(v));
            return;
        }
        break;
    case RUNFILE_NUMBER:
        if (is_plain_real(v)) {
            put_next(w, 6);
            PUT_KEY(w, "default");
            put(w, v, strlen(v));
            return;
        }
        break;
    case RUNFILE_BOOLEAN:
        if (streq(v, "true") || streq(v, "false")) {
            put_next(w, 6);
            PUT_KEY(w, "default");
            put(w, v, strlen(v));
            return;
        }
        break;
    case RUNFILE_OBJECT:
        break;
    }
    /* Anything else: the value the tree would hold, formatted by jansson. */
    j = default_json(p);
    if (j) {
        put_next(w, 6);
        PUT_KEY(w, "default");
        put_dumped(w, j, 6);
        json_decref(j);
    }
}

/* The timeout property (mcp.md §6.3) as a constant, in each layout. */
#define TIMEOUT_COMPACT                                                              \
    "\"timeout\":{\"type\":\"integer\",\"description\":\"" SCHEMA_TIMEOUT_DESC "\"," \
    "\"minimum\":0}"
#define TIMEOUT_PRETTY                                            \
    "\"timeout\": {\n"                                            \
    "            \"type\": \"integer\",\n"                        \
    "            \"description\": \"" SCHEMA_TIMEOUT_DESC "\",\n" \
    "            \"minimum\": 0\n"                                \
    "          }"

/* One property of the input schema, as param_json() builds it. At depth 5. */
static void put_param(struct writer *w, const struct runfile_fn *fn, const struct runfile_param *p)
{
    put_text(w, p->name);
    put_colon(w);
    PUT_LIT(w, "{");
    put_indent(w, 6);
    PUT_KEY(w, "type");
    if (p->is_rest) {
        PUT_LIT(w, "\"array\"");
    } else {
        PUT_LIT(w, "\"");
        put(w, runfile_type_name(p->type), strlen(runfile_type_name(p->type)));
        PUT_LIT(w, "\"");
    }
    if (p->desc && *p->desc) {
        put_next(w, 6);
        PUT_KEY(w, "description");
        put_text(w, p->desc);
    }
    if (fn->has_signature && !p->is_rest && !p->required && p->default_value)
        put_default(w, p);
    if (p->is_rest) {
        put_next(w, 6);
        PUT_KEY(w, "items");
        PUT_LIT(w, "{");
        put_indent(w, 7);
        PUT_KEY(w, "type");
        PUT_LIT(w, "\"string\"");
        put_indent(w, 6);
        PUT_LIT(w, "}");
    }
    put_indent(w, 5);
    PUT_LIT(w, "}");
}

/* The tool object of schema_tool_json(). At depth 2. */
static void put_tool(struct writer *w, const struct runfile_fn *fn, const char *tool)
{
    size_t nrequired = 0;

    PUT_LIT(w, "{");
    put_indent(w, 3);
    PUT_KEY(w, "name");
    put_text(w, tool);
    put_next(w, 3);
    PUT_KEY(w, "description");
    put_text(w, fn->desc ? fn->desc : "");
    put_next(w, 3);
    PUT_KEY(w, "inputSchema");
    PUT_LIT(w, "{");
    put_indent(w, 4);
    PUT_KEY(w, "type");
    PUT_LIT(w, "\"object\"");
    put_next(w, 4);
    PUT_KEY(w, "properties");
    PUT_LIT(w, "{");
    put_indent(w, 5);
    for (size_t i = 0; i < fn->nparams; i++) {
        put_param(w, fn, &fn->params[i]);
        put_next(w, 5);
        nrequired += fn->params[i].required && !fn->params[i].is_rest;
    }
    if (w->pretty)
        PUT_LIT(w, TIMEOUT_PRETTY);
    else
        PUT_LIT(w, TIMEOUT_COMPACT);
    put_indent(w, 4);
    PUT_LIT(w, "}");
    put_next(w, 4);
    PUT_KEY(w, "required");
    if (!nrequired) {
        PUT_LIT(w, "[]");
    } else {
        size_t k = 0;

        PUT_LIT(w, "[");
        put_indent(w, 5);
        for (size_t i = 0; i < fn->nparams; i++) {
            const struct runfile_param *p = &fn->params[i];

            if (!p->required || p->is_rest)
                continue;
            if (k++)
                put_next(w, 5);
            put_text(w, p->name);
        }
        put_indent(w, 4);
        PUT_LIT(w, "]");
    }
    put_indent(w, 3);
    PUT_LIT(w, "}");
    put_indent(w, 2);
    PUT_LIT(w, "}");
}

void schema_write_list(const struct schema_index *ix, const json_t *extra,
                       enum schema_layout layout, struct buf *out)
{
    struct writer w = { .out = out, .pretty = layout == SCHEMA_PRETTY };
    size_t ntools = ix ? ix->noffered : 0, nextra = json_array_size(extra);

    PUT_LIT(&w, "{");
    put_indent(&w, 1);
    PUT_KEY(&w, "tools");
    if (!ntools && !nextra) {
        PUT_LIT(&w, "[]");
    } else {
        PUT_LIT(&w, "[");
        put_indent(&w, 2);
        for (size_t i = 0; i < ntools; i++) {
            if (i)
                put_next(&w, 2);
            put_tool(&w, ix->offered[i].fn, ix->offered[i].tool);
        }
        for (size_t i = 0; i < nextra; i++) {
            if (ntools + i)
                put_next(&w, 2);
            put_dumped(&w, json_array_get(extra, i), 2);
        }
        put_indent(&w, 1);
        PUT_LIT(&w, "]");
    }
    put_indent(&w, 0);
    PUT_LIT(&w, "}");
    buf_setlen(out, out->len);
}

/* ---- tools/call arguments ---- */

#define TWO_POW_53 9007199254740992.0
#define TWO_POW_63 9223372036854775808.0

/*
 * True when 'd' is a whole number that a long long holds exactly. The range is checked
 * before the cast, which is undefined for values out of range (and NaN).
 */
static bool is_whole(double d)
{
    return d >= -TWO_POW_63 && d < TWO_POW_63 && d == (double)(long long)d;
}

void schema_number_text(struct buf *out, const json_t *number)
{
    double d;

    if (json_is_integer(number)) {
        buf_addf(out, "%" JSON_INTEGER_FORMAT, json_integer_value(number));
        return;
    }
    d = json_real_value(number);
    if (d > -TWO_POW_53 && d < TWO_POW_53 && is_whole(d))
        buf_addf(out, "%lld", (long long)d);
    else
        buf_addf(out, "%.15g", d);
}

/* "a number", "an integer", ... as cli.md §12 writes them. */
static const char *type_phrase(const struct runfile_param *p)
{
    if (p->is_rest)
        return "an array";
    switch (p->type) {
    case RUNFILE_STRING:
        return "a string";
    case RUNFILE_INTEGER:
        return "an integer";
    case RUNFILE_NUMBER:
        return "a number";
    case RUNFILE_BOOLEAN:
        return "a boolean (true/false/yes/no/on/off/1/0)";
    case RUNFILE_OBJECT:
        return "a JSON object";
    }
    BUG("unknown type %d", (int)p->type);
}

/* Compact JSON of 'v', cut to EXCERPT_MAX bytes without splitting a UTF-8 sequence. */
static void add_excerpt(struct buf *out, const json_t *v)
{
    char *s = json_dumps(v, COMPACT_FLAGS);
    size_t n = s ? strlen(s) : 0;

    if (n > EXCERPT_MAX) {
        n = EXCERPT_MAX;
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--;
    }
    buf_add(out, s ? s : "", n);
    free(s);
}

static void add_problem(struct buf *problems, const char *fmt, ...) PRINTF_LIKE(2, 3);
static void add_problem(struct buf *problems, const char *fmt, ...)
{
    va_list ap;

    if (problems->len)
        buf_addstr(problems, "; ");
    va_start(ap, fmt);
    buf_vaddf(problems, fmt, ap);
    va_end(ap);
}

/* A JSON string's bytes as a C string, or NULL when it holds a NUL (argv cannot carry one). */
static const char *plain_string(const json_t *v)
{
    const char *s = json_string_value(v);

    return strlen(s) == json_string_length(v) ? s : NULL;
}

static char *compact(const json_t *v)
{
    char *s = json_dumps(v, COMPACT_FLAGS);

    if (!s)
        BUG("cannot serialise a JSON value");
    return s;
}

/*
 * The argv text of 'v' for a regular parameter of type 't' (mcp.md §7.3 table), or NULL when
 * the value is not accepted. The caller frees.
 */
static char *convert(enum runfile_type t, const json_t *v)
{
    struct buf b = BUF_INIT;
    const char *s = json_is_string(v) ? plain_string(v) : NULL;
    char *norm = NULL;

    if (json_is_string(v) && !s)
        return NULL;
    switch (t) {
    case RUNFILE_STRING:
        if (s)
            return xstrdup(s);
        if (json_is_number(v)) {
            schema_number_text(&b, v);
            return buf_detach(&b, NULL);
        }
        if (json_is_boolean(v))
            return xstrdup(json_is_true(v) ? "true" : "false");
        return NULL;
    case RUNFILE_INTEGER:
        if (json_is_integer(v))
            return xasprintf("%" JSON_INTEGER_FORMAT, json_integer_value(v));
        if (json_is_real(v)) {
            double d = json_real_value(v);

            if (is_whole(d))
                return xasprintf("%lld", (long long)d);
            return NULL;
        }
        /* The decimal text of the value: "+007" is passed as "7". */
        if (s && runfile_value_check(RUNFILE_INTEGER, s, NULL))
            return xasprintf("%lld", strtoll(s, NULL, 10));
        return NULL;
    case RUNFILE_NUMBER:
        if (json_is_number(v)) {
            schema_number_text(&b, v);
            return buf_detach(&b, NULL);
        }
        if (s && runfile_value_check(RUNFILE_NUMBER, s, &norm))
            return norm;
        return NULL;
    case RUNFILE_BOOLEAN:
        if (json_is_boolean(v))
            return xstrdup(json_is_true(v) ? "true" : "false");
        if (s && runfile_value_check(RUNFILE_BOOLEAN, s, &norm))
            return norm;
        return NULL;
    case RUNFILE_OBJECT:
        if (json_is_object(v))
            return compact(v);
        if (s) {
            json_t *o = json_loads(s, JSON_DECODE_ANY, NULL);
            char *text = json_is_object(o) ? compact(o) : NULL;
            json_decref(o);
            return text;
        }
        return NULL;
    }
    BUG("unknown type %d", (int)t);
}

/* One argv word per element of a rest value (mcp.md §7.3), or -1 when it is not accepted. */
static int convert_rest(const json_t *v, char ***items, size_t *nitems)
{
    struct buf b = BUF_INIT;
    size_t i, alloc = 0;
    json_t *e;

    *items = NULL;
    *nitems = 0;
    if (json_is_string(v)) {
        const char *s = plain_string(v);
        if (!s)
            return -1;
        if (*s) {
            *items = xcalloc(1, sizeof(**items));
            (*items)[(*nitems)++] = xstrdup(s);
        }
        return 0;
    }
    if (!json_is_array(v))
        return -1;
    json_array_foreach(v, i, e) {
        char *word;
        if (json_is_string(e)) {
            const char *s = plain_string(e);
            if (!s) {
                for (size_t k = 0; k < *nitems; k++)
                    free((*items)[k]);
                free(*items);
                *items = NULL;
                *nitems = 0;
                return -1;
            }
            word = xstrdup(s);
        } else if (json_is_number(e)) {
            schema_number_text(&b, e);
            word = buf_detach(&b, NULL);
        } else if (json_is_boolean(e)) {
            word = xstrdup(json_is_true(e) ? "true" : "false");
        } else {
            word = compact(e); /* arrays, objects, and null as "null" */
        }
        ALLOC_GROW(*items, *nitems + 1, alloc);
        (*items)[(*nitems)++] = word;
    }
    return 0;
}

static int check_timeout(const json_t *v, uint64_t *timeout_s)
{
    *timeout_s = 0;
    if (!v || json_is_null(v))
        return 0;
    if (json_is_integer(v) && json_integer_value(v) >= 0) {
        *timeout_s = (uint64_t)json_integer_value(v);
        return 0;
    }
    if (json_is_real(v)) {
        double d = json_real_value(v);

        if (d >= 0 && is_whole(d)) {
            *timeout_s = (uint64_t)(long long)d;
            return 0;
        }
    }
    return -1;
}

int schema_map_arguments(const struct runfile_fn *fn, const char *tool_name, json_t *arguments,
                         char ***values, size_t *nvalues, uint64_t *timeout_s, struct buf *problem)
{
    struct buf problems = BUF_INIT;
    const struct runfile_param *rest = NULL;
    char **slots = NULL, **rest_items = NULL, **out;
    size_t maxpos = 0, highest = 0, nrest = 0, nregular, n;
    uint64_t timeout = 0;
    json_t *tv;
    int rc = -1;

    for (size_t i = 0; i < fn->nparams; i++) {
        if (!fn->params[i].is_rest && fn->params[i].position > maxpos)
            maxpos = fn->params[i].position;
    }
    slots = xcalloc(maxpos + 1, sizeof(*slots));

    for (size_t i = 0; i < fn->nparams; i++) {
        const struct runfile_param *p = &fn->params[i];
        json_t *v = arguments ? json_object_get(arguments, p->name) : NULL;
        char *text;

        if (v && json_is_null(v))
            v = NULL;
        /* For an optional parameter "" means "use the default" (execution.md §3.3). */
        if (v && !p->required && json_is_string(v) && json_string_length(v) == 0)
            v = NULL;
        if (p->is_rest) {
            rest = p;
            if (v && convert_rest(v, &rest_items, &nrest)) {
                add_problem(&problems, "'%s' must be %s, got ", p->name, type_phrase(p));
                add_excerpt(&problems, v);
            }
            continue;
        }
        if (!v) {
            if (p->required)
                add_problem(&problems, "missing required argument '%s'", p->name);
            continue;
        }
        text = convert(p->type, v);
        if (!text) {
            add_problem(&problems, "'%s' must be %s, got ", p->name, type_phrase(p));
            add_excerpt(&problems, v);
            continue;
        }
        free(slots[p->position]);
        slots[p->position] = text;
        if (p->position > highest)
            highest = p->position;
    }

    tv = arguments ? json_object_get(arguments, "timeout") : NULL;
    if (check_timeout(tv, &timeout)) {
        add_problem(&problems, "'timeout' must be a non-negative integer, got ");
        add_excerpt(&problems, tv);
    }

    if (problems.len) {
        buf_reset(problem);
        buf_addf(problem, "Invalid arguments for tool '%s': %s", tool_name, problems.buf);
        goto out;
    }

    /* Absent parameters below the last given one are "" so positions stay right (§7.4). */
    nregular = highest;
    if (nrest) {
        nregular = rest->position > 0 ? rest->position - 1 : 0;
        if (highest > nregular)
            nregular = highest;
    }
    n = nregular + nrest;
    out = xcalloc(n + 1, sizeof(*out));
    for (size_t pos = 1; pos <= nregular; pos++) {
        if (pos <= maxpos && slots[pos]) {
            out[pos - 1] = slots[pos];
            slots[pos] = NULL;
        } else {
            out[pos - 1] = xstrdup("");
        }
    }
    for (size_t k = 0; k < nrest; k++) {
        out[nregular + k] = rest_items[k];
        rest_items[k] = NULL;
    }
    *values = out;
    *nvalues = n;
    *timeout_s = timeout;
    rc = 0;
out:
    for (size_t pos = 0; pos <= maxpos; pos++)
        free(slots[pos]);
    free(slots);
    for (size_t k = 0; k < nrest; k++)
        free(rest_items[k]);
    free(rest_items);
    buf_release(&problems);
    return rc;
}

void schema_free_values(char **values)
{
    if (!values)
        return;
    for (char **v = values; *v; v++)
        free(*v);
    free(values);
}
