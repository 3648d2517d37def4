/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "iam/auth_cache.h"
#include "iam/nss_cache.h"
#include "iamtest.h"
#include "pam_fixture.h"

struct pamfx_user_secrets pamfx_secrets[PAMFX_N_USERS];
const char *const pamfx_names[PAMFX_N_USERS] = {"alice", "bob",   "carol", "dave",
                                               "erin",  "frank", "grace", "heidi"};

#define ACCOUNT "123456789012"
#define HOST_ARN "arn:aws:ec2:us-east-1:123456789012:instance/i-0123456789abcdef0"

static const char allow_login_sudo[] =
    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"LoginAnywhere\",\"Effect\":\"Allow\","
    "\"Action\":[\"host:Login\",\"host:Sudo\"],\"Resource\":\"*\"}]}";
static const char allow_login[] =
    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"LoginOnly\",\"Effect\":\"Allow\","
    "\"Action\":\"host:Login\",\"Resource\":\"" HOST_ARN "\"}]}";
static const char group_deny[] =
    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"NoLoginForContractors\","
    "\"Effect\":\"Deny\",\"Action\":\"host:*\",\"Resource\":\"*\"}]}";
static const char conditional_fmt[] =
    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"LoopbackSshdSameEnv\","
    "\"Effect\":\"Allow\",\"Action\":\"host:Login\",\"Resource\":\"*\",\"Condition\":{"
    "\"IpAddress\":{\"aws:SourceIp\":\"127.0.0.0/8\"},"
    "\"StringEquals\":{\"host:Service\":\"%s\","
    "\"aws:ResourceTag/env\":\"${aws:PrincipalTag/env}\"}}}]}";

static int write_text(const char *dir, const char *name, const char *text) {
    char *p = iamtest_write_file(dir, name, text, strlen(text), 0600);

    if (!p)
        return -EIO;
    free(p);
    return 0;
}

static int write_conf(const char *dir, const char *name, const char *cache_dir,
                      const char *extra) {
    char *text = NULL;
    int r;

    if (asprintf(&text,
                 "# pam_iam test fixture\n"
                 "account_id = " ACCOUNT "\n"
                 "host_arn = " HOST_ARN "\n"
                 "cache_dir = %s\n"
                 "audit_log = %s/audit.jsonl\n"
                 "max_access_key_age_days = 90\n"
                 "host_tag.env = prod\n"
                 /* these tests refuse the same users many times in a row; lockout has its
                  * own (tests/auth/test_lockout.sh) */
                 "lockout = no\n"
                 "%s",
                 cache_dir, dir, extra) < 0)
        return -ENOMEM;
    r = write_text(dir, name, text);
    free(text);
    return r;
}

int pamfx_write(const char *dir, size_t n_filler) {
    return pamfx_write_svc(dir, n_filler, "sshd");
}

