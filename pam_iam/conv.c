/* SPDX-License-Identifier: Apache-2.0 */
/* Conversation: the token, and short messages to the user. */
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include <security/pam_ext.h>

#include "iam/secret.h"
#include "pam_iam_private.h"

int pam_iam_get_token(pam_handle_t *pamh, const struct pam_iam_args *args, char **ret_tok,
                      size_t *ret_len) {
    const void *item = NULL;
    const char *tok = NULL;
    char *copy;
    size_t len;
    int pr;

    if (args->use_first_pass) {
        /* Only the token an earlier module got; never prompt. */
        pr = pam_get_item(pamh, PAM_AUTHTOK, &item);
        if (pr != PAM_SUCCESS || !item)
            return PAM_AUTH_ERR;
        tok = item;
    } else {
        /* pam_get_authtok reuses an earlier token for try_first_pass, else prompts with the
         * standard "Password: " prompt. */
        pr = pam_get_authtok(pamh, PAM_AUTHTOK, &tok, NULL);
        if (pr == PAM_CONV_AGAIN)
            return PAM_INCOMPLETE;
        if (pr != PAM_SUCCESS || !tok)
            return PAM_AUTH_ERR;
    }
    /* Bound the work: a token over the password limit is kept (as garbage) only up to the
     * limit + 1, so it still fails with the same work as any wrong token. */
    len = strnlen(tok, IAM_PASSWORD_MAX + 1);
    copy = malloc(len + 1);
    if (!copy)
        return PAM_BUF_ERR;
    memcpy(copy, tok, len);
    copy[len] = '\0';
    *ret_tok = copy;
    *ret_len = len;
    return PAM_SUCCESS;
}

void pam_iam_tell(pam_handle_t *pamh, int style, const char *text) {
    char *resp = NULL;

    if (pam_prompt(pamh, style, &resp, "%s", text) == PAM_SUCCESS && resp)
        free(resp);
}
