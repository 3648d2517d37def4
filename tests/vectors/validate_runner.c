/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Data-driven check of one validator rule: tests/vectors/validate/<ISSUE_CODE>/ holds
 *   trigger.json   a policy that must produce at least one <ISSUE_CODE> finding, with a location
 *                  inside the document;
 *   clean.json     the policy written the right way: no <ISSUE_CODE> finding and no ERROR at all;
 *   expected-type  what the finding must be, recorded from an independent source, never from
 *                  the validator's own catalogue: "type: T" (AWS's type from Access Analyzer's
 *                  policy check reference, or ours from docs/findings.md for HOST_ codes, or
 *                  ours where we differ from AWS on purpose and "differs:" says why) and
 *                  "link: URL" (the learnMoreLink);
 *   policy-type    optional, IDENTITY_POLICY (default) or RESOURCE_POLICY;
 *   resource-type  optional, Access Analyzer's validatePolicyResourceType
 *                  (AWS::IAM::AssumeRolePolicyDocument);
 *   trigger.at     optional, "line:column" (ValidatePolicy's base: line from 1, column from 0)
 *                  where one of the <ISSUE_CODE> findings must start.
 * With FINDINGS_MD, the catalogue's page must also give the code that type ("Type: T.").
 * Usage: validate_vector_runner DIR [FINDINGS_MD]. Exit 0 = pass.
 */
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iam/validate.h"
#include "iamtest.h"

static void dump(const char *what, const struct iam_findings *f) {
    fprintf(stderr, "  findings for %s:\n", what);
    for (size_t i = 0; i < iam_findings_count(f); i++) {
        const struct iam_finding *x = iam_findings_get(f, i);

        fprintf(stderr, "    %u:%u %s %s: %s\n", x->locations[0].start.line,
                x->locations[0].start.column, iam_finding_type_name(x->type), x->issue_code,
                x->details);
    }
}

struct expected {
    enum iam_finding_type type;
    char link[512];
};

static int finding_type_from_name(const char *name, enum iam_finding_type *ret) {
    static const enum iam_finding_type all[] = {IAM_FINDING_ERROR, IAM_FINDING_SECURITY_WARNING,
                                                IAM_FINDING_WARNING, IAM_FINDING_SUGGESTION};

    for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
        if (strcmp(iam_finding_type_name(all[i]), name) == 0) {
            *ret = all[i];
            return 0;
        }
    return -EINVAL;
}

/* Parse DIR/expected-type: "key: value" lines; "type" and "link" are required. */
static int read_expected(const char *dir, struct expected *ret) {
    char path[4096];
    char *text, *line, *save = NULL;
    bool have_type = false;
    int r = 0;

    snprintf(path, sizeof(path), "%s/expected-type", dir);
    text = iamtest_read_file(path, NULL);
    if (!text) {
        fprintf(stderr, "FAIL: cannot read %s (every check records its expected type)\n", path);
        return -ENOENT;
    }
    ret->link[0] = '\0';
    for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        if (strncmp(line, "type: ", 6) == 0) {
            if (finding_type_from_name(line + 6, &ret->type) < 0) {
                fprintf(stderr, "FAIL: %s: unknown finding type '%s'\n", path, line + 6);
                r = -EINVAL;
            }
            have_type = true;
        } else if (strncmp(line, "link: ", 6) == 0) {
            snprintf(ret->link, sizeof(ret->link), "%s", line + 6);
        }
    }
    if (r == 0 && (!have_type || !ret->link[0])) {
        fprintf(stderr, "FAIL: %s needs a type: and a link: line\n", path);
        r = -EINVAL;
    }
    free(text);
    return r;
}

/* Does the catalogue page say "Type: T." under the code's heading? */
static int check_doc(const char *docpath, const char *code, enum iam_finding_type type) {
    char anchor[160], want[64];
    char *doc = iamtest_read_file(docpath, NULL);
    const char *at, *next;
    int r = -EINVAL;

    if (!doc) {
        fprintf(stderr, "FAIL: cannot read %s\n", docpath);
        return -ENOENT;
    }
    snprintf(anchor, sizeof(anchor), "<a name=\"%s\"></a>", code);
    snprintf(want, sizeof(want), "\nType: %s.", iam_finding_type_name(type));
    at = strstr(doc, anchor);
    if (!at) {
        fprintf(stderr, "FAIL: %s does not document %s\n", docpath, code);
    } else {
        next = strstr(at + 1, "\n### ");
        at = strstr(at, want);
        if (at && (!next || at < next))
            r = 0;
        else
            fprintf(stderr, "FAIL: %s does not give %s the type %s\n", docpath, code,
                    iam_finding_type_name(type));
    }
    free(doc);
    return r;
}

static enum iam_validate_resource_type resource_type = IAM_VALIDATE_RESOURCE_NONE;

