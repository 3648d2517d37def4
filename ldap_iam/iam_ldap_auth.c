/* SPDX-License-Identifier: Apache-2.0 */
/*
 * iam-ldap-auth: one directory password checked by an LDAP simple bind, for pam_iam.
 *
 *   iam-ldap-auth --uri URI [--ca-file FILE] [--timeout SECONDS] [--no-starttls] DN
 *
 * The password comes on standard input (at most IAM_LDAP_MAX_PASSWORD bytes, one trailing
 * newline dropped), never in an argument or the environment. Exit IAM_LDAP_AUTH_OK when the
 * directory accepted it, IAM_LDAP_AUTH_REFUSED when it refused it, IAM_LDAP_AUTH_UNAVAILABLE
 * when it could not say (down, time-out, TLS failure, anything else), IAM_LDAP_AUTH_USAGE for
 * bad arguments; one line on standard error says why (never the password). The same transport
 * rules as import-ldap (iam/ldap.h): TLS always, certificates verified.
 *
 * pam_iam runs it with an empty environment but LDAPNOINIT=1, which keeps libldap from
 * reading ldap.conf or .ldaprc: everything comes from iam.conf, through the arguments.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "iam/ldap.h"
#include "iam/secret.h"

static int usage(const char *why) {
    fprintf(stderr, "iam-ldap-auth: %s\n", why);
    return IAM_LDAP_AUTH_USAGE;
}

/* The whole of standard input, the trailing newline dropped. */
static int read_password(char *buf, size_t size, size_t *ret_len) {
    size_t n = 0;

    for (;;) {
        ssize_t k = read(STDIN_FILENO, buf + n, size - n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0)
            return -errno;
        if (k == 0)
            break;
        n += (size_t)k;
        if (n == size)
            return -E2BIG;
    }
    if (n > 0 && buf[n - 1] == '\n')
        n--;
    buf[n] = '\0';
    if (n == 0 || memchr(buf, '\0', n))
        return -EINVAL;
    *ret_len = n;
    return 0;
}

int main(int argc, char *argv[]) {
    struct iam_ldap_options o = {.starttls = true, .timeout_ms = 3000,
                                 .bind = IAM_LDAP_BIND_SIMPLE};
    struct iam_ldap *l = NULL;
    struct iam_error e;
    char *pw = NULL;
    size_t len = 0;
    int i, r, rc;

    for (i = 1; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
        if (strcmp(argv[i], "--no-starttls") == 0)
            o.starttls = false;
        else if (i + 1 >= argc)
            return usage("an option without its value");
        else if (strcmp(argv[i], "--uri") == 0)
            o.uri = argv[++i];
        else if (strcmp(argv[i], "--ca-file") == 0)
            o.ca_file = argv[++i];
        else if (strcmp(argv[i], "--timeout") == 0) {
            char *end;
            long t = strtol(argv[++i], &end, 10);
            if (*end || t < 1 || t > 60)
                return usage("--timeout: 1 to 60 seconds");
            o.timeout_ms = (unsigned)t * 1000;
        } else
            return usage("unknown option");
    }
    if (!o.uri || i + 1 != argc || !argv[i][0])
        return usage("usage: iam-ldap-auth --uri URI [--ca-file FILE] [--timeout S] "
                     "[--no-starttls] DN < password");
    o.bind_dn = argv[i];
    if (!(pw = calloc(1, IAM_LDAP_MAX_PASSWORD + 1)))
        return usage("out of memory");
    if (read_password(pw, IAM_LDAP_MAX_PASSWORD + 1, &len) < 0) {
        iam_secret_free(pw, IAM_LDAP_MAX_PASSWORD + 1);
        /* an empty password is never sent: LDAP would take it for an unauthenticated bind */
        fprintf(stderr, "iam-ldap-auth: the password is empty, too long or unreadable\n");
        return IAM_LDAP_AUTH_REFUSED;
    }
    o.password = pw;
    o.password_len = len;
    iam_error_init(&e);
    r = iam_ldap_connect(&o, &l, &e);
    iam_secret_free(pw, IAM_LDAP_MAX_PASSWORD + 1);
    iam_ldap_close(l);
    if (r == 0)
        return IAM_LDAP_AUTH_OK;
    fprintf(stderr, "iam-ldap-auth: %s\n", e.text);
    rc = r == -EACCES ? IAM_LDAP_AUTH_REFUSED : IAM_LDAP_AUTH_UNAVAILABLE;
    return rc;
}
