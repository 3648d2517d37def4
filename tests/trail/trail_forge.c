/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The thief's tool, for the test of forward security: trail_forge STATE_DIR DIGEST_FILE LOG
 * rewrites a sealed digest so that it matches the log as it is now (after the thief edited a
 * record), signed with the key the thief can steal today: the one in the sealing state. A
 * validator must refuse the result, since that key was never certified for this digest.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iam/fileio.h"
#include "trail_private.h"

int main(int argc, char **argv) {
    struct iam_error e;
    struct digest d;
    struct iam_trail_files files = {0};
    struct digest_input in;
    char *text = NULL, *state = NULL, *path = NULL, *out = NULL, err[256];
    size_t len = 0, slen = 0, outlen = 0;
    uint8_t seed[crypto_sign_SEEDBYTES], pk[crypto_sign_PUBLICKEYBYTES],
        sk[crypto_sign_SECRETKEYBYTES], hash[32], sig[64], *hashes = NULL;
    uint64_t n = 0;

    if (argc != 4 || sodium_init() < 0)
        return 2;
    iam_error_init(&e);
    if (iam_file_read_safe(argv[2], IAM_SEAL_MAX_DIGEST_SIZE, &text, &len, &e) < 0 ||
        iam_trail_digest_parse(text, len, &d, err, sizeof(err)) < 0) {
        fprintf(stderr, "trail_forge: %s: cannot read the digest\n", argv[2]);
        return 1;
    }
    /* the stolen key: the state's current seed (magic 8, flags 4, 5 x 8, hash 16, anchor 32,
     * pk 32, then the seed) */
    if (asprintf(&path, "%s/state", argv[1]) < 0 ||
        iam_file_read_safe(path, 64u << 20, &state, &slen, &e) < 0 || slen < 8 + 4 + 40 + 16 + 64 + 32) {
        fprintf(stderr, "trail_forge: cannot steal the key\n");
        return 1;
    }
    memcpy(seed, state + 8 + 4 + 40 + 16 + 32 + 32, sizeof(seed));
    crypto_sign_seed_keypair(pk, sk, seed);
    /* the hashes of the log's lines as they are now, for the digest's range */
    if (iam_trail_files_add_path(&files, argv[3], &e) < 0)
        return 1;
    hashes = calloc(d.count + 1, IAM_TRAIL_HASH_BYTES);
    {
        struct iam_trail_reader *rd = NULL;
        const char *buf;
        size_t blen;
        uint64_t idx = 0;

        if (iam_trail_open(&files.v[0], &rd, &e) < 0) {
            free(hashes);
            return 1;
        }
        while (iam_trail_read_block(rd, &buf, &blen, NULL, NULL, NULL, &e) > 0) {
            const char *p = buf, *end = buf + blen;

            while (p < end) {
                const char *nl = memchr(p, '\n', (size_t)(end - p));

                if (!nl)
                    break;
                if (idx >= d.first && idx < d.first + d.count)
                    iam_trail_record_hash(p, (size_t)(nl - p),
                                          hashes + (n++) * IAM_TRAIL_HASH_BYTES);
                idx++;
                p = nl + 1;
            }
        }
        iam_trail_close(rd);
    }
    in = (struct digest_input){.seq = d.seq, .host_arn = d.host_arn, .account_id = "123456789012",
                               .now = d.end_time, .pk = pk, .next_pk = d.next_pk,
                               .has_prev = d.has_prev, .prev_hash = d.prev_hash,
                               .prev_sig = d.prev_sig, .first = d.first, .count = n,
                               .hashes = hashes, .oldest = d.oldest, .newest = d.newest};
    if (iam_trail_digest_build(&in, seed, &out, &outlen, hash, sig) < 0 ||
        iam_file_write_atomic(argv[2], out, outlen, 0600, &e) < 0) {
        fprintf(stderr, "trail_forge: cannot write the forged digest\n");
        free(hashes);
        return 1;
    }
    free(hashes);
    free(out);
    printf("forged digest %llu over %llu records with the stolen key\n",
           (unsigned long long)d.seq, (unsigned long long)n);
    return 0;
}
