/* SPDX-License-Identifier: Apache-2.0 */
/*
 * iamctl validate-policy: IAM Access Analyzer's ValidatePolicy for one document.
 *
 *   iamctl validate-policy --policy-document file://p.json [--policy-type IDENTITY_POLICY]
 *       [--validate-policy-resource-type AWS::IAM::AssumeRolePolicyDocument]
 *
 * The resource type (RESOURCE_POLICY only, as Access Analyzer has it) adds the checks of that
 * resource's policies: for a role's trust policy, the rules create-role and
 * update-assume-role-policy apply (one implementation, the validator's).
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
    const char *doc_arg = NULL, *type_arg = "IDENTITY_POLICY", *source = NULL, *rtype_arg = NULL;
    enum iam_validate_resource_type rtype = IAM_VALIDATE_RESOURCE_NONE;
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
        v = option_value(argc, argv, &i, "--validate-policy-resource-type", &m);
        if (m) {
            if (!v)
                return iamctl_usage("--validate-policy-resource-type needs a value "
                                    "(AWS::IAM::AssumeRolePolicyDocument)");
            rtype_arg = v;
            continue;
        }
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            printf("usage: iamctl validate-policy --policy-document file://PATH "
                   "[--policy-type IDENTITY_POLICY|RESOURCE_POLICY] "
                   "[--validate-policy-resource-type AWS::IAM::AssumeRolePolicyDocument]\n");
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
    if (rtype_arg) {
        r = iam_validate_resource_type_from_name(rtype_arg, &rtype);
        if (r == -EOPNOTSUPP)
            return iamctl_usage("validate-policy: --validate-policy-resource-type %.64s: this host "
                                "has no such resource and no checks of its own for its policies; "
                                "leave the option out to run the checks of every resource policy, "
                                "or use AWS::IAM::AssumeRolePolicyDocument for a role's trust "
                                "policy",
                                rtype_arg);
        if (r < 0)
            return iamctl_usage("validate-policy: --validate-policy-resource-type must be one of "
                                "AWS::IAM::AssumeRolePolicyDocument, AWS::S3::Bucket, "
                                "AWS::S3::AccessPoint, AWS::S3::MultiRegionAccessPoint, "
                                "AWS::S3ObjectLambda::AccessPoint, AWS::DynamoDB::Table "
                                "(the ones this host checks: AWS::IAM::AssumeRolePolicyDocument), "
                                "not '%.64s'",
                                rtype_arg);
        if (type != IAM_POLICY_RESOURCE)
            return iamctl_usage("validate-policy: --validate-policy-resource-type applies only to "
                                "--policy-type RESOURCE_POLICY (as in Access Analyzer)");
    }

    r = iamctl_read_param(doc_arg, &text, &len, &source);
    if (r < 0) {
        ret = iamctl_fail("%s: %s", strncmp(doc_arg, "file://", 7) == 0 ? doc_arg + 7 : doc_arg,
                          strerror(-r));
        goto out;
    }
    iam_error_init(&err);
    r = iam_policy_validate_for(text, len, type, rtype, &findings, &err);
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
