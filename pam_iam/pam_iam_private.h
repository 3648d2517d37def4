/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* Internals of pam_iam.so; nothing here is exported (pam_iam.map: pam_sm_* only). */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <security/pam_modules.h>

#include "iam/audit.h"
#include "iam/auth_cache.h"
#include "iam/config.h"
#include "iam/host.h"
#include "iam/policy.h"
#include "iam/secret.h"

#define PAM_IAM_DATA_AUTHINFO "pam_iam:authinfo"
#define PAM_IAM_DATA_LOADED "pam_iam:loaded"
#define PAM_IAM_DATA_AUDIT_LOG "pam_iam:audit_log"
#define PAM_IAM_MAX_ACTION 128
#define PAM_IAM_MAX_PATH 4096

/* ---- args.c ---- */
enum pam_iam_allow {
    PAM_IAM_ALLOW_ACCESSKEY = 1u << 0,
    PAM_IAM_ALLOW_PASSWORD = 1u << 1,
};

enum pam_iam_mfa_mode {
    PAM_IAM_MFA_OPTIONAL = 0, /* ask users who have an enabled device */
    PAM_IAM_MFA_REQUIRED,     /* and refuse users who have none */
};

struct pam_iam_args {
    bool debug;
    enum pam_iam_mfa_mode mfa;
    bool use_first_pass;
    bool try_first_pass;
    const char *config_path; /* borrowed from argv; default IAM_CONFIG_DEFAULT_PATH */
    const char *action;      /* borrowed from argv; default host:Login */
    unsigned allow;          /* enum pam_iam_allow bits; default both */
};

/* 0, or -EINVAL when an argument that decides security (action=, allow=, config=) cannot be
 * parsed: the caller fails closed. Unknown arguments are logged "ignoring". */
int pam_iam_args_parse(pam_handle_t *pamh, int argc, const char **argv,
                       struct pam_iam_args *ret_args);

/* ---- conv.c ---- */
/* Get the token the Linux-PAM way (pam_get_authtok honours use_first_pass/try_first_pass)
 * and copy it into *ret_tok (malloc'd, caller frees with iam_secret_free(tok, len+1)).
 * Returns a PAM code. */
int pam_iam_get_token(pam_handle_t *pamh, const struct pam_iam_args *args, char **ret_tok,
                      size_t *ret_len);
void pam_iam_tell(pam_handle_t *pamh, int style, const char *text);

/* ---- status.c ---- */
enum pam_iam_phase {
    PAM_IAM_PHASE_AUTH,
    PAM_IAM_PHASE_ACCOUNT,
    PAM_IAM_PHASE_SESSION,
    PAM_IAM_PHASE_SETCRED,
};
/* Map a -errno from loading config or cache, or from a lookup, to the phase's PAM code
 * (docs/architecture.md, "PAM return codes"): -ENOENT from a lookup = not an IAM user;
 * anything else = unavailable. */
int pam_iam_status(enum pam_iam_phase phase, int r);
const char *pam_iam_phase_name(enum pam_iam_phase phase);

/* ---- user.c: everything one call needs, loaded for one user ---- */
struct pam_iam_handle {
    struct pam_iam_args args;
    struct iam_config *config;
    struct iam_auth_record *record; /* NULL for users not in IAM */
    /* whether pam_iam_handle_done() frees config and record: not when they belong to the
     * PAM handle's data (PAM_IAM_DATA_LOADED), kept for the next phases of the login */
    bool owns_config, owns_record;
    const struct iam_auth_user *user;
    const char *user_name;          /* PAM_USER, borrowed for this call only */
    bool name_valid;                /* 1..64 chars of IAM's user-name set */
};

/* Validate the user name, load iam.conf and the user's record.
 * Returns 0 (user found), -ENOENT (not an IAM user, or a name IAM cannot have), or another
 * -errno (config or cache missing, unsafe, corrupt), logging the failure.
 * What one phase loaded is kept with the PAM handle (PAM_IAM_DATA_LOADED) and taken again by
 * the next phase of the same login when iam.conf and the current auth.cache are the very
 * files it was read from (same device, inode, size, modification and change times: a stat
 * of each instead of a parse and a lookup); anything else, and it is loaded anew. Only the
 * first load of a login is kept (a role's phases load the caller beside the role): later
 * loads of another user or of changed files belong to their handle. */
