"""The finding type of every validator check, recorded from an independent source.

For Access Analyzer's issue codes the source is AWS's "Access Analyzer policy check reference"
(AWS_REF below): each entry holds the heading AWS gives the check, verbatim, and the heading's
first word is AWS's finding type ("Error", "General Warning", "Security Warning",
"Suggestion"). For our own codes (HOST_ prefix) the source is our documentation: the type
docs/findings.md states, which doc.py writes from this file.

Where our type differs from AWS's on purpose, DEVIATIONS says so and why; docs/findings.md
repeats the reason. Nothing here is read from the C catalogue: validate_runner compares the
validator's findings with the expected-type file gen.py writes from this table, so changing a
type in common/policy/validate/ without changing it here (and saying why) fails a test.
"""

AWS_REF = ("https://docs.aws.amazon.com/IAM/latest/UserGuide/"
           "access-analyzer-reference-policy-checks.html")
AWS_ANCHOR = "access-analyzer-reference-policy-checks-"
HOST_DOC = "file:///usr/share/doc/iamctl/findings.md#"

# (issue code, anchor on AWS_REF, AWS's heading for the check)
AWS = [
    ("JSON_SYNTAX_ERROR", "error-json-syntax-error",
     "Error – Json syntax error"),
    ("MISSING_STATEMENT", "error-missing-statement",
     "Error – Missing statement"),
    ("INVALID_POLICY_ELEMENT", "error-invalid-policy-element",
     "Error – Invalid policy element"),
    ("DATA_TYPE_MISMATCH", "error-data-type-mismatch",
     "Error – Data type mismatch"),
    ("INVALID_VERSION", "error-invalid-version",
     "Error – Invalid version"),
    ("MISSING_EFFECT", "error-missing-effect",
     "Error – Missing effect"),
    ("INVALID_EFFECT", "error-invalid-effect",
     "Error – Invalid effect"),
    ("MISSING_ACTION", "error-missing-action",
     "Error – Missing action"),
    ("MISSING_RESOURCE", "error-missing-resource",
     "Error – Missing resource"),
    ("UNSUPPORTED_ELEMENT_COMBINATION", "error-unsupported-element-combination",
     "Error – Unsupported element combination"),
    ("UNSUPPORTED_PRINCIPAL", "error-unsupported-principal",
     "Error – Unsupported principal"),
    ("UNSUPPORTED_ACTION_IN_POLICY", "error-unsupported-action-in-policy",
     "Error – Unsupported action in policy"),
    ("UNSUPPORTED_RESOURCE_ARN_IN_POLICY", "error-unsupported-resource-arn-in-policy",
     "Error – Unsupported resource ARN in policy"),
    ("MISSING_PRINCIPAL", "error-missing-principal",
     "Error – Missing principal"),
    ("INVALID_PRINCIPAL_FORMAT", "error-invalid-principal-format",
     "Error – Invalid principal format"),
    ("INVALID_PRINCIPAL_KEY", "error-invalid-principal-key",
     "Error – Invalid principal key"),
    ("UNSUPPORTED_WILDCARD_IN_PRINCIPAL", "error-unsupported-wildcard-in-principal",
     "Error – Unsupported wildcard in principal"),
    ("UNSUPPORTED_SID", "error-unsupported-sid",
     "Error – Unsupported Sid"),
    ("UNIQUE_SIDS_REQUIRED", "error-unique-sids-required",
     "Error – Unique Sids required"),
    ("INVALID_ACTION", "error-invalid-action",
     "Error – Invalid action"),
    ("INVALID_SERVICE_IN_ACTION", "error-invalid-service-in-action",
     "Error – Invalid service in action"),
    ("INVALID_ARN_PREFIX", "error-invalid-arn-prefix",
     "Error – Invalid ARN prefix"),
    ("MISSING_ARN_FIELD", "error-missing-arn-field",
     "Error – Missing ARN field"),
    ("INVALID_PARTITION", "error-invalid-partition",
     "Error – Invalid partition"),
    ("INVALID_ARN_SERVICE_CASE", "error-invalid-arn-service-case",
     "Error – Invalid ARN service case"),
    ("INVALID_ARN_REGION", "error-invalid-arn-region",
     "Error – Invalid ARN Region"),
    ("INVALID_ARN_ACCOUNT", "error-invalid-arn-account",
     "Error – Invalid ARN account"),
    ("INVALID_ARN_RESOURCE", "error-invalid-arn-resource",
     "Error – Invalid ARN resource"),
    ("INVALID_CONDITION_OPERATOR", "error-invalid-condition-operator",
     "Error – Invalid condition operator"),
    ("NULL_WITH_IF_EXISTS", "error-null-with-if-exists",
     "Error – Null with if exists"),
    ("INVALID_CONDITION_KEY_FORMAT", "error-invalid-condition-key-format",
     "Error – Invalid condition key format"),
    ("INVALID_GLOBAL_CONDITION_KEY", "error-invalid-global-condition-key",
     "Error – Invalid global condition key"),
    ("UNSUPPORTED_GLOBAL_CONDITION_KEY", "error-unsupported-global-condition-key",
     "Error – Unsupported global condition key"),
    ("INVALID_SERVICE_CONDITION_KEY", "error-invalid-service-condition-key",
     "Error – Invalid service condition key"),
    ("MISSING_TAG_KEY_IN_CONDITION", "error-missing-tag-key-in-condition",
     "Error – Missing tag key in condition"),
    ("DUPLICATE_KEYS_WITH_DIFFERENT_CASE", "error-duplicate-keys-with-different-case",
     "Error – Duplicate keys with different case"),
    ("INVALID_CONDITION_DATA_TYPE", "error-invalid-condition-data-type",
     "Error – Invalid condition data type"),
    ("INVALID_CONDITION_MULTIPLE_BOOLEAN", "error-invalid-condition-multiple-boolean",
     "Error – Invalid condition multiple Boolean"),
    ("TYPE_MISMATCH_BOOLEAN", "general-warning-type-mismatch-boolean",
     "General Warning – Type mismatch Boolean"),
    ("TYPE_MISMATCH_DATE", "general-warning-type-mismatch-date",
     "General Warning – Type mismatch date"),
    ("TYPE_MISMATCH_IP_RANGE", "general-warning-type-mismatch-ip-range",
     "General Warning – Type mismatch IP range"),
    ("TYPE_MISMATCH_NUMBER", "general-warning-type-mismatch-number",
     "General Warning – Type mismatch number"),
    ("TYPE_MISMATCH_STRING", "general-warning-type-mismatch-string",
     "General Warning – Type mismatch string"),
    ("INVALID_VARIABLE_FOR_OPERATOR", "error-invalid-variable-for-operator",
     "Error – Invalid variable for operator"),
    ("MISSING_BRACE_IN_VARIABLE", "error-missing-brace-in-variable",
     "Error – Missing brace in variable"),
    ("EMPTY_VARIABLE", "error-empty-variable",
     "Error – Empty variable"),
    ("UNSUPPORTED_SPACE_IN_VARIABLE", "error-unsupported-space-in-variable",
     "Error – Unsupported space in variable"),
    ("MISSING_QUOTE_IN_VARIABLE", "error-missing-quote-in-variable",
     "Error – Missing quote in variable"),
    ("VARIABLE_UNSUPPORTED_IN_ELEMENT", "error-variable-unsupported-in-element",
     "Error – Variable unsupported in element"),
    ("VARIABLE_UNSUPPORTED_IN_VERSION", "error-variable-unsupported-in-version",
     "Error – Variable unsupported in version"),
    ("PRIVATE_IP_ADDRESS", "error-private-ip-address",
     "Error – Private IP address"),
    ("PRIVATE_NOT_IP_ADDRESS", "error-private-not-ip-address",
     "Error – Private NotIpAddress"),
    ("INVALID_ROLE_REFERENCE", "general-warning-invalid-role-reference",
     "General Warning – Invalid role reference"),
    ("INVALID_USER_REFERENCE", "general-warning-invalid-user-reference",
     "General Warning – Invalid user reference"),
    ("ALLOW_WITH_NOT_PRINCIPAL", "security-warning-allow-with-not-principal",
     "Security Warning – Allow with NotPrincipal"),
    ("FORALLVALUES_WITH_SINGLE_VALUED_KEY", "security-warning-forallvalues-with-single-valued-key",
     "Security Warning – ForAllValues with single valued key"),
    ("MISSING_PAIRED_CONDITION_KEYS", "security-warning-missing-paired-condition-keys",
     "Security Warning – Missing paired condition keys"),
    ("PASS_ROLE_WITH_STAR_IN_RESOURCE", "security-warning-pass-role-with-star-in-resource",
     "Security Warning – Pass role with star in resource"),
    ("PASS_ROLE_WITH_STAR_IN_ACTION_AND_RESOURCE", "security-warning-pass-role-with-star-in-action-and-resource",
     "Security Warning – Pass role with star in action and resource"),
    ("PASS_ROLE_WITH_STAR_IN_RESOURCE_AND_NOT_ACTION", "security-warning-pass-role-with-star-in-resource-and-not-action",
     "Security Warning – Pass role with star in resource and NotAction"),
    ("PASS_ROLE_WITH_NOT_RESOURCE", "security-warning-pass-role-with-not-resource",
     "Security Warning – Pass role with NotResource"),
    ("PASS_ROLE_WITH_STAR_IN_ACTION_AND_NOT_RESOURCE", "security-warning-pass-role-with-star-in-action-and-not-resource",
     "Security Warning – Pass role with star in action and NotResource"),
    ("PASS_ROLE_WITH_NOT_ACTION_AND_NOT_RESOURCE", "security-warning-pass-role-with-not-action-and-not-resource",
     "Security Warning – Pass role with NotAction and NotResource"),
    ("MISSING_VERSION", "general-warning-missing-version",
     "General Warning – Missing version"),
    ("POLICY_SIZE_EXCEEDS_IDENTITY_POLICY_QUOTA", "general-warning-policy-size-exceeds-identity-policy-quota",
     "General Warning – Policy size exceeds identity policy quota"),
    ("WILDCARD_WITHOUT_LIKE_OPERATOR", "general-warning-wildcard-without-like-operator",
     "General Warning – Wildcard without like operator"),
    ("TYPE_MISMATCH", "general-warning-type-mismatch",
     "General Warning – Type mismatch"),
    ("INVALID_DATE_VALUE", "general-warning-invalid-date-value",
     "General Warning – Invalid date value"),
    ("MISSING_QUALIFIER", "error-missing-qualifier",
     "Error – Missing qualifier"),
    ("CREATE_SLR_WITH_STAR_IN_RESOURCE", "general-warning-create-slr-with-star-in-resource",
     "General Warning – Create SLR with star in resource"),
    ("CREATE_SLR_WITH_STAR_IN_ACTION_AND_RESOURCE", "general-warning-create-slr-with-star-in-action-and-resource",
     "General Warning – Create SLR with star in action and resource"),
    ("CREATE_SLR_WITH_STAR_IN_RESOURCE_AND_NOT_ACTION", "general-warning-create-slr-with-star-in-resource-and-not-action",
     "General Warning – Create SLR with star in resource and NotAction"),
    ("CREATE_SLR_WITH_NOT_RESOURCE", "general-warning-create-slr-with-not-resource",
     "General Warning – Create SLR with NotResource"),
    ("CREATE_SLR_WITH_STAR_IN_ACTION_AND_NOT_RESOURCE", "general-warning-create-slr-with-star-in-action-and-not-resource",
     "General Warning – Create SLR with star in action and NotResource"),
    ("CREATE_SLR_WITH_NOT_ACTION_AND_NOT_RESOURCE", "general-warning-create-slr-with-not-action-and-not-resource",
     "General Warning – Create SLR with NotAction and NotResource"),
    ("EMPTY_ARRAY_ACTION", "suggestion-empty-array-action",
     "Suggestion – Empty array action"),
    ("EMPTY_ARRAY_RESOURCE", "suggestion-empty-array-resource",
     "Suggestion – Empty array resource"),
    ("EMPTY_ARRAY_PRINCIPAL", "suggestion-empty-array-principal",
     "Suggestion – Empty array principal"),
    ("EMPTY_OBJECT_PRINCIPAL", "suggestion-empty-object-principal",
     "Suggestion – Empty object principal"),
    ("EMPTY_ARRAY_CONDITION", "suggestion-empty-array-condition",
     "Suggestion – Empty array condition"),
    ("EMPTY_ARRAY_CONDITION_FORALLVALUES", "suggestion-empty-array-condition-forallvalues",
     "Suggestion – Empty array condition ForAllValues"),
    ("EMPTY_ARRAY_CONDITION_FORANYVALUE", "suggestion-empty-array-condition-foranyvalue",
     "Suggestion – Empty array condition ForAnyValue"),
    ("EMPTY_ARRAY_CONDITION_IFEXISTS", "suggestion-empty-array-condition-ifexists",
     "Suggestion – Empty array condition IfExists"),
    ("NULL_WITH_QUALIFIER", "suggestion-null-with-qualifier",
     "Suggestion – Null with qualifier"),
    ("EMPTY_OBJECT_CONDITION", "suggestion-empty-object-condition",
     "Suggestion – Empty object condition"),
    ("EMPTY_SID_VALUE", "suggestion-empty-sid-value",
     "Suggestion – Empty Sid value"),
    ("IMPROVE_IP_RANGE", "suggestion-improve-ip-range",
     "Suggestion – Improve IP range"),
    ("PRIVATE_IP_ADDRESS_SUBSET", "suggestion-private-ip-address-subset",
     "Suggestion – Private IP address subset"),
    ("PRIVATE_NOT_IP_ADDRESS_SUBSET", "suggestion-private-not-ip-address-subset",
     "Suggestion – Private NotIpAddress subset"),
    ("REDUNDANT_ACTION", "suggestion-redundant-action",
     "Suggestion – Redundant action"),
    ("REDUNDANT_RESOURCE", "suggestion-redundant-resource",
     "Suggestion – Redundant resource"),
    ("REDUNDANT_CONDITION_VALUE_NUM", "suggestion-redundant-condition-value-num",
     "Suggestion – Redundant condition value num"),
    ("REDUNDANT_STATEMENT", "suggestion-redundant-statement",
     "Suggestion – Redundant statement"),
    ("WILDCARD_IN_SERVICE_NAME", "suggestion-wildcard-in-service-name",
     "Suggestion – Wildcard in service name"),
]

