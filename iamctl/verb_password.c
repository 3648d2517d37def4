/* SPDX-License-Identifier: Apache-2.0 */
/* Passwords: login profiles, the account password policy (AWS's UpdateAccountPasswordPolicy,
 * GetAccountPasswordPolicy, DeleteAccountPasswordPolicy) and ChangePassword. Every password
 * that is set goes through one check (password_accept): the policy's rules, all of them
 * named when broken, then reuse prevention against the argon2id hashes of the user's
 * current and earlier passwords; no password is ever stored, only its hash. Passwords are
 * read from standard input, never from the command line. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <sodium.h>

#include "iam/db.h"
#include "iam/secret.h"
#include "trail_common.h"
#include "verb_common.h"

/* Without an account password policy, as before it existed: 8 characters at least. */
#define PASSWORD_MIN_NO_POLICY 8
#define SYMBOLS "!@#$%^&*()_+-=[]{}|'" /* IAM's list of symbols */

/* ---- reading ------------------------------------------------------------------------------ */

/* -errno of a failed call, never 0 or positive (a length to the callers below). */
static ssize_t neg_errno(void) {
    return errno > 0 ? -(ssize_t)errno : -EIO;
}

/* One line from fd into buf (without the newline), byte by byte so no stdio buffer ever
 * holds it. Returns length, or -E2BIG when longer than max. */
static ssize_t read_line(int fd, char *buf, size_t max) {
    size_t n = 0;
    bool over = false;

    for (;;) {
        char c;
        ssize_t k = read(fd, &c, 1);
        if (k < 0) {
            if (errno == EINTR)
                continue;
            return neg_errno();
        }
        if (k == 0 || c == '\n')
            break;
        if (n < max)
            buf[n++] = c;
        else
            over = true;
        c = 0;
    }
    if (n > 0 && buf[n - 1] == '\r')
        n--;
    buf[n] = '\0';
    return over ? -E2BIG : (ssize_t)n;
}

static ssize_t prompt_password(const char *prompt, char *buf, size_t max) {
    struct termios old, noecho;
    ssize_t n;

    if (!isatty(STDIN_FILENO))
        return read_line(STDIN_FILENO, buf, max);
    if (tcgetattr(STDIN_FILENO, &old) < 0)
        return neg_errno();
    noecho = old;
    noecho.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
    fputs(prompt, stderr);
    fflush(stderr);
    if (tcsetattr(STDIN_FILENO, TCSAFLUSH, &noecho) < 0)
        return neg_errno();
    n = read_line(STDIN_FILENO, buf, max);
    (void)tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
    fputc('\n', stderr);
    return n;
}

/* Read a password (a new one twice on a terminal) into pw (IAM_PASSWORD_MAX + 1 bytes). */
static int read_password(const char *prompt, bool confirm, char *pw, size_t *ret_len) {
    char again[IAM_PASSWORD_MAX + 1] = {0};
    ssize_t n, n2;
    int r = IAMCTL_EXIT_FAIL;

    n = prompt_password(prompt, pw, IAM_PASSWORD_MAX);
    if (n == -E2BIG) {
        r = iamctl_fail("PasswordPolicyViolation: the password is longer than %d characters",
                        IAM_PASSWORD_MAX);
        goto out;
    }
    if (n < 0) {
        r = iamctl_fail("cannot read the password from standard input: %s", strerror((int)-n));
        goto out;
    }
    if (confirm && isatty(STDIN_FILENO)) {
        n2 = prompt_password("Retype new password: ", again, IAM_PASSWORD_MAX);
        if (n2 != n || sodium_memcmp(pw, again, (size_t)n) != 0) {
            r = iamctl_fail("the passwords do not match");
            goto out;
        }
    }
    *ret_len = (size_t)n;
    r = 0;
out:
    sodium_memzero(again, sizeof(again));
    return r;
}

/* ---- the policy's rules ----------------------------------------------------------------- */

/* Append "; text" (or text) to msg. */
static void add(char *msg, size_t size, const char *text) {
    size_t n = strlen(msg);

    snprintf(msg + n, size - n, "%s%s", n ? "; " : "", text);
}

/* 0 when pw satisfies p (NULL: no policy), else PasswordPolicyViolation naming every rule
 * it breaks. */