int pam_iam_load(pam_handle_t *pamh, struct pam_iam_handle *h, const char *user_name);
void pam_iam_handle_done(struct pam_iam_handle *h);
/* The account phase is the last that takes the kept record: it is wiped and freed at its end
 * (and at the end of setcred and of each session phase, which load it anew), so the record,
 * with its password and key hashes, does not stay in sshd's memory for the whole session the
 * PAM handle lives for. */
void pam_iam_loaded_release(pam_handle_t *pamh);
bool pam_iam_user_name_valid(const char *name);
/* The uid NSS gives user_name (getpwnam_r: nscd may answer from its memory): 1 and *ret_uid,
 * 0 when NSS knows no such user, -errno when the lookup failed. */
int pam_iam_nss_uid(const char *user_name, uid_t *ret_uid);

/* ---- verify.c ---- */
struct pam_iam_authinfo {
    char method[16];                          /* IAM_HOST_AUTH_ACCESSKEY, _PASSWORD (_PUBLICKEY
                                               * for the login record) */
    char key_id[IAM_ACCESS_KEY_ID_LEN + 1];   /* for accesskey */
    int64_t mfa_time;                         /* when a right MFA code was given; 0 = none */
};
struct pam_iam_verdict {
    bool ok;
    const char *directory_dn; /* a directory password to check with the directory (the caller
                               * does it: it needs the PAM handle) */
    bool unavailable;         /* the check could not be made: fail closed, not a guess */
    struct pam_iam_authinfo info;
    const char *error_code;    /* audit errorCode on failure */
    const char *error_message; /* audit errorMessage on failure */
};
/* Check tok against the user's keys and login profile with constant work (user may be NULL:
 * unknown user, dummy verification of the same kind). Never fails open. */
void pam_iam_verify(const struct pam_iam_handle *h, const char *tok, size_t len,
                    int64_t now, struct pam_iam_verdict *ret);

/* ---- directory.c ---- */
/* The DN a directory import recorded for the user (tag ldap:dn), or NULL. */
const char *pam_iam_directory_dn(const struct iam_auth_user *u);
/* Whether the directory said the account is disabled (tag ldap:disabled). */
bool pam_iam_directory_disabled(const struct iam_auth_user *u);
/* The password checked by iam-ldap-auth (a bind as dn over TLS, iam.conf's ldap_uri):
 * 0 accepted, -EACCES refused, -EHOSTUNREACH not checked (down, time-out, helper missing:
 * logged). Every path fails closed. */
int pam_iam_directory_check(pam_handle_t *pamh, const struct pam_iam_handle *h, const char *dn,
                            const char *tok, size_t len);
/* When pam_iam_verify() left a directory DN in v, the verdict completed by that check: ok,
 * refused (left as it is), or unavailable with its audit code; otherwise nothing. */
void pam_iam_directory_verdict(pam_handle_t *pamh, const struct pam_iam_handle *h,
                               const char *tok, size_t len, struct pam_iam_verdict *v);

/* ---- sshkey.c ---- */
struct pam_iam_sshkey {
    bool used;    /* sshd says an SSH public key authenticated the user */
    char id[129]; /* that key's APKA... id when it is one of the user's Active keys, or "" */
};
/* The login's public key, as sshd tells it: SSH_AUTH_INFO_0 (PAM environment). With
 * take_record (the account phase) the record iam-authorized-keys left in this process is
 * taken (removed), and with trust_record (pam_iam checked no secret) used when
 * SSH_AUTH_INFO_0 names no key. 0 (no key: ret->used false), or -errno when there is a key
 * but ssh_keys.cache cannot be read (the caller fails closed: a policy may deny that very
 * key). */
int pam_iam_ssh_key(pam_handle_t *pamh, const struct pam_iam_handle *h, bool take_record,
                    bool trust_record, struct pam_iam_sshkey *ret);

