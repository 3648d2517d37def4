/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target: iam_faillock_parse() (the failed-login tally, which pam_iam reads at every
 * login of a user with failures) on arbitrary bytes. A tally that parses must format back to
 * text that parses to the same tally, and an error must carry a text.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iam/faillock.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int cond, const char *what) {
    if (!cond) {
        fprintf(stderr, "fuzz_faillock: invariant broken: %s\n", what);
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static struct iam_faillock_state s, back;
    struct iam_error e;
    char *text = NULL;
    size_t len = 0;

    iam_error_init(&e);
    if (iam_faillock_parse((const char *)data, size, &s, &e) < 0) {
        check(e.text[0] != '\0', "an error says why");
        return 0;
    }
    check(iam_faillock_format(&s, &text, &len) == 0, "a parsed tally formats");
    check(iam_faillock_parse(text, len, &back, &e) == 0, "and parses again");
    check(memcmp(&s, &back, sizeof(s)) == 0, "to the same tally");
    free(text);
    return 0;
}
