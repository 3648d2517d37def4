/* SPDX-License-Identifier: Apache-2.0 */
/* The database's building blocks: its arena, hash tables for lookups, IAM's name
 * rules, time formats, URL decoding, policy size counting, and the lookup functions. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "db_private.h"

void *db_arena_alloc(struct iam_db_index *ix, size_t size) {
    return iam_arena_alloc(&ix->arena, size);
}

char *db_arena_strndup(struct iam_db_index *ix, const char *s, size_t n) {
    return iam_arena_strndup(&ix->arena, s, n);
}

/* Exact keys can be long (policy documents): eight bytes a step, then a full avalanche.
 * Names (case-insensitive) are short: FNV-1a over the lower-cased bytes. */
static uint32_t hash_exact(const char *s) {
    size_t len = strlen(s), i = 0;
    uint64_t h = 0x243F6A8885A308D3ull ^ (len * 0x9E3779B97F4A7C15ull), v;

    for (; len - i >= 8; i += 8) {
        memcpy(&v, s + i, 8);
        h = (h ^ v) * 0x9E3779B97F4A7C15ull;
        h ^= h >> 29;
    }
    v = 0;
    memcpy(&v, s + i, len - i);
    h = (h ^ v) * 0x9E3779B97F4A7C15ull;
    h ^= h >> 32;
    h *= 0xFF51AFD7ED558CCDull;
    h ^= h >> 33;
    h *= 0xC4CEB9FE1A85EC53ull;
    h ^= h >> 33;
    return (uint32_t)h;
}

uint32_t db_hash(const char *s, bool ci) {
    uint32_t h = 2166136261u;

    if (!ci)
        return hash_exact(s);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c >= 'A' && c <= 'Z')
            c = (unsigned char)(c - 'A' + 'a');
        h ^= c;
        h *= 16777619u;
    }
    return h;
}

static size_t table_cap(size_t expected) {
    size_t cap = 16;

    while (cap < expected * 2 + 1)
        cap <<= 1;
    return cap;
}

int db_strtab_init(struct strtab *t, size_t expected, bool ci) {
    size_t cap = table_cap(expected);

    t->slots = calloc(cap, sizeof(*t->slots));
    if (!t->slots)
        return -ENOMEM;
    t->mask = cap - 1;
    t->n = 0;
    t->ci = ci;
    return 0;
}

void db_strtab_free(struct strtab *t) {
    free(t->slots);
    t->slots = NULL;
}

static int strtab_grow(struct strtab *t) {
    struct strtab n;

    if (db_strtab_init(&n, (t->mask + 1), t->ci) < 0)
        return -ENOMEM;
    for (size_t i = 0; i <= t->mask; i++) {
        if (t->slots[i].key) {
            size_t j = t->slots[i].hash & n.mask;
            while (n.slots[j].key)
                j = (j + 1) & n.mask;
            n.slots[j] = t->slots[i];
            n.n++;
        }
    }
    free(t->slots);
    *t = n;
    return 0;
}

static bool key_eq(const struct strtab *t, const char *a, const char *b) {
    return t->ci ? strcasecmp(a, b) == 0 : strcmp(a, b) == 0;
}

long db_strtab_insert(struct strtab *t, const char *key, uint32_t idx) {
    uint32_t h = db_hash(key, t->ci);
    size_t i;

    if ((t->n + 1) * 2 > t->mask + 1 && strtab_grow(t) < 0)
        return -ENOMEM;
    for (i = h & t->mask; t->slots[i].key; i = (i + 1) & t->mask)
        if (t->slots[i].hash == h && key_eq(t, t->slots[i].key, key))
            return (long)t->slots[i].idx;
    t->slots[i].key = key;
    t->slots[i].hash = h;
    t->slots[i].idx = idx;
    t->n++;
    return -1;
}

long db_strtab_find(const struct strtab *t, const char *key) {
    uint32_t h;

    if (!t->slots || !key)
        return -1;
    h = db_hash(key, t->ci);
    for (size_t i = h & t->mask; t->slots[i].key; i = (i + 1) & t->mask)
        if (t->slots[i].hash == h && key_eq(t, t->slots[i].key, key))
            return (long)t->slots[i].idx;
    return -1;
}

int db_u32tab_init(struct u32tab *t, size_t expected) {
    size_t cap = table_cap(expected);

    t->slots = calloc(cap, sizeof(*t->slots));
    if (!t->slots)
        return -ENOMEM;
    t->mask = cap - 1;
    t->n = 0;
    return 0;
}

void db_u32tab_free(struct u32tab *t) {
    free(t->slots);
    t->slots = NULL;
}

