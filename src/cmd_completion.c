/*
 * cmd_completion: `--generate-completion SHELL` prints a completion script embedded at build
 * time; `--install-completion [SHELL]` writes it where the shell looks (cli.md §10). The
 * scripts themselves live in completions/run.<shell> and read `run --list`.
 */
#include "cmd.h"

#include "base.h"
#include "buf.h"
#include "embedded.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* "pwsh" is another name of "powershell"; everything else is already canonical. */
static const char *canonical_shell(const char *shell)
{
    return streq(shell, "pwsh") ? "powershell" : shell;
}

static const struct embedded_file *script_for(const char *shell)
{
    char *name = xasprintf("completions/run.%s", canonical_shell(shell));
    const struct embedded_file *f = embedded_find(name);

    if (!f)
        BUG("no embedded completion script '%s'", name);
    free(name);
    return f;
}

int cmd_completion_generate(const struct cmd_ctx *ctx)
{
    const struct embedded_file *f = script_for(ctx->opts->completion_shell);

    if (cmd_write_all(STDOUT_FILENO, f->data, f->len)) {
        cmd_say("error: cannot write to stdout: %s\n", strerror(errno));
        return 1;
    }
    return 0;
}

/* The shell named by the basename of $SHELL, or NULL (cli.md §10.2). */
static const char *detect_shell(const char *shell_var)
{
    const char *base = strrchr(shell_var, '/');

    base = base ? base + 1 : shell_var;
    if (strstr(base, "bash"))
        return "bash";
    if (strstr(base, "zsh"))
        return "zsh";
    if (strstr(base, "fish"))
        return "fish";
    if (strstr(base, "pwsh") || strstr(base, "powershell"))
        return "powershell";
    return NULL;
}

/* $NAME when set and not empty, else NULL (the ${NAME:-...} rule). */
static const char *env_nonempty(const char *name)
{
    const char *v = getenv(name);

    return v && *v ? v : NULL;
}

/* Create every missing directory above 'path' (mkdir -p of its dirname). */
static int make_parents(const char *path)
{
    char *dir = xstrdup(path);
    int rc = 0;

    for (char *p = dir + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(dir, 0755) && errno != EEXIST) {
            rc = -1;
            break;
        }
        *p = '/';
    }
    free(dir);
    return rc;
}

/*
 * Write 'len' bytes to 'path' through a temporary file in the same directory and rename(),
 * so a reader never sees half a script. Returns 0, or -1 with errno set.
 */
static int write_replace(const char *path, const char *data, size_t len)
{
    char *tmp = xasprintf("%s.tmp.XXXXXX", path);
    int fd = -1, rc = -1, saved;

    if (make_parents(path))
        goto out;
    fd = mkstemp(tmp);
    if (fd < 0)
        goto out;
    if (fchmod(fd, 0644) || cmd_write_all(fd, data, len))
        goto out;
    if (close(fd)) {
        fd = -1;
        goto out;
    }
    fd = -1;
    if (rename(tmp, path))
        goto out;
    rc = 0;
out:
    saved = errno;
    if (fd >= 0)
        close(fd);
    if (rc)
        unlink(tmp);
    free(tmp);
    errno = saved;
    return rc;
}

/* True when a line of 'text' that is not a comment contains both needles (b may be NULL). */
static bool has_live_line(const char *text, const char *a, const char *b)
{
    const char *line = text;

    while (line && *line) {
        const char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) : strlen(line);
        char *copy = xstrndup(line, len);
        const char *p = copy;
        bool hit;

        while (*p == ' ' || *p == '\t')
            p++;
        hit = *p != '#' && strstr(p, a) && (!b || strstr(p, b));
        free(copy);
        if (hit)
            return true;
        line = end ? end + 1 : NULL;
    }
    return false;
}

static char *read_text(const char *path)
{
    FILE *f = fopen(path, "rb");
    struct buf b = BUF_INIT;
    char chunk[4096];
    size_t n;

    if (!f)
        return NULL;
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        buf_add(&b, chunk, n);
    (void)fclose(f); /* opened for reading: nothing to flush */
    return buf_detach(&b, NULL);
}

/* The zsh notes: which of the two ~/.zshrc lines are missing (cli.md §10.2). */
static void zsh_notes(struct buf *out, const char *home)
{
    const char *zdotdir = env_nonempty("ZDOTDIR");
    char *rc_path = xasprintf("%s/.zshrc", zdotdir ? zdotdir : home);
    char *shown = zdotdir ? xstrdup(rc_path) : xstrdup("~/.zshrc");
    char *text = read_text(rc_path);
    bool has_fpath = text && has_live_line(text, "fpath", ".zsh/completion");
    bool has_compinit = text && has_live_line(text, "compinit", NULL);
    static const char fpath_line[] = "fpath=(~/.zsh/completion $fpath)";
    static const char compinit_line[] = "autoload -Uz compinit && compinit";

    if (has_fpath && has_compinit) {
        buf_addf(out, "Your %s already loads it: open a new shell to use it.\n", shown);
        goto out;
    }
    buf_addf(out, "\nAdd these lines to %s (before any other compinit call):\n", shown);
    if (!has_fpath)
        buf_addf(out, "  %s\n", fpath_line);
    if (!has_compinit)
        buf_addf(out, "  %s\n", compinit_line);
    buf_addstr(out, "\nOr append them with:\n");
    if (!has_fpath)
        buf_addf(out, "  echo '%s' >> %s\n", fpath_line, shown);
    if (!has_compinit)
        buf_addf(out, "  echo '%s' >> %s\n", compinit_line, shown);
out:
    free(text);
    free(shown);
    free(rc_path);
}

