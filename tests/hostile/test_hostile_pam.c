/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Hostile PAM input against pam_iam.so under pam_wrapper: PAM_USER,
 * PAM_RHOST and PAM_TTY that are empty, 64 KB long or hold control characters; a
 * conversation that fails, answers nothing, or answers NULL; access key ids and secrets of
 * the wrong length or alphabet. Each must fail closed with the deliberate code, never crash,
 * never turn into PAM_SUCCESS, and leave an audit log whose every line is one valid JSON
 * object without raw control characters (no log injection).
 * Environment (from tests/harden.cmake): PAM_WRAPPER*, HOSTILE_PAM_DIR (fixture directory).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>
#include <jansson.h>
#include <security/pam_appl.h>

#include "iamtest.h"
#include "pam_fixture.h"

static const char *fxdir;

enum conv_mode {
    CONV_ANSWER,      /* answer every prompt with token */
    CONV_FAIL,        /* return PAM_CONV_ERR */
    CONV_NO_RESPONSE, /* return PAM_SUCCESS with *resp == NULL */
    CONV_NULL_TEXT,   /* return PAM_SUCCESS, resp[i].resp == NULL */
    CONV_BUF_ERR,     /* return PAM_BUF_ERR */
};

struct conv_data {
    enum conv_mode mode;
    const char *token;
    int calls;
};

static int conv_fn(int n, const struct pam_message **msg, struct pam_response **resp,
                   void *appdata) {
    struct conv_data *d = appdata;
    struct pam_response *r;

    d->calls++;
    switch (d->mode) {
    case CONV_FAIL:
        return PAM_CONV_ERR;
    case CONV_BUF_ERR:
        return PAM_BUF_ERR;
    case CONV_NO_RESPONSE:
        *resp = NULL;
        return PAM_SUCCESS;
    default:
        break;
    }
    r = calloc((size_t)n, sizeof(*r));
    if (!r)
        return PAM_BUF_ERR;
    for (int i = 0; i < n; i++) {
        if (d->mode == CONV_ANSWER &&
            (msg[i]->msg_style == PAM_PROMPT_ECHO_OFF || msg[i]->msg_style == PAM_PROMPT_ECHO_ON)) {
            r[i].resp = strdup(d->token ? d->token : "");
            if (!r[i].resp) {
                for (int k = 0; k < i; k++)
                    free(r[k].resp);
                free(r);
                return PAM_BUF_ERR;
            }
        }
    }
    *resp = r;
    return PAM_SUCCESS;
}

/* Items to set on the handle; NULL = leave unset. */
struct items {
    const char *rhost;
    const char *tty;
};

/* One transaction: optional auth then optional account on service, returns the codes. */
static void run(const char *service, const char *user, struct conv_data *cd,
                const struct items *it, int *ret_auth, int *ret_acct) {
    struct pam_conv conv = {conv_fn, cd};
    pam_handle_t *ph = NULL;
    int rv;

    assert_int_equal(pam_start(service, user, &conv, &ph), PAM_SUCCESS);
    if (it && it->rhost)
        assert_int_equal(pam_set_item(ph, PAM_RHOST, it->rhost), PAM_SUCCESS);
    if (it && it->tty)
        assert_int_equal(pam_set_item(ph, PAM_TTY, it->tty), PAM_SUCCESS);
    rv = PAM_SUCCESS;
    if (ret_auth)
        rv = *ret_auth = pam_authenticate(ph, 0);
    if (ret_acct)
        rv = *ret_acct = pam_acct_mgmt(ph, 0);
    pam_end(ph, rv);
}

static int auth_with(const char *service, const char *user, const char *token) {
    struct conv_data cd = {CONV_ANSWER, token, 0};
    int a = -1;

    run(service, user, &cd, NULL, &a, NULL);
    return a;
}

static char *key_token(enum pamfx_user u) {
    static char buf[256];

    snprintf(buf, sizeof(buf), "%s:%s", pamfx_secrets[u].key_id, pamfx_secrets[u].secret);
    return buf;
}