static size_t u32hash(uint32_t k) {
    k ^= k >> 16;
    k *= 0x7feb352dU;
    k ^= k >> 15;
    k *= 0x846ca68bU;
    k ^= k >> 16;
    return k;
}

long db_u32tab_insert(struct u32tab *t, uint32_t key, uint32_t idx) {
    size_t i;

    if ((t->n + 1) * 2 > t->mask + 1) {
        struct u32tab n;
        if (db_u32tab_init(&n, t->mask + 1) < 0)
            return -ENOMEM;
        for (size_t j = 0; j <= t->mask; j++)
            if (t->slots[j].idx) {
                size_t k = u32hash(t->slots[j].key) & n.mask;
                while (n.slots[k].idx)
                    k = (k + 1) & n.mask;
                n.slots[k] = t->slots[j];
                n.n++;
            }
        free(t->slots);
        *t = n;
    }
    for (i = u32hash(key) & t->mask; t->slots[i].idx; i = (i + 1) & t->mask)
        if (t->slots[i].key == key)
            return (long)t->slots[i].idx - 1;
    t->slots[i].key = key;
    t->slots[i].idx = idx + 1;
    t->n++;
    return -1;
}

long db_u32tab_find(const struct u32tab *t, uint32_t key) {
    if (!t->slots)
        return -1;
    for (size_t i = u32hash(key) & t->mask; t->slots[i].idx; i = (i + 1) & t->mask)
        if (t->slots[i].key == key)
            return (long)t->slots[i].idx - 1;
    return -1;
}

/* ---- name rules --------------------------------------------------------------------- */

static bool iam_name_char(char c) {
    /* IAM: alphanumeric plus + = , . @ _ - */
    return isalnum((unsigned char)c) || strchr("+=,.@_-", c);
}

static const char *check_iam_name(const char *name, size_t max, const char *too_long) {
    size_t n = 0;

    if (!name || !*name)
        return "must not be empty";
    for (const char *p = name; *p; p++, n++)
        if (!iam_name_char(*p))
            return "may contain only letters, digits and + = , . @ _ - (IAM's rule)";
    if (n > max)
        return too_long;
    return NULL;
}

/* POSIX rule for names that become passwd/group entries. IAM allows `+=,.@_-`; of those:
 *   ','  separates members in /etc/group lines and gr_mem: refused;
 *   '+'  starts NIS compat entries ("+name") and netgroups in sudoers: refused;
 *   '='  is a separator in pam_env, sudoers Defaults and countless key=value configs:
 *        refused;
 *   '@'  is common in IAM user names (e-mail style) and harmless inside a name; refused only
 *        as the first character, where sudoers reads it as a netgroup;
 *   '.' '_' '-' allowed, but a name must start with a letter or '_' (not '-', which
 *        commands take for an option, not a digit, which chown/ps take for an id).
 * Length: at most 32, utmp's UT_NAMESIZE, beyond which login records are truncated. */
static const char *check_posix_name(const char *name) {
    char c0 = name[0];

    if (!((c0 >= 'a' && c0 <= 'z') || (c0 >= 'A' && c0 <= 'Z') || c0 == '_'))
        return "must start with a letter or '_' to be a valid login/group name";
    for (const char *p = name; *p; p++)
        if (*p == ',' || *p == '+' || *p == '=')
            return "must not contain ',' '+' or '=' (they break passwd/group lines, NIS "
                   "compat and sudoers)";
    if (strlen(name) > IAM_MAX_POSIX_NAME)
        return "is longer than 32 characters (the longest login name utmp records)";
    return NULL;
}

const char *iam_db_check_user_name(const char *name) {
    const char *why = check_iam_name(name, IAM_MAX_USER_NAME, "is longer than 64 characters");
    return why ? why : check_posix_name(name);
}

const char *iam_db_check_group_name(const char *name) {
    const char *why = check_iam_name(name, IAM_MAX_GROUP_NAME, "is longer than 128 characters");
    return why ? why : check_posix_name(name);
}

const char *iam_db_check_role_name(const char *name) {
    return check_iam_name(name, IAM_MAX_ROLE_NAME, "is longer than 64 characters");
}

const char *iam_db_check_managed_policy_name(const char *name) {
    return check_iam_name(name, IAM_MAX_POLICY_NAME, "is longer than 128 characters");
}

/* Inline policy names: any basic Latin character except \ / * ? and space (IAM name
 * requirements), 1-128. */
