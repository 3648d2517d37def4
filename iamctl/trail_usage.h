/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* What the trail says principals did: one pass over the trail keeps, for every record that is
 * a use of something (a key or password that authenticated, an action decided, a role
 * acted as), a small fixed-size event with its strings interned. generate-policy and the
 * findings read these, never the records. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "iam/trail.h"

enum use_kind {
    USE_KEY_AUTH,      /* Authenticate with an access key, success */
    USE_PASSWORD_AUTH, /* Authenticate with the login-profile password, success */
    USE_ALLOWED,       /* an action the policies allowed */
    USE_WOULD_DENY,    /* enforce = no: denied by the policies, but it happened */
    USE_DENIED,        /* an action refused */
};

#define USE_NONE 0 /* interned id of "no value" */

struct use {
    int64_t time;
    uint32_t principal; /* userIdentity.arn */
    uint32_t issuer;    /* sessionContext.sessionIssuer.arn (a role acted as), or USE_NONE */
    uint32_t key;       /* accessKeyId */
    uint32_t action;    /* requestParameters.action */
    uint32_t resource;  /* requestParameters.hostArn, or roleArn for sts: actions */
    uint32_t host;      /* requestParameters.hostArn: where it happened */
    uint32_t ip;        /* sourceIPAddress */
    uint32_t service;   /* userAgent: the PAM service */
    uint32_t event_id;
    uint8_t kind;       /* enum use_kind */
};

struct usage_strtab;

struct usage {
    struct usage_strtab *tab;
    struct use *v;
    size_t n, cap;
    uint64_t malformed;
};

/* Read the files; with principal set, only records that name it (as userIdentity.arn or as
 * the session issuer) are kept. */
int usage_collect(const struct iam_trail_files *files, const char *principal, struct usage *ret,
                  void (*progress)(uint64_t, uint64_t, void *), void *userdata,
                  struct iam_error *reterr);
void usage_free(struct usage *u);
/* The string of an interned id ("" for USE_NONE); the id of a string, USE_NONE if absent. */
const char *usage_str(const struct usage *u, uint32_t id);
uint32_t usage_find(const struct usage *u, const char *s);
