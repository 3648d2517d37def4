/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The validation every policy write goes through (put-user-policy, put-group-policy,
 * create-policy, create-policy-version, put-user-permissions-boundary, import, ...): run
 * iam_policy_validate(), refuse the write when there is an ERROR finding, and show every
 * finding on stderr, errors first as "iamctl: SOURCE:LINE:COL: ERROR CODE: details (path)",
 * the others as warnings. Columns here are 1-based, like every other iamctl diagnostic.
 *
 * Self-contained (stdio and libiamcore only) so verbs and tests can link it alone.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "iam/db.h"
#include "iam/validate.h"
#include "iamctl.h"

/* "Statement[0].Condition.StringEquals.host:Service" */
static void format_path(const struct iam_finding_location *l, char *buf, size_t size) {
    size_t n = 0;

    buf[0] = '\0';
    for (size_t i = 0; i < l->n_path && n < size; i++) {
        const struct iam_path_element *e = &l->path[i];
        int w = 0;

        switch (e->kind) {
        case IAM_PATH_INDEX:
            w = snprintf(buf + n, size - n, "[%zu]", e->index);
            break;
        case IAM_PATH_KEY:
        case IAM_PATH_VALUE:
            w = snprintf(buf + n, size - n, "%s%.64s", n ? "." : "", e->text);
            break;
        case IAM_PATH_SUBSTRING:
            w = snprintf(buf + n, size - n, "{chars %zu-%zu}", e->start, e->start + e->length);
            break;
        }
        if (w < 0)
            break;
        n += (size_t)w;
    }
}

static void show(FILE *out, const char *source, const struct iam_finding *f) {
    const struct iam_finding_location *l = f->n_locations ? &f->locations[0] : NULL;
    char path[256];

    if (l)
        format_path(l, path, sizeof(path));
    if (!l)
        path[0] = '\0';
    fprintf(out, "iamctl: %s%.200s:%u:%u: %s %s: %s%s%s%s\n",
            f->type == IAM_FINDING_ERROR ? "" : "warning: ", source, l ? l->start.line : 1,
            l ? l->start.column + 1 : 1, iam_finding_type_name(f->type), f->issue_code, f->details,
            path[0] ? " (" : "", path, path[0] ? ")" : "");
}

int iamctl_policy_check(const char *text, size_t len, enum iam_policy_type type, const char *source,
                        unsigned flags) {
    return iamctl_policy_check_for(text, len, type, IAM_VALIDATE_RESOURCE_NONE, source, flags);
}

int iamctl_policy_check_for(const char *text, size_t len, enum iam_policy_type type,
                            enum iam_validate_resource_type resource_type, const char *source,
                            unsigned flags) {
    struct iam_findings *findings = NULL;
    struct iam_error err;
    size_t errors;
    int r;

    if (!source)
        source = "(policy)";
    iam_error_init(&err);
    r = iam_policy_validate_for(text, len, type, resource_type, &findings, &err);
    if (r < 0) {
        fprintf(stderr, "iamctl: %.200s: cannot validate the policy: %s\n", source, strerror(-r));
        return IAMCTL_EXIT_FAIL;
    }
    errors = iam_findings_count_type(findings, IAM_FINDING_ERROR);
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < iam_findings_count(findings); i++) {
            const struct iam_finding *f = iam_findings_get(findings, i);
            bool is_error = f->type == IAM_FINDING_ERROR;

            if (pass == 0 ? !is_error : is_error)
                continue;
            if (!is_error && (flags & IAMCTL_POLICY_CHECK_QUIET))
                continue;
            show(stderr, source, f);
        }
    if (errors > 0) {
        struct iam_policy *p = NULL;

        /* the engine's own words too, in iamctl's usual form, when it is the one refusing */
        iam_error_init(&err);
        iam_error_set_source(&err, source);
        if (iam_policy_compile(text, len, type, &p, &err) < 0 && err.set) {
            char buf[IAM_ERROR_SOURCE_MAX + IAM_ERROR_TEXT_MAX + 32];

            fprintf(stderr, "iamctl: %s\n", iam_error_format(&err, buf, sizeof(buf)));
        }
        iam_policy_free(p);
        fprintf(stderr,
                "iamctl: %.200s: policy refused: %zu ERROR finding%s (see "
                "'iamctl validate-policy' and docs/findings.md)\n",
                source, errors, errors == 1 ? "" : "s");
    }
    iam_findings_free(findings);
    return errors > 0 ? IAMCTL_EXIT_FAIL : 0;
}