const char *iam_db_check_inline_policy_name(const char *name) {
    size_t n = 0;

    if (!name || !*name)
        return "must not be empty";
    for (const unsigned char *p = (const unsigned char *)name; *p; p++, n++)
        if (*p <= 0x20 || *p >= 0x7f || strchr("\\/*?", *p))
            return "may contain printable ASCII except \\ / * ? and space";
    if (n > IAM_MAX_POLICY_NAME)
        return "is longer than 128 characters";
    return NULL;
}

/* "/" or "/.../" with characters U+0021..U+007E, at most 512. */
const char *iam_db_check_path(const char *path) {
    size_t n;

    if (!path || path[0] != '/')
        return "must begin and end with '/'";
    n = strlen(path);
    if (n > IAM_MAX_PATH)
        return "is longer than 512 characters";
    if (path[n - 1] != '/')
        return "must begin and end with '/'";
    for (const unsigned char *p = (const unsigned char *)path; *p; p++)
        if (*p < 0x21 || *p > 0x7e)
            return "may contain only printable ASCII without spaces";
    if (n > 1 && strstr(path, "//"))
        return "must not contain an empty component (\"//\")";
    return NULL;
}

const char *iam_db_check_passwd_field(const char *value, size_t max) {
    size_t n = 0;

    for (const unsigned char *p = (const unsigned char *)value; *p; p++, n++) {
        if (*p == ':')
            return "must not contain ':' (the passwd field separator)";
        if (*p == ',')
            return "must not contain ','";
        if (*p < 0x20 || *p == 0x7f)
            return "must not contain newlines or control characters";
    }
    if (n > max)
        return "is too long";
    return NULL;
}

/* Eight bytes at a time where they are all printable ASCII (the bulk of a document): a word
 * x has a byte below n when ((x - n*ONES) & ~x & HIGHS) != 0 (n <= 128), and a byte above
 * n when (((x + (127 - n)*ONES) | x) & HIGHS) != 0 (n <= 127); both tests are exact. */
#define ONES 0x0101010101010101ull
#define HIGHS 0x8080808080808080ull

static bool word_in(uint64_t x, unsigned lo, unsigned hi) {
    return ((x - ONES * lo) & ~x & HIGHS) == 0 && (((x + ONES * (127 - hi)) | x) & HIGHS) == 0;
}

size_t iam_db_policy_size(const char *text, size_t len) {
    size_t n = 0, i = 0;

    while (i < len) {
        unsigned char c;
        uint64_t w;

        if (len - i >= 8) {
            memcpy(&w, text + i, 8);
            if (word_in(w, 0x21, 0x7e)) { /* no whitespace, no UTF-8 */
                n += 8;
                i += 8;
                continue;
            }
        }
        c = (unsigned char)text[i++];
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r')
            continue;
        if ((c & 0xc0) == 0x80)
            continue; /* count code points, not bytes */
        n++;
    }
    return n;
}

size_t db_doc_bad_char(const char *text, size_t len) {
    size_t i = 0;

    while (i < len) {
        unsigned char c;
        uint64_t w;

        if (len - i >= 8) {
            memcpy(&w, text + i, 8);
            if (word_in(w, 0x20, 0x7e)) {
                i += 8;
                continue;
            }
        }
        c = (unsigned char)text[i];
        if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f || c >= 0xc4)
            return i;
        i++;
    }
    return len;
}

static int hexval(char c) {
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int iam_db_url_decode(const char *in, size_t len, char **ret, size_t *ret_len) {
    char *out = malloc(len + 1);
    size_t o = 0;

    if (!out)
        return -ENOMEM;
    for (size_t i = 0; i < len; i++) {
        if (in[i] == '%') {
            int hi, lo;
            if (len - i < 3) {
                free(out);
                return -EINVAL;
            }
            hi = hexval(in[i + 1]);
            lo = hexval(in[i + 2]);
            if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) {
                free(out);
                return -EINVAL;
            }
            out[o++] = (char)(hi * 16 + lo);
            i += 2;
        } else {
            out[o++] = in[i];
        }
    }
    out[o] = '\0';
    *ret = out;
    *ret_len = o;
    return 0;
}

void iam_db_format_time(int64_t t, char *buf, size_t size) {
    struct tm tm;
    time_t tt = (time_t)t;

    if (!gmtime_r(&tt, &tm)) {
        snprintf(buf, size, "1970-01-01T00:00:00+00:00");
        return;
    }
    strftime(buf, size, "%Y-%m-%dT%H:%M:%S+00:00", &tm);
}

static int digits(const char *s, int n, int *ret) {
    int v = 0;

    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -EINVAL;
        v = v * 10 + (s[i] - '0');
    }
    *ret = v;
    return 0;
}

