/* SPDX-License-Identifier: Apache-2.0 */
/* The request context of every decision, built from PAM items, the user record and iam.conf:
 * the keys of IAM_HOST_CONTEXT_KEYS (iam/host.h), with the types it gives them. */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "iam/host.h"
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

/* The engine's value type for each of host.h's data types. The engine parses every value in
 * each form it admits and the type only says which one must succeed: an ARN is a string to
 * it, and aws:EpochTime (seconds) must read as a date, while Numeric operators read it too. */
#define PAM_IAM_VALUE_STRING IAM_VALUE_STRING
#define PAM_IAM_VALUE_ARN IAM_VALUE_STRING
#define PAM_IAM_VALUE_NUMERIC IAM_VALUE_NUMERIC
#define PAM_IAM_VALUE_DATE IAM_VALUE_DATE
#define PAM_IAM_VALUE_DATE_NUMERIC IAM_VALUE_DATE
#define PAM_IAM_VALUE_BOOL IAM_VALUE_BOOLEAN
#define PAM_IAM_VALUE_IP IAM_VALUE_IP

/* FORM MULTI is a multivalued key; FORM TAG a key per tag. */
#define PAM_IAM_LIST_SINGLE false
#define PAM_IAM_LIST_MULTI true
#define PAM_IAM_LIST_TAG false
#define PAM_IAM_TAG_SINGLE false
#define PAM_IAM_TAG_MULTI false
#define PAM_IAM_TAG_TAG true

static const struct host_key {
    const char *name;
    enum iam_value_type type;
    bool list;
    bool tag; /* the key is name + a tag key */
} host_keys[IAM_HOST_N_KEYS] = {
#define HOST_KEY(id, name, type, form, login, sudo, assume, value)                                 \
    [IAM_HOST_KEY_##id] = {name, PAM_IAM_VALUE_##type, PAM_IAM_LIST_##form, PAM_IAM_TAG_##form},
    IAM_HOST_CONTEXT_KEYS(HOST_KEY)
#undef HOST_KEY
};

/* The values of one request, by key of host.h; NULL = the request does not carry the key.
 * TAG keys take their values from the user's tags and the host's tags. */
struct request_values {
    const char *value[IAM_HOST_N_KEYS];
};

static int add_key(struct iam_context *ctx, const struct host_key *k, const char *name,
                   const char *value, struct iam_error *reterr) {
    const char *const vals[1] = {value};

    return iam_context_add(ctx, name, k->type, k->list, vals, 1, reterr);
}

/* name + tag key, capped; keys longer than our buffer are skipped (they cannot be real tags:
 * AWS tag keys are at most 128 characters). */
static int add_tag(struct iam_context *ctx, const struct host_key *k, const char *key,
                   const char *value, struct iam_error *reterr) {
    char name[192];

    if (snprintf(name, sizeof(name), "%s%s", k->name, key) >= (int)sizeof(name))
        return 0;
    return add_key(ctx, k, name, value, reterr);
}

static int add_tags(struct iam_context *ctx, enum iam_host_key id, const struct pam_iam_handle *h,
                    const struct iam_auth_user *resource, struct iam_error *reterr) {
    const struct host_key *k = &host_keys[id];
    int r = 0;

    if (id == IAM_HOST_KEY_PRINCIPAL_TAG)
        for (size_t i = 0; r >= 0 && i < h->user->n_tags; i++)
            r = add_tag(ctx, k, h->user->tags[i].key, h->user->tags[i].value, reterr);
    else if (id == IAM_HOST_KEY_RESOURCE_TAG && resource)
        for (size_t i = 0; r >= 0 && i < resource->n_tags; i++)
            r = add_tag(ctx, k, resource->tags[i].key, resource->tags[i].value, reterr);
    else if (id == IAM_HOST_KEY_RESOURCE_TAG)
        for (size_t i = 0; r >= 0 && i < h->config->n_host_tags; i++)
            r = add_tag(ctx, k, h->config->host_tags[i].key, h->config->host_tags[i].value,
                        reterr);
    return r;
}

int pam_iam_build_context(const struct pam_iam_handle *h, const struct pam_iam_items *items,
                          const struct iam_auth_user *resource, const char *auth_method,
                          int64_t mfa_time, int64_t now, struct iam_context **ret_ctx,
                          struct iam_error *reterr) {
    const struct iam_auth_user *u = h->user;
    struct request_values v = {{NULL}};
    struct iam_context *ctx = NULL;
    char when[32], epoch[24], mfa_age[24];
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

    v.value[IAM_HOST_KEY_USERNAME] = u->name;
    v.value[IAM_HOST_KEY_USERID] = u->user_id;
    v.value[IAM_HOST_KEY_PRINCIPAL_ARN] = u->arn;
    v.value[IAM_HOST_KEY_PRINCIPAL_TYPE] = "User";
    v.value[IAM_HOST_KEY_PRINCIPAL_ACCOUNT] = h->config->account_id;
    v.value[IAM_HOST_KEY_CURRENT_TIME] = when;
    v.value[IAM_HOST_KEY_EPOCH_TIME] = epoch;
    v.value[IAM_HOST_KEY_MFA_PRESENT] = mfa_time > 0 ? "true" : "false";
    if (mfa_time > 0 && mfa_time <= now) {
        snprintf(mfa_age, sizeof(mfa_age), "%" PRId64, now - mfa_time);
        v.value[IAM_HOST_KEY_MFA_AGE] = mfa_age;
    }
    v.value[IAM_HOST_KEY_OS_USER] = u->name;
    v.value[IAM_HOST_KEY_AUTH_METHOD] = auth_method;
    v.value[IAM_HOST_KEY_SERVICE] = items->service;
    v.value[IAM_HOST_KEY_TTY] = items->tty;
    v.value[IAM_HOST_KEY_SSH_PUBLIC_KEY_ID] = items->ssh_key_id;
    if (items->rhost && items->rhost[0]) {
        v.value[IAM_HOST_KEY_REMOTE_HOST] = items->rhost;
        /* Only a literal address: a host name is the client's claim, not an address. */
        if (pam_iam_is_address(items->rhost))
            v.value[IAM_HOST_KEY_SOURCE_IP] = items->rhost;
    }

    for (size_t id = 0; id < IAM_HOST_N_KEYS; id++) {
        const struct host_key *k = &host_keys[id];

        if (k->tag)
            r = add_tags(ctx, (enum iam_host_key)id, h, resource, reterr);
        else if (v.value[id])
            r = add_key(ctx, k, k->name, v.value[id], reterr);
        else
            r = 0;
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
