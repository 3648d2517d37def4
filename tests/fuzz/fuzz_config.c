/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target: iam_config_parse() on arbitrary bytes (NUL bytes, invalid UTF-8, huge
 * lines included). A successful parse must hold every invariant the header promises, and an
 * error must carry a position inside the input. Crashes, sanitizer reports, leaks and broken
 * invariants are findings.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iam/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int cond, const char *what) {
    if (!cond) {
        fprintf(stderr, "fuzz_config: invariant broken: %s\n", what);
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    struct iam_config *c = NULL;
    struct iam_error err;
    char *home;
    int r;

    iam_error_init(&err);
    r = iam_config_parse((const char *)data, size, "fuzz.conf", &c, &err);
    if (r < 0) {
        check(c == NULL, "no config returned on error");
        check(err.text[0] != '\0', "an error has a text");
        /* A line number can never exceed the number of lines in the input. */
        size_t lines = 1;
        for (size_t i = 0; i < size; i++)
            lines += data[i] == '\n';
        check(err.line <= lines, "error line inside the input");
        return 0;
    }
    check(r == 0 && c != NULL, "success returns a config");
    check(c->account_id && strlen(c->account_id) == 12, "account_id is 12 digits");
    for (size_t i = 0; i < 12; i++)
        check(c->account_id[i] >= '0' && c->account_id[i] <= '9', "account_id is digits");
    check(c->host_arn && strncmp(c->host_arn, "arn:", 4) == 0, "host_arn is an ARN");
    check(c->database && c->cache_dir && c->audit_log && c->home_template && c->default_shell,
          "defaults filled in");
    check(c->uid_min <= c->uid_max, "uid range ordered");
    check(c->n_host_tags == 0 || c->host_tags != NULL, "tags array present");
    for (size_t i = 0; i < c->n_host_tags; i++)
        check(c->host_tags[i].key && c->host_tags[i].value, "tag key and value");
    home = iam_config_home_for(c, "alice");
    free(home);
    iam_config_free(c);
    return 0;
}