int iam_db_parse_time(const char *s, int64_t *ret) {
    int Y, M, D, h, m, sec, oh = 0, om = 0;
    const char *p;
    struct tm tm = {0};
    int64_t t;

    if (!s || strlen(s) < 19)
        return -EINVAL;
    if (digits(s, 4, &Y) < 0 || s[4] != '-' || digits(s + 5, 2, &M) < 0 || s[7] != '-' ||
        digits(s + 8, 2, &D) < 0 || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
        digits(s + 11, 2, &h) < 0 || s[13] != ':' || digits(s + 14, 2, &m) < 0 || s[16] != ':' ||
        digits(s + 17, 2, &sec) < 0)
        return -EINVAL;
    if (M < 1 || M > 12 || D < 1 || D > 31 || h > 23 || m > 59 || sec > 60)
        return -EINVAL;
    p = s + 19;
    if (*p == '.') {
        p++;
        if (*p < '0' || *p > '9')
            return -EINVAL;
        while (*p >= '0' && *p <= '9')
            p++;
    }
    if (*p == 'Z' || *p == 'z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        int sign = *p == '-' ? -1 : 1;
        if (digits(p + 1, 2, &oh) < 0 || p[3] != ':' || digits(p + 4, 2, &om) < 0 || oh > 23 ||
            om > 59)
            return -EINVAL;
        oh *= sign;
        om *= sign;
        p += 6;
    } else {
        return -EINVAL;
    }
    if (*p)
        return -EINVAL;
    tm.tm_year = Y - 1900;
    tm.tm_mon = M - 1;
    tm.tm_mday = D;
    tm.tm_hour = h;
    tm.tm_min = m;
    tm.tm_sec = sec;
    t = (int64_t)timegm(&tm);
    t -= (int64_t)oh * 3600 + (int64_t)om * 60;
    *ret = t;
    return 0;
}

/* ---- lookups ------------------------------------------------------------------------ */

const struct iam_db_user *iam_db_find_user(const struct iam_db *db, const char *name) {
    long i = db && db->index ? db_strtab_find(&db->index->users, name) : -1;
    return i >= 0 ? &db->users[i] : NULL;
}

const struct iam_db_user *iam_db_find_user_by_uid(const struct iam_db *db, uint32_t uid) {
    long i = db && db->index ? db_u32tab_find(&db->index->uids, uid) : -1;
    return i >= 0 ? &db->users[i] : NULL;
}

const struct iam_db_user *iam_db_find_user_by_arn(const struct iam_db *db, const char *arn) {
    const char *slash;
    const struct iam_db_user *u;

    if (!db || !arn)
        return NULL;
    slash = strrchr(arn, '/');
    if (!slash)
        return NULL;
    u = iam_db_find_user(db, slash + 1);
    return u && strcmp(u->arn, arn) == 0 ? u : NULL;
}

const struct iam_db_group *iam_db_find_group(const struct iam_db *db, const char *name) {
    long i = db && db->index ? db_strtab_find(&db->index->groups, name) : -1;
    return i >= 0 ? &db->groups[i] : NULL;
}

const struct iam_db_group *iam_db_find_group_by_gid(const struct iam_db *db, uint32_t gid) {
    long i = db && db->index ? db_u32tab_find(&db->index->gids, gid) : -1;
    return i >= 0 ? &db->groups[i] : NULL;
}

const struct iam_db_role *iam_db_find_role(const struct iam_db *db, const char *name) {
    long i = db && db->index ? db_strtab_find(&db->index->roles, name) : -1;
    return i >= 0 ? &db->roles[i] : NULL;
}

const struct iam_db_managed_policy *iam_db_find_policy(const struct iam_db *db, const char *arn) {
    long i = db && db->index ? db_strtab_find(&db->index->policies_by_arn, arn) : -1;
    return i >= 0 ? &db->policies[i] : NULL;
}

const struct iam_db_access_key *iam_db_find_access_key(const struct iam_db *db, const char *id,
                                                       const struct iam_db_user **ret_user) {
    long i = db && db->index ? db_strtab_find(&db->index->keys, id) : -1;

    if (i < 0)
        return NULL;
    if (ret_user)
        *ret_user = db->index->key_owner[i];
    return db->index->key_list[i];
}

bool iam_db_user_in_group(const struct iam_db_user *user, const struct iam_db_group *group) {
    for (size_t i = 0; user && i < user->n_groups; i++)
        if (user->groups[i] == group)
            return true;
    return false;
}

