/*
 * unit.h: what every cmocka test includes. cmocka.h needs these headers first, and a
 * separate header keeps clang-format's include sorting from reordering them.
 */
#ifndef RUN_TEST_UNIT_H
#define RUN_TEST_UNIT_H

// clang-format off
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
// clang-format on

#endif