/* Every audit line: one JSON object, no raw byte below 0x20 or 0x7f. Returns the count. */
static size_t check_audit(void) {
    char path[4096];
    size_t len = 0, n = 0;
    char *text, *line, *next;

    snprintf(path, sizeof(path), "%s/audit.jsonl", fxdir);
    text = iamtest_read_file(path, &len);
    if (!text)
        return 0;
    assert_int_equal(strlen(text), len); /* no NUL byte in the log */
    for (line = text; *line; line = next) {
        json_error_t je;
        json_t *j;

        next = strchr(line, '\n');
        assert_non_null(next); /* every record ends with a newline */
        *next++ = '\0';
        for (const unsigned char *p = (const unsigned char *)line; *p; p++)
            if (*p < 0x20 || *p == 0x7f)
                fail_msg("audit line %zu holds raw byte 0x%02x", n + 1, *p);
        j = json_loads(line, 0, &je);
        if (!j)
            fail_msg("audit line %zu is not JSON: %s", n + 1, je.text);
        assert_true(json_is_object(j));
        json_decref(j);
        n++;
    }
    free(text);
    return n;
}

static char *filled(size_t n, char c) {
    char *s = malloc(n + 1);

    assert_non_null(s);
    memset(s, c, n);
    s[n] = '\0';
    return s;
}

/* ---- PAM_USER ---- */

static void test_user_empty(void **state) {
    int a = -1, b = -1;
    struct conv_data cd = {CONV_ANSWER, NULL, 0};

    (void)state;
    cd.token = key_token(PAMFX_ALICE);
    run("iam", "", &cd, NULL, &a, &b);
    assert_int_equal(a, PAM_USER_UNKNOWN);
    assert_int_equal(b, PAM_USER_UNKNOWN);
    /* No prompt for a name that cannot be an IAM user (nothing to learn by timing it). */
    assert_int_equal(cd.calls, 0);
}

static void test_user_control_and_long(void **state) {
    static const char *const names[] = {"alice\r",   "\talice",  "alice\x7f", "ali\001ce",
                                        "alice ",    " alice",   "alice:x",   "al\xc3\xa9ice",
                                        "al\xffice", "alice%s%n"};
    char *big = filled(65536, 'a');

    (void)state;
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        int a = auth_with("iam", names[i], key_token(PAMFX_ALICE));

        if (a != PAM_USER_UNKNOWN)
            fail_msg("user name #%zu: got %d (%s)", i, a, pam_strerror(NULL, a));
    }
    assert_int_equal(auth_with("iam", big, key_token(PAMFX_ALICE)), PAM_USER_UNKNOWN);
    free(big);
    check_audit();
}

/* ---- PAM_RHOST / PAM_TTY ---- */

/* frank may log in only through sshd from 127.0.0.0/8: any remote host that is not exactly a
 * loopback address must be denied, whatever else it holds. */
