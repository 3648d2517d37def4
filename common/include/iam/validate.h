/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * Policy validation in the manner of IAM Access Analyzer's ValidatePolicy: a policy document
 * goes in, a list of findings comes out, each with a type, an issue code, a message, a link
 * and the places in the document it is about.
 *
 * The checks run on the JSON tree, so one call reports every problem it can see, not only the
 * first. The policy engine's own compiler (iam_policy_compile) also runs: anything it refuses
 * that no check already reported becomes an ERROR finding at the engine's position, so a
 * policy with no ERROR finding is one the engine accepts.
 *
 * Positions follow ValidatePolicy's Position type: line starts at 1, column at 0, offset at 0;
 * columns and offsets count Unicode code points (as the IAM console does), not bytes. A span's
 * start is inclusive and its end exclusive.
 *
 * The catalogue of checks, with what each means and where it departs from AWS, is
 * docs/findings.md.
 */

#include <stdbool.h>
#include <stddef.h>

#include "iam/error.h"
#include "iam/policy.h"

enum iam_finding_type {
    IAM_FINDING_ERROR,            /* part of the policy is not functional; writes refuse it */
    IAM_FINDING_SECURITY_WARNING, /* grants or leaves open more than it seems to */
    IAM_FINDING_WARNING,          /* works, but probably not as meant */
    IAM_FINDING_SUGGESTION,       /* style; no effect on access */
};

enum iam_path_kind {
    IAM_PATH_INDEX,     /* an index in a JSON array */
    IAM_PATH_KEY,       /* a key of a JSON object (the finding is about the key itself) */
    IAM_PATH_SUBSTRING, /* part of a string: start and length in code points */
    IAM_PATH_VALUE,     /* the value stored under a key of a JSON object */
};

struct iam_path_element {
    enum iam_path_kind kind;
    size_t index;         /* IAM_PATH_INDEX */
    const char *text;     /* IAM_PATH_KEY, IAM_PATH_VALUE */
    size_t start, length; /* IAM_PATH_SUBSTRING */
};

struct iam_finding_position {
    unsigned line;   /* from 1 */
    unsigned column; /* from 0, in code points */
    size_t offset;   /* from 0, in code points */
};

struct iam_finding_location {
    const struct iam_path_element *path;
    size_t n_path;
    struct iam_finding_position start, end; /* end is exclusive */
};

struct iam_finding {
    enum iam_finding_type type;
    const char *issue_code; /* "INVALID_ACTION", "HOST_UNKNOWN_ACTION", ... */
    const char *details;    /* one or two sentences, no trailing newline */
    const char *learn_more; /* URL of the check's documentation */
    const struct iam_finding_location *locations;
    size_t n_locations;
};

struct iam_findings; /* owns every finding and every string it points to */

/* Validate one policy document of the given type. Returns 0 when validation ran: the policy
 * may still have findings, ERRORs included. Returns -EINVAL for bad arguments, -ENOMEM.
 * Never fails because of the document's content. */
int iam_policy_validate(const char *text, size_t len, enum iam_policy_type type,
                        struct iam_findings **ret_findings, struct iam_error *reterr) IAM_WUR;

/* The resource a resource policy is for, as Access Analyzer's validatePolicyResourceType:
 * with a type, the checks of that resource's policies run on top of those of every resource
 * policy. Only a role's trust policy has checks of its own here. */
enum iam_validate_resource_type {
    IAM_VALIDATE_RESOURCE_NONE,        /* not given: the checks of every resource policy */
    IAM_VALIDATE_RESOURCE_ROLE_TRUST,  /* AWS::IAM::AssumeRolePolicyDocument */
};

/* Validate with a resource type (IAM_VALIDATE_RESOURCE_NONE is iam_policy_validate). A
 * resource type other than NONE needs type IAM_POLICY_RESOURCE: -EINVAL otherwise. */
int iam_policy_validate_for(const char *text, size_t len, enum iam_policy_type type,
                            enum iam_validate_resource_type resource_type,
                            struct iam_findings **ret_findings, struct iam_error *reterr) IAM_WUR;

/* "AWS::IAM::AssumeRolePolicyDocument" → IAM_VALIDATE_RESOURCE_ROLE_TRUST. -EOPNOTSUPP for
 * the other values Access Analyzer accepts (AWS::S3::Bucket, AWS::S3::AccessPoint,
 * AWS::S3::MultiRegionAccessPoint, AWS::S3ObjectLambda::AccessPoint, AWS::DynamoDB::Table:
 * no host has those resources, and their checks are not here); -EINVAL for anything else. */
int iam_validate_resource_type_from_name(const char *name,
                                         enum iam_validate_resource_type *ret_type) IAM_WUR;
const char *iam_validate_resource_type_name(enum iam_validate_resource_type type);

size_t iam_findings_count(const struct iam_findings *findings);
const struct iam_finding *iam_findings_get(const struct iam_findings *findings, size_t i);
/* Does any finding have type ERROR? (The write path's question.) NULL-safe: false. */
bool iam_findings_has_error(const struct iam_findings *findings);
/* How many findings of the given type. */
size_t iam_findings_count_type(const struct iam_findings *findings, enum iam_finding_type type);
void iam_findings_free(struct iam_findings *findings); /* NULL-safe */

/* The ValidatePolicy response, {"findings":[...]}, as a malloc'd NUL-terminated string with
 * members in the API's order. indent 0 = compact. -ENOMEM. */
int iam_findings_to_json(const struct iam_findings *findings, unsigned indent,
                         char **ret_json) IAM_WUR;

const char *iam_finding_type_name(enum iam_finding_type type); /* "ERROR", ... */
/* "IDENTITY_POLICY" / "RESOURCE_POLICY" → type; -EINVAL for anything else. */
int iam_policy_type_from_name(const char *name, enum iam_policy_type *ret_type) IAM_WUR;

/* The catalogue: every check this validator has, in documentation order. */
struct iam_check_info {
    const char *issue_code;
    enum iam_finding_type type;
    const char *learn_more;
    bool aws; /* an Access Analyzer issue code (else one of ours, prefixed HOST_) */
};
size_t iam_validate_check_count(void);
const struct iam_check_info *iam_validate_check(size_t i);