static int check_rules(const struct iam_store_password_policy *p, const char *pw, size_t n) {
    unsigned min = p ? p->minimum_password_length : PASSWORD_MIN_NO_POLICY;
    bool upper = false, lower = false, digit = false, symbol = false, ascii = true;
    char msg[768] = "", text[96];

    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)pw[i];

        if (c < 0x20 || c > 0x7e)
            ascii = false;
        upper |= c >= 'A' && c <= 'Z';
        lower |= c >= 'a' && c <= 'z';
        digit |= c >= '0' && c <= '9';
        symbol |= c != 0 && strchr(SYMBOLS, c) != NULL;
    }
    if (n < min) {
        snprintf(text, sizeof(text), "at least %u characters (MinimumPasswordLength)", min);
        add(msg, sizeof(msg), text);
    }
    if (!ascii)
        add(msg, sizeof(msg), "only printable ASCII characters");
    if (p && p->require_uppercase_characters && !upper)
        add(msg, sizeof(msg), "an uppercase letter (RequireUppercaseCharacters)");
    if (p && p->require_lowercase_characters && !lower)
        add(msg, sizeof(msg), "a lowercase letter (RequireLowercaseCharacters)");
    if (p && p->require_numbers && !digit)
        add(msg, sizeof(msg), "a number (RequireNumbers)");
    if (p && p->require_symbols && !symbol)
        add(msg, sizeof(msg), "a symbol, one of " SYMBOLS " (RequireSymbols)");
    if (!msg[0])
        return 0;
    return iamctl_fail("PasswordPolicyViolation: the password does not conform to the account "
                       "password policy: it needs %s",
                       msg);
}

/* 1 when pw matches one of the n hashes (every one is checked: the time does not say which),
 * 0 when none, IAMCTL_EXIT_FAIL (negated) on an error. */
static int used_before(const char *const *hashes, size_t n, const char *pw, size_t len) {
    bool hit = false, tty = isatty(STDERR_FILENO);

    for (size_t i = 0; i < n; i++) {
        int r;

        if (tty)
            fprintf(stderr, "\rcomparing with earlier passwords: %zu/%zu", i + 1, n);
        r = iam_secret_verify(hashes[i], pw, len);
        if (r == 1)
            hit = true;
        else if (r < 0 && r != -ENOTSUP)
            return -IAMCTL_EXIT_FAIL;
    }
    if (tty && n)
        fputs("\r\033[K", stderr);
    return hit;
}

/* The account's policy into *ret: 1 when there is one, 0 when none, or an exit code
 * (negated). */
static int get_policy(struct sth *h, struct iam_store_password_policy *ret) {
    int r = iam_store_password_policy_get(h->st, ret);

    if (r == -ENOENT)
        return 0;
    if (r < 0)
        return -sth_fail(h, r);
    return 1;
}

/* Accept pw as user u's new password: the policy's rules, then reuse prevention (the current
 * hash and the kept ones), then hash it into hash. Also moves old_hash into the user's
 * history (as many as the policy keeps). 0 or an exit code. */
static int password_accept(struct sth *h, const struct iam_store_identity *u,
                           const char *old_hash, const char *pw, size_t len, char *hash,
                           size_t hash_size) {
    struct iam_store_password_policy p;
    struct iam_store_mark mark = iam_store_mark(h->st);
    const char **hist = NULL, **all = NULL;
    unsigned reuse = 0;
    size_t n = 0, m = 0;
    char now[32];
    int r, has;

    has = get_policy(h, &p);
    if (has < 0)
        return -has;
    if ((r = check_rules(has ? &p : NULL, pw, len)))
        goto out;
    reuse = has ? p.password_reuse_prevention : 0;
    if (reuse > 0) {
        if ((r = iam_store_password_history(h->st, u, &hist, &n)) < 0) {
            r = sth_fail(h, r);
            goto out;
        }
        all = calloc(n + 1, sizeof(*all));
        if (!all) {
            r = iamctl_fail("out of memory");
            goto out;
        }
        if (old_hash)
            all[m++] = old_hash;
        for (size_t i = 0; i < n && m < reuse; i++)
            all[m++] = hist[i];
        r = used_before(all, m, pw, len);
        if (r < 0) {
            r = iamctl_fail("cannot compare with earlier passwords");
            goto out;
        }
        if (r == 1) {
            r = iamctl_fail("PasswordPolicyViolation: the password does not conform to the "
                            "account password policy: it is one of the last %u passwords of "
                            "user %s (PasswordReusePrevention)",
                            reuse, u->name);
            goto out;
        }
    }
    if (iam_secret_hash_password(pw, len, hash, hash_size) < 0) {
        r = iamctl_fail("cannot hash the password");
        goto out;
    }
    /* the current password joins the history; with reuse prevention N, N - 1 are kept */
    now_iso(now);
    r = iam_store_password_history_push(h->st, u, old_hash, now, reuse > 0 ? reuse - 1 : 0);
    if (r < 0)
        r = sth_fail(h, r);
out:
    free(all);
    iam_store_release(h->st, mark);
    return r;
}