static void test_rhost_fails_closed(void **state) {
    char *big = filled(65536, '1');
    char *bigaddr = NULL;
    const char *hostile[] = {"",          "127.0.0.1\n",      "127.0.0.1 ",   " 127.0.0.1",
                             "127.0.0.1/8", "127.0.0.1\r\nx", "\x1b[2J127.0.0.1", "127.0.0.1%00",
                             "127.0.0.1:22", "127.0.0.01x",    "localhost",    "::ffff:10.0.0.1",
                             "10.0.0.1\t127.0.0.1", big,       NULL};
    struct conv_data cd = {CONV_ANSWER, NULL, 0};
    struct items it = {"127.0.0.1", NULL};
    int a = -1, b = -1;

    (void)state;
    bigaddr = malloc(65536 + 16);
    assert_non_null(bigaddr);
    snprintf(bigaddr, 65536 + 16, "127.0.0.1%s", big);
    hostile[sizeof(hostile) / sizeof(hostile[0]) - 1] = bigaddr;
    cd.token = pamfx_secrets[PAMFX_FRANK].secret;
    /* The control: from loopback, through sshd, frank gets in. */
    run("sshd", "frank", &cd, &it, &a, &b);
    assert_int_equal(a, PAM_SUCCESS);
    assert_int_equal(b, PAM_SUCCESS);
    for (size_t i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++) {
        it.rhost = hostile[i];
        a = b = -1;
        run("sshd", "frank", &cd, &it, &a, &b);
        /* The secret is right: auth does not depend on the remote host. */
        if (a != PAM_SUCCESS)
            fail_msg("rhost #%zu: auth got %d (%s)", i, a, pam_strerror(NULL, a));
        /* Over the context's value limit the module cannot even build the request: it
         * refuses with PAM_AUTHINFO_UNAVAIL (logged), which is closed too. */
        if (b != PAM_PERM_DENIED && !(b == PAM_AUTHINFO_UNAVAIL && strlen(hostile[i]) > 4096))
            fail_msg("rhost #%zu: account got %d (%s), expected PAM_PERM_DENIED", i, b,
                     pam_strerror(NULL, b));
    }
    free(big);
    free(bigaddr);
    assert_true(check_audit() > 0);
}

/* alice may log in from anywhere: hostile items must not turn her login into a crash or a
 * success of someone else, and when the module refuses an item it says so with
 * PAM_AUTHINFO_UNAVAIL or PAM_PERM_DENIED, never anything else. */
static void test_items_hostile(void **state) {
    char *big = filled(65536, 'x');
    const char *vals[] = {"", "\n", "pts/0\n{\"Decision\":\"allowed\"}", "\x1b]0;pwned\a",
                          "tty\x7f\x01\x02", "\xff\xfe", big};
    struct conv_data cd = {CONV_ANSWER, NULL, 0};

    (void)state;
    cd.token = key_token(PAMFX_ALICE);
    for (size_t f = 0; f < 2; f++)
        for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
            struct items it = {f == 0 ? vals[i] : NULL, f == 1 ? vals[i] : NULL};
            int a = -1, b = -1;

            run("iam", "alice", &cd, &it, &a, &b);
            if (a != PAM_SUCCESS && a != PAM_AUTHINFO_UNAVAIL && a != PAM_AUTH_ERR)
                fail_msg("%s #%zu: auth got %d (%s)", f ? "tty" : "rhost", i, a,
                         pam_strerror(NULL, a));
            if (b != PAM_SUCCESS && b != PAM_PERM_DENIED && b != PAM_AUTHINFO_UNAVAIL)
                fail_msg("%s #%zu: account got %d (%s)", f ? "tty" : "rhost", i, b,
                         pam_strerror(NULL, b));
            print_message("%s #%zu: auth %s, account %s\n", f ? "tty" : "rhost", i,
                          pam_strerror(NULL, a), pam_strerror(NULL, b));
        }
    free(big);
    assert_true(check_audit() > 0);
}

/* ---- the conversation ---- */

static void test_conversation_fails(void **state) {
    static const enum conv_mode modes[] = {CONV_FAIL, CONV_BUF_ERR, CONV_NO_RESPONSE,
                                           CONV_NULL_TEXT};

    (void)state;
    for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
        struct conv_data cd = {modes[i], NULL, 0};
        int a = -1, b = -1;

        run("iam", "alice", &cd, NULL, &a, NULL);
        assert_true(cd.calls >= 1);
        if (a == PAM_SUCCESS || (a != PAM_CONV_ERR && a != PAM_AUTH_ERR && a != PAM_BUF_ERR &&
                                 a != PAM_AUTHINFO_UNAVAIL))
            fail_msg("conv mode %zu: auth got %d (%s)", i, a, pam_strerror(NULL, a));
        print_message("conv mode %zu: %s\n", i, pam_strerror(NULL, a));
        /* And for an unknown user: the same refusal class, never success. */
        cd.calls = 0;
        run("iam", "mallory", &cd, NULL, &b, NULL);
        assert_int_not_equal(b, PAM_SUCCESS);
    }
}

