/*
 * nojit.so, preloaded by test/valgrind.sh: PCRE2's JIT writes machine code that valgrind
 * cannot see into, so its reads of partly initialised match data are reported as errors in
 * anonymous code ("???"). Refusing JIT compilation makes pcre2_match use the interpreter,
 * which valgrind checks like any other code; the matching results are the same.
 */
#include <stdint.h>

int pcre2_jit_compile_8(void *code, uint32_t options);

int pcre2_jit_compile_8(void *code, uint32_t options)
{
    (void)code;
    (void)options;
    return -45; /* PCRE2_ERROR_JIT_BADOPTION: callers fall back to the interpreter */
}
