/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * The SSH key cache writer (part of libiamcore): <cache_dir>/ssh_keys.cache, root 0644, the
 * users' Active SSH public keys for sshd's AuthorizedKeysCommand (iam-authorized-keys) and
 * for pam_iam, which names the key a login used (host:SSHPublicKeyId). The store's compile
 * writes it with the other caches; the format is in common/ssh_keys/format.h, the libc-only
 * reader in common/ssh_keys/include/ssh_keys_read.h.
 *
 * Public data only: key bodies, ids and fingerprints. A separate file rather than a section
 * of nss.cache, so that NSS (every process on the host) never reads key bodies, and a change
 * to this format never makes the NSS module of a running process refuse its cache.
 */

#include <stddef.h>
#include <stdint.h>

#include "iam/error.h"
#include "iam/macros.h"

#define IAM_SSH_KEYS_CACHE_NAME "ssh_keys.cache"

struct iam_ssh_key_entry {
    const char *id;          /* APKA... */
    const char *fingerprint; /* "SHA256:<base64, no padding>" of the key blob */
    const char *body;        /* "type base64", as authorized_keys takes it */
};

struct iam_ssh_keys_user {
    const char *name;
    uint32_t uid;
    const struct iam_ssh_key_entry *keys; /* the Active ones only */
    size_t n_keys;                        /* users with none may be passed: left out */
};

/*
 * Build the image in memory: *ret_data (malloc'd) of *ret_size bytes. Every field is
 * checked (no control characters, no newline, no space in an id or fingerprint, a body of
 * exactly one space between type and base64, lengths within the format's limits, no user
 * twice): -EINVAL naming the user and key in reterr; -E2BIG over the format's limits;
 * -ENOMEM.
 */
int iam_ssh_keys_cache_build(const struct iam_ssh_keys_user *users, size_t n_users, uint64_t serial,
                             void **ret_data, size_t *ret_size, struct iam_error *reterr) IAM_WUR;

/* The OpenSSH SHA256 fingerprint of a key body ("type base64 [comment]"): "SHA256:" and the
 * unpadded base64 of SHA-256 over the decoded blob, into fp (at least 64 bytes). 0, or
 * -EINVAL when the body is not "type base64" with a blob that decodes and names that type. */
int iam_ssh_key_fingerprint(const char *body, size_t len, char fp[64]) IAM_WUR;
