/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target: the identity database loader (iam_db_parse) on arbitrary bytes. The first
 * byte picks the flags (bit 0: IAM_DB_PARSE_EXPORT), the rest is the document. Whatever
 * loads is then walked the way pam_iam and the cache compiler walk it: every lookup must find
 * the entity it was built from, every user's effective policies must resolve and evaluate.
 * Crashes, sanitizer reports, leaks and broken invariants are findings.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iam/db.h"
#include "iam/policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int cond, const char *what) {
    if (!cond) {
        fprintf(stderr, "fuzz_db: invariant broken: %s\n", what);
        abort();
    }
}

static void walk_user(const struct iam_db *db, const struct iam_db_user *u) {
    static const char *const actions[] = {"host:Login", "host:Sudo", "s3:GetObject"};
    struct iam_db_effective *eff = NULL;
    const struct iam_db_user *owner = NULL;
    struct iam_policy_set set = {0};

    check(u->name != NULL, "user has a name");
    check(iam_db_find_user(db, u->name) == u, "find_user finds the user");
    if (u->arn)
        check(iam_db_find_user_by_arn(db, u->arn) == u, "find_user_by_arn finds the user");
    if (u->has_posix)
        check(iam_db_find_user_by_uid(db, u->uid) == u, "find_user_by_uid finds the user");
    for (size_t k = 0; k < u->n_keys; k++) {
        check(u->keys[k].id != NULL, "key has an id");
        check(iam_db_find_access_key(db, u->keys[k].id, &owner) == &u->keys[k],
              "find_access_key finds the key");
        check(owner == u, "key owner");
    }
    for (size_t g = 0; g < u->n_groups; g++)
        check(iam_db_user_in_group(u, u->groups[g]), "user in its groups");
    if (iam_db_user_effective_policies(db, u, &eff) < 0)
        return;
    set.identity = eff->identity;
    set.n_identity = eff->n_identity;
    set.boundary = eff->boundary;
    set.n_boundary = eff->n_boundary;
    for (size_t i = 0; i < eff->n_identity; i++)
        check(eff->identity[i].policy != NULL, "identity policy compiled");
    for (size_t a = 0; a < sizeof(actions) / sizeof(actions[0]); a++) {
        struct iam_request req = {actions[a], "arn:aws:ec2:us-east-1:123456789012:instance/i-0",
                                  u->arn, NULL};
        struct iam_decision d;

        if (iam_evaluate(&set, &req, &d) == 0)
            check(d.decision <= IAM_DECISION_EXPLICIT_DENY, "decision in range");
    }
    iam_db_effective_free(eff);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    struct iam_db *db = NULL;
    struct iam_error err;
    unsigned flags;
    int r;

    if (size < 1)
        return 0;
    flags = (data[0] & 1) ? IAM_DB_PARSE_EXPORT : 0;
    iam_error_init(&err);
    r = iam_db_parse((const char *)data + 1, size - 1, "fuzz.json", flags, &db, &err);
    if (r < 0) {
        check(db == NULL, "no db returned on error");
        check(err.text[0] != '\0', "an error has a text");
        check(err.offset <= size - 1, "error offset inside the input");
        return 0;
    }
    check(db != NULL, "success returns a db");
    for (size_t i = 0; i < db->n_users; i++)
        walk_user(db, &db->users[i]);
    for (size_t i = 0; i < db->n_groups; i++) {
        const struct iam_db_group *g = &db->groups[i];

        check(iam_db_find_group(db, g->name) == g, "find_group finds the group");
        if (g->has_posix)
            check(iam_db_find_group_by_gid(db, g->gid) != NULL, "find_group_by_gid");
        for (size_t m = 0; m < g->n_members; m++)
            check(iam_db_user_in_group(g->members[m], g), "member in group");
    }
    for (size_t i = 0; i < db->n_roles; i++)
        check(iam_db_find_role(db, db->roles[i].name) == &db->roles[i], "find_role");
    for (size_t i = 0; i < db->n_policies; i++)
        check(iam_db_find_policy(db, db->policies[i].arn) == &db->policies[i], "find_policy");
    check(iam_db_find_user(db, "") == NULL, "empty name is nobody");
    iam_db_free(db);
    return 0;
}