# code: (our type, why it differs from AWS's)
DEVIATIONS = {
    "TYPE_MISMATCH_BOOLEAN": ("ERROR", "AWS keeps such a statement and lets it never match; "
                              "the engine refuses a value it cannot parse when it compiles "
                              "the policy (a Deny that silently never matches is a hole)"),
    "TYPE_MISMATCH_DATE": ("ERROR", "the engine refuses the value (see TYPE_MISMATCH_BOOLEAN)"),
    "TYPE_MISMATCH_IP_RANGE": ("ERROR", "the engine refuses the value (see "
                               "TYPE_MISMATCH_BOOLEAN)"),
    "TYPE_MISMATCH_NUMBER": ("ERROR", "the engine refuses the value (see "
                             "TYPE_MISMATCH_BOOLEAN)"),
    "TYPE_MISMATCH_STRING": ("ERROR", "the engine refuses the value (see "
                             "TYPE_MISMATCH_BOOLEAN)"),
    "INVALID_ROLE_REFERENCE": ("ERROR", "IAM turns a role ARN into the role's unique ID "
                               "itself; the engine has no ID lookup and accepts only \"*\", "
                               "account IDs and ARNs as AWS principals"),
    "INVALID_USER_REFERENCE": ("ERROR", "the engine accepts no unique IDs as principals (see "
                               "INVALID_ROLE_REFERENCE)"),
    "MISSING_QUALIFIER": ("WARNING", "IAM accepts such a policy (an AWS managed policy carries "
                          "one) and the engine evaluates it (the operator holds when any of "
                          "the key's values matches); an ERROR here would refuse the write, and "
                          "a real account's export holding it could not be imported"),
}

