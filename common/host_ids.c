/* SPDX-License-Identifier: Apache-2.0 */
/* The host's own accounts, and the group names that grant privileges (host_ids.h). */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "iam/host_ids.h"
#include "iam/macros.h"

struct local_entry {
    uint32_t id;  /* uid or gid */
    uint32_t gid; /* a user's primary gid; a group's gid again */
    char *name;
};

struct local_table {
    struct local_entry *by_id;   /* sorted by id */
    struct local_entry *by_name; /* the same entries, sorted by name (case-insensitive) */
    size_t n, cap;
};

struct iam_local_accounts {
    struct local_table users, groups;
    uint32_t *primary_gids; /* the users' primary gids, sorted */
};

const char *iam_local_passwd_path(void) {
    const char *p = secure_getenv("IAMCTL_PASSWD_FILE"); /* test override */
    return p && *p ? p : IAM_LOCAL_PASSWD;
}

const char *iam_local_group_path(void) {
    const char *p = secure_getenv("IAMCTL_GROUP_FILE"); /* test override */
    return p && *p ? p : IAM_LOCAL_GROUP;
}

static void table_free(struct local_table *t) {
    for (size_t i = 0; i < t->n; i++)
        free(t->by_id[i].name);
    free(t->by_id);
    free(t->by_name);
}

void iam_local_accounts_free(struct iam_local_accounts *local) {
    if (!local)
        return;
    table_free(&local->users);
    table_free(&local->groups);
    free(local->primary_gids);
    free(local);
}

static int table_add(struct local_table *t, uint32_t id, uint32_t gid, const char *name) {
    char *copy;

    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 64;
        struct local_entry *n = realloc(t->by_id, cap * sizeof(*n));
        if (!n)
            return -ENOMEM;
        t->by_id = n;
        t->cap = cap;
    }
    copy = strdup(name);
    if (!copy)
        return -ENOMEM;
    t->by_id[t->n].id = id;
    t->by_id[t->n].gid = gid;
    t->by_id[t->n].name = copy;
    t->n++;
    return 0;
}

static int cmp_id(const void *a, const void *b) {
    uint32_t x = ((const struct local_entry *)a)->id, y = ((const struct local_entry *)b)->id;
    return x < y ? -1 : x > y;
}