/* ---- login profiles ------------------------------------------------------------------- */

static json_t *login_profile_json(const char *user, const struct iam_store_login_profile *lp) {
    return json_pack("{s:{s:s,s:s,s:b}}", "LoginProfile", "UserName", user, "CreateDate",
                     lp->create_date, "PasswordResetRequired", lp->password_reset_required);
}

/* create-login-profile / update-login-profile's options, checked before the store is open. */
static int login_profile_args(struct opt *opts, bool create) {
    if (opt_get(opts, "password")->set)
        /* the value is on our argv already; all we can do is refuse to use it */
        return iamctl_usage("--password is refused: a password on the command line is visible "
                            "in ps and shell history; give it on standard input");
    if (opt_get(opts, "password-reset-required")->set &&
        opt_get(opts, "no-password-reset-required")->set)
        return iamctl_usage("--password-reset-required and --no-password-reset-required conflict");
    if (create && opt_get(opts, "keep-password")->set)
        return iamctl_usage("create-login-profile: --keep-password makes no sense here");
    return 0;
}

static int login_profile(int argc, char *argv[], bool create) {
    struct opt opts[] = {{"user-name", OPT_VALUE, true},
                         {"password-reset-required", OPT_FLAG},
                         {"no-password-reset-required", OPT_FLAG},
                         {"password", OPT_VALUE},
                         {"keep-password", OPT_FLAG},
                         {NULL}};
    struct sth h = STH_INIT;
    struct iam_store_identity u;
    struct iam_store_login_profile lp;
    char pw[IAM_PASSWORD_MAX + 1] = {0}, hash[IAM_SECRET_HASH_MAX] = "", now[32];
    size_t len = 0;
    json_t *out = NULL;
    bool keep;
    int r;

    if ((r = opts_parse(argc, argv, opts)) || (r = login_profile_args(opts, create)))
        goto out;
    keep = opt_get(opts, "keep-password")->set;
    if ((!keep && (r = read_password("New password: ", true, pw, &len))) ||
        (r = sth_open(&h, true)) || (r = sth_user(&h, opt_value(opts, "user-name"), &u)))
        goto out;
    r = iam_store_login_profile_get(h.st, &u, &lp);
    if (r < 0 && r != -ENOENT) {
        r = sth_fail(&h, r);
        goto out;
    }
    if (create && r == 0) {
        r = iamctl_fail("EntityAlreadyExists: Login Profile for user %s already exists.", u.name);
        goto out;
    }
    if (!create && r == -ENOENT) {
        r = iamctl_fail("NoSuchEntity: Login Profile for User %s cannot be found.", u.name);
        goto out;
    }
    if (!keep && (r = password_accept(&h, &u, create ? NULL : lp.password_hash, pw, len, hash,
                                      sizeof(hash))))
        goto out;
    now_iso(now);
    if (create)
        lp = (struct iam_store_login_profile){.create_date = now,
                                              .password_reset_required =
                                                  opt_get(opts, "password-reset-required")->set};
    if (!keep) {
        lp.password_hash = hash;
        lp.password_last_changed = now;
    }
    if (opt_get(opts, "password-reset-required")->set)
        lp.password_reset_required = true;
    if (opt_get(opts, "no-password-reset-required")->set)
        lp.password_reset_required = false;
    if ((r = iam_store_login_profile_put(h.st, &u, &lp)) < 0) {
        r = sth_fail(&h, r);
        goto out;
    }
    if (create)
        out = login_profile_json(u.name, &lp);
    if (!(r = sth_commit(&h)) && out) {
        r = print_json(out);
        out = NULL;
    }
out:
    json_decref(out);
    sodium_memzero(pw, sizeof(pw));
    sodium_memzero(hash, sizeof(hash));
    opts_free(opts);
    return sth_close(&h, r);
}

