/*
 * utf8: the one decoder of UTF-8 sequences. Runfile text and process output are bytes; the
 * places that must turn them into valid UTF-8 (markdown reports, JSON strings) agree on
 * what a well-formed sequence is by asking here.
 */
#include "utf8.h"

size_t utf8_seq(const unsigned char *s, size_t len, bool *ok)
{
    unsigned char c = s[0], lo = 0x80, hi = 0xBF;
    size_t need, i;

    *ok = false;
    if (c < 0x80) {
        *ok = true;
        return 1;
    }
    if (c >= 0xC2 && c <= 0xDF) {
        need = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
        need = 3;
        if (c == 0xE0)
            lo = 0xA0; /* no overlong forms */
        else if (c == 0xED)
            hi = 0x9F; /* no surrogates */
    } else if (c >= 0xF0 && c <= 0xF4) {
        need = 4;
        if (c == 0xF0)
            lo = 0x90; /* no overlong forms */
        else if (c == 0xF4)
            hi = 0x8F; /* nothing above U+10FFFF */
    } else {
        return 1; /* 0x80..0xC1, 0xF5..0xFF never start a sequence */
    }
    for (i = 1; i < need; i++) {
        if (i >= len || s[i] < lo || s[i] > hi)
            return i;
        lo = 0x80; /* only the second byte has a narrower range */
        hi = 0xBF;
    }
    *ok = true;
    return need;
}
