/*
 * mcp_project: the session's Runfile, loaded once per change (§11).
 *
 * A load remembers the identity (device, inode, size, mtime in ns, existence) of every file
 * it read or tried, plus every place discovery looked at ("<dir>/Runfile" from the session
 * cwd upwards, and ~/.runfile). Before a request that needs the Runfile, those are stat'ed
 * again; only a difference (or another session cwd) loads again. A libuv watch on the
 * directories of those files triggers the same check after a quiet period, so the client
 * hears about a changed tool list without asking.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base.h"
#include "buf.h"
#include "log.h"
#include "mcp_int.h"
#include "runfile.h"
#include "schema.h"

static void ident_stat(struct mcp_ident *id)
{
    struct stat st;

    if (stat(id->path, &st) == 0 && S_ISREG(st.st_mode)) {
        id->exists = true;
        id->dev = (uint64_t)st.st_dev;
        id->ino = (uint64_t)st.st_ino;
        id->size = (uint64_t)st.st_size;
        id->mtime_ns = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
    } else {
        id->exists = false;
        id->dev = id->ino = id->size = 0;
        id->mtime_ns = 0;
    }
}

static bool ident_unchanged(const struct mcp_ident *id)
{
    struct mcp_ident now = { .path = id->path };

    ident_stat(&now);
    if (now.exists != id->exists)
        return false;
    return !now.exists || (now.dev == id->dev && now.ino == id->ino && now.size == id->size &&
                           now.mtime_ns == id->mtime_ns);
}

static struct mcp_ident *add_ident(struct mcp_project *p, const char *path)
{
    struct mcp_ident *id;

    ALLOC_GROW(p->idents, p->nidents + 1, p->alloc_idents);
    id = &p->idents[p->nidents++];
    memset(id, 0, sizeof(*id));
    id->path = xstrdup(path);
    return id;
}

/*
 * The places discovery looks at from 'cwd' (runfile.md §8.1): "<dir>/Runfile" upwards until
 * the home directory or "/" has been checked, and the global file. Looking at one place too
 * many only costs a stat.
 */
static void add_discovery_idents(struct mcp_server *s)
{
    struct mcp_project *p = &s->project;
    struct buf dir = BUF_INIT;

    buf_addstr(&dir, s->cwd);
    for (;;) {
        char *slash, *path = xasprintf("%s/Runfile", streq(dir.buf, "/") ? "" : dir.buf);

        ident_stat(add_ident(p, path));
        free(path);
        if (streq(dir.buf, "/") || (s->home && streq(dir.buf, s->home)))
            break;
        slash = strrchr(dir.buf, '/');
        if (!slash)
            break;
        buf_setlen(&dir, slash == dir.buf ? 1 : (size_t)(slash - dir.buf));
    }
    if (s->home) {
        char *path = xasprintf("%s/.runfile", s->home);

        ident_stat(add_ident(p, path));
        free(path);
    }
    buf_release(&dir);
}

/* ---- the watch (§11.3) ------------------------------------------------------------------- */

static void on_watch_closed(uv_handle_t *h)
{
    free(container_of((uv_fs_event_t *)h, struct mcp_watch, handle));
}

void mcp_project_unwatch(struct mcp_server *s)
{
    struct mcp_project *p = &s->project;

    for (size_t i = 0; i < p->nwatches; i++)
        uv_close((uv_handle_t *)&p->watches[i]->handle, on_watch_closed);
    p->nwatches = 0;
}

static void on_reload_quiet(uv_timer_t *t)
{
    struct mcp_server *s = t->data;

    if (s->state != MCP_SERVING || !s->project.loaded)
        return;
    mcp_project_refresh(s);
    mcp_send_list_changed(s);
}

static void on_dir_event(uv_fs_event_t *h, const char *name, int events, int status)
{
    struct mcp_watch *w = container_of(h, struct mcp_watch, handle);
    struct mcp_server *s = w->server;

    (void)name;
    (void)events;
    (void)status;
    if (s->state != MCP_SERVING)
        return;
    /* Editors write in several steps: wait until the directory is quiet. */
    uv_timer_start(&s->reload_timer, on_reload_quiet, MCP_RELOAD_QUIET_MS, 0);
}

static void watch_dirs(struct mcp_server *s)
{
    struct mcp_project *p = &s->project;

    mcp_project_unwatch(s);
    if (s->state != MCP_SERVING)
        return;
    for (size_t i = 0; i < p->nidents; i++) {
        char *dir = xstrdup(p->idents[i].path), *slash = strrchr(dir, '/');
        bool seen = false;
        struct mcp_watch *w;

        if (slash)
            *(slash == dir ? slash + 1 : slash) = '\0';
        for (size_t j = 0; j < p->nwatches && !seen; j++) {
            char path[4096];
            size_t len = sizeof(path);

            seen = uv_fs_event_getpath(&p->watches[j]->handle, path, &len) == 0 && streq(path, dir);
        }
        if (!seen) {
            w = xcalloc(1, sizeof(*w));
            w->server = s;
            uv_fs_event_init(s->loop, &w->handle);
            if (uv_fs_event_start(&w->handle, on_dir_event, dir, 0) == 0) {
                /* An array of pointers: sizeof(*watches) is meant. */
                ALLOC_GROW(p->watches, p->nwatches + 1,
                           p->alloc_watches); // NOLINT(bugprone-sizeof-expression)
                p->watches[p->nwatches++] = w;
            } else {
                /* A missing directory cannot be watched; the request-time check still works. */
                uv_close((uv_handle_t *)&w->handle, on_watch_closed);
            }
        }
        free(dir);
    }
}

