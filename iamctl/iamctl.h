/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stdbool.h>

#include "iam/error.h"

/* Exit codes (docs/style.md, "Errors"): 0 success, 1 the operation failed, 2 usage error. */
#define IAMCTL_EXIT_OK 0
#define IAMCTL_EXIT_FAIL 1
#define IAMCTL_EXIT_USAGE 2

/* Global options, parsed by main.c before the verb. */
extern const char *arg_config; /* --config FILE, default IAM_SYSCONFDIR "/iam.conf" */

struct iamctl_verb {
    const char *name;
    int (*run)(int argc, char *argv[]); /* argv[0] is the verb name; returns an exit code */
    const char *summary;
};

/* Diagnostics: "iamctl: text" on stderr. Returns IAMCTL_EXIT_FAIL for `return fail(...)`. */
int iamctl_fail(const char *fmt, ...) IAM_PRINTF(1, 2);
/* "iamctl: text" and IAMCTL_EXIT_USAGE. */
int iamctl_usage(const char *fmt, ...) IAM_PRINTF(1, 2);
/* "iamctl: source:line:col: text" from an iam_error, returns IAMCTL_EXIT_FAIL. */
int iamctl_fail_error(const struct iam_error *e);

/* Read a CLI parameter value the AWS CLI way: "file://path" reads the file (text), anything
 * else is the literal value. On success *ret is a NUL-terminated malloc'd buffer and *ret_len
 * its length; *ret_source is "path" for file:// values or "(argument)". */
#define IAMCTL_PARAM_MAX ((size_t)256 * 1024 * 1024) /* the JSON reader's own input limit */
int iamctl_read_param(const char *value, char **ret, size_t *ret_len, const char **ret_source);

/* Validate a policy document before storing it (iamctl/policy_check.c): every finding goes to
 * stderr as "iamctl: SOURCE:LINE:COL: TYPE CODE: details (path)", ERRORs first, the others
 * prefixed "warning: " (left out with IAMCTL_POLICY_CHECK_QUIET). Returns 0 when the policy may
 * be stored, IAMCTL_EXIT_FAIL when it has an ERROR finding (or cannot be validated), so a
 * writer does: if ((r = iamctl_policy_check(text, len, type, source, 0)) != 0) return r; */
#define IAMCTL_POLICY_CHECK_QUIET 1u
#include "iam/policy.h"
int iamctl_policy_check(const char *text, size_t len, enum iam_policy_type type, const char *source,
                        unsigned flags);
/* The same with validate-policy's --validate-policy-resource-type. */
#include "iam/validate.h"
int iamctl_policy_check_for(const char *text, size_t len, enum iam_policy_type type,
                            enum iam_validate_resource_type resource_type, const char *source,
                            unsigned flags);
/* A role's trust policy: validate-policy's checks of a resource policy with the resource type
 * AWS::IAM::AssumeRolePolicyDocument, which hold the rules IAM applies to trust policies on
 * top (CreateRole and UpdateAssumeRolePolicy refuse a trust policy with a Resource or
 * NotResource element, NotAction, or an action outside STS: IAM's MalformedPolicyDocument
 * "Has prohibited field Resource" and "AssumeRole policy may only specify STS AssumeRole
 * actions."; the validator's UNSUPPORTED_RESOURCE_ARN_IN_POLICY and
 * UNSUPPORTED_ACTION_IN_POLICY). Same return as iamctl_policy_check. */
int iamctl_trust_policy_check(const char *text, size_t len, const char *source, unsigned flags);
/* The same for every policy document of a parsed database or AWS export (import): users',
 * groups' and roles' inline policies and every version of every managed policy (AWS managed
 * ones: errors only, their owner cannot edit them). Role trust policies are not checked here
 * (an export's may name principals a host never meets); a host refuses to assume a role whose
 * trust policy does not compile (fail closed). Returns 0 or IAMCTL_EXIT_FAIL after showing every finding. */
struct iam_db;
int iamctl_db_policy_check(const struct iam_db *db, const char *file, unsigned flags);

/* Verbs, one per file group. */
int verb_simulate_custom_policy(int argc, char *argv[]);
/* db verbs (verb_user.c, verb_group.c, verb_cred.c, verb_policy.c, verb_admin.c,
 * verb_principal.c) */
int verb_init(int argc, char *argv[]);
/* fleet (verb_fleet.c) */
int verb_create_bundle_signing_key(int argc, char *argv[]);
int verb_get_bundle_public_key(int argc, char *argv[]);
int verb_export_fleet_key(int argc, char *argv[]);
int verb_publish(int argc, char *argv[]);
int verb_pull(int argc, char *argv[]);
/* The signing key and, when there is none, the fleet key pair of an admin host's
 * configuration (an existing fleet key must load); exit code, message printed. */
struct iam_config;
enum signing_key_mode {
    SIGNING_KEY_NEW,     /* create-bundle-signing-key: refuse an existing key */
    SIGNING_KEY_REPLACE, /* --replace */
    SIGNING_KEY_KEEP,    /* init: use an existing key that loads, else make one */
};
struct fleet_keys_made {
    bool signing, fleet; /* which files this call created */
};
int create_fleet_keys(const struct iam_config *c, enum signing_key_mode mode,
                      struct fleet_keys_made *ret);
