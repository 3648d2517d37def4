/* SPDX-License-Identifier: Apache-2.0 */
/* What users and roles share: tags (tag-, untag-, list-user-tags and -role-tags) and
 * permissions boundaries (put- and delete-user-permissions-boundary, and -role-). One
 * implementation each, told the kind. */
#include "verb_common.h"

static int tag(int argc, char *argv[], enum iam_store_kind kind) {
    struct opt opts[] = {{kind_opt(kind), OPT_VALUE, true}, {"tags", OPT_LIST, true}, {NULL}};
    struct sth h = STH_INIT;
    struct iam_store_identity who;
    json_t *tags = NULL;
    int r;

    if (!(r = opts_parse(argc, argv, opts)) &&
        !(r = parse_tags(opt_get(opts, "tags")->list, opt_get(opts, "tags")->n_list, &tags)) &&
        !(r = sth_open(&h, true)) && !(r = find_target(&h, opts, kind, &who)) &&
        !(r = tag_identity(&h, &who, tags)))
        r = sth_commit(&h);
    json_decref(tags);
    opts_free(opts);
    return sth_close(&h, r);
}

static int untag(int argc, char *argv[], enum iam_store_kind kind) {
    struct opt opts[] = {{kind_opt(kind), OPT_VALUE, true}, {"tag-keys", OPT_LIST, true}, {NULL}};
    struct sth h = STH_INIT;
    struct iam_store_identity who;
    int r;

    if ((r = opts_parse(argc, argv, opts)) || (r = sth_open(&h, true)) ||
        (r = find_target(&h, opts, kind, &who)))
        goto out;
    for (size_t k = 0; k < opt_get(opts, "tag-keys")->n_list; k++)
        if ((r = iam_store_tag_remove(h.st, &who, opt_get(opts, "tag-keys")->list[k])) < 0) {
            r = sth_fail(&h, r);
            goto out;
        }
    r = sth_commit(&h);
out:
    opts_free(opts);
    return sth_close(&h, r);
}

static int list_tags(int argc, char *argv[], enum iam_store_kind kind) {
    struct opt opts[] = {{kind_opt(kind), OPT_VALUE, true}, PAGE_OPTS, {NULL}};
    struct sth h = STH_INIT;
    struct iam_store_identity who;
    struct iam_store_tag *tags;
    struct page pg;
    size_t n, from, to;
    int64_t next;
    int r;

    if ((r = opts_parse(argc, argv, opts)) || (r = page_parse(opts, &pg)) ||
        (r = sth_open(&h, false)) || (r = find_target(&h, opts, kind, &who)))
        goto out;
    if ((r = iam_store_tags(h.st, &who, &tags, &n)) < 0) {
        r = sth_fail(&h, r);
        goto out;
    }
    page_slice(&pg, n, &from, &to, &next);
    r = print_page(json_pack("{s:o}", "Tags", tags_json(tags + from, to - from)), next);
out:
    opts_free(opts);
    return sth_close(&h, r);
}

/* put- (set) and delete- (!set) permissions boundary */
static int boundary(int argc, char *argv[], enum iam_store_kind kind, bool set) {
    /* delete- takes the name only: its list ends before --permissions-boundary */
    struct opt opts[] = {{kind_opt(kind), OPT_VALUE, true},
                         {set ? "permissions-boundary" : NULL, OPT_VALUE, true},
                         {NULL}};
    struct sth h = STH_INIT;
    struct iam_store_identity who;
    struct iam_store_policy p = {0};
    int r;

    if ((r = opts_parse(argc, argv, opts)) || (r = sth_open(&h, true)) ||
        (r = find_target(&h, opts, kind, &who)))
        goto out;
    if (set && (r = sth_policy(&h, opt_value(opts, "permissions-boundary"), PM_DOES_NOT_EXIST,
                               &p)))
        goto out;
    if (!set && !who.boundary) {
        r = iamctl_fail("NoSuchEntity: %s %s has no permissions boundary", kind_word(kind),
                        opt_value(opts, kind_opt(kind)));
        goto out;
    }
    if ((r = iam_store_identity_set_boundary(h.st, &who, set ? p.id : 0)) < 0) {
        r = sth_fail(&h, r);
        goto out;
    }
    r = sth_commit(&h);
out:
    opts_free(opts);
    return sth_close(&h, r);
}

int verb_tag_user(int argc, char *argv[]) {
    return tag(argc, argv, IAM_STORE_USER);
}
int verb_untag_user(int argc, char *argv[]) {
    return untag(argc, argv, IAM_STORE_USER);
}
int verb_list_user_tags(int argc, char *argv[]) {
    return list_tags(argc, argv, IAM_STORE_USER);
}
int verb_put_user_permissions_boundary(int argc, char *argv[]) {
    return boundary(argc, argv, IAM_STORE_USER, true);
}
int verb_delete_user_permissions_boundary(int argc, char *argv[]) {
    return boundary(argc, argv, IAM_STORE_USER, false);
}
int verb_tag_role(int argc, char *argv[]) {
    return tag(argc, argv, IAM_STORE_ROLE);
}
int verb_untag_role(int argc, char *argv[]) {
    return untag(argc, argv, IAM_STORE_ROLE);
}
int verb_list_role_tags(int argc, char *argv[]) {
    return list_tags(argc, argv, IAM_STORE_ROLE);
}
int verb_put_role_permissions_boundary(int argc, char *argv[]) {
    return boundary(argc, argv, IAM_STORE_ROLE, true);
}
int verb_delete_role_permissions_boundary(int argc, char *argv[]) {
    return boundary(argc, argv, IAM_STORE_ROLE, false);
}
