/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* Internals of the policy validator (policy_validate*.c). */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "iam/json.h"
#include "iam/validate.h"

/*
 * The catalogue. CHECK(id, type, link): id is the issue code; link is AWSDOC(fragment of Access
 * Analyzer's policy check reference; its type part is AWS's, even where our type differs) for
 * AWS codes, HOSTDOC(id) for our own, which are documented in docs/findings.md.
 * Order = documentation order.
 */
#define IAM_VALIDATE_CHECKS(CHECK)                                                                 \
    /* ---- ERROR ---- */                                                                          \
    CHECK(JSON_SYNTAX_ERROR, ERROR, AWSDOC("error-json-syntax-error"))                             \
    CHECK(HOST_DUPLICATE_KEY, ERROR, HOSTDOC(HOST_DUPLICATE_KEY))                                  \
    CHECK(MISSING_STATEMENT, ERROR, AWSDOC("error-missing-statement"))                             \
    CHECK(INVALID_POLICY_ELEMENT, ERROR, AWSDOC("error-invalid-policy-element"))                   \
    CHECK(DATA_TYPE_MISMATCH, ERROR, AWSDOC("error-data-type-mismatch"))                           \
    CHECK(INVALID_VERSION, ERROR, AWSDOC("error-invalid-version"))                                 \
    CHECK(MISSING_EFFECT, ERROR, AWSDOC("error-missing-effect"))                                   \
    CHECK(INVALID_EFFECT, ERROR, AWSDOC("error-invalid-effect"))                                   \
    CHECK(MISSING_ACTION, ERROR, AWSDOC("error-missing-action"))                                   \
    CHECK(MISSING_RESOURCE, ERROR, AWSDOC("error-missing-resource"))                               \
    CHECK(UNSUPPORTED_ELEMENT_COMBINATION, ERROR, AWSDOC("error-unsupported-element-combination")) \
    CHECK(UNSUPPORTED_PRINCIPAL, ERROR, AWSDOC("error-unsupported-principal"))                     \
    CHECK(UNSUPPORTED_ACTION_IN_POLICY, ERROR, AWSDOC("error-unsupported-action-in-policy"))       \
    CHECK(UNSUPPORTED_RESOURCE_ARN_IN_POLICY, ERROR,                                               \
          AWSDOC("error-unsupported-resource-arn-in-policy"))                                      \
    CHECK(MISSING_PRINCIPAL, ERROR, AWSDOC("error-missing-principal"))                             \
    CHECK(INVALID_PRINCIPAL_FORMAT, ERROR, AWSDOC("error-invalid-principal-format"))               \
    CHECK(INVALID_PRINCIPAL_KEY, ERROR, AWSDOC("error-invalid-principal-key"))                     \
    CHECK(UNSUPPORTED_WILDCARD_IN_PRINCIPAL, ERROR,                                                \
          AWSDOC("error-unsupported-wildcard-in-principal"))                                       \
    CHECK(UNSUPPORTED_SID, ERROR, AWSDOC("error-unsupported-sid"))                                 \
    CHECK(UNIQUE_SIDS_REQUIRED, ERROR, AWSDOC("error-unique-sids-required"))                       \
    CHECK(INVALID_ACTION, ERROR, AWSDOC("error-invalid-action"))                                   \
    CHECK(INVALID_SERVICE_IN_ACTION, ERROR, AWSDOC("error-invalid-service-in-action"))             \
    CHECK(HOST_UNKNOWN_ACTION, ERROR, HOSTDOC(HOST_UNKNOWN_ACTION))                                \
    CHECK(INVALID_ARN_PREFIX, ERROR, AWSDOC("error-invalid-arn-prefix"))                           \
    CHECK(MISSING_ARN_FIELD, ERROR, AWSDOC("error-missing-arn-field"))                             \
    CHECK(INVALID_PARTITION, ERROR, AWSDOC("error-invalid-partition"))                             \
    CHECK(INVALID_ARN_SERVICE_CASE, ERROR, AWSDOC("error-invalid-arn-service-case"))               \
    CHECK(INVALID_ARN_REGION, ERROR, AWSDOC("error-invalid-arn-region"))                           \
    CHECK(INVALID_ARN_ACCOUNT, ERROR, AWSDOC("error-invalid-arn-account"))                         \
    CHECK(INVALID_ARN_RESOURCE, ERROR, AWSDOC("error-invalid-arn-resource"))                       \
    CHECK(INVALID_CONDITION_OPERATOR, ERROR, AWSDOC("error-invalid-condition-operator"))           \
    CHECK(NULL_WITH_IF_EXISTS, ERROR, AWSDOC("error-null-with-if-exists"))                         \
    CHECK(INVALID_CONDITION_KEY_FORMAT, ERROR, AWSDOC("error-invalid-condition-key-format"))       \
    CHECK(INVALID_GLOBAL_CONDITION_KEY, ERROR, AWSDOC("error-invalid-global-condition-key"))       \
    CHECK(UNSUPPORTED_GLOBAL_CONDITION_KEY, ERROR,                                                 \
          AWSDOC("error-unsupported-global-condition-key"))                                        \
    CHECK(INVALID_SERVICE_CONDITION_KEY, ERROR, AWSDOC("error-invalid-service-condition-key"))     \
    CHECK(MISSING_TAG_KEY_IN_CONDITION, ERROR, AWSDOC("error-missing-tag-key-in-condition"))       \
    CHECK(DUPLICATE_KEYS_WITH_DIFFERENT_CASE, ERROR,                                               \
          AWSDOC("error-duplicate-keys-with-different-case"))                                      \
    CHECK(INVALID_CONDITION_DATA_TYPE, ERROR, AWSDOC("error-invalid-condition-data-type"))         \
    CHECK(INVALID_CONDITION_MULTIPLE_BOOLEAN, ERROR,                                               \
          AWSDOC("error-invalid-condition-multiple-boolean"))                                      \
    CHECK(TYPE_MISMATCH_BOOLEAN, ERROR, AWSDOC("general-warning-type-mismatch-boolean"))           \
    CHECK(TYPE_MISMATCH_DATE, ERROR, AWSDOC("general-warning-type-mismatch-date"))                 \
    CHECK(TYPE_MISMATCH_IP_RANGE, ERROR, AWSDOC("general-warning-type-mismatch-ip-range"))         \
    CHECK(TYPE_MISMATCH_NUMBER, ERROR, AWSDOC("general-warning-type-mismatch-number"))             \
    CHECK(TYPE_MISMATCH_STRING, ERROR, AWSDOC("general-warning-type-mismatch-string"))             \
    CHECK(INVALID_VARIABLE_FOR_OPERATOR, ERROR, AWSDOC("error-invalid-variable-for-operator"))     \
    CHECK(MISSING_BRACE_IN_VARIABLE, ERROR, AWSDOC("error-missing-brace-in-variable"))             \
    CHECK(EMPTY_VARIABLE, ERROR, AWSDOC("error-empty-variable"))                                   \
    CHECK(UNSUPPORTED_SPACE_IN_VARIABLE, ERROR, AWSDOC("error-unsupported-space-in-variable"))     \
    CHECK(MISSING_QUOTE_IN_VARIABLE, ERROR, AWSDOC("error-missing-quote-in-variable"))             \
    CHECK(VARIABLE_UNSUPPORTED_IN_ELEMENT, ERROR, AWSDOC("error-variable-unsupported-in-element")) \
    CHECK(VARIABLE_UNSUPPORTED_IN_VERSION, ERROR, AWSDOC("error-variable-unsupported-in-version")) \
    CHECK(PRIVATE_IP_ADDRESS, ERROR, AWSDOC("error-private-ip-address"))                           \
    CHECK(PRIVATE_NOT_IP_ADDRESS, ERROR, AWSDOC("error-private-not-ip-address"))                   \
    CHECK(HOST_UNSUPPORTED_SYMBOL_IN_VARIABLE, ERROR,                                              \
          HOSTDOC(HOST_UNSUPPORTED_SYMBOL_IN_VARIABLE))                                            \
    CHECK(HOST_POLICY_REJECTED, ERROR, HOSTDOC(HOST_POLICY_REJECTED))                              \
    CHECK(HOST_EMPTY_NOT_ELEMENT, ERROR, HOSTDOC(HOST_EMPTY_NOT_ELEMENT))                          \
    CHECK(INVALID_ROLE_REFERENCE, ERROR, AWSDOC("general-warning-invalid-role-reference"))         \
    CHECK(INVALID_USER_REFERENCE, ERROR, AWSDOC("general-warning-invalid-user-reference"))         \
    /* ---- SECURITY_WARNING ---- */                                                               \
    CHECK(ALLOW_WITH_NOT_PRINCIPAL, SECURITY_WARNING,                                              \
          AWSDOC("security-warning-allow-with-not-principal"))                                     \
    CHECK(FORALLVALUES_WITH_SINGLE_VALUED_KEY, SECURITY_WARNING,                                   \
          AWSDOC("security-warning-forallvalues-with-single-valued-key"))                          \
    CHECK(MISSING_PAIRED_CONDITION_KEYS, SECURITY_WARNING,                                         \
          AWSDOC("security-warning-missing-paired-condition-keys"))                                \
    CHECK(PASS_ROLE_WITH_STAR_IN_RESOURCE, SECURITY_WARNING,                                       \
          AWSDOC("security-warning-pass-role-with-star-in-resource"))                              \
    CHECK(PASS_ROLE_WITH_STAR_IN_ACTION_AND_RESOURCE, SECURITY_WARNING,                            \
          AWSDOC("security-warning-pass-role-with-star-in-action-and-resource"))                   \
    CHECK(PASS_ROLE_WITH_STAR_IN_RESOURCE_AND_NOT_ACTION, SECURITY_WARNING,                        \
          AWSDOC("security-warning-pass-role-with-star-in-resource-and-not-action"))               \
    CHECK(PASS_ROLE_WITH_NOT_RESOURCE, SECURITY_WARNING,                                           \
          AWSDOC("security-warning-pass-role-with-not-resource"))                                  \
    CHECK(PASS_ROLE_WITH_STAR_IN_ACTION_AND_NOT_RESOURCE, SECURITY_WARNING,                        \
          AWSDOC("security-warning-pass-role-with-star-in-action-and-not-resource"))               \
    CHECK(PASS_ROLE_WITH_NOT_ACTION_AND_NOT_RESOURCE, SECURITY_WARNING,                            \
          AWSDOC("security-warning-pass-role-with-not-action-and-not-resource"))                   \
    CHECK(HOST_ALLOW_NOT_ACTION, SECURITY_WARNING, HOSTDOC(HOST_ALLOW_NOT_ACTION))                 \
    CHECK(HOST_ALLOW_NOT_RESOURCE, SECURITY_WARNING, HOSTDOC(HOST_ALLOW_NOT_RESOURCE))             \
    CHECK(HOST_SUDO_VIA_WILDCARD, SECURITY_WARNING, HOSTDOC(HOST_SUDO_VIA_WILDCARD))               \
    CHECK(HOST_ALLOW_ALL_PRINCIPALS, SECURITY_WARNING, HOSTDOC(HOST_ALLOW_ALL_PRINCIPALS))         \
    CHECK(HOST_DENY_NEVER_APPLIES, SECURITY_WARNING, HOSTDOC(HOST_DENY_NEVER_APPLIES))             \
    CHECK(HOST_DENY_KEY_SOMETIMES_ABSENT, SECURITY_WARNING,                                        \
          HOSTDOC(HOST_DENY_KEY_SOMETIMES_ABSENT))                                                 \
    CHECK(HOST_SUDO_SHELL_IN_REACH, SECURITY_WARNING, HOSTDOC(HOST_SUDO_SHELL_IN_REACH))           \
    CHECK(HOST_COMMAND_LINE_AS_STRING, SECURITY_WARNING, HOSTDOC(HOST_COMMAND_LINE_AS_STRING))     \
    /* ---- WARNING ---- */                                                                        \
    CHECK(MISSING_VERSION, WARNING, AWSDOC("general-warning-missing-version"))                     \
    CHECK(POLICY_SIZE_EXCEEDS_IDENTITY_POLICY_QUOTA, WARNING,                                      \
          AWSDOC("general-warning-policy-size-exceeds-identity-policy-quota"))                     \
    CHECK(WILDCARD_WITHOUT_LIKE_OPERATOR, WARNING,                                                 \
          AWSDOC("general-warning-wildcard-without-like-operator"))                                \
    CHECK(TYPE_MISMATCH, WARNING, AWSDOC("general-warning-type-mismatch"))                         \
    CHECK(INVALID_DATE_VALUE, WARNING, AWSDOC("general-warning-invalid-date-value"))               \
    CHECK(MISSING_QUALIFIER, WARNING, AWSDOC("error-missing-qualifier"))                           \
    CHECK(CREATE_SLR_WITH_STAR_IN_RESOURCE, WARNING,                                               \
          AWSDOC("general-warning-create-slr-with-star-in-resource"))                              \
    CHECK(CREATE_SLR_WITH_STAR_IN_ACTION_AND_RESOURCE, WARNING,                                    \
          AWSDOC("general-warning-create-slr-with-star-in-action-and-resource"))                   \
    CHECK(CREATE_SLR_WITH_STAR_IN_RESOURCE_AND_NOT_ACTION, WARNING,                                \
          AWSDOC("general-warning-create-slr-with-star-in-resource-and-not-action"))               \
    CHECK(CREATE_SLR_WITH_NOT_RESOURCE, WARNING,                                                   \
          AWSDOC("general-warning-create-slr-with-not-resource"))                                  \
    CHECK(CREATE_SLR_WITH_STAR_IN_ACTION_AND_NOT_RESOURCE, WARNING,                                \
          AWSDOC("general-warning-create-slr-with-star-in-action-and-not-resource"))               \
    CHECK(CREATE_SLR_WITH_NOT_ACTION_AND_NOT_RESOURCE, WARNING,                                    \
          AWSDOC("general-warning-create-slr-with-not-action-and-not-resource"))                   \
    CHECK(HOST_CONTEXT_KEY_NEVER_SET, WARNING, HOSTDOC(HOST_CONTEXT_KEY_NEVER_SET))                \
    CHECK(HOST_KEY_NOT_FOR_ACTION, WARNING, HOSTDOC(HOST_KEY_NOT_FOR_ACTION))                      \
    CHECK(HOST_CONDITION_NEVER_TRUE, WARNING, HOSTDOC(HOST_CONDITION_NEVER_TRUE))                  \
    CHECK(HOST_RESOURCE_NEVER_HOST, WARNING, HOSTDOC(HOST_RESOURCE_NEVER_HOST))                    \
    CHECK(HOST_PRINCIPAL_NEVER_ON_HOST, WARNING, HOSTDOC(HOST_PRINCIPAL_NEVER_ON_HOST))            \
    /* ---- SUGGESTION ---- */                                                                     \
    CHECK(EMPTY_ARRAY_ACTION, SUGGESTION, AWSDOC("suggestion-empty-array-action"))                 \
    CHECK(EMPTY_ARRAY_RESOURCE, SUGGESTION, AWSDOC("suggestion-empty-array-resource"))             \
    CHECK(EMPTY_ARRAY_PRINCIPAL, SUGGESTION, AWSDOC("suggestion-empty-array-principal"))           \
    CHECK(EMPTY_OBJECT_PRINCIPAL, SUGGESTION, AWSDOC("suggestion-empty-object-principal"))         \
    CHECK(EMPTY_ARRAY_CONDITION, SUGGESTION, AWSDOC("suggestion-empty-array-condition"))           \
    CHECK(EMPTY_ARRAY_CONDITION_FORALLVALUES, SUGGESTION,                                          \
          AWSDOC("suggestion-empty-array-condition-forallvalues"))                                 \
    CHECK(EMPTY_ARRAY_CONDITION_FORANYVALUE, SUGGESTION,                                           \
          AWSDOC("suggestion-empty-array-condition-foranyvalue"))                                  \
    CHECK(EMPTY_ARRAY_CONDITION_IFEXISTS, SUGGESTION,                                              \
          AWSDOC("suggestion-empty-array-condition-ifexists"))                                     \
    CHECK(NULL_WITH_QUALIFIER, SUGGESTION, AWSDOC("suggestion-null-with-qualifier"))               \
    CHECK(EMPTY_OBJECT_CONDITION, SUGGESTION, AWSDOC("suggestion-empty-object-condition"))         \
    CHECK(EMPTY_SID_VALUE, SUGGESTION, AWSDOC("suggestion-empty-sid-value"))                       \
    CHECK(IMPROVE_IP_RANGE, SUGGESTION, AWSDOC("suggestion-improve-ip-range"))                     \
    CHECK(PRIVATE_IP_ADDRESS_SUBSET, SUGGESTION, AWSDOC("suggestion-private-ip-address-subset"))   \
    CHECK(PRIVATE_NOT_IP_ADDRESS_SUBSET, SUGGESTION,                                               \
          AWSDOC("suggestion-private-not-ip-address-subset"))                                      \
    CHECK(REDUNDANT_ACTION, SUGGESTION, AWSDOC("suggestion-redundant-action"))                     \
    CHECK(REDUNDANT_RESOURCE, SUGGESTION, AWSDOC("suggestion-redundant-resource"))                 \
    CHECK(REDUNDANT_CONDITION_VALUE_NUM, SUGGESTION,                                               \
          AWSDOC("suggestion-redundant-condition-value-num"))                                      \
    CHECK(REDUNDANT_STATEMENT, SUGGESTION, AWSDOC("suggestion-redundant-statement"))               \
    CHECK(WILDCARD_IN_SERVICE_NAME, SUGGESTION, AWSDOC("suggestion-wildcard-in-service-name"))     \
    CHECK(HOST_IFEXISTS_KEY_ALWAYS_PRESENT, SUGGESTION, HOSTDOC(HOST_IFEXISTS_KEY_ALWAYS_PRESENT))

