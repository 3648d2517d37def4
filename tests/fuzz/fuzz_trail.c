/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target: what the trail verbs read from files anyone may have copied (collected
 * trails): a record line through the scanner (iam_trail_scan, every field decoded, times
 * parsed) and the same bytes as a digest file (iam_trail_digest_parse). Invariants: the
 * scanner either refuses the line or hands out spans inside it; a string field that decodes fits
 * its buffer and holds no NUL; a digest that parses has as many hashes as it says.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iam/trail.h"
#include "trail_private.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int cond, const char *what) {
    if (!cond) {
        fprintf(stderr, "fuzz_trail: invariant broken: %s\n", what);
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const char *line = (const char *)data;
    struct iam_trail_fields f;
    struct digest d;
    char buf[512], err[256];

    if (iam_trail_scan(line, size, &f) == 0) {
        for (int i = 0; i < IAM_TF__MAX; i++) {
            const struct iam_trail_span *s = &f.f[i];
            int64_t t;

            if (!s->p)
                continue;
            check(s->p >= line && s->p + s->n <= line + size, "span inside the line");
            if (s->is_string && iam_trail_span_str(s, buf, sizeof(buf)) == 0)
                check(strlen(buf) < sizeof(buf), "decoded string fits");
            (void)iam_trail_span_eq(s, "host:Login");
            (void)iam_trail_parse_time(s, &t);
        }
    }
    if (iam_trail_digest_parse(line, size, &d, err, sizeof(err)) == 0) {
        check(d.count <= IAM_SEAL_MAX_BATCH, "digest count bounded");
        check(d.count == 0 || d.hashes != NULL, "hashes present");
        iam_trail_digest_free(&d);
    }
    return 0;
}
