/* SPDX-License-Identifier: Apache-2.0 */
/*
 * iamctl validate-policy: IAM Access Analyzer's ValidatePolicy for one document.
 *
 *   iamctl validate-policy --policy-document file://p.json [--policy-type IDENTITY_POLICY]
 *
 * Prints the ValidatePolicy response ({"findings": [...]}) on stdout. Exit 0 whenever the
 * validation ran, findings or not; 1 when the document cannot be read; 2 on usage errors.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iam/validate.h"
#include "iamctl.h"

/* --name VALUE or --name=VALUE; returns the value or NULL (advancing *i past what it used). */
static const char *option_value(int argc, char *argv[], int *i, const char *name, bool *matched) {
    size_t n = strlen(name);

    *matched = false;
    if (strncmp(argv[*i], name, n) != 0)
        return NULL;
    if (argv[*i][n] == '=') {
        *matched = true;
        return argv[*i] + n + 1;
    }
    if (argv[*i][n] != '\0')
        return NULL;
    *matched = true;
    if (*i + 1 >= argc)
        return NULL;
    return argv[++*i];
}

int verb_validate_policy(int argc, char *argv[]) {
    const char *doc_arg = NULL, *type_arg = "IDENTITY_POLICY", *source = NULL;
    enum iam_policy_type type;
    struct iam_findings *findings = NULL;
    struct iam_error err;
    char *text = NULL, *json = NULL;
    size_t len = 0;
    int r, ret = IAMCTL_EXIT_FAIL;

    for (int i = 1; i < argc; i++) {
        bool m;
        const char *v;

        v = option_value(argc, argv, &i, "--policy-document", &m);
        if (m) {
            if (!v)
                return iamctl_usage("--policy-document needs a value (file://PATH or JSON text)");
            doc_arg = v;
            continue;
        }
        v = option_value(argc, argv, &i, "--policy-type", &m);
        if (m) {
            if (!v)
                return iamctl_usage("--policy-type needs IDENTITY_POLICY or RESOURCE_POLICY");
            type_arg = v;
            continue;
        }
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            printf("usage: iamctl validate-policy --policy-document file://PATH "
                   "[--policy-type IDENTITY_POLICY|RESOURCE_POLICY]\n");
            return IAMCTL_EXIT_OK;
        }
        return iamctl_usage("validate-policy: unknown argument '%.64s'", argv[i]);
    }
    if (!doc_arg)
        return iamctl_usage("validate-policy: --policy-document is required");
    if (iam_policy_type_from_name(type_arg, &type) < 0)
        return iamctl_usage("validate-policy: --policy-type must be IDENTITY_POLICY or "
                            "RESOURCE_POLICY, not '%.64s'",
                            type_arg);

    r = iamctl_read_param(doc_arg, &text, &len, &source);
    if (r < 0) {
        ret = iamctl_fail("%s: %s", strncmp(doc_arg, "file://", 7) == 0 ? doc_arg + 7 : doc_arg,
                          strerror(-r));
        goto out;
    }
    iam_error_init(&err);
    r = iam_policy_validate(text, len, type, &findings, &err);
    if (r < 0) {
        ret = iamctl_fail("%s: validation failed: %s", source, strerror(-r));
        goto out;
    }
    r = iam_findings_to_json(findings, 4, &json);
    if (r < 0) {
        ret = iamctl_fail("%s", strerror(-r));
        goto out;
    }
    if (puts(json) == EOF || fflush(stdout) == EOF) {
        ret = iamctl_fail("writing the findings: %s", strerror(errno));
        goto out;
    }
    ret = IAMCTL_EXIT_OK;
out:
    free(json);
    free(text);
    iam_findings_free(findings);
    return ret;
}
