/* SPDX-License-Identifier: Apache-2.0 */
/* A bundle's identities against this host: its local accounts, its id range, the group names
 * that grant privileges (the rules of iam/host_ids.h, which the compile applies on the admin
 * host; a pulling host applies them again, since only it knows its own accounts). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "iam/host_ids.h"
#include "nss_cache_read.h"
#include "pull.h"

#define NAME_MAX_LEN 256

static void copy_name(const struct iam_nssc_str *s, char out[NAME_MAX_LEN]) {
    size_t n = s->len < NAME_MAX_LEN - 1 ? s->len : NAME_MAX_LEN - 1;

    memcpy(out, s->ptr, n);
    out[n] = '\0';
}

static bool in_range(const struct iam_config *c, uint32_t id) {
    return id >= c->uid_min && id <= c->uid_max;
}

static enum pull_refusal check_users(const struct iam_config *c, struct iam_nssc *nc,
                                     const struct iam_local_accounts *local, struct iam_error *e) {
    char name[NAME_MAX_LEN];

    for (uint32_t i = 0; i < iam_nssc_n_users(nc); i++) {
        struct iam_nssc_pw pw;
        const char *who;

        if (iam_nssc_user_at(nc, i, &pw) < 0) {
            iam_error_set(e, 0, 0, 0, "nss.cache: user %u cannot be read", i);
            return PULL_DAMAGED;
        }
        copy_name(&pw.name, name);
        if (iam_local_user_exists(local, name)) {
            iam_error_set(e, 0, 0, 0, "user \"%s\" (uid %lu) has the name of a local account in %s",
                          name, (unsigned long)pw.uid, iam_local_passwd_path());
            return PULL_HOST_CHECK;
        }
        if ((who = iam_local_user_by_uid(local, pw.uid))) {
            iam_error_set(e, 0, 0, 0, "user \"%s\" has uid %lu, the local account %s's", name,
                          (unsigned long)pw.uid, who);
            return PULL_HOST_CHECK;
        }
        if (!in_range(c, pw.uid)) {
            iam_error_set(e, 0, 0, 0,
                          "user \"%s\" has uid %lu, outside this host's uid_min..uid_max%s", name,
                          (unsigned long)pw.uid, "");
            return PULL_HOST_CHECK;
        }
        if (!in_range(c, pw.gid) && pw.gid != c->default_gid) {
            iam_error_set(e, 0, 0, 0,
                          "user \"%s\" has primary gid %lu, outside this host's "
                          "uid_min..uid_max and not its default_gid%s",
                          name, (unsigned long)pw.gid, "");
            return PULL_HOST_CHECK;
        }
    }
    return PULL_OK;
}

static enum pull_refusal check_groups(const struct iam_config *c, struct iam_nssc *nc,
                                      const struct iam_local_accounts *local, struct iam_error *e) {
    char name[NAME_MAX_LEN];

    for (uint32_t i = 0; i < iam_nssc_n_groups(nc); i++) {
        struct iam_nssc_gr gr;
        const char *who;

        if (iam_nssc_group_at(nc, i, &gr) < 0) {
            iam_error_set(e, 0, 0, 0, "nss.cache: group %u cannot be read", i);
            return PULL_DAMAGED;
        }
        copy_name(&gr.name, name);
        if (iam_local_group_exists(local, name)) {
            iam_error_set(e, 0, 0, 0, "group \"%s\" (gid %lu) has the name of a local group in %s",
                          name, (unsigned long)gr.gid, iam_local_group_path());
            return PULL_HOST_CHECK;
        }
        if ((who = iam_local_group_by_gid(local, gr.gid))) {
            iam_error_set(e, 0, 0, 0, "group \"%s\" has gid %lu, the local group %s's", name,
                          (unsigned long)gr.gid, who);
            return PULL_HOST_CHECK;
        }
        if (!in_range(c, gr.gid)) {
            iam_error_set(e, 0, 0, 0,
                          "group \"%s\" has gid %lu, outside this host's uid_min..uid_max%s", name,
                          (unsigned long)gr.gid, "");
            return PULL_HOST_CHECK;
        }
        if (iam_group_name_allowed(c, "group", name, e) < 0)
            return PULL_HOST_CHECK;
    }
    return PULL_OK;
}

enum pull_refusal pull_host_check(const struct iam_config *c, const void *nss, size_t nss_len,
                                  struct iam_error *reterr) {
    struct iam_local_accounts *local = NULL;
    struct iam_nssc *nc = NULL;
    enum pull_refusal why = PULL_LOCAL;
    int r;

    if ((r = iam_nssc_open_memory(nss, nss_len, &nc)) < 0) {
        iam_error_set(reterr, 0, 0, 0, "nss.cache: %s", strerror(-r));
        return PULL_DAMAGED;
    }
    if (iam_local_accounts_load(iam_local_passwd_path(), iam_local_group_path(), &local, reterr) <
        0)
        goto out;
    if ((why = check_users(c, nc, local, reterr)) == PULL_OK)
        why = check_groups(c, nc, local, reterr);
out:
    iam_local_accounts_free(local);
    iam_nssc_unref(nc);
    return why;
}