# Our own checks, in documentation order: code -> type (docs/findings.md).
HOST = {
    "HOST_DUPLICATE_KEY": "ERROR",
    "HOST_UNKNOWN_ACTION": "ERROR",
    "HOST_UNSUPPORTED_SYMBOL_IN_VARIABLE": "ERROR",
    "HOST_POLICY_REJECTED": "ERROR",
    "HOST_EMPTY_NOT_ELEMENT": "ERROR",
    "HOST_ALLOW_NOT_ACTION": "SECURITY_WARNING",
    "HOST_ALLOW_NOT_RESOURCE": "SECURITY_WARNING",
    "HOST_SUDO_VIA_WILDCARD": "SECURITY_WARNING",
    "HOST_ALLOW_ALL_PRINCIPALS": "SECURITY_WARNING",
    "HOST_DENY_NEVER_APPLIES": "SECURITY_WARNING",
    "HOST_DENY_KEY_SOMETIMES_ABSENT": "SECURITY_WARNING",
    "HOST_SUDO_SHELL_IN_REACH": "SECURITY_WARNING",
    "HOST_COMMAND_LINE_AS_STRING": "SECURITY_WARNING",
    "HOST_CONTEXT_KEY_NEVER_SET": "WARNING",
    "HOST_KEY_NOT_FOR_ACTION": "WARNING",
    "HOST_CONDITION_NEVER_TRUE": "WARNING",
    "HOST_RESOURCE_NEVER_HOST": "WARNING",
    "HOST_PRINCIPAL_NEVER_ON_HOST": "WARNING",
    "HOST_IFEXISTS_KEY_ALWAYS_PRESENT": "SUGGESTION",
}

TYPES = ("ERROR", "SECURITY_WARNING", "WARNING", "SUGGESTION")


def aws_type(heading):
    """AWS's finding type from the first words of its heading."""
    kind = heading.split(" \u2013 ")[0]
    return {"Error": "ERROR", "General Warning": "WARNING",
            "Security Warning": "SECURITY_WARNING", "Suggestion": "SUGGESTION"}[kind]


def all_codes():
    """Every code: AWS's in reference order, then ours."""
    return [a[0] for a in AWS] + list(HOST)


def expected(code):
    """(our type, AWS's type or None, learnMoreLink, source text, deviation reason or None)."""
    for c, anchor, heading in AWS:
        if c == code:
            at = aws_type(heading)
            typ, why = DEVIATIONS.get(code, (at, None))
            src = 'Access Analyzer policy check reference, "%s"' % heading
            return typ, at, AWS_REF + "#" + AWS_ANCHOR + anchor, src, why
    typ = HOST[code]
    return typ, None, HOST_DOC + code, "iam-host, docs/findings.md#" + code, None