int verb_create_login_profile(int argc, char *argv[]) {
    return login_profile(argc, argv, true);
}

int verb_update_login_profile(int argc, char *argv[]) {
    return login_profile(argc, argv, false);
}

static int login_profile_op(int argc, char *argv[], bool del) {
    struct opt opts[] = {{"user-name", OPT_VALUE, true}, {NULL}};
    struct sth h = STH_INIT;
    struct iam_store_identity u;
    struct iam_store_login_profile lp;
    int r;

    if ((r = opts_parse(argc, argv, opts)) || (r = sth_open(&h, del)) ||
        (r = sth_user(&h, opt_value(opts, "user-name"), &u)))
        goto out;
    r = del ? iam_store_login_profile_delete(h.st, &u) : iam_store_login_profile_get(h.st, &u, &lp);
    if (r == -ENOENT)
        r = iamctl_fail("NoSuchEntity: Login Profile for User %s cannot be found.", u.name);
    else if (r < 0)
        r = sth_fail(&h, r);
    else if (del && (r = iam_store_password_history_push(h.st, &u, NULL, NULL, 0)) < 0)
        r = sth_fail(&h, r); /* no password, no history */
    else
        r = del ? sth_commit(&h) : print_json(login_profile_json(u.name, &lp));
out:
    opts_free(opts);
    return sth_close(&h, r);
}

int verb_get_login_profile(int argc, char *argv[]) {
    return login_profile_op(argc, argv, false);
}

int verb_delete_login_profile(int argc, char *argv[]) {
    return login_profile_op(argc, argv, true);
}

/* ---- the account password policy ---------------------------------------------------------- */

static int fail_no_policy(struct sth *h) {
    return iamctl_fail("NoSuchEntity: The Password Policy with domain name %s cannot be found.",
                       h->account.account_id);
}

/* --name N within [min, max], or a ValidationError in AWS's words. */
static int range_arg(struct opt *opts, const char *name, const char *member, unsigned min,
                     unsigned max, unsigned *ret) {
    const char *v = opt_value(opts, name);
    char *end;
    long x;

    if (!v)
        return 0;
    errno = 0;
    x = strtol(v, &end, 10);
    if (errno || end == v || *end)
        return iamctl_usage("--%s: '%.32s' is not a number", name, v);
    if (x < (long)min)
        return iamctl_fail("ValidationError: 1 validation error detected: Value '%ld' at '%s' "
                           "failed to satisfy constraint: Member must have value greater than "
                           "or equal to %u", x, member, min);
    if (x > (long)max)
        return iamctl_fail("ValidationError: 1 validation error detected: Value '%ld' at '%s' "
                           "failed to satisfy constraint: Member must have value less than or "
                           "equal to %u", x, member, max);
    *ret = (unsigned)x;
    return 0;
}

/* --flag / --no-flag into *ret (unchanged when neither). */
static int bool_arg(struct opt *opts, const char *name, bool *ret) {
    char no[64];

    snprintf(no, sizeof(no), "no-%s", name);
    if (opt_get(opts, name)->set && opt_get(opts, no)->set)
        return iamctl_usage("--%s and --%s conflict", name, no);
    if (opt_get(opts, name)->set)
        *ret = true;
    if (opt_get(opts, no)->set)
        *ret = false;
    return 0;
}