/* ---- loading ----------------------------------------------------------------------------- */

static void release_load(struct mcp_project *p)
{
    schema_index_free(p->ix);
    p->ix = NULL;
    runfile_free(p->rf);
    p->rf = NULL;
    diag_list_release(&p->diags);
    free(p->errors_text);
    p->errors_text = NULL;
    json_decref(p->list);
    p->list = NULL;
    free(p->list_text);
    p->list_text = NULL;
    free(p->cwd);
    p->cwd = NULL;
    for (size_t i = 0; i < p->nidents; i++)
        free(p->idents[i].path);
    p->nidents = 0;
    p->load_errno = 0;
    p->loaded = false;
}

void mcp_project_release(struct mcp_project *p)
{
    release_load(p);
    free(p->idents);
    p->idents = NULL;
    p->alloc_idents = 0;
    free(p->watches);
    p->watches = NULL;
    p->alloc_watches = p->nwatches = 0;
}

static void log_diags(struct mcp_server *s, const struct diag_list *diags)
{
    struct buf text = BUF_INIT;

    if (!diags->n || !s->opts.log_text)
        return;
    diag_list_render(&text, diags, false);
    s->opts.log_text(text.buf, text.len);
    buf_release(&text);
}

static void load(struct mcp_server *s)
{
    struct mcp_project *p = &s->project;
    struct runfile_load_opts o = {
        .cwd = s->cwd,
        .home = s->home,
        .runfile = s->pinned,
        .no_global_merge = s->opts.no_global_merge,
        .runfile_dir = s->runfile_dir,
    };
    struct diag_list warnings = DIAG_LIST_INIT;
    char *previous = p->list_text;
    struct buf list = BUF_INIT;

    p->list_text = NULL;
    release_load(p);
    p->loaded = true;
    p->cwd = xstrdup(s->cwd);
    /* Stat the discovery places first: a change during the load is then seen next time. */
    if (s->pinned)
        ident_stat(add_ident(p, s->pinned));
    else
        add_discovery_idents(s);
    p->rf = runfile_load(&o, &p->diags, &p->load_errno);
    if (p->rf) {
        for (size_t i = 0; i < p->rf->nfiles; i++) {
            const struct runfile_file *f = p->rf->files[i];
            struct mcp_ident *id = add_ident(p, f->path);

            /* The identity the loader saw when it read the file. */
            id->exists = f->exists;
            id->dev = f->dev;
            id->ino = f->ino;
            id->size = f->size;
            id->mtime_ns = f->mtime_ns;
        }
    }
    if (p->rf && p->diags.nerrors) {
        struct buf text = BUF_INIT;

        diag_list_render(&text, &p->diags, false);
        p->errors_text = buf_detach(&text, NULL);
    } else if (p->rf) {
        p->ix = schema_index_new(p->rf, &warnings);
    }
    log_diags(s, &p->diags);
    log_diags(s, &warnings);
    diag_list_release(&warnings);

    /* Written straight from the model; the tree waits until a batch needs it. */
    schema_write_list(p->ix, s->builtins, SCHEMA_COMPACT, &list);
    p->list_text = buf_detach(&list, NULL);
    if (previous && !streq(previous, p->list_text))
        s->list_changed = true;
    free(previous);
    watch_dirs(s);
}

json_t *mcp_project_list(struct mcp_server *s)
{
    struct mcp_project *p = &s->project;
    json_t *tools;

    if (p->list)
        return p->list;
    tools = schema_index_tools(p->ix);
    for (size_t i = 0; i < json_array_size(s->builtins); i++)
        json_array_append(tools, json_array_get(s->builtins, i));
    p->list = json_object();
    json_object_set_new(p->list, "tools", tools);
    return p->list;
}

static bool still_valid(const struct mcp_server *s)
{
    const struct mcp_project *p = &s->project;

    if (!p->loaded || !streq(p->cwd, s->cwd))
        return false;
    for (size_t i = 0; i < p->nidents; i++)
        if (!ident_unchanged(&p->idents[i]))
            return false;
    return true;
}

void mcp_project_refresh(struct mcp_server *s)
{
    if (!still_valid(s))
        load(s);
}

const char *mcp_project_root(const struct mcp_project *p)
{
    const char *global = NULL;

    if (!p->rf)
        return NULL;
    for (size_t i = 0; i < p->rf->nfiles; i++) {
        const struct runfile_file *f = p->rf->files[i];

        if (f->sourced_at.file || !f->exists)
            continue;
        if (!f->is_global_tree)
            return f->path;
        global = f->path;
    }
    return global;
}
