/* SPDX-License-Identifier: Apache-2.0 */
/* A directory's users and groups for import-ldap (ldap_dir.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "iamctl.h"
#include "ldap_dir.h"

#define MAX_WARNINGS_SHOWN 50
#define MAX_FIELD 4095 /* IAM_NSS_FIELD_MAX */

static int oom(void) {
    return iamctl_fail("out of memory");
}

void ldir_warn(struct ldir *d, const char *fmt, ...) {
    va_list ap;

    if (d->warnings++ >= MAX_WARNINGS_SHOWN)
        return;
    va_start(ap, fmt);
    fputs("iamctl: warning: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

int ldir_parse_schema(const char *s, enum ldir_schema *ret) {
    if (strcmp(s, "rfc2307") == 0)
        *ret = LDIR_RFC2307;
    else if (strcmp(s, "rfc2307bis") == 0)
        *ret = LDIR_RFC2307BIS;
    else if (strcmp(s, "ad") == 0)
        *ret = LDIR_AD;
    else
        return iamctl_usage("--schema: rfc2307, rfc2307bis or ad, not \"%.64s\"", s);
    return 0;
}

char *ldir_normalise_dn(const char *dn) {
    size_t n = strlen(dn), o = 0;
    char *out = malloc(n + 1);

    if (!out)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        char c = dn[i];
        if (c == ' ' && (o == 0 || out[o - 1] == ',' || out[o - 1] == '=' || out[o - 1] == '+'))
            continue;
        if (c == ',' || c == '=' || c == '+')
            while (o > 0 && out[o - 1] == ' ' && (o < 2 || out[o - 2] != '\\'))
                o--;
        if (c == '\\' && i + 1 < n) { /* an escaped character stays as it is */
            out[o++] = c;
            c = dn[++i];
        }
        out[o++] = (char)(c >= 'A' && c <= 'Z' ? c | 0x20 : c);
    }
    while (o > 0 && out[o - 1] == ' ')
        o--;
    out[o] = '\0';
    return out;
}

/* ---- values ----------------------------------------------------------------------------------- */

/* A text value: UTF-8 as the server sends it, without NUL or control characters. */
static char *text_value(const struct iam_ldap_value *v) {
    for (size_t i = 0; i < v->len; i++)
        if ((unsigned char)v->val[i] < 0x20 || v->val[i] == 0x7f)
            return NULL;
    return strndup(v->val, v->len);
}

struct ectx {
    struct ldir *d;
    const struct iam_ldap_entry *e;
    int r; /* first failure's exit code */
};

static int bad(struct ectx *c, const char *attr, const char *why) {
    if (!c->r)
        c->r = iamctl_fail("%s: %s %s", c->e->dn, attr, why);
    return c->r;
}

/* The first value of attr, NULL when absent; a bad value fails the entry. */
static char *first_text(struct ectx *c, const char *attr) {
    const struct iam_ldap_attr *a = iam_ldap_entry_attr(c->e, attr);
    char *s;

    if (!a || a->n_values == 0 || c->r)
        return NULL;
    if (!(s = text_value(&a->values[0])))
        bad(c, attr, "holds control characters");
    return s;
}

/* The value of the entry's name attribute: the one its RDN names when it has several. */
static char *name_value(struct ectx *c, const char *attr) {
    const struct iam_ldap_attr *a = iam_ldap_entry_attr(c->e, attr);
    size_t n = strlen(attr);
    const char *rdn = c->e->dn;

    if (!a || a->n_values == 0)
        return NULL;
    if (a->n_values > 1 && strncasecmp(rdn, attr, n) == 0 && rdn[n] == '=')
        for (size_t i = 0; i < a->n_values; i++) {
            const struct iam_ldap_value *v = &a->values[i];
            if (strncasecmp(rdn + n + 1, v->val, v->len) == 0 &&
                (rdn[n + 1 + v->len] == ',' || rdn[n + 1 + v->len] == '\0'))
                return text_value(v);
        }
    return first_text(c, attr);
}

/* A uidNumber or gidNumber: decimal, 1..4294967294. 1 found, 0 absent, <0 bad. */
static int id_value(struct ectx *c, const char *attr, uint32_t *ret) {
    const struct iam_ldap_attr *a = iam_ldap_entry_attr(c->e, attr);
    unsigned long long v = 0;

    if (!a || a->n_values == 0)
        return 0;
    if (a->n_values > 1)
        return bad(c, attr, "has more than one value"), -1;
    if (a->values[0].len == 0 || a->values[0].len > 10)
        return bad(c, attr, "is not a number from 1 to 4294967294"), -1;
    for (size_t i = 0; i < a->values[0].len; i++) {
        char ch = a->values[0].val[i];
        if (ch < '0' || ch > '9')
            return bad(c, attr, "is not a number from 1 to 4294967294"), -1;
        v = v * 10 + (unsigned)(ch - '0');
    }
    if (v == 0 || v >= 4294967295ULL)
        return bad(c, attr, "is not a number from 1 to 4294967294"), -1;
    *ret = (uint32_t)v;
    return 1;
}

/* A passwd field: at most 4095 bytes, no ':' (the line's separator); home and shell absolute. */
static char *field(struct ectx *c, const char *attr, bool path) {
    char *s = first_text(c, attr);

    if (!s)
        return NULL;
    if (strlen(s) > MAX_FIELD || strchr(s, ':') || (path && *s && s[0] != '/')) {
        bad(c, attr, path ? "must be an absolute path without ':'" : "may not hold ':'");
        free(s);
        return NULL;
    }
    if (!*s) {
        free(s);
        return NULL;
    }
    return s;
}

/* objectGUID (16 bytes) in hex for ad, entryUUID as text otherwise (and for ad without it). */
static char *uuid_value(struct ectx *c) {
    const struct iam_ldap_attr *a = iam_ldap_entry_attr(c->e, "objectGUID");
    char *hex;

    if (c->d->schema == LDIR_AD && a && a->n_values == 1 && a->values[0].len == 16) {
        if (!(hex = malloc(33)))
            return NULL;
        sodium_bin2hex(hex, 33, (const unsigned char *)a->values[0].val, 16);
        return hex;
    }
    a = iam_ldap_entry_attr(c->e, "entryUUID");
    return a && a->n_values == 1 ? text_value(&a->values[0]) : NULL;
}

static int cmp_str(const void *x, const void *y) {
    return strcmp(*(char *const *)x, *(char *const *)y);
}

/* Every value of attr as text (normalised DNs when dn), sorted; 0 or an exit code. */
static int all_values(struct ectx *c, const char *attr, bool dn, char ***ret, size_t *ret_n) {
    const struct iam_ldap_attr *a = iam_ldap_entry_attr(c->e, attr);
    size_t n = 0, have = *ret_n;
    char **v;

    if (!a || a->n_values == 0)
        return 0;
    if (!(v = realloc(*ret, (have + a->n_values) * sizeof(*v))))
        return oom();
    *ret = v;
    for (size_t i = 0; i < a->n_values; i++) {
        char *s = text_value(&a->values[i]), *ns;
        if (!s)
            return bad(c, attr, "holds control characters");
        if (dn) {
            ns = ldir_normalise_dn(s);
            free(s);
            if (!(s = ns))
                return oom();
        }
        v[have + n++] = s;
    }
    *ret_n = have + n;
    qsort(v, *ret_n, sizeof(*v), cmp_str);
    return 0;
}

/* ---- entries --------------------------------------------------------------------------------- */

static void user_free(struct ldir_user *u) {
    free(u->dn);
    free(u->ndn);
    free(u->uuid);
    free(u->name);
    free(u->gecos);
    free(u->home);
    free(u->shell);
    for (size_t i = 0; i < u->n_keys; i++)
        free(u->keys[i]);
    free(u->keys);
    for (size_t i = 0; i < u->n_member_of; i++)
        free(u->member_of[i]);
    free(u->member_of);
    free(u->groups);
}

static void group_free(struct ldir_group *g) {
    free(g->dn);
    free(g->ndn);
    free(g->uuid);
    free(g->name);
    for (size_t i = 0; i < g->n_member_uids; i++)
        free(g->member_uids[i]);
    free(g->member_uids);
    for (size_t i = 0; i < g->n_member_dns; i++)
        free(g->member_dns[i]);
    free(g->member_dns);
    for (size_t i = 0; i < g->n_member_of; i++)
        free(g->member_of[i]);
    free(g->member_of);
    free(g->parents);
}

void ldir_free(struct ldir *d) {
    for (size_t i = 0; i < d->n_users; i++)
        user_free(&d->users[i]);
    for (size_t i = 0; i < d->n_groups; i++)
        group_free(&d->groups[i]);
    free(d->users);
    free(d->groups);
}

static int grow(void **v, size_t *cap, size_t n, size_t size) {
    void *nv;
    size_t nc;

    if (n < *cap)
        return 0;
    nc = *cap ? *cap * 2 : 256;
    if (!(nv = realloc(*v, nc * size)))
        return -ENOMEM;
    *v = nv;
    *cap = nc;
    return 0;
}

static int user_entry(void *ctx, const struct iam_ldap_entry *e) {
    struct ldir *d = ctx;
    struct ectx c = {.d = d, .e = e};
    struct ldir_user u = {0};
    bool ad = d->schema == LDIR_AD;
    uint32_t uac = 0;
    int r;

    if (grow((void **)&d->users, &d->cap_users, d->n_users, sizeof(*d->users)) < 0)
        return oom();
    if (!(u.dn = strdup(e->dn)) || !(u.ndn = ldir_normalise_dn(e->dn)))
        goto nomem;
    u.uuid = uuid_value(&c);
    u.name = name_value(&c, ad ? "sAMAccountName" : "uid");
    if (!c.r && !u.name)
        bad(&c, ad ? "sAMAccountName" : "uid", "is missing: the entry has no user name");
    if (!c.r && (r = id_value(&c, "uidNumber", &u.uid)) >= 0)
        u.has_uid = r == 1;
    if (!c.r && (r = id_value(&c, "gidNumber", &u.gid)) >= 0)
        u.has_gid = r == 1;
    if (!c.r)
        u.gecos = field(&c, ad ? "displayName" : "gecos", false);
    if (!c.r && !u.gecos)
        u.gecos = field(&c, "cn", false);
    if (!c.r)
        u.home = field(&c, ad ? "unixHomeDirectory" : "homeDirectory", true);
    if (!c.r)
        u.shell = field(&c, "loginShell", true);
    if (!c.r)
        all_values(&c, "sshPublicKey", false, &u.keys, &u.n_keys);
    if (!c.r && ad) {
        uint32_t v = 0;
        /* userAccountControl may be any 32-bit value; only bit 2 (ACCOUNTDISABLE) matters */
        const struct iam_ldap_attr *a = iam_ldap_entry_attr(e, "userAccountControl");
        if (a && a->n_values == 1 && a->values[0].len < 12) {
            char buf[12];
            memcpy(buf, a->values[0].val, a->values[0].len);
            buf[a->values[0].len] = '\0';
            v = (uint32_t)strtoll(buf, NULL, 10);
        }
        uac = v;
        u.disabled = (uac & 2u) != 0;
        all_values(&c, "memberOf", true, &u.member_of, &u.n_member_of);
    }
    if (c.r) {
        user_free(&u);
        return c.r;
    }
    d->users[d->n_users++] = u;
    if (d->progress && d->n_users % 1000 == 0)
        fprintf(stderr, "\riamctl: read %zu users", d->n_users);
    return 0;
nomem:
    user_free(&u);
    return oom();
}

static int group_entry(void *ctx, const struct iam_ldap_entry *e) {
    struct ldir *d = ctx;
    struct ectx c = {.d = d, .e = e};
    struct ldir_group g = {.private_of = -1};
    bool ad = d->schema == LDIR_AD;
    int r;

    if (grow((void **)&d->groups, &d->cap_groups, d->n_groups, sizeof(*d->groups)) < 0)
        return oom();
    if (!(g.dn = strdup(e->dn)) || !(g.ndn = ldir_normalise_dn(e->dn))) {
        group_free(&g);
        return oom();
    }
    g.uuid = uuid_value(&c);
    g.name = name_value(&c, ad ? "sAMAccountName" : "cn");
    if (!g.name && ad && !c.r)
        g.name = name_value(&c, "cn");
    if (!c.r && !g.name)
        bad(&c, "cn", "is missing: the entry has no group name");
    if (!c.r && (r = id_value(&c, "gidNumber", &g.gid)) >= 0)
        g.has_gid = r == 1;
    if (!c.r && d->schema == LDIR_RFC2307)
        all_values(&c, "memberUid", false, &g.member_uids, &g.n_member_uids);
    if (!c.r && d->schema != LDIR_RFC2307) {
        all_values(&c, "member", true, &g.member_dns, &g.n_member_dns);
        if (!c.r && d->schema == LDIR_RFC2307BIS)
            all_values(&c, "uniqueMember", true, &g.member_dns, &g.n_member_dns);
        if (!c.r && ad)
            all_values(&c, "memberOf", true, &g.member_of, &g.n_member_of);
    }
    if (c.r) {
        group_free(&g);
        return c.r;
    }
    d->groups[d->n_groups++] = g;
    return 0;
}

/* ---- fetch ------------------------------------------------------------------------------------- */

static const char *const user_attrs_posix[] = {
    "uid", "uidNumber", "gidNumber", "cn", "gecos", "homeDirectory", "loginShell",
    "sshPublicKey", "entryUUID", NULL};
static const char *const user_attrs_ad[] = {
    "sAMAccountName", "uidNumber", "gidNumber", "cn", "displayName", "unixHomeDirectory",
    "loginShell", "sshPublicKey", "objectGUID", "entryUUID", "userAccountControl", "memberOf",
    NULL};
static const char *const group_attrs_2307[] = {"cn", "gidNumber", "memberUid", "entryUUID", NULL};
static const char *const group_attrs_bis[] = {"cn", "gidNumber", "member", "uniqueMember",
                                              "entryUUID", NULL};
static const char *const group_attrs_ad[] = {"sAMAccountName", "cn", "gidNumber", "member",
                                             "memberOf", "objectGUID", "entryUUID", NULL};

static char *filter_for(const char *def, const char *extra) {
    char *f = NULL;

    if (!extra)
        return strdup(def);
    if (asprintf(&f, "(&%s%s%s%s)", def, extra[0] == '(' ? "" : "(", extra,
                 extra[0] == '(' ? "" : ")") < 0)
        return NULL;
    return f;
}

int ldir_fetch(struct ldir *d, const struct ldir_fetch *f) {
    bool ad = d->schema == LDIR_AD;
    const char *udef = ad ? "(&(objectClass=user)(!(objectClass=computer)))"
                          : "(objectClass=posixAccount)";
    const char *gdef = ad ? "(objectClass=group)" : "(objectClass=posixGroup)";
    char *uf = filter_for(udef, f->user_filter), *gf = filter_for(gdef, f->group_filter);
    struct iam_ldap *l = NULL;
    struct iam_error e;
    int r;

    iam_error_init(&e);
    if (!uf || !gf) {
        r = oom();
        goto out;
    }
    if (iam_ldap_connect(&f->conn, &l, &e) < 0) {
        r = iamctl_fail("%s; nothing was changed", e.text);
        goto out;
    }
    r = iam_ldap_search(l, f->base_dn, uf, ad ? user_attrs_ad : user_attrs_posix, f->page_size,
                        user_entry, d, &e);
    if (r == 0)
        r = iam_ldap_search(l, f->base_dn, gf,
                            ad ? group_attrs_ad
                               : d->schema == LDIR_RFC2307 ? group_attrs_2307 : group_attrs_bis,
                            f->page_size, group_entry, d, &e);
    if (d->progress)
        fprintf(stderr, "\riamctl: read %zu users, %zu groups\n", d->n_users, d->n_groups);
    if (r < 0)
        r = iamctl_fail("%s; nothing was changed", e.text);
out:
    iam_ldap_close(l);
    free(uf);
    free(gf);
    return r;
}

/* ---- resolution -------------------------------------------------------------------------------- */

struct key {
    const char *s;
    size_t i;
    bool group;
};

static int cmp_key(const void *x, const void *y) {
    return strcmp(((const struct key *)x)->s, ((const struct key *)y)->s);
}

static int cmp_key_case(const void *x, const void *y) {
    return strcasecmp(((const struct key *)x)->s, ((const struct key *)y)->s);
}

static const struct key *find(const struct key *v, size_t n, const char *s, bool icase) {
    struct key k = {.s = s};
    return bsearch(&k, v, n, sizeof(k), icase ? cmp_key_case : cmp_key);
}

static int add_index(size_t **v, size_t *n, size_t *cap, size_t i) {
    for (size_t k = 0; k < *n; k++)
        if ((*v)[k] == i)
            return 0;
    if (grow((void **)v, cap, *n, sizeof(**v)) < 0)
        return -ENOMEM;
    (*v)[(*n)++] = i;
    return 0;
}

/* Every entry by normalised DN (users and groups), users by name; duplicates are errors. */
static int build_indexes(struct ldir *d, struct key **ret_dn, struct key **ret_name) {
    size_t n = d->n_users + d->n_groups;
    struct key *dn = calloc(n + 1, sizeof(*dn)), *name = calloc(d->n_users + 1, sizeof(*name));

    *ret_dn = dn;
    *ret_name = name;
    if (!dn || !name)
        return oom();
    for (size_t i = 0; i < d->n_users; i++) {
        dn[i] = (struct key){d->users[i].ndn, i, false};
        name[i] = (struct key){d->users[i].name, i, false};
    }
    for (size_t i = 0; i < d->n_groups; i++)
        dn[d->n_users + i] = (struct key){d->groups[i].ndn, i, true};
    qsort(dn, n, sizeof(*dn), cmp_key);
    qsort(name, d->n_users, sizeof(*name), cmp_key_case);
    for (size_t i = 1; i < n; i++)
        if (strcmp(dn[i - 1].s, dn[i].s) == 0 && !(dn[i - 1].group && dn[i].group))
            return iamctl_fail("%s: the searches returned this entry as a user and as a group; "
                               "narrow --user-filter or --group-filter",
                               dn[i].group ? d->groups[dn[i].i].dn : d->users[dn[i].i].dn);
    for (size_t i = 1; i < d->n_users; i++)
        if (strcasecmp(name[i - 1].s, name[i].s) == 0)
            return iamctl_fail("%s and %s: both are named \"%s\" (IAM names are unique "
                               "regardless of case)",
                               d->users[name[i - 1].i].dn, d->users[name[i].i].dn, name[i].s);
    return 0;
}

static int check_group_names(struct ldir *d) {
    struct key *name = calloc(d->n_groups + 1, sizeof(*name));
    int r = 0;

    if (!name)
        return oom();
    for (size_t i = 0; i < d->n_groups; i++)
        name[i] = (struct key){d->groups[i].name, i, true};
    qsort(name, d->n_groups, sizeof(*name), cmp_key_case);
    for (size_t i = 1; r == 0 && i < d->n_groups; i++)
        if (strcasecmp(name[i - 1].s, name[i].s) == 0)
            r = iamctl_fail("%s and %s: both are named \"%s\" (IAM names are unique regardless "
                            "of case)",
                            d->groups[name[i - 1].i].dn, d->groups[name[i].i].dn, name[i].s);
    free(name);
    return r;
}

/* group gi contains the entry named by ndn (a user, or a nested group). */
static int member_dn(struct ldir *d, const struct key *dn, size_t n, size_t gi, const char *ndn) {
    const struct key *k = find(dn, n, ndn, false);
    struct ldir_group *g = &d->groups[gi];

    if (!k) {
        ldir_warn(d, "group %s: member %s is not an imported user or group, skipped", g->name,
                  ndn);
        return 0;
    }
    if (k->group) {
        struct ldir_group *child = &d->groups[k->i];
        if (k->i != gi && add_index(&child->parents, &child->n_parents, &child->cap_parents, gi))
            return oom();
        return 0;
    }
    if (add_index(&d->users[k->i].groups, &d->users[k->i].n_groups, &d->users[k->i].cap_groups,
                  gi) < 0)
        return oom();
    return 0;
}

/* An entry's memberOf value: the entry (user ui, or group ci when is_group) is in that group. */
static int member_of(struct ldir *d, const struct key *dn, size_t n, bool is_group, size_t i,
                     const char *ndn) {
    const struct key *k = find(dn, n, ndn, false);

    if (!k || !k->group)
        return 0; /* a group outside the search (Domain Users, ...): nothing to import */
    if (is_group) {
        struct ldir_group *g = &d->groups[i];
        if (k->i != i && add_index(&g->parents, &g->n_parents, &g->cap_parents, k->i) < 0)
            return oom();
        return 0;
    }
    if (add_index(&d->users[i].groups, &d->users[i].n_groups, &d->users[i].cap_groups, k->i) < 0)
        return oom();
    return 0;
}

/* The direct memberships of every entry, from whichever attributes the schema has. */
static int direct_members(struct ldir *d, const struct key *dn, const struct key *name) {
    size_t n = d->n_users + d->n_groups;
    int r;

    for (size_t gi = 0; gi < d->n_groups; gi++) {
        struct ldir_group *g = &d->groups[gi];
        for (size_t m = 0; m < g->n_member_uids; m++) {
            const struct key *k = find(name, d->n_users, g->member_uids[m], true);
            struct ldir_user *u;
            if (!k) {
                ldir_warn(d, "group %s: member %s is not an imported user, skipped", g->name,
                          g->member_uids[m]);
                continue;
            }
            u = &d->users[k->i];
            if (add_index(&u->groups, &u->n_groups, &u->cap_groups, gi) < 0)
                return oom();
        }
        for (size_t m = 0; m < g->n_member_dns; m++)
            if ((r = member_dn(d, dn, n, gi, g->member_dns[m])))
                return r;
        for (size_t m = 0; m < g->n_member_of; m++)
            if ((r = member_of(d, dn, n, true, gi, g->member_of[m])))
                return r;
    }
    for (size_t ui = 0; ui < d->n_users; ui++)
        for (size_t m = 0; m < d->users[ui].n_member_of; m++)
            if ((r = member_of(d, dn, n, false, ui, d->users[ui].member_of[m])))
                return r;
    return 0;
}

static int cmp_size(const void *x, const void *y) {
    size_t a = *(const size_t *)x, b = *(const size_t *)y;
    return a < b ? -1 : a > b;
}

/* A user's groups with every group they are nested in (cycles end where they close). */
static int flatten(struct ldir *d, struct ldir_user *u) {
    for (size_t k = 0; k < u->n_groups; k++) { /* the list grows as parents are added */
        const struct ldir_group *g = &d->groups[u->groups[k]];
        for (size_t p = 0; p < g->n_parents; p++)
            if (add_index(&u->groups, &u->n_groups, &u->cap_groups, g->parents[p]) < 0)
                return oom();
    }
    qsort(u->groups, u->n_groups, sizeof(*u->groups), cmp_size);
    return 0;
}

struct uid_key {
    uint32_t uid;
    size_t user;
};

static int cmp_uid(const void *x, const void *y) {
    uint32_t a = ((const struct uid_key *)x)->uid, b = ((const struct uid_key *)y)->uid;
    return a < b ? -1 : a > b;
}

/* With private groups, a directory group whose gid is a user's uid is that user's private
 * group, which the host makes anyway (named as the user, with gid = uid): it is not imported,
 * and the store could not hold both (a uid or gid is one identity's). */
static int mark_private_groups(struct ldir *d) {
    struct uid_key *uid = calloc(d->n_users + 1, sizeof(*uid));
    size_t n = 0;

    if (!uid)
        return oom();
    for (size_t i = 0; i < d->n_users; i++)
        if (d->users[i].has_uid)
            uid[n++] = (struct uid_key){d->users[i].uid, i};
    qsort(uid, n, sizeof(*uid), cmp_uid);
    for (size_t gi = 0; gi < d->n_groups; gi++) {
        struct ldir_group *g = &d->groups[gi];
        struct uid_key k = {.uid = g->gid};
        const struct uid_key *f = g->has_gid ? bsearch(&k, uid, n, sizeof(k), cmp_uid) : NULL;
        const struct ldir_user *u;

        if (!f)
            continue;
        u = &d->users[f->user];
        g->private_of = (int64_t)f->user;
        if (strcasecmp(u->name, g->name) != 0)
            ldir_warn(d, "group %s has user %s's uid %u as gid: taken as that user's private "
                      "group, not imported",
                      g->name, u->name, g->gid);
    }
    free(uid);
    return 0;
}

/* Drop memberships in private groups from users' lists (the user is its private group's). */
static void drop_private(struct ldir *d, struct ldir_user *u) {
    size_t o = 0;

    for (size_t k = 0; k < u->n_groups; k++) {
        const struct ldir_group *g = &d->groups[u->groups[k]];
        if (g->private_of >= 0) {
            if (&d->users[g->private_of] != u)
                ldir_warn(d, "group %s is the private group of user %s: member %s skipped",
                          g->name, d->users[g->private_of].name, u->name);
            continue;
        }
        u->groups[o++] = u->groups[k];
    }
    u->n_groups = o;
}

int ldir_resolve(struct ldir *d, bool private_groups) {
    struct key *dn = NULL, *name = NULL;
    int r;

    if ((r = build_indexes(d, &dn, &name)) || (r = check_group_names(d)))
        goto out;
    if (private_groups && (r = mark_private_groups(d)))
        goto out;
    if ((r = direct_members(d, dn, name)))
        goto out;
    for (size_t ui = 0; ui < d->n_users; ui++) {
        if ((r = flatten(d, &d->users[ui])))
            goto out;
        drop_private(d, &d->users[ui]);
    }
out:
    free(dn);
    free(name);
    return r;
}
