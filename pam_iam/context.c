/* SPDX-License-Identifier: Apache-2.0 */
/* The request context of DESIGN.md §5, built from PAM items, the user record and iam.conf. */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "pam_iam_private.h"

void pam_iam_get_items(pam_handle_t *pamh, struct pam_iam_items *ret) {
    const void *v;

    memset(ret, 0, sizeof(*ret));
    if (pam_get_item(pamh, PAM_SERVICE, &v) == PAM_SUCCESS)
        ret->service = v;
    if (pam_get_item(pamh, PAM_RHOST, &v) == PAM_SUCCESS)
        ret->rhost = v;
    if (pam_get_item(pamh, PAM_TTY, &v) == PAM_SUCCESS)
        ret->tty = v;
    if (pam_get_item(pamh, PAM_RUSER, &v) == PAM_SUCCESS)
        ret->ruser = v;
}

/* An IPv4 or IPv6 address as written (no name resolution, ever). */
bool pam_iam_is_address(const char *s) {
    unsigned char buf[sizeof(struct in6_addr)];

    if (!s || strnlen(s, INET6_ADDRSTRLEN) >= INET6_ADDRSTRLEN)
        return false;
    return inet_pton(AF_INET, s, buf) == 1 || inet_pton(AF_INET6, s, buf) == 1;
}

static int add(struct iam_context *ctx, const char *key, enum iam_value_type type,
               const char *value, struct iam_error *reterr) {
    const char *const vals[1] = {value};

    return iam_context_add(ctx, key, type, false, vals, 1, reterr);
}

/* "prefix" + key, capped; keys longer than our buffer are skipped (they cannot be real tags:
 * AWS tag keys are at most 128 characters). */
static int add_tag(struct iam_context *ctx, const char *prefix, const char *key,
                   const char *value, struct iam_error *reterr) {
    char name[192];

    if (snprintf(name, sizeof(name), "%s%s", prefix, key) >= (int)sizeof(name))
        return 0;
    return add(ctx, name, IAM_VALUE_STRING, value, reterr);
}

int pam_iam_build_context(const struct pam_iam_handle *h, const struct pam_iam_items *items,
                          const char *auth_method, int64_t now, struct iam_context **ret_ctx,
                          struct iam_error *reterr) {
    const struct iam_auth_user *u = h->user;
    struct iam_context *ctx = NULL;
    char when[32], epoch[24];
    struct tm tm;
    time_t t = (time_t)now;
    int r;

    r = iam_context_new(&ctx);
    if (r < 0)
        goto out;
    r = -EINVAL;
    if (!gmtime_r(&t, &tm) || strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        goto out;
    snprintf(epoch, sizeof(epoch), "%" PRId64, now);

    if ((r = add(ctx, "aws:username", IAM_VALUE_STRING, u->name, reterr)) < 0 ||
        (r = add(ctx, "aws:userid", IAM_VALUE_STRING, u->user_id, reterr)) < 0 ||
        (r = add(ctx, "aws:PrincipalArn", IAM_VALUE_STRING, u->arn, reterr)) < 0 ||
        (r = add(ctx, "aws:PrincipalType", IAM_VALUE_STRING, "User", reterr)) < 0 ||
        (r = add(ctx, "aws:PrincipalAccount", IAM_VALUE_STRING, h->config->account_id,
                 reterr)) < 0 ||
        (r = add(ctx, "aws:CurrentTime", IAM_VALUE_DATE, when, reterr)) < 0 ||
        (r = add(ctx, "aws:EpochTime", IAM_VALUE_DATE, epoch, reterr)) < 0 ||
        (r = add(ctx, "aws:MultiFactorAuthPresent", IAM_VALUE_BOOLEAN, "false", reterr)) < 0 ||
        (r = add(ctx, "host:OsUser", IAM_VALUE_STRING, u->name, reterr)) < 0 ||
        (r = add(ctx, "host:AuthMethod", IAM_VALUE_STRING, auth_method, reterr)) < 0)
        goto out;
    if (items->service &&
        (r = add(ctx, "host:Service", IAM_VALUE_STRING, items->service, reterr)) < 0)
        goto out;
    if (items->tty && (r = add(ctx, "host:Tty", IAM_VALUE_STRING, items->tty, reterr)) < 0)
        goto out;
    if (items->rhost && items->rhost[0]) {
        r = add(ctx, "host:RemoteHost", IAM_VALUE_STRING, items->rhost, reterr);
        if (r < 0)
            goto out;
        /* Only a literal address: a host name is the client's claim, not an address. */
        if (pam_iam_is_address(items->rhost)) {
            r = add(ctx, "aws:SourceIp", IAM_VALUE_IP, items->rhost, reterr);
            if (r < 0)
                goto out;
        }
    }
    for (size_t i = 0; i < u->n_tags; i++) {
        r = add_tag(ctx, "aws:PrincipalTag/", u->tags[i].key, u->tags[i].value, reterr);
        if (r < 0)
            goto out;
    }
    for (size_t i = 0; i < h->config->n_host_tags; i++) {
        r = add_tag(ctx, "aws:ResourceTag/", h->config->host_tags[i].key,
                    h->config->host_tags[i].value, reterr);
        if (r < 0)
            goto out;
    }
    *ret_ctx = ctx;
    ctx = NULL;
    r = 0;
out:
    iam_context_free(ctx);
    return r;
}