/* A trust policy: Access Analyzer's checks for AWS::IAM::AssumeRolePolicyDocument, which hold
 * the rules IAM has for trust policies (the validator's; validate-policy reports the same). */
int iamctl_trust_policy_check(const char *text, size_t len, const char *source, unsigned flags) {
    return iamctl_policy_check_for(text, len, IAM_POLICY_RESOURCE,
                                   IAM_VALIDATE_RESOURCE_ROLE_TRUST,
                                   source ? source : "(trust policy)", flags);
}

/* One document of a database or export. */
static int check_doc(const char *text, enum iam_policy_type type, const char *file,
                     const char *what, const char *name, unsigned flags) {
    char source[IAM_ERROR_SOURCE_MAX];

    if (!text)
        return 0;
    snprintf(source, sizeof(source), "%.120s: %s %.100s", file, what, name);
    return iamctl_policy_check(text, strlen(text), type, source, flags);
}

int iamctl_db_policy_check(const struct iam_db *db, const char *file, unsigned flags) {
    int ret = 0;

    for (size_t i = 0; i < db->n_users; i++)
        for (size_t k = 0; k < db->users[i].n_inline; k++) {
            char name[300];

            snprintf(name, sizeof(name), "%.128s/%.128s", db->users[i].name,
                     db->users[i].inline_policies[k].name);
            if (check_doc(db->users[i].inline_policies[k].document, IAM_POLICY_IDENTITY, file,
                          "inline policy of user", name, flags))
                ret = IAMCTL_EXIT_FAIL;
        }
    for (size_t i = 0; i < db->n_groups; i++)
        for (size_t k = 0; k < db->groups[i].n_inline; k++) {
            char name[300];

            snprintf(name, sizeof(name), "%.128s/%.128s", db->groups[i].name,
                     db->groups[i].inline_policies[k].name);
            if (check_doc(db->groups[i].inline_policies[k].document, IAM_POLICY_IDENTITY, file,
                          "inline policy of group", name, flags))
                ret = IAMCTL_EXIT_FAIL;
        }
    for (size_t i = 0; i < db->n_roles; i++)
        for (size_t k = 0; k < db->roles[i].n_inline; k++) {
            char name[300];

            snprintf(name, sizeof(name), "%.128s/%.128s", db->roles[i].name,
                     db->roles[i].inline_policies[k].name);
            if (check_doc(db->roles[i].inline_policies[k].document, IAM_POLICY_IDENTITY, file,
                          "inline policy of role", name, flags))
                ret = IAMCTL_EXIT_FAIL;
        }
    for (size_t i = 0; i < db->n_policies; i++) {
        const struct iam_db_managed_policy *mp = &db->policies[i];

        for (size_t v = 0; v < mp->n_versions; v++) {
            char name[300];

            snprintf(name, sizeof(name), "%.200s (%.16s)", mp->arn, mp->versions[v].version_id);
            /* AWS managed policies cannot be edited by their user: errors only */
            if (check_doc(mp->versions[v].document, IAM_POLICY_IDENTITY, file, "managed policy",
                          name, mp->aws_managed ? flags | IAMCTL_POLICY_CHECK_QUIET : flags))
                ret = IAMCTL_EXIT_FAIL;
        }
    }
    return ret;
}
