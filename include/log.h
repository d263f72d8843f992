/*
 * log: developer-facing messages, never on stdout (stdout is the protocol channel of the MCP
 * server). Lines look like "run: warning: text". The level is checked before any formatting,
 * so a disabled log_debug() costs one comparison.
 *
 * Destination: stderr by default; RUN_LOG=path (or log_open()) appends to a file instead.
 */
#ifndef RUN_LOG_H
#define RUN_LOG_H

#include <stdbool.h>

#include "base.h"

enum log_level {
    LOG_ERROR,
    LOG_WARN,
    LOG_INFO,
    LOG_DEBUG,
};

/* Messages at 'level' or more important are written. The default is LOG_WARN. */
void log_set_level(enum log_level level);
enum log_level log_get_level(void);
/*
 * Write to 'path' (appending) instead of stderr; NULL goes back to stderr.
 * Returns 0, or -1 with errno set when the file cannot be opened (stderr stays in use).
 */
int log_open(const char *path);
/* Set up from the environment: RUN_LOG=path. Call once at start. */
void log_init_from_env(void);
/* Flush and close the file, if any. */
void log_close(void);

/*
 * Write "run: <level>: <text>" plus a newline (unless the text ends with one) in one write,
 * when 'level' is enabled. errno is preserved; a failed write is dropped. The macros below
 * check the level before the arguments are even evaluated (errors are always written).
 */
void log_msg(enum log_level level, const char *fmt, ...) PRINTF_LIKE(2, 3);

extern enum log_level log_level_current;
#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)
#define log_warn(...)                       \
    do {                                    \
        if (log_level_current >= LOG_WARN)  \
            log_msg(LOG_WARN, __VA_ARGS__); \
    } while (0)
#define log_info(...)                       \
    do {                                    \
        if (log_level_current >= LOG_INFO)  \
            log_msg(LOG_INFO, __VA_ARGS__); \
    } while (0)
#define log_debug(...)                       \
    do {                                     \
        if (log_level_current >= LOG_DEBUG)  \
            log_msg(LOG_DEBUG, __VA_ARGS__); \
    } while (0)

#endif
