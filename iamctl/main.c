/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <stdint.h>
#include <unistd.h>

#include "iamctl.h"

const char *arg_config = IAM_SYSCONFDIR "/iam.conf";

static const struct iamctl_verb verbs[] = {
    {"simulate-custom-policy", verb_simulate_custom_policy,
     "evaluate policies against actions and resources (AWS SimulateCustomPolicy)"},
    {"init", verb_init,
     "write iam.conf and an empty store (refuses to overwrite)"},
    {"create-bundle-signing-key", verb_create_bundle_signing_key,
     "create the key that signs bundles (and the fleet key pair when there is none)"},
    {"get-bundle-public-key", verb_get_bundle_public_key,
     "print the public key hosts verify bundles with"},
    {"export-fleet-key", verb_export_fleet_key,
     "write the fleet's secret key (root 0600) for provisioning hosts"},
    {"publish", verb_publish,
     "write the signed bundle of the account into a directory to serve"},
    {"pull", verb_pull,
     "fetch, verify and install the published bundle (a host with bundle_url)"},
    {"compile", verb_compile,
     "rebuild the host caches from the store (roles without an account get theirs)"},
    {"migrate", verb_migrate,
     "convert a JSON database of an earlier version to the store (done by any verb)"},
    {"create-user", verb_create_user,
     "create an IAM user (allocates its uid)"},
    {"get-user", verb_get_user,
     "show a user"},
    {"list-users", verb_list_users,
     "list users"},
    {"update-user", verb_update_user,
     "change a user's path"},
    {"delete-user", verb_delete_user,
     "delete a user (after its credentials and policies)"},
    {"tag-user", verb_tag_user,
     "add or replace tags on a user"},
    {"untag-user", verb_untag_user,
     "remove tags from a user"},
    {"list-user-tags", verb_list_user_tags,
     "list a user's tags"},
    {"put-user-permissions-boundary", verb_put_user_permissions_boundary,
     "set a user's permissions boundary"},
    {"delete-user-permissions-boundary", verb_delete_user_permissions_boundary,
     "remove a user's permissions boundary"},
    {"create-group", verb_create_group,
     "create a group (allocates its gid)"},
    {"get-group", verb_get_group,
     "show a group and its users"},
    {"list-groups", verb_list_groups,
     "list groups"},
    {"list-groups-for-user", verb_list_groups_for_user,
     "list the groups of a user"},
    {"delete-group", verb_delete_group,
     "delete an empty group"},
    {"add-user-to-group", verb_add_user_to_group,
     "add a user to a group"},
    {"remove-user-from-group", verb_remove_user_from_group,
     "remove a user from a group"},
    {"create-access-key", verb_create_access_key,
     "create an access key (the secret is shown once)"},
    {"update-access-key", verb_update_access_key,
     "make an access key Active or Inactive"},
    {"delete-access-key", verb_delete_access_key,
     "delete an access key"},
    {"list-access-keys", verb_list_access_keys,
     "list a user's access keys"},
    {"create-login-profile", verb_create_login_profile,
     "set a user's password (read from standard input)"},
    {"update-login-profile", verb_update_login_profile,
     "change a user's password (standard input)"},
    {"get-login-profile", verb_get_login_profile,
     "show a user's login profile"},
    {"delete-login-profile", verb_delete_login_profile,
     "remove a user's password"},
    {"update-account-password-policy", verb_update_account_password_policy,
     "set the account password policy (AWS's parameters; those not given take AWS's defaults)"},
    {"get-account-password-policy", verb_get_account_password_policy,
     "show the account password policy"},
    {"delete-account-password-policy", verb_delete_account_password_policy,
     "remove the account password policy"},
    {"change-password", verb_change_password,
     "a user's own password change: old and new password on standard input"},
    {"create-virtual-mfa-device", verb_create_virtual_mfa_device,
     "a virtual MFA device; its seed goes to --outfile (base32 or a QR code PNG) only"},
    {"enable-mfa-device", verb_enable_mfa_device,
     "give a user a virtual MFA device (two consecutive codes)"},
    {"deactivate-mfa-device", verb_deactivate_mfa_device,
     "take an MFA device from a user"},
    {"resync-mfa-device", verb_resync_mfa_device,
     "resynchronise an MFA device whose clock drifted (two consecutive codes)"},
    {"list-mfa-devices", verb_list_mfa_devices,
     "the enabled MFA devices (of one user with --user-name)"},
    {"list-virtual-mfa-devices", verb_list_virtual_mfa_devices,
     "the virtual MFA devices (--assignment-status Assigned|Unassigned|Any)"},
    {"delete-virtual-mfa-device", verb_delete_virtual_mfa_device,
     "delete a virtual MFA device that no user holds"},
    {"upload-ssh-public-key", verb_upload_ssh_public_key,
     "add an SSH public key to a user"},
    {"list-ssh-public-keys", verb_list_ssh_public_keys,
     "list a user's SSH public keys"},
    {"get-ssh-public-key", verb_get_ssh_public_key,
     "show an SSH public key"},
    {"update-ssh-public-key", verb_update_ssh_public_key,
     "make an SSH public key Active or Inactive"},
    {"delete-ssh-public-key", verb_delete_ssh_public_key,
     "delete an SSH public key"},
    {"put-user-policy", verb_put_user_policy,
     "add or replace a user's inline policy"},
    {"get-user-policy", verb_get_user_policy,
     "show a user's inline policy"},
    {"delete-user-policy", verb_delete_user_policy,
     "delete a user's inline policy"},
    {"list-user-policies", verb_list_user_policies,
     "list a user's inline policies"},
    {"put-group-policy", verb_put_group_policy,
     "add or replace a group's inline policy"},
    {"get-group-policy", verb_get_group_policy,
     "show a group's inline policy"},
    {"delete-group-policy", verb_delete_group_policy,
     "delete a group's inline policy"},
    {"list-group-policies", verb_list_group_policies,
     "list a group's inline policies"},
    {"create-policy", verb_create_policy,
     "create a customer managed policy"},
    {"get-policy", verb_get_policy,
     "show a managed policy"},
    {"list-policies", verb_list_policies,
     "list managed policies"},
    {"delete-policy", verb_delete_policy,
     "delete a managed policy"},
    {"create-policy-version", verb_create_policy_version,
     "add a version to a managed policy"},
    {"get-policy-version", verb_get_policy_version,
     "show a version of a managed policy"},
    {"list-policy-versions", verb_list_policy_versions,
     "list the versions of a managed policy"},
    {"delete-policy-version", verb_delete_policy_version,
     "delete a non-default version"},
    {"set-default-policy-version", verb_set_default_policy_version,
     "choose a managed policy's default version"},
    {"attach-user-policy", verb_attach_user_policy,
     "attach a managed policy to a user"},
    {"detach-user-policy", verb_detach_user_policy,
     "detach a managed policy from a user"},
    {"list-attached-user-policies", verb_list_attached_user_policies,
     "list a user's attached policies"},
    {"attach-group-policy", verb_attach_group_policy,
     "attach a managed policy to a group"},
    {"detach-group-policy", verb_detach_group_policy,
     "detach a managed policy from a group"},
    {"list-attached-group-policies", verb_list_attached_group_policies,
     "list a group's attached policies"},
    {"simulate-principal-policy", verb_simulate_principal_policy,
     "evaluate a user's or role's effective policies (AWS SimulatePrincipalPolicy)"},
    {"get-account-authorization-details", verb_get_account_authorization_details,
     "export users, groups, roles and policies as AWS does"},
    {"import", verb_import,
     "merge an AWS get-account-authorization-details export"},
    {"import-ldap", verb_import_ldap,
     "import users and groups from an LDAP directory or Active Directory"},
    {"get-credential-report", verb_get_credential_report,
     "AWS's credential report (CSV)"},
    {"create-role", verb_create_role,
     "create a role: an account on the host that users assume by its trust policy"},
    {"get-role", verb_get_role,
     "show a role"},
    {"list-roles", verb_list_roles,
     "list roles"},
    {"update-role", verb_update_role,
     "change a role's description or maximum session duration"},
    {"update-assume-role-policy", verb_update_assume_role_policy,
     "replace a role's trust policy"},
    {"delete-role", verb_delete_role,
     "delete a role (its policies first)"},
    {"put-role-policy", verb_put_role_policy,
     "add or replace a role's inline policy"},
    {"get-role-policy", verb_get_role_policy,
     "show a role's inline policy"},
    {"delete-role-policy", verb_delete_role_policy,
     "delete a role's inline policy"},
    {"list-role-policies", verb_list_role_policies,
     "list a role's inline policies"},
    {"attach-role-policy", verb_attach_role_policy,
     "attach a managed policy to a role"},
    {"detach-role-policy", verb_detach_role_policy,
     "detach a managed policy from a role"},
    {"list-attached-role-policies", verb_list_attached_role_policies,
     "list a role's attached policies"},
    {"tag-role", verb_tag_role,
     "add or change a role's tags"},
    {"untag-role", verb_untag_role,
     "remove tags from a role"},
    {"list-role-tags", verb_list_role_tags,
     "list a role's tags"},
    {"put-role-permissions-boundary", verb_put_role_permissions_boundary,
     "set a role's permissions boundary"},
    {"delete-role-permissions-boundary", verb_delete_role_permissions_boundary,
     "remove a role's permissions boundary"},
    {"validate-policy", verb_validate_policy,
     "check a policy document for errors and risks (Access Analyzer ValidatePolicy)"},
    {"lookup-events", verb_lookup_events,
     "query the audit trail, newest first (CloudTrail LookupEvents)"},
    {"seal-logs", verb_seal_logs,
     "sign a digest of the audit records not sealed yet (forward-secure keys)"},
    {"validate-logs", verb_validate_logs,
     "prove the trail against its digests; names the first bad record"},
    {"generate-policy", verb_generate_policy,
     "a least-privilege policy from what a principal did (Access Analyzer)"},
    {"list-findings-v2", verb_list_findings_v2,
     "unused keys, passwords, roles and permissions; shared keys (Access Analyzer)"},
    {"get-finding-v2", verb_get_finding_v2,
     "one finding with its details (Access Analyzer GetFindingV2)"},
    {"get-access-key-last-used", verb_get_access_key_last_used,
     "when, where and by which service an access key was last used"},
    {"list-lockouts", verb_list_lockouts,
     "users with failed logins on this host, and whether they are locked out"},
    {"reset-lockout", verb_reset_lockout,
     "clear a user's failed logins on this host (ends a lockout)"},
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
    struct stat st;
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
    /* Refuse an oversized regular file before reading a byte of it; anything else (a pipe)
     * is bounded while reading. strerror(EFBIG) reads "File too large". */
    if (fstat(fd, &st) < 0) {
        r = -errno;
        goto out;
    }
    if (S_ISREG(st.st_mode) && (uint64_t)st.st_size > IAMCTL_PARAM_MAX) {
        r = -EFBIG;
        goto out;
    }
    for (;;) {
        ssize_t n;

        if (cap - len < 4096) {
            char *nb;

            if (cap >= IAMCTL_PARAM_MAX) {
                r = -EFBIG;
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