/* ---- access keys ---- */

static void test_access_key_shapes(void **state) {
    const char *id = pamfx_secrets[PAMFX_ALICE].key_id;
    const char *sec = pamfx_secrets[PAMFX_ALICE].secret;
    char tok[2048], low[64];
    size_t idlen = strlen(id), seclen = strlen(sec);
    int n = 0;

    (void)state;
    assert_int_equal(auth_with("iam", "alice", key_token(PAMFX_ALICE)), PAM_SUCCESS);
#define REFUSE(...)                                                                            \
    do {                                                                                       \
        int a_;                                                                                \
        snprintf(tok, sizeof(tok), __VA_ARGS__);                                               \
        a_ = auth_with("iam", "alice", tok);                                                   \
        if (a_ != PAM_AUTH_ERR)                                                                \
            fail_msg("token #%d '%s': got %d (%s), expected PAM_AUTH_ERR", n, tok, a_,         \
                     pam_strerror(NULL, a_));                                                  \
        n++;                                                                                   \
    } while (0)
    REFUSE("%.*s:%s", (int)idlen - 1, id, sec);               /* id one short */
    REFUSE("%sA:%s", id, sec);                                /* id one long */
    REFUSE("%s:%.*s", id, (int)seclen - 1, sec);              /* secret one short */
    REFUSE("%s:%sA", id, sec);                                /* secret one long */
    REFUSE("%s:%s\n", id, sec);                               /* trailing newline */
    REFUSE("%s:%s ", id, sec);                                /* trailing space */
    REFUSE(" %s:%s", id, sec);                                /* leading space */
    REFUSE("%s::%s", id, sec);                                /* double colon */
    REFUSE("%s:", id);                                        /* empty secret */
    REFUSE(":%s", sec);                                       /* empty id */
    REFUSE("%.*s!:%s", (int)idlen - 1, id, sec);              /* id outside A-Z2-7 */
    REFUSE("%.*s0:%s", (int)idlen - 1, id, sec);              /* '0' is not base32 */
    REFUSE("%.*s\x01:%s", (int)idlen - 1, id, sec);           /* control char in id */
    REFUSE("%s:%.*s\xff", id, (int)seclen - 1, sec);          /* secret outside base64 */
    REFUSE("%s:%.*s%%", id, (int)seclen - 1, sec);            /* '%' in secret */
    REFUSE("ASIA%s:%s", id + 4, sec);                         /* temporary-key prefix */
    snprintf(low, sizeof(low), "%s", id);
    for (char *c = low; *c; c++)
        if (*c >= 'A' && *c <= 'Z')
            *c = (char)(*c - 'A' + 'a');
    REFUSE("%s:%s", low, sec);                                /* lower-case id */
    REFUSE("%s", "AKIA");                                     /* bare prefix */
    REFUSE("%.*s", (int)seclen - 1, sec);                     /* bare secret, one short */
    REFUSE("%s%s", sec, sec);                                 /* bare secret, twice */
    REFUSE("%s:%s", pamfx_secrets[PAMFX_BOB].key_id, sec);    /* bob's id, alice's secret */
#undef REFUSE
    assert_true(check_audit() > 0);
}

static int setup(void **state) {
    const char *dir = getenv("HOSTILE_PAM_DIR");

    (void)state;
    if (!dir) {
        fprintf(stderr, "HOSTILE_PAM_DIR is not set\n");
        return -1;
    }
    iamtest_rmtree(dir);
    assert_int_equal(mkdir(dir, 0700), 0);
    assert_int_equal(pamfx_write_svc(dir, 0, "sshd"), 0);
    fxdir = dir;
    return 0;
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_user_empty),        cmocka_unit_test(test_user_control_and_long),
        cmocka_unit_test(test_rhost_fails_closed), cmocka_unit_test(test_items_hostile),
        cmocka_unit_test(test_conversation_fails), cmocka_unit_test(test_access_key_shapes),
    };

    return cmocka_run_group_tests(tests, setup, NULL);
}