enum vcheck {
#define IAM_VC_ENUM(id, kind, link) VC_##id,
    IAM_VALIDATE_CHECKS(IAM_VC_ENUM)
#undef IAM_VC_ENUM
        VC__COUNT
};

#define VPATH_MAX 16

/* Which host actions a statement can apply to. */
struct host_cover {
    bool login, sudo; /* the statement's action set includes host:Login / host:Sudo */
    bool other;       /* ... and some action that is not a host: action */
};

struct vctx {
    const char *text;
    size_t len;
    enum iam_policy_type type;
    enum iam_validate_resource_type resource_type; /* IAM_VALIDATE_RESOURCE_NONE: any */
    struct iam_findings *out;
    int r; /* first internal failure (-ENOMEM); checks stop adding once set */

    struct iam_path_element path[VPATH_MAX];
    size_t depth;

    bool variables; /* Version 2012-10-17: ${...} are policy variables */

    size_t *line_chars; /* code-point offset of each line's start, built on first use */
    size_t nlines;
};

/* Path stack. Pushes beyond VPATH_MAX are counted but not stored (cannot happen for the
 * shapes we walk, which are at most 7 deep). */
void iam_vpath_push_value(struct vctx *c, const char *key);
void iam_vpath_push_key(struct vctx *c, const char *key);
void iam_vpath_push_index(struct vctx *c, size_t i);
void iam_vpath_push_substring(struct vctx *c, size_t start, size_t length);
void iam_vpath_pop(struct vctx *c);

