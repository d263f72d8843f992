/*
 * schema: which functions are MCP tools, their JSON Schemas, and tools/call arguments → argv.
 *
 * The index is built once per loaded Runfile: offering rules are applied to every described
 * function in Runfile order, the winners' tool objects are built, and a table sorted by tool
 * name answers lookups. Everything here is pure; warnings are diags, failures are text.
 */
#include "schema.h"

#include "base.h"
#include "buf.h"

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
    char *tool;
    const struct runfile_fn *fn;
    size_t order; /* index in rf->fns */
};

struct schema_index {
    json_t *tools;         /* the offered tool objects, Runfile order */
    struct entry *entries; /* the offered functions, sorted by tool name */
    size_t nentries;
};

char *schema_tool_name(const char *fn_name)
{
    struct buf b = BUF_INIT;

    for (const char *p = fn_name; *p; p++) {
        if (*p == ':')
            buf_addstr(&b, "__");
        else
            buf_addch(&b, *p);
    }
    return buf_detach(&b, NULL);
}

/*
 * Length in bytes of the valid UTF-8 sequence at 's' (n bytes available), or 0 when the
 * bytes there are not one (overlong forms, surrogates and values above U+10FFFF included).
 */
static size_t utf8_seq_len(const unsigned char *s, size_t n)
{
    size_t len;
    unsigned lo = 0x80, hi = 0xBF;

    if (s[0] < 0x80)
        return 1;
    if (s[0] >= 0xC2 && s[0] <= 0xDF)
        len = 2;
    else if (s[0] >= 0xE0 && s[0] <= 0xEF)
        len = 3;
    else if (s[0] >= 0xF0 && s[0] <= 0xF4)
        len = 4;
    else
        return 0;
    if (n < len)
        return 0;
    if (s[0] == 0xE0)
        lo = 0xA0;
    else if (s[0] == 0xED)
        hi = 0x9F;
    else if (s[0] == 0xF0)
        lo = 0x90;
    else if (s[0] == 0xF4)
        hi = 0x8F;
    if (s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 2; i < len; i++) {
        if (s[i] < 0x80 || s[i] > 0xBF)
            return 0;
    }
    return len;
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
        size_t len = utf8_seq_len((const unsigned char *)s + i, n - i);
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

static int entry_cmp(const void *a, const void *b)
{
    const struct entry *x = a, *y = b;
    int c = strcmp(x->tool, y->tool);

    if (c)
        return c;
    return x->order < y->order ? -1 : x->order > y->order;
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
    size_t nfns = rf ? rf->nfns : 0;
    enum offer *why = xcalloc(nfns ? nfns : 1, sizeof(*why));
    const char **winner = xcalloc(nfns ? nfns : 1, sizeof(*winner));
    char **tool = xcalloc(nfns ? nfns : 1, sizeof(*tool));
    struct entry *cand = xcalloc(nfns ? nfns : 1, sizeof(*cand));
    size_t ncand = 0;

    ix->tools = json_array();
    for (size_t i = 0; i < nfns; i++) {
        tool[i] = schema_tool_name(rf->fns[i].name);
        why[i] = offer_alone(&rf->fns[i], tool[i]);
        if (why[i] == OFFER_YES)
            cand[ncand++] = (struct entry){ .tool = tool[i], .fn = &rf->fns[i], .order = i };
    }

    /*
     * Candidates sharing a tool name sit next to each other after sorting, in Runfile order.
     * The winner is the one named exactly like the tool, else the last definition.
     */
    qsort(cand, ncand, sizeof(*cand), entry_cmp);
    ix->entries = xcalloc(ncand ? ncand : 1, sizeof(*ix->entries));
    for (size_t g = 0; g < ncand;) {
        size_t end = g + 1, win;
        while (end < ncand && streq(cand[end].tool, cand[g].tool))
            end++;
        win = end - 1;
        for (size_t k = g; k < end; k++) {
            if (streq(cand[k].fn->name, cand[k].tool))
                win = k;
        }
        for (size_t k = g; k < end; k++) {
            if (k == win)
                continue;
            why[cand[k].order] = OFFER_COLLISION;
            winner[cand[k].order] = cand[win].fn->name;
        }
        ix->entries[ix->nentries] = cand[win];
        ix->entries[ix->nentries].tool = xstrdup(cand[win].tool);
        ix->nentries++;
        g = end;
    }

    for (size_t i = 0; i < nfns; i++) {
        if (why[i] == OFFER_YES)
            json_array_append_new(ix->tools, schema_tool_json(&rf->fns[i], tool[i]));
        else
            warn(warnings, &rf->fns[i], why[i], tool[i], winner[i]);
        free(tool[i]);
    }
    free(tool);
    free(why);
    free(winner);
    free(cand);
    return ix;
}

void schema_index_free(struct schema_index *ix)
{
    if (!ix)
        return;
    for (size_t i = 0; i < ix->nentries; i++)
        free(ix->entries[i].tool);
    free(ix->entries);
    json_decref(ix->tools);
    free(ix);
}

json_t *schema_index_tools(const struct schema_index *ix)
{
    return json_copy(ix->tools);
}

static int entry_key_cmp(const void *key, const void *elem)
{
    return strcmp(key, ((const struct entry *)elem)->tool);
}

const struct runfile_fn *schema_index_find(const struct schema_index *ix, const char *tool_name)
{
    const struct entry *e =
        bsearch(tool_name, ix->entries, ix->nentries, sizeof(*ix->entries), entry_key_cmp);

    return e ? e->fn : NULL;
}

json_t *schema_tools(const struct runfile *rf, struct diag_list *warnings)
{
    struct schema_index *ix = schema_index_new(rf, warnings);
    json_t *tools = json_incref(ix->tools);

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