int verb_compile(int argc, char *argv[]);
int verb_migrate(int argc, char *argv[]);
int verb_create_user(int argc, char *argv[]);
int verb_get_user(int argc, char *argv[]);
int verb_list_users(int argc, char *argv[]);
int verb_update_user(int argc, char *argv[]);
int verb_delete_user(int argc, char *argv[]);
int verb_tag_user(int argc, char *argv[]);
int verb_untag_user(int argc, char *argv[]);
int verb_list_user_tags(int argc, char *argv[]);
int verb_put_user_permissions_boundary(int argc, char *argv[]);
int verb_delete_user_permissions_boundary(int argc, char *argv[]);
int verb_create_group(int argc, char *argv[]);
int verb_get_group(int argc, char *argv[]);
int verb_list_groups(int argc, char *argv[]);
int verb_list_groups_for_user(int argc, char *argv[]);
int verb_delete_group(int argc, char *argv[]);
int verb_add_user_to_group(int argc, char *argv[]);
int verb_remove_user_from_group(int argc, char *argv[]);
int verb_create_access_key(int argc, char *argv[]);
int verb_update_access_key(int argc, char *argv[]);
int verb_delete_access_key(int argc, char *argv[]);
int verb_list_access_keys(int argc, char *argv[]);
int verb_create_login_profile(int argc, char *argv[]);
int verb_update_login_profile(int argc, char *argv[]);
int verb_get_login_profile(int argc, char *argv[]);
int verb_delete_login_profile(int argc, char *argv[]);
int verb_update_account_password_policy(int argc, char *argv[]);
int verb_get_account_password_policy(int argc, char *argv[]);
int verb_delete_account_password_policy(int argc, char *argv[]);
int verb_change_password(int argc, char *argv[]);
/* virtual MFA devices (verb_mfa.c) */
int verb_create_virtual_mfa_device(int argc, char *argv[]);
int verb_enable_mfa_device(int argc, char *argv[]);
int verb_deactivate_mfa_device(int argc, char *argv[]);
int verb_resync_mfa_device(int argc, char *argv[]);
int verb_list_mfa_devices(int argc, char *argv[]);
int verb_list_virtual_mfa_devices(int argc, char *argv[]);
int verb_delete_virtual_mfa_device(int argc, char *argv[]);
int verb_upload_ssh_public_key(int argc, char *argv[]);
int verb_list_ssh_public_keys(int argc, char *argv[]);
int verb_get_ssh_public_key(int argc, char *argv[]);
int verb_update_ssh_public_key(int argc, char *argv[]);
int verb_delete_ssh_public_key(int argc, char *argv[]);
int verb_put_user_policy(int argc, char *argv[]);
int verb_get_user_policy(int argc, char *argv[]);
int verb_delete_user_policy(int argc, char *argv[]);
int verb_list_user_policies(int argc, char *argv[]);
int verb_put_group_policy(int argc, char *argv[]);
int verb_get_group_policy(int argc, char *argv[]);
int verb_delete_group_policy(int argc, char *argv[]);
int verb_list_group_policies(int argc, char *argv[]);
int verb_create_policy(int argc, char *argv[]);
int verb_get_policy(int argc, char *argv[]);
int verb_list_policies(int argc, char *argv[]);
int verb_delete_policy(int argc, char *argv[]);
int verb_create_policy_version(int argc, char *argv[]);
int verb_get_policy_version(int argc, char *argv[]);
int verb_list_policy_versions(int argc, char *argv[]);
int verb_delete_policy_version(int argc, char *argv[]);
int verb_set_default_policy_version(int argc, char *argv[]);
int verb_attach_user_policy(int argc, char *argv[]);
int verb_detach_user_policy(int argc, char *argv[]);
int verb_list_attached_user_policies(int argc, char *argv[]);
int verb_attach_group_policy(int argc, char *argv[]);
int verb_detach_group_policy(int argc, char *argv[]);
int verb_list_attached_group_policies(int argc, char *argv[]);
int verb_simulate_principal_policy(int argc, char *argv[]);
int verb_get_account_authorization_details(int argc, char *argv[]);
int verb_import(int argc, char *argv[]);
int verb_import_ldap(int argc, char *argv[]); /* verb_ldap.c */
int verb_get_credential_report(int argc, char *argv[]);
int verb_create_role(int argc, char *argv[]);
int verb_get_role(int argc, char *argv[]);
int verb_update_role(int argc, char *argv[]);
int verb_update_assume_role_policy(int argc, char *argv[]);
int verb_delete_role(int argc, char *argv[]);
int verb_put_role_policy(int argc, char *argv[]);
int verb_delete_role_policy(int argc, char *argv[]);
int verb_attach_role_policy(int argc, char *argv[]);
int verb_detach_role_policy(int argc, char *argv[]);
int verb_tag_role(int argc, char *argv[]);
int verb_untag_role(int argc, char *argv[]);
int verb_list_role_tags(int argc, char *argv[]);
int verb_put_role_permissions_boundary(int argc, char *argv[]);
int verb_delete_role_permissions_boundary(int argc, char *argv[]);
int verb_list_roles(int argc, char *argv[]);
int verb_list_role_policies(int argc, char *argv[]);
int verb_get_role_policy(int argc, char *argv[]);
int verb_list_attached_role_policies(int argc, char *argv[]);
int verb_validate_policy(int argc, char *argv[]);
/* the trail (verb_trail.c, verb_seal.c, verb_findings.c) */
int verb_lookup_events(int argc, char *argv[]);
int verb_seal_logs(int argc, char *argv[]);
int verb_validate_logs(int argc, char *argv[]);
int verb_generate_policy(int argc, char *argv[]);
int verb_list_findings_v2(int argc, char *argv[]);
int verb_get_finding_v2(int argc, char *argv[]);
int verb_get_access_key_last_used(int argc, char *argv[]);
/* failed-login tallies of this host (verb_lockout.c) */
int verb_list_lockouts(int argc, char *argv[]);
int verb_reset_lockout(int argc, char *argv[]);