int verb_update_account_password_policy(int argc, char *argv[]) {
    static const char *const flags[] = {"require-symbols", "require-numbers",
                                        "require-uppercase-characters",
                                        "require-lowercase-characters",
                                        "allow-users-to-change-password", "hard-expiry"};
    struct opt opts[] = {{"minimum-password-length", OPT_VALUE},
                         {"max-password-age", OPT_VALUE},
                         {"password-reuse-prevention", OPT_VALUE},
                         {"require-symbols", OPT_FLAG},
                         {"no-require-symbols", OPT_FLAG},
                         {"require-numbers", OPT_FLAG},
                         {"no-require-numbers", OPT_FLAG},
                         {"require-uppercase-characters", OPT_FLAG},
                         {"no-require-uppercase-characters", OPT_FLAG},
                         {"require-lowercase-characters", OPT_FLAG},
                         {"no-require-lowercase-characters", OPT_FLAG},
                         {"allow-users-to-change-password", OPT_FLAG},
                         {"no-allow-users-to-change-password", OPT_FLAG},
                         {"hard-expiry", OPT_FLAG},
                         {"no-hard-expiry", OPT_FLAG},
                         {NULL}};
    /* AWS's defaults for every parameter not given (the old policy is replaced, not merged) */
    struct iam_store_password_policy p = {.minimum_password_length = 6};
    bool *const slots[] = {&p.require_symbols, &p.require_numbers,
                           &p.require_uppercase_characters, &p.require_lowercase_characters,
                           &p.allow_users_to_change_password, &p.hard_expiry};
    struct sth h = STH_INIT;
    int r;

    if ((r = opts_parse(argc, argv, opts)))
        goto out;
    for (size_t i = 0; i < IAM_ELEMENTSOF(flags); i++)
        if ((r = bool_arg(opts, flags[i], slots[i])))
            goto out;
    p.hard_expiry_set = opt_get(opts, "hard-expiry")->set || opt_get(opts, "no-hard-expiry")->set;
    if ((r = range_arg(opts, "minimum-password-length", "minimumPasswordLength", 6, 128,
                       &p.minimum_password_length)) ||
        (r = range_arg(opts, "max-password-age", "maxPasswordAge", 1, 1095,
                       &p.max_password_age)) ||
        (r = range_arg(opts, "password-reuse-prevention", "passwordReusePrevention", 1, 24,
                       &p.password_reuse_prevention)) ||
        (r = sth_open(&h, true)))
        goto out;
    if ((r = iam_store_password_policy_put(h.st, &p)) < 0 ||
        /* keep no more earlier hashes than the new policy needs */
        (r = iam_store_password_history_trim(h.st, p.password_reuse_prevention > 0
                                                       ? p.password_reuse_prevention - 1
                                                       : 0)) < 0) {
        r = sth_fail(&h, r);
        goto out;
    }
    r = sth_commit(&h);
out:
    opts_free(opts);
    return sth_close(&h, r);
}

int verb_get_account_password_policy(int argc, char *argv[]) {
    struct opt opts[] = {{NULL}};
    struct iam_store_password_policy p;
    struct sth h = STH_INIT;
    json_t *o;
    int r;

    if ((r = opts_parse(argc, argv, opts)) || (r = sth_open(&h, false)))
        goto out;
    r = get_policy(&h, &p);
    if (r <= 0) {
        r = r < 0 ? -r : fail_no_policy(&h);
        goto out;
    }
    o = json_pack("{s:i,s:b,s:b,s:b,s:b,s:b,s:b}", "MinimumPasswordLength",
                  (int)p.minimum_password_length, "RequireSymbols", p.require_symbols,
                  "RequireNumbers", p.require_numbers, "RequireUppercaseCharacters",
                  p.require_uppercase_characters, "RequireLowercaseCharacters",
                  p.require_lowercase_characters, "AllowUsersToChangePassword",
                  p.allow_users_to_change_password, "ExpirePasswords", p.max_password_age > 0);
    if (o && p.max_password_age)
        json_object_set_new(o, "MaxPasswordAge", json_integer(p.max_password_age));
    if (o && p.password_reuse_prevention)
        json_object_set_new(o, "PasswordReusePrevention",
                            json_integer(p.password_reuse_prevention));
    if (o && p.hard_expiry_set)
        json_object_set_new(o, "HardExpiry", json_boolean(p.hard_expiry));
    r = print_json(json_pack("{s:o}", "PasswordPolicy", o));
out:
    opts_free(opts);
    return sth_close(&h, r);
}

