/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target: iam_login_session_parse() on arbitrary bytes. A record that parses must
 * format back to the same text (the format has one spelling per record), and an error must
 * carry a text.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iam/login_session.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int cond, const char *what) {
    if (!cond) {
        fprintf(stderr, "fuzz_login_session: invariant broken: %s\n", what);
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    struct iam_login_session s, back;
    struct iam_error e;
    char *text = NULL;
    size_t len = 0;

    iam_error_init(&e);
    if (iam_login_session_parse((const char *)data, size, &s, &e) < 0) {
        check(e.text[0] != '\0', "an error says why");
        return 0;
    }
    check(iam_login_session_format(&s, &text, &len, &e) == 0, "a parsed record formats");
    check(iam_login_session_parse(text, len, &back, &e) == 0, "and parses again");
    check(memcmp(&s, &back, sizeof(s)) == 0, "to the same record");
    free(text);
    return 0;
}
