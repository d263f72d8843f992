/*
 * fuzz_jsonrpc: the line framer must never crash, leak, or deliver a frame longer than its
 * limit, whatever the bytes and however they are split; every frame it delivers is parsed
 * the way the server parses it.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "jsonrpc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define LIMIT 256

static void on_frame(const char *line, size_t len, bool oversize, void *arg)
{
    json_error_t err;
    json_t *v;

    (void)arg;
    if (oversize) {
        if (line)
            abort();
        return;
    }
    if (len > LIMIT || memchr(line, '\n', len))
        abort();
    v = json_loadb(line, len, JSON_DECODE_ANY, &err);
    json_decref(v);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct jsonrpc_framer fr;
    size_t step = size ? (size_t)data[0] % 17 + 1 : 1;

    /* Feed in chunks whose size the first byte chooses, so splits land everywhere. */
    jsonrpc_framer_init(&fr, LIMIT);
    for (size_t off = 0; off < size; off += step)
        jsonrpc_framer_feed(&fr, (const char *)data + off, size - off < step ? size - off : step,
                            on_frame, NULL);
    jsonrpc_framer_finish(&fr, on_frame, NULL);
    jsonrpc_framer_release(&fr);
    return 0;
}
