/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* A fixture for pam_iam tests: iam.conf variants and an auth cache with users in every state,
 * written straight through the auth cache writer (no iamctl needed). */

#include <stddef.h>

#include "iam/secret.h"

struct pamfx_user_secrets {
    char key_id[IAM_ACCESS_KEY_ID_LEN + 1];
    char secret[IAM_SECRET_KEY_LEN + 1];
    char key2_id[IAM_ACCESS_KEY_ID_LEN + 1]; /* alice's inactive key */
    char secret2[IAM_SECRET_KEY_LEN + 1];
};

enum pamfx_user {
    PAMFX_ALICE,   /* active key, inactive key, password; may Login and Sudo */
    PAMFX_BOB,     /* active key older than max_access_key_age_days */
    PAMFX_CAROL,   /* allowed by her own policy, explicitly denied by her group's */
    PAMFX_DAVE,    /* no policy at all: implicit deny */
    PAMFX_ERIN,    /* password with PasswordResetRequired */
    PAMFX_FRANK,   /* Login only from 127.0.0.0/8, via sshd, when env tags match */
    PAMFX_GRACE,   /* like frank but her env tag is "dev": tags do not match */
    PAMFX_HEIDI,   /* may Login, not Sudo */
    PAMFX_N_USERS,
};

#define PAMFX_PASSWORD "correct horse battery staple"

extern struct pamfx_user_secrets pamfx_secrets[PAMFX_N_USERS];
extern const char *const pamfx_names[PAMFX_N_USERS];

/* Write everything under dir: iam.conf, permissive.conf (enforce = no), missing.conf
 * (cache_dir without a cache), corrupt.conf (a damaged cache), cache/auth.cache, and
 * n_filler extra users. Returns 0 or -errno. */
int pamfx_write(const char *dir, size_t n_filler);
/* The fixture's users and groups for the NSS module: uid/gid 200000 + index (private groups),
 * "devs" (gid 210001: everyone but dave) and "contractors" (gid 210002: carol). */
int pamfx_write_nss(const char *path);
/* Same, with frank's and grace's policy requiring host:Service = login_service. */
int pamfx_write_svc(const char *dir, size_t n_filler, const char *login_service);