int iam_db_policy_compiled(const struct iam_db *db, const char *document,
                           enum iam_policy_type type, const struct iam_policy **ret) {
    struct iam_db_index *ix;
    struct strtab *t;
    struct iam_policy *p = NULL;
    struct iam_error e;
    long hit;
    int r;

    if (!db || !db->index || !document || !ret ||
        (type != IAM_POLICY_IDENTITY && type != IAM_POLICY_RESOURCE))
        return -EINVAL;
    ix = db->index;
    t = &ix->compiled[type == IAM_POLICY_IDENTITY ? 0 : 1];
    hit = db_strtab_find(t, document);
    if (hit >= 0) {
        *ret = ix->compiled_list[hit];
        return 0;
    }
    if (ix->n_compiled == ix->cap_compiled) {
        size_t cap = ix->cap_compiled ? ix->cap_compiled * 2 : 16;
        struct iam_policy **nl = realloc(ix->compiled_list, cap * sizeof(*nl));
        if (!nl)
            return -ENOMEM;
        ix->compiled_list = nl;
        ix->cap_compiled = cap;
    }
    iam_error_init(&e);
    r = iam_policy_compile(document, strlen(document), type, &p, &e);
    if (r < 0)
        return r;
    if (db_strtab_insert(t, document, (uint32_t)ix->n_compiled) == -ENOMEM) {
        iam_policy_free(p);
        return -ENOMEM;
    }
    ix->compiled_list[ix->n_compiled++] = p;
    *ret = p;
    return 0;
}

static int add_ref(const struct iam_db *db, struct iam_policy_ref *refs, size_t *n,
                   const char *document, const char *id, const char *type) {
    const struct iam_policy *p;
    int r = iam_db_policy_compiled(db, document, IAM_POLICY_IDENTITY, &p);

    if (r < 0)
        return r;
    refs[*n].policy = p;
    refs[*n].source_id = id;
    refs[*n].source_type = type;
    (*n)++;
    return 0;
}

static int add_attached(const struct iam_db *db, struct iam_policy_ref *refs, size_t *n,
                        const struct iam_db_attached *a, size_t na) {
    for (size_t i = 0; i < na; i++) {
        const struct iam_db_managed_policy *mp = a[i].policy;
        int r = add_ref(db, refs, n, mp->default_version->document, mp->name,
                        mp->aws_managed ? "aws-managed" : "user-managed");
        if (r < 0)
            return r;
    }
    return 0;
}

int iam_db_user_effective_policies(const struct iam_db *db, const struct iam_db_user *user,
                                   struct iam_db_effective **ret) {
    struct iam_db_effective *eff = NULL;
    size_t total;
    int r = -ENOMEM;

    if (!db || !user || !ret)
        return -EINVAL;
    total = user->n_inline + user->n_attached;
    for (size_t g = 0; g < user->n_groups; g++)
        total += user->groups[g]->n_inline + user->groups[g]->n_attached;
    eff = calloc(1, sizeof(*eff));
    if (!eff)
        goto out;
    eff->identity = calloc(total ? total : 1, sizeof(*eff->identity));
    eff->boundary = calloc(1, sizeof(*eff->boundary));
    if (!eff->identity || !eff->boundary)
        goto out;
    for (size_t i = 0; i < user->n_inline; i++)
        if ((r = add_ref(db, eff->identity, &eff->n_identity, user->inline_policies[i].document,
                         user->inline_policies[i].name, "user")) < 0)
            goto out;
    if ((r = add_attached(db, eff->identity, &eff->n_identity, user->attached,
                          user->n_attached)) < 0)
        goto out;
    for (size_t g = 0; g < user->n_groups; g++) {
        const struct iam_db_group *grp = user->groups[g];
        for (size_t i = 0; i < grp->n_inline; i++)
            if ((r = add_ref(db, eff->identity, &eff->n_identity,
                             grp->inline_policies[i].document, grp->inline_policies[i].name,
                             "group")) < 0)
                goto out;
        if ((r = add_attached(db, eff->identity, &eff->n_identity, grp->attached,
                              grp->n_attached)) < 0)
            goto out;
    }
    if (user->boundary &&
        (r = add_ref(db, eff->boundary, &eff->n_boundary,
                     user->boundary->default_version->document, user->boundary->name,
                     user->boundary->aws_managed ? "aws-managed" : "user-managed")) < 0)
        goto out;
    *ret = eff;
    eff = NULL;
    r = 0;
out:
    iam_db_effective_free(eff);
    return r;
}

void iam_db_effective_free(struct iam_db_effective *eff) {
    if (!eff)
        return;
    free(eff->identity);
    free(eff->boundary);
    free(eff);
}