/* Add a finding at the current path, spanning node (or [start,end) for the _span form). */
void iam_vfinding(struct vctx *c, enum vcheck id, const struct iam_json *node, const char *fmt, ...)
    IAM_PRINTF(4, 5);
void iam_vfinding_span(struct vctx *c, enum vcheck id, struct iam_json_pos start,
                       struct iam_json_pos end, const char *fmt, ...) IAM_PRINTF(5, 6);
/* A finding about an object member's key (path ends with {"key": name}). */
void iam_vfinding_key(struct vctx *c, enum vcheck id, const struct iam_json_member *m,
                      const char *fmt, ...) IAM_PRINTF(4, 5);
bool iam_vhas_error_at(struct vctx *c, struct iam_json_pos from, struct iam_json_pos to);

/* checks.c */
void iam_vcheck_document(struct vctx *c, const struct iam_json *root);

/* conditions.c */
void iam_vcheck_condition(struct vctx *c, const struct iam_json *cond, bool allow,
                          const struct host_cover *cover, bool on_host);
/* Does the statement's Condition mention key (case-insensitive)? */
bool iam_vcondition_has_key(const struct iam_json *cond, const char *key);

/* util.c */
/* Every string pattern `narrow` matches is matched by `wide` (sound, not complete). */
bool iam_vpattern_covers(const char *wide, const char *narrow, bool nocase);
/* Could the pattern match some string that starts with prefix? */
bool iam_vpattern_can_start_with(const char *pattern, const char *prefix);
bool iam_vhas_wildcard(const char *s);
/* Check ${...} syntax in a string value; reports findings at node. Returns true when the
 * string holds at least one variable. */
bool iam_vcheck_variables(struct vctx *c, const struct iam_json *node);
bool iam_vhas_variable(const char *s);
/* IP: parse "a.b.c.d[/n]" or IPv6 "[/n]". */
struct vcidr {
    uint8_t addr[16];
    unsigned prefix;
    bool v6;
};
bool iam_vparse_cidr(const char *s, struct vcidr *ret, bool *ret_host_bits);
bool iam_vcidr_private(const struct vcidr *c);
struct iam_num;
struct iam_time;
bool iam_vparse_number(const char *s, struct iam_num *ret);
bool iam_vparse_date(const char *s, struct iam_time *ret, bool *ret_epoch);
bool iam_vbase64_valid(const char *s);
bool iam_vparse_bool(const char *s);
/* Call fn for every member whose key repeats an earlier one (exactly, or ignoring ASCII case). */
void iam_vfor_duplicate_keys(struct vctx *c, const struct iam_json *obj, bool nocase,
                             void (*fn)(struct vctx *c, const struct iam_json_member *later,
                                        const struct iam_json_member *first));
bool iam_vjson_equal(const struct iam_json *a, const struct iam_json *b, const char *skip_key);