int pamfx_write_svc(const char *dir, size_t n_filler, const char *login_service) {
    char conditional[1024];
    struct iam_auth_user *users = NULL;
    struct iam_auth_key (*keys)[2] = NULL;
    struct iam_auth_policy (*pols)[2] = NULL;
    char (*hashes)[2][IAM_SECRET_HASH_MAX] = NULL;
    char (*names)[32] = NULL;
    char **owned = NULL; /* ARNs and filler key ids, freed at the end */
    char pwhash[IAM_SECRET_HASH_MAX], *cache_dir = NULL, *path = NULL, *sub = NULL;
    static const struct iam_auth_tag tag_prod[] = {{"env", "prod"}, {"team", "blue"}};
    static const struct iam_auth_tag tag_dev[] = {{"env", "dev"}};
    static const char *const grp_devs[] = {"devs"};
    static const char *const grp_contractors[] = {"devs", "contractors"};
    const size_t n = PAMFX_N_USERS + n_filler;
    const int64_t now = (int64_t)time(NULL);
    struct iam_error e;
    int r = -ENOMEM;

    if (iam_secret_init() < 0)
        return -ENOTSUP;
    if (snprintf(conditional, sizeof(conditional), conditional_fmt, login_service) >=
        (int)sizeof(conditional))
        return -E2BIG;
    users = calloc(n, sizeof(*users));
    keys = calloc(n, sizeof(*keys));
    pols = calloc(n, sizeof(*pols));
    hashes = calloc(n, sizeof(*hashes));
    names = calloc(n, sizeof(*names));
    owned = calloc(2 * n, sizeof(*owned));
    if (!users || !keys || !pols || !hashes || !names || !owned)
        goto out;
    r = iam_secret_hash_password(PAMFX_PASSWORD, strlen(PAMFX_PASSWORD), pwhash,
                                 sizeof(pwhash));
    if (r < 0)
        goto out;

    for (size_t i = 0; i < n; i++) {
        struct iam_auth_user *u = &users[i];
        struct pamfx_user_secrets s, *sp = i < PAMFX_N_USERS ? &pamfx_secrets[i] : &s;

        if (i < PAMFX_N_USERS)
            snprintf(names[i], sizeof(names[i]), "%s", pamfx_names[i]);
        else
            snprintf(names[i], sizeof(names[i]), "filler%zu", i);
        /* Fillers share one key hash: hashing 100,000 keys is not what we are testing. */
        if (i <= PAMFX_N_USERS) {
            if ((r = iam_access_key_generate(sp->key_id, sp->secret)) < 0 ||
                (r = iam_secret_hash_key(sp->secret, strlen(sp->secret), hashes[i][0],
                                         IAM_SECRET_HASH_MAX)) < 0 ||
                (r = iam_access_key_generate(sp->key2_id, sp->secret2)) < 0 ||
                (r = iam_secret_hash_key(sp->secret2, strlen(sp->secret2), hashes[i][1],
                                         IAM_SECRET_HASH_MAX)) < 0)
                goto out;
        } else {
            memcpy(hashes[i], hashes[PAMFX_N_USERS], sizeof(hashes[i]));
            snprintf(sp->key_id, sizeof(sp->key_id), "AKIAFILLER%010u", (unsigned)i);
        }
        for (char *c = sp->key_id + 4; i > PAMFX_N_USERS && *c; c++) /* filler ids: A-Z */
            if (*c >= '0' && *c <= '9')
                *c = (char)('A' + (*c - '0'));
        if (i >= PAMFX_N_USERS) {
            owned[n + i] = strdup(sp->key_id);
            if (!owned[n + i]) {
                r = -ENOMEM;
                goto out;
            }
        }
        keys[i][0] = (struct iam_auth_key){.id = i < PAMFX_N_USERS ? pamfx_secrets[i].key_id
                                                                   : owned[n + i],
                                           .active = true,
                                           .create_date = now - 86400,
                                           .secret_hash = hashes[i][0]};
        u->name = names[i];
        /* the named users' own ids (alice's is ...0001); the fillers share one */
        if (i < PAMFX_N_USERS) {
            static char ids[PAMFX_N_USERS][32];

            snprintf(ids[i], sizeof(ids[i]), "AIDAEXAMPLEUSERID%04u", (unsigned)i + 1);
            u->user_id = ids[i];
        } else {
            u->user_id = "AIDAEXAMPLEFILLER0000";
        }
        u->arn = NULL;
        u->keys = keys[i];
        u->n_keys = 1;
        pols[i][0] = (struct iam_auth_policy){IAM_AUTH_POLICY_IDENTITY, "user", "user-inline",
                                              allow_login, sizeof(allow_login) - 1};
        u->policies = pols[i];
        u->n_policies = 1;
        u->tags = tag_prod;
        u->n_tags = 2;
        u->groups = grp_devs;
        u->n_groups = 1;
    }
    for (size_t i = 0; i < n; i++) {
        char *arn = NULL;

        if (asprintf(&arn, "arn:aws:iam::" ACCOUNT ":user/%s", names[i]) < 0)
            goto out;
        owned[i] = arn;
        users[i].arn = arn;
    }

    /* alice: two keys (the second inactive), a password, Login and Sudo. */
    keys[PAMFX_ALICE][1] = (struct iam_auth_key){.id = pamfx_secrets[PAMFX_ALICE].key2_id,
                                                 .active = false,
                                                 .create_date = now - 3600,
                                                 .secret_hash = hashes[PAMFX_ALICE][1]};
    users[PAMFX_ALICE].n_keys = 2;
    users[PAMFX_ALICE].password_hash = pwhash;
    pols[PAMFX_ALICE][0].text = allow_login_sudo;
    pols[PAMFX_ALICE][0].text_len = sizeof(allow_login_sudo) - 1;
    pols[PAMFX_ALICE][0].source_id = "arn:aws:iam::" ACCOUNT ":policy/LoginAndSudo";
    pols[PAMFX_ALICE][0].source_type = "managed";
    /* bob: key created 400 days ago; the limit is 90. */
    keys[PAMFX_BOB][0].create_date = now - 400 * 86400;
    /* carol: her group denies. */
    pols[PAMFX_CAROL][1] = (struct iam_auth_policy){IAM_AUTH_POLICY_IDENTITY, "group",
                                                    "group/contractors/deny", group_deny,
                                                    sizeof(group_deny) - 1};
    users[PAMFX_CAROL].n_policies = 2;
    users[PAMFX_CAROL].groups = grp_contractors;
    users[PAMFX_CAROL].n_groups = 2;
    /* dave: nothing allows him. */
    users[PAMFX_DAVE].n_policies = 0;
    /* erin: password that must be reset. */
    users[PAMFX_ERIN].password_hash = pwhash;
    users[PAMFX_ERIN].password_reset_required = true;
    /* frank and grace: conditional Login; grace's env tag does not match the host's. */
    pols[PAMFX_FRANK][0].text = conditional;
    pols[PAMFX_FRANK][0].text_len = strlen(conditional);
    pols[PAMFX_FRANK][0].source_id = "user/frank/conditional";
    pols[PAMFX_GRACE][0] = pols[PAMFX_FRANK][0];
    users[PAMFX_GRACE].tags = tag_dev;
    users[PAMFX_GRACE].n_tags = 1;
    /* heidi: Login only (no Sudo) -- the default policy. */

    r = -ENOMEM;
    if (asprintf(&cache_dir, "%s/cache", dir) < 0) {
        cache_dir = NULL;
        goto out;
    }
    (void)mkdir(cache_dir, 0700);
    if (asprintf(&path, "%s/auth.cache", cache_dir) < 0) {
        path = NULL;
        goto out;
    }
    iam_error_init(&e);
    r = iam_auth_cache_write(path, users, n, 1, &e);
    if (r < 0) {
        fprintf(stderr, "fixture: %s\n", e.text);
        goto out;
    }
    if ((r = write_conf(dir, "iam.conf", cache_dir, "")) < 0 ||
        (r = write_conf(dir, "permissive.conf", cache_dir, "enforce = no\n")) < 0)
        goto out;

    /* A cache_dir with no cache, and one with a damaged cache. */
    free(sub);
    if (asprintf(&sub, "%s/empty", dir) < 0) {
        sub = NULL;
        r = -ENOMEM;
        goto out;
    }
    (void)mkdir(sub, 0700);
    if ((r = write_conf(dir, "missing.conf", sub, "")) < 0)
        goto out;
    free(sub);
    if (asprintf(&sub, "%s/corrupt", dir) < 0) {
        sub = NULL;
        r = -ENOMEM;
        goto out;
    }
    (void)mkdir(sub, 0700);
    {
        size_t len = 0;
        char *img = iamtest_read_file(path, &len);
        char *p;

        if (!img) {
            r = -EIO;
            goto out;
        }
        img[20] ^= 0x20; /* the header: nobody can be looked up */
        p = iamtest_write_file(sub, "auth.cache", img, len, 0600);
        free(img);
        if (!p) {
            r = -EIO;
            goto out;
        }
        free(p);
    }
    if ((r = write_conf(dir, "corrupt.conf", sub, "")) < 0)
        goto out;
    r = 0;
out:
    if (owned)
        for (size_t i = 0; i < 2 * n; i++)
            free(owned[i]);
    free(owned);
    free(users);
    free(keys);
    free(pols);
    free(hashes);
    free(names);
    free(cache_dir);
    free(path);
    free(sub);
    return r;
}

