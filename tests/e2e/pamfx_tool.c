/* SPDX-License-Identifier: Apache-2.0 */
/* Write the pam_iam fixture into DIR and print the users' secrets as shell assignments, for
 * the end-to-end scripts: pamfx_tool DIR LOGIN_SERVICE [NSS_CACHE_PATH] */
#include <stdio.h>

#include "pam_fixture.h"

int main(int argc, char **argv) {
    if (argc != 3 && argc != 4) {
        fprintf(stderr, "usage: pamfx_tool DIR LOGIN_SERVICE [NSS_CACHE_PATH]\n");
        return 2;
    }
    if (pamfx_write_svc(argv[1], 0, argv[2]) < 0) {
        fprintf(stderr, "pamfx_tool: cannot write the fixture\n");
        return 1;
    }
    if (argc == 4 && pamfx_write_nss(argv[3]) < 0)
        return 1;
    for (int i = 0; i < PAMFX_N_USERS; i++)
        printf("KEY_%s=%s\nSECRET_%s=%s\nKEY2_%s=%s\nSECRET2_%s=%s\n", pamfx_names[i],
               pamfx_secrets[i].key_id, pamfx_names[i], pamfx_secrets[i].secret,
               pamfx_names[i], pamfx_secrets[i].key2_id, pamfx_names[i],
               pamfx_secrets[i].secret2);
    printf("PASSWORD='%s'\n", PAMFX_PASSWORD);
    return 0;
}
