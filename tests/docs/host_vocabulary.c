/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Prints the host's actions, context keys and authentication methods (iam/host.h) as the
 * Markdown tables that docs/architecture.md ("Actions and context keys") and the README show
 * between their "host-vocabulary" markers. test_host_vocabulary.sh compares them; with
 * --update it rewrites those blocks.
 */
#include <stdio.h>
#include <string.h>

#include "iam/host.h"

#define TYPE_STRING "String"
#define TYPE_ARN "ARN"
#define TYPE_NUMERIC "Numeric"
#define TYPE_DATE "Date"
#define TYPE_DATE_NUMERIC "Date, Numeric"
#define TYPE_BOOL "Bool"
#define TYPE_IP "IP address"

#define FORM_SINGLE ""
#define FORM_MULTI " (multivalued)"
#define FORM_TAG ""

#define PRESENCE_ALWAYS "always"
#define PRESENCE_SOMETIMES "sometimes"
#define PRESENCE_NEVER "never"

static void print_action(const char *name, const char *when) {
    printf("| `%s` | %s |\n", name, when);
}

static void print_key(const char *name, const char *type, const char *form, const char *login,
                      const char *sudo, const char *assume, const char *value) {
    size_t n = strlen(name);

    if (n > 0 && name[n - 1] == '/')
        printf("| `%s<key>` ", name);
    else
        printf("| `%s` ", name);
    printf("| %s%s | %s | %s | %s | %s |\n", type, form, login, sudo, assume, value);
}

int main(void) {
    printf("| action | asked when |\n|---|---|\n");
#define ACTION(id, name, when) print_action(name, when);
    IAM_HOST_ACTIONS(ACTION)
#undef ACTION
    printf("\n| key | type | in host:Login | in host:Sudo | in sts:AssumeRole | value |\n"
           "|---|---|---|---|---|---|\n");
#define KEY(id, name, type, form, login, sudo, assume, value)                                      \
    print_key(name, TYPE_##type, FORM_##form, PRESENCE_##login, PRESENCE_##sudo,                   \
              PRESENCE_##assume, value);
    IAM_HOST_CONTEXT_KEYS(KEY)
#undef KEY
    printf("\n| `host:AuthMethod` | when |\n|---|---|\n");
#define AUTH(id, word, meaning) printf("| `%s` | %s |\n", word, meaning);
    IAM_HOST_AUTH_METHODS(AUTH)
#undef AUTH
    return 0;
}