/*
 * Make the PowerShell profile next to 'file' dot-source it, unless it already mentions it.
 * Returns 0, or -1 with errno set and '*failed' naming the file that could not be written.
 */
static int powershell_profile(const char *file, struct buf *notes, char **failed)
{
    char *dir = xstrndup(file, (size_t)(strrchr(file, '/') - file));
    char *profile = xasprintf("%s/Microsoft.PowerShell_profile.ps1", dir);
    char *text = read_text(profile);
    struct buf add = BUF_INIT;
    int fd = -1, rc = -1, saved;

    if (text && strstr(text, file)) {
        buf_addf(notes,
                 "Your PowerShell profile %s already loads it: open a new PowerShell "
                 "session to use it.\n",
                 profile);
        rc = 0;
        goto out;
    }
    if (text && *text && text[strlen(text) - 1] != '\n')
        buf_addch(&add, '\n');
    buf_addf(&add, ". \"%s\"\n", file);
    fd = open(profile, O_WRONLY | O_APPEND | O_CREAT, 0644);
    if (fd < 0 || cmd_write_all(fd, add.buf, add.len))
        goto out;
    buf_addf(notes,
             "Added it to your PowerShell profile %s: open a new PowerShell session to "
             "use it.\n",
             profile);
    rc = 0;
out:
    if (fd >= 0 && close(fd) && !rc)
        rc = -1;
    saved = errno;
    if (rc)
        *failed = xstrdup(profile);
    buf_release(&add);
    free(text);
    free(profile);
    free(dir);
    errno = saved;
    return rc;
}

int cmd_completion_install(const struct cmd_ctx *ctx)
{
    const char *want = ctx->opts->completion_shell ? ctx->opts->completion_shell : "auto";
    const char *shell, *home = ctx->home;
    const char *xdg_data = env_nonempty("XDG_DATA_HOME"),
               *xdg_config = env_nonempty("XDG_CONFIG_HOME");
    char *file = NULL, *failed = NULL;
    struct buf out = BUF_INIT, notes = BUF_INIT;
    const struct embedded_file *script;
    int rc = 1, err = 0;

    if (streq(want, "auto")) {
        const char *var = getenv("SHELL");
        shell = detect_shell(var ? var : "");
        if (!shell) {
            cmd_say("error: could not detect your shell from $SHELL ('%s'); name it: run "
                    "--install-completion <SHELL>\nSupported shells: bash, zsh, fish, powershell\n",
                    var ? var : "");
            return 1;
        }
    } else {
        shell = canonical_shell(want);
    }
    if (!home || !*home) {
        cmd_say("error: cannot install the %s completion: no home directory ($HOME)\n", shell);
        return 1;
    }

    if (streq(shell, "bash")) {
        file = xdg_data ? xasprintf("%s/bash-completion/completions/run", xdg_data)
                        : xasprintf("%s/.local/share/bash-completion/completions/run", home);
    } else if (streq(shell, "zsh")) {
        file = xasprintf("%s/.zsh/completion/_run", home);
    } else if (streq(shell, "fish")) {
        file = xdg_config ? xasprintf("%s/fish/completions/run.fish", xdg_config)
                          : xasprintf("%s/.config/fish/completions/run.fish", home);
    } else {
        file = xdg_config ? xasprintf("%s/powershell/run.ps1", xdg_config)
                          : xasprintf("%s/.config/powershell/run.ps1", home);
    }

    script = script_for(shell);
    if (write_replace(file, script->data, script->len)) {
        err = errno;
        failed = xstrdup(file);
        goto fail;
    }
    if (streq(shell, "bash")) {
        buf_addf(&notes, "bash-completion loads it in new shells; to use it now, run: source %s\n",
                 file);
    } else if (streq(shell, "zsh")) {
        zsh_notes(&notes, home);
    } else if (streq(shell, "fish")) {
        buf_addstr(&notes, "fish loads it automatically in new shells.\n");
    } else if (powershell_profile(file, &notes, &failed)) {
        err = errno;
        goto fail;
    }

    buf_addf(&out, "Installing %s completion for run...\n", shell);
    buf_addf(&out, "\xE2\x9C\x93 Installed completion to %s\n", file);
    buf_add(&out, notes.buf, notes.len);
    buf_addstr(&out, "\n\xE2\x9C\x93 Installation complete!\n");
    if (cmd_write_all(STDOUT_FILENO, out.buf, out.len)) {
        cmd_say("error: cannot write to stdout: %s\n", strerror(errno));
        goto out;
    }
    rc = 0;
    goto out;
fail:
    cmd_say("error: cannot write '%s': %s\n", failed, strerror(err));
out:
    free(failed);
    free(file);
    buf_release(&out);
    buf_release(&notes);
    return rc;
}
