/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "iamctl.h"

const char *arg_config = IAM_SYSCONFDIR "/iam.conf";

static const struct iamctl_verb verbs[] = {
    {"simulate-custom-policy", verb_simulate_custom_policy,
     "evaluate policies against actions and resources (AWS SimulateCustomPolicy)"},
    {"validate-policy", verb_validate_policy,
     "check a policy document for errors and risks (Access Analyzer ValidatePolicy)"},
};

int iamctl_fail(const char *fmt, ...) {
    va_list ap;

    fputs("iamctl: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return IAMCTL_EXIT_FAIL;
}

int iamctl_usage(const char *fmt, ...) {
    va_list ap;

    fputs("iamctl: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return IAMCTL_EXIT_USAGE;
}

int iamctl_fail_error(const struct iam_error *e) {
    char buf[IAM_ERROR_SOURCE_MAX + IAM_ERROR_TEXT_MAX + 32];

    return iamctl_fail("%s", iam_error_format(e, buf, sizeof(buf)));
}

int iamctl_read_param(const char *value, char **ret, size_t *ret_len, const char **ret_source) {
    const char *path;
    char *buf = NULL;
    size_t len = 0, cap = 0;
    int fd = -1, r = -EINVAL;

    if (strncmp(value, "file://", 7) != 0) {
        buf = strdup(value);
        if (!buf)
            return -ENOMEM;
        *ret = buf;
        *ret_len = strlen(buf);
        *ret_source = "(argument)";
        return 0;
    }
    path = value + 7;
    fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
        r = -errno;
        goto out;
    }
    for (;;) {
        ssize_t n;

        if (cap - len < 4096) {
            char *nb;

            if (cap > (size_t)256 * 1024 * 1024) {
                r = -E2BIG;
                goto out;
            }
            cap = cap ? cap * 2 : 16384;
            nb = realloc(buf, cap + 1);
            if (!nb) {
                r = -ENOMEM;
                goto out;
            }
            buf = nb;
        }
        n = read(fd, buf + len, cap - len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            r = -errno;
            goto out;
        }
        if (n == 0)
            break;
        len += (size_t)n;
    }
    buf[len] = '\0';
    *ret = buf;
    buf = NULL;
    *ret_len = len;
    *ret_source = path;
    r = 0;
out:
    free(buf);
    if (fd >= 0)
        close(fd);
    return r;
}

static void help(void) {
    printf("usage: iamctl [--config FILE] VERB [OPTIONS]\n\nVerbs:\n");
    for (size_t i = 0; i < IAM_ELEMENTSOF(verbs); i++)
        printf("  %-34s %s\n", verbs[i].name, verbs[i].summary);
}

int main(int argc, char *argv[]) {
    int i = 1;

    while (i < argc && argv[i][0] == '-') {
        if (strcmp(argv[i], "--config") == 0) {
            if (i + 1 >= argc)
                return iamctl_usage("--config needs a file name");
            arg_config = argv[i + 1];
            i += 2;
        } else if (strncmp(argv[i], "--config=", 9) == 0) {
            arg_config = argv[i] + 9;
            i++;
        } else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            help();
            return IAMCTL_EXIT_OK;
        } else if (strcmp(argv[i], "--version") == 0) {
            printf("iamctl %s\n", IAM_VERSION);
            return IAMCTL_EXIT_OK;
        } else {
            return iamctl_usage("unknown global option '%s'", argv[i]);
        }
    }
    if (i >= argc)
        return iamctl_usage("no verb given (try iamctl --help)");
    for (size_t v = 0; v < IAM_ELEMENTSOF(verbs); v++)
        if (strcmp(argv[i], verbs[v].name) == 0)
            return verbs[v].run(argc - i, argv + i);
    return iamctl_usage("unknown verb '%s' (try iamctl --help)", argv[i]);
}
