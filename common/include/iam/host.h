/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * The host's policy vocabulary, in one place: the actions the host asks about and the
 * request context keys pam_iam sets, with their types and when each is present.
 *
 *   pam_iam        builds the request context of every decision from IAM_HOST_CONTEXT_KEYS
 *                  (pam_iam/context.c) and names its actions with iam_host_action_name();
 *   iam_approval   (sudo_iam/decide.c) does the same for sudo, and for `sudo -u ROLE`;
 *   the validator  knows from it which host: keys exist and when a request carries them;
 *   the documents  the action and key tables of docs/architecture.md ("Actions and context
 *                  keys") and the README are generated from it (tests/docs/), and a test
 *                  fails when they differ.
 *
 * Plain X-macro tables, no policy-engine types: each user maps the words below to its own
 * types. Adding an action or a key is one line here (for a key, pam_iam then also needs
 * the line that fills in its value).
 */

#include <stddef.h>

/*
 * IAM_HOST_ACTIONS(X): X(ID, NAME, ASKED_WHEN)
 *   ASKED_WHEN  when the host asks for it (Markdown, for the documents)
 */
#define IAM_HOST_ACTIONS(X)                                                                        \
    X(LOGIN, "host:Login", "the PAM account phase of any service (sshd, login, su, ...)")          \
    X(SUDO, "host:Sudo",                                                                           \
      "each command run with sudo, by sudo's approval plugin `iam_approval.so` "                   \
      "(`docs/sudo.md`); without the plugin, the PAM account phase of sudo "                       \
      "(`/etc/pam.d/sudo-iam`); in a role session, decided by the role's own policies")          \
    X(ASSUME_ROLE, "sts:AssumeRole",                                                               \
      "an IAM user becomes a role: `su - ROLE` (pam_iam's account phase with "                     \
      "`action=sts:AssumeRole`: `PAM_USER` the role, `PAM_RUSER` the caller) and `sudo -u ROLE` "  \
      "(the approval plugin); the resource is the role's ARN and its trust policy the resource "   \
      "policy, with the caller's identity policies and boundary (`iam_host_decide_assume_role`)")

/*
 * IAM_HOST_CONTEXT_KEYS(X): X(ID, NAME, TYPE, FORM, LOGIN, SUDO, ASSUME, VALUE)
 *   TYPE    the key's data type, as AWS names condition key types:
 *           STRING, ARN, NUMERIC, DATE, DATE_NUMERIC (a date, or seconds since the epoch),
 *           BOOL, IP
 *   FORM    SINGLE  one value
 *           MULTI   a multivalued key (ForAnyValue/ForAllValues apply)
 *           TAG     NAME ends in '/', and the key is NAME + a tag key, one value each
 *   LOGIN   whether a host:Login request carries the key: ALWAYS, SOMETIMES or NEVER
 *   SUDO    the same for host:Sudo (asked by an IAM user, or in a role session: the role's
 *           sudo after `su - ROLE` or `sudo -iu ROLE`)
 *   ASSUME  the same for sts:AssumeRole (the caller's request: by su, the keys of a login;
 *           by `sudo -u ROLE`, those of a sudo; plus the role session's keys)
 *   VALUE   what the value is (Markdown, for the documents)
 */
#define IAM_HOST_CONTEXT_KEYS(X)                                                                   \
    X(USERNAME, "aws:username", STRING, SINGLE, ALWAYS, SOMETIMES, ALWAYS,                         \
      "the IAM user name; absent in a role session")                                               \
    X(USERID, "aws:userid", STRING, SINGLE, ALWAYS, ALWAYS, ALWAYS,                                \
      "the IAM user's id (`AIDA...`); in a role session the role's id and the session name "       \
      "(`AROA...:alice`)")                                                                         \
    X(PRINCIPAL_ARN, "aws:PrincipalArn", ARN, SINGLE, ALWAYS, ALWAYS, ALWAYS,                      \
      "the IAM user's ARN (in `sts:AssumeRole`, the caller's); in a role session the role's "      \
      "ARN, `arn:aws:iam::ACCOUNT:role/NAME`")                                                     \
    X(PRINCIPAL_TYPE, "aws:PrincipalType", STRING, SINGLE, ALWAYS, ALWAYS, ALWAYS,                 \
      "`User`; `AssumedRole` in a role session")                                                   \
    X(PRINCIPAL_ACCOUNT, "aws:PrincipalAccount", STRING, SINGLE, ALWAYS, ALWAYS, ALWAYS,           \
      "`account_id` from `iam.conf`")                                                              \
    X(PRINCIPAL_TAG, "aws:PrincipalTag/", STRING, TAG, SOMETIMES, SOMETIMES, SOMETIMES,            \
      "the user's tags (the caller's in `sts:AssumeRole`, the role's in a role session)")          \
    X(RESOURCE_TAG, "aws:ResourceTag/", STRING, TAG, SOMETIMES, SOMETIMES, SOMETIMES,              \
      "the host's tags (`host_tag.<key>` in `iam.conf`); in `sts:AssumeRole` the role's tags "     \
      "(the role is the request's resource)")                                                      \
    X(CURRENT_TIME, "aws:CurrentTime", DATE, SINGLE, ALWAYS, ALWAYS, ALWAYS,                       \
      "when the request is made (UTC)")                                                            \
    X(EPOCH_TIME, "aws:EpochTime", DATE_NUMERIC, SINGLE, ALWAYS, ALWAYS, ALWAYS,                   \
      "the same, in seconds since the epoch")                                                      \
    X(MFA_PRESENT, "aws:MultiFactorAuthPresent", BOOL, SINGLE, ALWAYS, ALWAYS, ALWAYS,             \
      "`true` when the user gave a right code of an enabled MFA device at this login (or, for "   \
      "the sudo plugin, within the login), else `false`")                                          \
    X(MFA_AGE, "aws:MultiFactorAuthAge", NUMERIC, SINGLE, SOMETIMES, SOMETIMES, SOMETIMES,         \
      "seconds since that code was given; absent without one")                                    \
    X(SOURCE_IP, "aws:SourceIp", IP, SINGLE, SOMETIMES, SOMETIMES, SOMETIMES,                      \
      "the remote address, when the remote host is a literal IPv4 or IPv6 address")                \
    X(SOURCE_IDENTITY, "aws:SourceIdentity", STRING, SINGLE, NEVER, SOMETIMES, ALWAYS,             \
      "the person: the IAM user name of the caller of `sts:AssumeRole`, and of whoever assumed "   \
      "the role, in a role session")                                                               \
    X(ROLE_SESSION_NAME, "sts:RoleSessionName", STRING, SINGLE, NEVER, SOMETIMES, ALWAYS,          \
      "the role session's name: the caller's IAM user name (in `sts:AssumeRole`, and in a role "   \
      "session)")                                                                                  \
    X(SERVICE, "host:Service", STRING, SINGLE, ALWAYS, ALWAYS, ALWAYS,                             \
      "the PAM service: `sshd`, `login`, `su`, `sudo-iam`, ...; `sudo` when the sudo plugin asks") \
    X(REMOTE_HOST, "host:RemoteHost", STRING, SINGLE, SOMETIMES, SOMETIMES, SOMETIMES,             \
      "the remote host as PAM got it (`PAM_RHOST`)")                                               \
    X(TTY, "host:Tty", STRING, SINGLE, SOMETIMES, SOMETIMES, SOMETIMES,                            \
      "the terminal (`PAM_TTY`)")                                                                  \
    X(AUTH_METHOD, "host:AuthMethod", STRING, SINGLE, ALWAYS, SOMETIMES, SOMETIMES,                \
      "how the user authenticated (`accesskey`, `password`, `publickey` or `none`, below); for "   \
      "the sudo plugin, how the login did, when its record says")                                  \
    X(SSH_PUBLIC_KEY_ID, "host:SSHPublicKeyId", STRING, SINGLE, SOMETIMES, SOMETIMES, SOMETIMES,   \
      "the id (`APKA...`) of the user's SSH public key sshd accepted for this login, when sshd "   \
      "reports one and it is one of the user's Active keys; for the sudo plugin, the login's")     \
    X(OS_USER, "host:OsUser", STRING, SINGLE, ALWAYS, ALWAYS, ALWAYS,                              \
      "the local user name (the caller's in `sts:AssumeRole`)")                                    \
    X(RUN_AS_USER, "host:RunAsUser", STRING, SINGLE, NEVER, SOMETIMES, SOMETIMES,                  \
      "sudo plugin: the user the command runs as (`root`, or `-u`'s user)")                        \
    X(RUN_AS_GROUP, "host:RunAsGroup", STRING, SINGLE, NEVER, SOMETIMES, SOMETIMES,                \
      "sudo plugin: the group the command runs as")                                                \
    X(COMMAND, "host:Command", STRING, SINGLE, NEVER, SOMETIMES, SOMETIMES,                        \
      "sudo plugin: the absolute path sudo will execute (the shell for `sudo -s`, `sudo -i`)")     \
    X(COMMAND_LINE, "host:CommandLine", STRING, SINGLE, NEVER, SOMETIMES, SOMETIMES,               \
      "sudo plugin: the command and its arguments, joined by single spaces")                       \
    X(COMMAND_ARGS, "host:CommandArgs", STRING, MULTI, NEVER, SOMETIMES, SOMETIMES,                \
      "sudo plugin: the arguments, one value each (empty when there are none)")

/*
 * IAM_HOST_AUTH_METHODS(X): X(ID, WORD, MEANING), the values of host:AuthMethod.
 */
#define IAM_HOST_AUTH_METHODS(X)                                                                   \
    X(ACCESSKEY, "accesskey", "pam_iam checked an access key's secret")                            \
    X(PASSWORD, "password", "pam_iam checked the login-profile password")                          \
    X(PUBLICKEY, "publickey",                                                                      \
      "sshd authenticated the user with an SSH public key (sshd's `SSH_AUTH_INFO_0`), and "        \
      "pam_iam checked no secret")                                                                 \
    X(NONE, "none", "another module authenticated the user")

enum iam_host_action {
#define IAM_HOST_ENUM_ACTION_(id, name, when) IAM_HOST_ACTION_##id,
    IAM_HOST_ACTIONS(IAM_HOST_ENUM_ACTION_)
#undef IAM_HOST_ENUM_ACTION_
        IAM_HOST_N_ACTIONS
};

enum iam_host_key {
#define IAM_HOST_ENUM_KEY_(id, name, type, form, login, sudo, assume, value) IAM_HOST_KEY_##id,
    IAM_HOST_CONTEXT_KEYS(IAM_HOST_ENUM_KEY_)
#undef IAM_HOST_ENUM_KEY_
        IAM_HOST_N_KEYS
};

enum iam_host_auth_method {
#define IAM_HOST_ENUM_AUTH_(id, word, meaning) IAM_HOST_AUTH_##id,
    IAM_HOST_AUTH_METHODS(IAM_HOST_ENUM_AUTH_)
#undef IAM_HOST_ENUM_AUTH_
        IAM_HOST_N_AUTH_METHODS
};

/* "host:Login", "host:Sudo", "sts:AssumeRole"; NULL for a value outside the enum. */
static inline const char *iam_host_action_name(enum iam_host_action action) {
    switch (action) {
#define IAM_HOST_CASE_ACTION_(id, name, when)                                                      \
    case IAM_HOST_ACTION_##id:                                                                     \
        return name;
        IAM_HOST_ACTIONS(IAM_HOST_CASE_ACTION_)
#undef IAM_HOST_CASE_ACTION_
    case IAM_HOST_N_ACTIONS:
        break;
    }
    return NULL;
}

/* "aws:username", ..., "aws:PrincipalTag/" (TAG keys end in '/'); NULL outside the enum. */
static inline const char *iam_host_key_name(enum iam_host_key key) {
    switch (key) {
#define IAM_HOST_CASE_KEY_(id, name, type, form, login, sudo, assume, value)                       \
    case IAM_HOST_KEY_##id:                                                                        \
        return name;
        IAM_HOST_CONTEXT_KEYS(IAM_HOST_CASE_KEY_)
#undef IAM_HOST_CASE_KEY_
    case IAM_HOST_N_KEYS:
        break;
    }
    return NULL;
}

/* "accesskey", "password", "publickey", "none"; NULL outside the enum. */
static inline const char *iam_host_auth_method_word(enum iam_host_auth_method method) {
    switch (method) {
#define IAM_HOST_CASE_AUTH_(id, word, meaning)                                                     \
    case IAM_HOST_AUTH_##id:                                                                       \
        return word;
        IAM_HOST_AUTH_METHODS(IAM_HOST_CASE_AUTH_)
#undef IAM_HOST_CASE_AUTH_
    case IAM_HOST_N_AUTH_METHODS:
        break;
    }
    return NULL;
}
