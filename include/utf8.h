/*
 * utf8: decoding UTF-8 sequences (Unicode Table 3-7: no overlong forms, no surrogates,
 * nothing above U+10FFFF).
 */
#ifndef RUN_UTF8_H
#define RUN_UTF8_H

#include <stdbool.h>
#include <stddef.h>

/*
 * The length of the well-formed UTF-8 sequence at 's' ('len' > 0 bytes available), or, when
 * it is ill-formed, the length of its maximal subpart (at least 1): the longest prefix that
 * could start a well-formed sequence. '*ok' says which.
 */
size_t utf8_seq(const unsigned char *s, size_t len, bool *ok);

#endif