int verb_delete_account_password_policy(int argc, char *argv[]) {
    struct opt opts[] = {{NULL}};
    struct sth h = STH_INIT;
    int r;

    if ((r = opts_parse(argc, argv, opts)) || (r = sth_open(&h, true)))
        goto out;
    r = iam_store_password_policy_delete(h.st);
    if (r == -ENOENT) {
        r = fail_no_policy(&h);
        goto out;
    }
    if (r < 0 || (r = iam_store_password_history_trim(h.st, 0)) < 0) {
        r = sth_fail(&h, r);
        goto out;
    }
    r = sth_commit(&h);
out:
    opts_free(opts);
    return sth_close(&h, r);
}

/* ---- change-password ------------------------------------------------------------------------ */

/* When the password set at `changed` (ISO 8601) expires under p: 0 = never. */
int64_t password_expiry(const struct iam_store_password_policy *p, const char *changed) {
    int64_t t;

    if (!p || !p->max_password_age || !changed || iam_db_parse_time(changed, &t) < 0)
        return 0;
    return t + (int64_t)p->max_password_age * 86400;
}

/* The user's own change, as AWS's ChangePassword: the old password proves it is the user,
 * the account policy must allow users to change their password, and an expired password
 * under HardExpiry can only be replaced by an administrator. */
int verb_change_password(int argc, char *argv[]) {
    struct opt opts[] = {{"user-name", OPT_VALUE, true},
                         {"old-password", OPT_VALUE},
                         {"new-password", OPT_VALUE},
                         {NULL}};
    struct iam_store_password_policy p;
    struct iam_store_identity u;
    struct iam_store_login_profile lp;
    struct sth h = STH_INIT;
    char old[IAM_PASSWORD_MAX + 1] = {0}, pw[IAM_PASSWORD_MAX + 1] = {0};
    char hash[IAM_SECRET_HASH_MAX] = "", now[32];
    size_t olen = 0, len = 0;
    int64_t expires;
    int r, has;

    if ((r = opts_parse(argc, argv, opts)))
        goto out;
    if (opt_get(opts, "old-password")->set || opt_get(opts, "new-password")->set) {
        r = iamctl_usage("--old-password and --new-password are refused: a password on the "
                         "command line is visible in ps and shell history; give the old and "
                         "the new one on standard input, one per line");
        goto out;
    }
    if ((r = read_password("Old password: ", false, old, &olen)) ||
        (r = read_password("New password: ", true, pw, &len)) || (r = sth_open(&h, true)) ||
        (r = sth_user(&h, opt_value(opts, "user-name"), &u)))
        goto out;
    r = iam_store_login_profile_get(h.st, &u, &lp);
    if (r == -ENOENT) {
        r = iamctl_fail("NoSuchEntity: Login Profile for User %s cannot be found.", u.name);
        goto out;
    }
    if (r < 0) {
        r = sth_fail(&h, r);
        goto out;
    }
    has = get_policy(&h, &p);
    if (has < 0) {
        r = -has;
        goto out;
    }
    if (!has || !p.allow_users_to_change_password) {
        r = iamctl_fail("AccessDenied: the account password policy does not allow users to "
                        "change their own password (update-account-password-policy "
                        "--allow-users-to-change-password); an administrator can set it with "
                        "update-login-profile");
        goto out;
    }
    if (iam_secret_verify(lp.password_hash, old, olen) != 1) {
        r = iamctl_fail("AccessDenied: the old password of user %s is not correct", u.name);
        goto out;
    }
    expires = password_expiry(&p, lp.password_last_changed ? lp.password_last_changed
                                                           : lp.create_date);
    if (p.hard_expiry && expires && trail_now() >= expires) {
        r = iamctl_fail("AccessDenied: the password of user %s has expired and the account "
                        "password policy has HardExpiry: an administrator must set a new one "
                        "(update-login-profile)",
                        u.name);
        goto out;
    }
    if ((r = password_accept(&h, &u, lp.password_hash, pw, len, hash, sizeof(hash))))
        goto out;
    now_iso(now);
    lp.password_hash = hash;
    lp.password_last_changed = now;
    lp.password_reset_required = false;
    if ((r = iam_store_login_profile_put(h.st, &u, &lp)) < 0) {
        r = sth_fail(&h, r);
        goto out;
    }
    r = sth_commit(&h);
out:
    sodium_memzero(old, sizeof(old));
    sodium_memzero(pw, sizeof(pw));
    sodium_memzero(hash, sizeof(hash));
    opts_free(opts);
    return sth_close(&h, r);
}
