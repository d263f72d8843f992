/*
 * fuzz_runfile: the Runfile parser must never crash, hang or leak on any bytes, and every
 * diagnostic it produces must render. Inputs are parsed both as a Runfile and as a script.
 */
#include <stdint.h>
#include <stdlib.h>

#include "buf.h"
#include "diag.h"
#include "runfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    for (int script = 0; script < 2; script++) {
        struct diag_list diags = DIAG_LIST_INIT;
        struct buf out = BUF_INIT;
        struct runfile *rf =
            runfile_parse("Runfile", NULL, (const char *)data, size, script, &diags);

        for (size_t i = 0; i < rf->nfns; i++) {
            const struct runfile_fn *fn = &rf->fns[i];
            if (runfile_find(rf, fn->name) != fn)
                abort(); /* the index must find every function it lists */
        }
        diag_list_render(&out, &diags, false);
        buf_release(&out);
        runfile_free(rf);
        diag_list_release(&diags);
    }
    return 0;
}