/* ---- context.c ---- */
struct pam_iam_items {
    const char *service, *rhost, *tty, *ruser;
    const char *ssh_key_id; /* host:SSHPublicKeyId, once pam_iam_ssh_key() found it */
};
void pam_iam_get_items(pam_handle_t *pamh, struct pam_iam_items *ret);
bool pam_iam_is_address(const char *s);
/* resource: whose tags are aws:ResourceTag, a role being assumed (sts:AssumeRole, as AWS's
 * role resource); NULL: the host's (iam.conf's host_tag.<key>). */
int pam_iam_build_context(const struct pam_iam_handle *h, const struct pam_iam_items *items,
                          const struct iam_auth_user *resource, const char *auth_method,
                          int64_t mfa_time, int64_t now, struct iam_context **ret_ctx,
                          struct iam_error *reterr);

/* ---- decide.c ---- */
struct pam_iam_decision {
    bool allowed;             /* what the policies say */
    enum iam_decision_kind kind;
    char policy[256];         /* source id of the deciding statement's policy */
    char statement[128];      /* its Sid, or "#<n>" */
};
/* Compile the user's policies (and the host resource policy) and evaluate action on the host
 * ARN. 0 with the decision, or -errno (bad policy text, unreadable resource policy): the
 * caller fails closed. */
int pam_iam_decide(pam_handle_t *pamh, const struct pam_iam_handle *h, const char *action,
                   const struct iam_context *ctx, struct pam_iam_decision *ret);

/* ---- clock.c ---- */
/* Now, in epoch seconds: the system clock (a test build may set it, see clock.c). */
int64_t pam_iam_now(void);
/* A refusal once the secret was asked for takes at least PAM_IAM_REFUSAL_FLOOR_NS of the
 * module's own time (the conversation not counted), so that a wrong secret for a known user
 * and any secret for an unknown one take the same time, whatever the difference in their
 * work. A check already past the floor (argon2id: tens of ms) is not slowed further.
 * pam_iam_clock_ns() is CLOCK_MONOTONIC in ns (-1 if unreadable); pam_iam_wait_until()
 * sleeps until that clock reads deadline_ns (at once when it is past), signals or not. */
#define PAM_IAM_REFUSAL_FLOOR_NS INT64_C(5000000)
int64_t pam_iam_clock_ns(void);
void pam_iam_wait_until(int64_t deadline_ns);

/* Whether sudo's approval plugin iam_approval.so is loaded into this process (sudo loads
 * its plugins before the PAM account phase runs): then it decides host:Sudo per command. */
bool pam_iam_sudo_plugin_loaded(void);

/* ---- mfa.c ---- */
#define PAM_IAM_MFA_CODE_MAX 16
enum pam_iam_mfa_result {
    PAM_IAM_MFA_OK,
    PAM_IAM_MFA_WRONG,    /* no device's code in the window (or an old one) */
    PAM_IAM_MFA_REPLAYED, /* right, but used before on this host */
    PAM_IAM_MFA_ERROR,    /* cannot check (liboath missing, state unsafe): fail closed */
};
/* The second prompt ("MFA code: "); a PAM code. */
int pam_iam_mfa_ask(pam_handle_t *pamh, char code[PAM_IAM_MFA_CODE_MAX + 1]);
/* Check code against every enabled device of h->user at now. With commit, a right code is
 * used up (replay state); without (the secret was wrong), it is only compared. */
enum pam_iam_mfa_result pam_iam_mfa_check(pam_handle_t *pamh, const struct pam_iam_handle *h,
                                          const char *code, int64_t now, bool commit);

/* ---- lockout.c ---- */
/* Whether the user authenticating is locked out (iam/faillock.h): 1 locked, 2 not locked but
 * with failures on record (a success must clear them), 0 no tally (or lockout off), -errno
 * when the tally is unsafe or damaged (logged; fail closed). */