int pamfx_write_nss(const char *path) {
    struct iam_nss_user users[PAMFX_N_USERS];
    struct iam_nss_group groups[PAMFX_N_USERS + 2];
    const char *devs[PAMFX_N_USERS], *const contractors[] = {"carol"};
    size_t n_devs = 0;
    struct iam_error e;
    int r;

    for (size_t i = 0; i < PAMFX_N_USERS; i++) {
        users[i] = (struct iam_nss_user){.name = pamfx_names[i],
                                         .uid = (uid_t)(200000 + i),
                                         .gid = (gid_t)(200000 + i),
                                         .gecos = "IAM user",
                                         .home = "/nonexistent",
                                         .shell = "/bin/sh"};
        groups[i] = (struct iam_nss_group){.name = pamfx_names[i], .gid = (gid_t)(200000 + i)};
        if (i != PAMFX_DAVE)
            devs[n_devs++] = pamfx_names[i];
    }
    groups[PAMFX_N_USERS] =
        (struct iam_nss_group){.name = "devs", .gid = 210001, .members = devs, .n_members = n_devs};
    groups[PAMFX_N_USERS + 1] = (struct iam_nss_group){
        .name = "contractors", .gid = 210002, .members = contractors, .n_members = 1};
    iam_error_init(&e);
    r = iam_nss_cache_write(path, users, PAMFX_N_USERS, groups, PAMFX_N_USERS + 2, &e);
    if (r < 0)
        fprintf(stderr, "fixture: nss cache: %s\n", e.text);
    return r;
}