static int cmp_u32(const void *a, const void *b) {
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

static int cmp_name(const void *a, const void *b) {
    return strcasecmp(((const struct local_entry *)a)->name, ((const struct local_entry *)b)->name);
}

static int table_finish(struct local_table *t) {
    t->by_name = malloc((t->n ? t->n : 1) * sizeof(*t->by_name));
    if (!t->by_name)
        return -ENOMEM;
    if (t->n) {
        memcpy(t->by_name, t->by_id, t->n * sizeof(*t->by_name));
        qsort(t->by_id, t->n, sizeof(*t->by_id), cmp_id);
        qsort(t->by_name, t->n, sizeof(*t->by_name), cmp_name);
    }
    return 0;
}

static int read_failed(const char *path, int r, struct iam_error *reterr) {
    if (r >= 0)
        r = -EIO; /* never "success" for a file that could not be read */
    iam_error_set_source(reterr, path);
    iam_error_set(reterr, 0, 0, 0, "cannot read the local accounts: %s", strerror(-r));
    return r;
}

/* Every entry of a passwd (is_group false) or group file into t, with the reentrant
 * readers (the buffer grows for a long member list). */
static int read_file(FILE *f, bool is_group, struct local_table *t) {
    size_t size = 4096;
    char *buf = NULL;
    int r = 0;

    for (;;) {
        struct passwd pw = {0}, *pwp = NULL;
        struct group gr = {0}, *grp = NULL;
        char *nb;
        int e;

        if (!buf && !(buf = malloc(size)))
            return -ENOMEM;
        e = is_group ? fgetgrent_r(f, &gr, buf, size, &grp) : fgetpwent_r(f, &pw, buf, size, &pwp);
        if (e == ENOENT)
            break; /* the end */
        if (e == ERANGE && size < (1u << 24)) {
            size *= 2;
            nb = realloc(buf, size);
            if (!nb) {
                r = -ENOMEM;
                break;
            }
            buf = nb;
            continue;
        }
        if (e != 0) {
            r = -e;
            break;
        }
        r = is_group ? table_add(t, (uint32_t)grp->gr_gid, (uint32_t)grp->gr_gid, grp->gr_name)
                     : table_add(t, (uint32_t)pwp->pw_uid, (uint32_t)pwp->pw_gid, pwp->pw_name);
        if (r < 0)
            break;
    }
    free(buf);
    return r;
}

int iam_local_accounts_load(const char *passwd_path, const char *group_path,
                            struct iam_local_accounts **ret, struct iam_error *reterr) {
    struct iam_local_accounts *local = NULL;
    FILE *f = NULL;
    int r = -ENOMEM;

    local = calloc(1, sizeof(*local));
    if (!local)
        goto out;
    f = fopen(passwd_path, "re");
    if (!f) {
        r = read_failed(passwd_path, -errno, reterr);
        goto out;
    }
    r = read_file(f, false, &local->users);
    fclose(f);
    f = NULL;
    if (r < 0) {
        r = r == -ENOMEM ? r : read_failed(passwd_path, r, reterr);
        goto out;
    }
    f = fopen(group_path, "re");
    if (!f) {
        r = read_failed(group_path, -errno, reterr);
        goto out;
    }
    r = read_file(f, true, &local->groups);
    if (r < 0) {
        r = r == -ENOMEM ? r : read_failed(group_path, r, reterr);
        goto out;
    }
    if ((r = table_finish(&local->users)) < 0 || (r = table_finish(&local->groups)) < 0)
        goto out;
    local->primary_gids = malloc((local->users.n ? local->users.n : 1) * sizeof(uint32_t));
    if (!local->primary_gids) {
        r = -ENOMEM;
        goto out;
    }
    for (size_t i = 0; i < local->users.n; i++)
        local->primary_gids[i] = local->users.by_id[i].gid;
    qsort(local->primary_gids, local->users.n, sizeof(uint32_t), cmp_u32);
    *ret = local;
    local = NULL;
    r = 0;
out:
    if (r == -ENOMEM)
        iam_error_set(reterr, 0, 0, 0, "out of memory");
    if (f)
        fclose(f);
    iam_local_accounts_free(local);
    return r;
}

static const char *find_id(const struct local_table *t, uint32_t id) {
    struct local_entry key = {.id = id};
    const struct local_entry *e;

    if (!t->n)
        return NULL;
    e = bsearch(&key, t->by_id, t->n, sizeof(*t->by_id), cmp_id);
    return e ? e->name : NULL;
}

static bool find_name(const struct local_table *t, const char *name) {
    struct local_entry key = {.name = (char *)(uintptr_t)name};

    return t->n && bsearch(&key, t->by_name, t->n, sizeof(*t->by_name), cmp_name) != NULL;
}

const char *iam_local_user_by_uid(const struct iam_local_accounts *local, uint32_t uid) {
    return find_id(&local->users, uid);
}

const char *iam_local_group_by_gid(const struct iam_local_accounts *local, uint32_t gid) {
    return find_id(&local->groups, gid);
}

bool iam_local_user_exists(const struct iam_local_accounts *local, const char *name) {
    return find_name(&local->users, name);
}

bool iam_local_group_exists(const struct iam_local_accounts *local, const char *name) {
    return find_name(&local->groups, name);
}

bool iam_local_id_used(const struct iam_local_accounts *local, uint32_t id) {
    return find_id(&local->users, id) || find_id(&local->groups, id) ||
           (local->users.n &&
            bsearch(&id, local->primary_gids, local->users.n, sizeof(uint32_t), cmp_u32));
}

bool iam_local_accounts_get(const struct iam_local_accounts *local, bool group, size_t i,
                            uint32_t *ret_id, const char **ret_name) {
    const struct local_table *t = group ? &local->groups : &local->users;

    if (i >= t->n)
        return false;
    *ret_id = t->by_id[i].id;
    *ret_name = t->by_id[i].name;
    return true;
}

const char *const iam_privileged_group_names[] = {
    /* administration: sudoers, polkit, su, logs */
    "root", "wheel", "admin", "sudo", "sudoers", "adm", "staff", "operator",
    /* the system's own files and devices */
    "shadow", "disk", "kmem", "sys", "tty", "utmp", "bin", "daemon", "systemd-journal",
    /* containers and virtual machines: root on the host through their sockets */
    "docker", "lxd", "incus", "incus-admin", "libvirt", "libvirt-qemu", "kvm",
    /* devices and services that read or act for other users */
    "input", "video", "render", "audio", "dialout", "cdrom", "floppy", "tape", "plugdev", "netdev",
    "bluetooth", "lpadmin", "sambashare", "wireshark", "ssl-cert", "nopasswdlogin", "tss",
    "www-data", NULL};

bool iam_group_name_privileged(const char *name) {
    if (!name)
        return false;
    for (const char *const *p = iam_privileged_group_names; *p; p++)
        if (strcasecmp(*p, name) == 0)
            return true;
    return false;
}

int iam_group_name_allowed(const struct iam_config *c, const char *what, const char *name,
                           struct iam_error *reterr) {
    if (!c || !what || !name)
        return -EINVAL;
    if (c->allow_privileged_group_names || !iam_group_name_privileged(name))
        return 0;
    iam_error_set(reterr, 0, 0, 0,
                  "%s \"%.64s\": a group of that name grants privileges where it exists (this "
                  "distribution or another, or once a package adds it), and NSS would put IAM "
                  "users in it; choose another name, or set allow_privileged_group_names = yes "
                  "in iam.conf if that is what you mean",
                  what, name);
    return -EPERM;
}