int pam_iam_lockout_check(pam_handle_t *pamh, const struct pam_iam_handle *h, int64_t now);
/* Count a refused attempt (h->user NULL: the dummy tally). Returns the enum
 * iam_faillock_outcome, or -errno (logged). A lock that starts is audited and logged. */
int pam_iam_lockout_fail(pam_handle_t *pamh, const struct pam_iam_handle *h,
                         const struct pam_iam_items *items, int64_t now);
/* A successful login of a user with failures on record: the tally goes (under the lock).
 * Failures are logged, never change the result. */
void pam_iam_lockout_reset(pam_handle_t *pamh, const struct pam_iam_handle *h);

/* ---- record.c ---- */
/* Write the audit record (file + syslog authpriv). Failures are logged, never change the
 * result. */
void pam_iam_audit(pam_handle_t *pamh, const struct pam_iam_handle *h,
                   struct iam_audit_record *rec, const struct pam_iam_items *items);
/* Close the audit log pam_iam_audit() keeps open between the records of one login (called
 * by pam_iam_loaded_release(): a root-owned log is not held open for a whole session). */
void pam_iam_audit_release(pam_handle_t *pamh);

/* ---- login.c ---- */
/* The login-session record (iam/login_session.h): written at the start of a login's session,
 * removed at its end. Failures are logged, never change the result. */
void pam_iam_login_open(pam_handle_t *pamh, const struct pam_iam_handle *h,
                        const struct pam_iam_items *items, const struct pam_iam_authinfo *ai);
void pam_iam_login_close(pam_handle_t *pamh, const struct pam_iam_handle *h);
/* A second factor given inside a login (sudo's prompt): its record, when there is one for this
 * process's login and user, gets mfa_time. Failures are logged, never change the result. */
void pam_iam_login_note_mfa(pam_handle_t *pamh, const struct pam_iam_handle *h, int64_t when);

#define D(h, pamh, ...)                                                                        \
    do {                                                                                       \
        if ((h)->args.debug)                                                                   \
            pam_syslog((pamh), LOG_DEBUG, __VA_ARGS__);                                        \
    } while (0)

/* ---- role.c ---- */
/* action= is sts:AssumeRole (su's stack: PAM_USER the role, PAM_RUSER the caller). */
bool pam_iam_is_assume_action(const char *action);
/* h->user is a role and this is not its assumption: refuse (audited). In the account phase,
 * PAM_SUCCESS when this very PAM handle assumed the role (an earlier account line with
 * action=sts:AssumeRole allowed it). A PAM code. */
int pam_iam_role_login(pam_handle_t *pamh, const struct pam_iam_handle *h,
                       enum pam_iam_phase phase, const struct pam_iam_items *items);
/* The account phase of action=sts:AssumeRole, h->user the role: may PAM_RUSER assume it?
 * Audited (AssumeRole); a PAM code. */
int pam_iam_role_assume(pam_handle_t *pamh, const struct pam_iam_handle *h,
                        const struct pam_iam_items *items);
/* The auth phase's roles: PAM_IGNORE (action=sts:AssumeRole, PAM_USER no role), a refusal
 * (a role's own login), or PAM_IAM_CONTINUE with h and *user switched to the caller
 * (PAM_RUSER: su to a role) or left as they were (no role). */
#define PAM_IAM_CONTINUE (-1)
int pam_iam_role_auth(pam_handle_t *pamh, struct pam_iam_handle *h,
                      const struct pam_iam_items *items, const char **user);
/* What auth learned for this very user in this handle, or NULL (pam_iam.c). */
struct pam_iam_authinfo;
const struct pam_iam_authinfo *pam_iam_authinfo_for(pam_handle_t *pamh, const char *user);
/* The role session in the login's record (iam_login_session_note_role): caller assumed role
 * (NULL: the role session ended). Failures are logged, never change the result. */
void pam_iam_login_note_role(pam_handle_t *pamh, const struct pam_iam_handle *h,
                             const char *caller, const struct iam_auth_user *role);
/* The caller who assumed h->user (a role) in this PAM handle, or NULL (role.c). */
const char *pam_iam_role_assumer(pam_handle_t *pamh, const struct pam_iam_handle *h);