static struct iam_findings *run(const char *dir, const char *name, enum iam_policy_type type,
                                size_t *ret_len) {
    char path[4096];
    char *text;
    size_t len;
    struct iam_findings *f = NULL;
    struct iam_error err;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    text = iamtest_read_file(path, &len);
    if (!text) {
        fprintf(stderr, "FAIL: cannot read %s\n", path);
        return NULL;
    }
    iam_error_init(&err);
    if (iam_policy_validate_for(text, len, type, resource_type, &f, &err) < 0) {
        fprintf(stderr, "FAIL: iam_policy_validate(%s) failed: %s\n", path, err.text);
        f = NULL;
    }
    free(text);
    *ret_len = len;
    return f;
}

int main(int argc, char *argv[]) {
    char dirbuf[4096], path[4096];
    const char *dir, *code;
    struct expected want;
    enum iam_policy_type type = IAM_POLICY_IDENTITY;
    struct iam_findings *trig = NULL, *clean = NULL;
    unsigned at_line = 0, at_col = 0;
    size_t len;
    bool found = false, at_ok = false;
    int ret = 1;
    char *s;

    if (argc != 2 && argc != 3) {
        fprintf(stderr, "usage: %s DIR [FINDINGS_MD]\n", argv[0]);
        return 2;
    }
    dir = argv[1];
    snprintf(dirbuf, sizeof(dirbuf), "%s", dir);
    code = basename(dirbuf);
    if (read_expected(dir, &want) < 0)
        return 1;
    if (argc == 3 && check_doc(argv[2], code, want.type) < 0)
        return 1;
    snprintf(path, sizeof(path), "%s/policy-type", dir);
    s = iamtest_read_file(path, NULL);
    if (s) {
        s[strcspn(s, "\r\n")] = '\0';
        if (iam_policy_type_from_name(s, &type) < 0) {
            fprintf(stderr, "FAIL: bad policy-type '%s'\n", s);
            free(s);
            return 1;
        }
        free(s);
    }
    snprintf(path, sizeof(path), "%s/resource-type", dir);
    s = iamtest_read_file(path, NULL);
    if (s) {
        s[strcspn(s, "\r\n")] = '\0';
        if (iam_validate_resource_type_from_name(s, &resource_type) < 0) {
            fprintf(stderr, "FAIL: bad resource-type '%s'\n", s);
            free(s);
            return 1;
        }
        free(s);
    }
    snprintf(path, sizeof(path), "%s/trigger.at", dir);
    s = iamtest_read_file(path, NULL);
    if (s) {
        if (sscanf(s, "%u:%u", &at_line, &at_col) != 2) {
            fprintf(stderr, "FAIL: bad trigger.at '%s'\n", s);
            free(s);
            return 1;
        }
        free(s);
    }

    trig = run(dir, "trigger.json", type, &len);
    if (!trig)
        goto out;
    for (size_t i = 0; i < iam_findings_count(trig); i++) {
        const struct iam_finding *f = iam_findings_get(trig, i);

        if (strcmp(f->issue_code, code) != 0)
            continue;
        found = true;
        if (f->type != want.type) {
            fprintf(stderr, "FAIL: %s reported as %s; %s/expected-type says %s\n", code,
                    iam_finding_type_name(f->type), dir, iam_finding_type_name(want.type));
            goto fail;
        }
        if (f->n_locations != 1 || f->locations[0].end.offset < f->locations[0].start.offset ||
            f->locations[0].end.offset > len) {
            fprintf(stderr, "FAIL: %s has a bad location\n", code);
            goto fail;
        }
        if (strcmp(f->learn_more, want.link) != 0 || !*f->details) {
            fprintf(stderr, "FAIL: %s has no details or the link '%s', not '%s'\n", code,
                    f->learn_more, want.link);
            goto fail;
        }
        if (at_line && f->locations[0].start.line == at_line &&
            f->locations[0].start.column == at_col)
            at_ok = true;
    }
    if (!found) {
        fprintf(stderr, "FAIL: trigger.json did not produce %s\n", code);
        goto fail;
    }
    if (at_line && !at_ok) {
        fprintf(stderr, "FAIL: no %s finding starts at %u:%u\n", code, at_line, at_col);
        goto fail;
    }

    clean = run(dir, "clean.json", type, &len);
    if (!clean)
        goto out;
    for (size_t i = 0; i < iam_findings_count(clean); i++) {
        const struct iam_finding *f = iam_findings_get(clean, i);

        if (strcmp(f->issue_code, code) == 0 || f->type == IAM_FINDING_ERROR) {
            fprintf(stderr, "FAIL: clean.json produced %s %s\n", iam_finding_type_name(f->type),
                    f->issue_code);
            goto fail;
        }
    }
    printf("ok %s: trigger and clean\n", code);
    ret = 0;
    goto out;
fail:
    dump("trigger.json", trig);
    if (clean)
        dump("clean.json", clean);
out:
    iam_findings_free(trig);
    iam_findings_free(clean);
    return ret;
}
