/* SPDX-License-Identifier: Apache-2.0 */
/* Audit glue: the record to the audit log and to syslog (authpriv). */
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include <security/pam_ext.h>

#include "pam_iam_private.h"

void pam_iam_audit(pam_handle_t *pamh, const struct pam_iam_handle *h,
                   struct iam_audit_record *rec, const struct pam_iam_items *items) {
    const struct iam_auth_user *u = h->user;
    const char *log_path = h->config ? h->config->audit_log : IAM_AUDIT_DEFAULT_LOG;
    struct iam_error e;
    char msg[IAM_ERROR_SOURCE_MAX + IAM_ERROR_TEXT_MAX + 32];
    char *line = NULL;
    int r;

    if (!rec->time)
        rec->time = (time_t)pam_iam_now();
    rec->is_iam_user = u != NULL;
    /* The name typed for a user IAM does not know is left out, here and so in syslog: it is
     * often a password typed one prompt early. (A caller that knows the name is a real
     * account, such as an account-phase denial of a user NSS resolves, says so in os_user.) */
    rec->user_name = u ? u->name : NULL;
    if (u) {
        rec->principal_id = u->user_id;
        rec->arn = u->arn;
    }
    if (h->config) {
        rec->account_id = h->config->account_id;
        rec->host_arn = h->config->host_arn;
    }
    rec->source_ip = items->rhost && items->rhost[0] ? items->rhost : NULL;
    rec->user_agent = items->service;
    rec->service = items->service;
    rec->tty = items->tty;

    r = iam_audit_format(rec, &line);
    if (r < 0) {
        pam_syslog(pamh, LOG_ERR, "cannot format the audit record: %s", strerror(-r));
        return;
    }
    /* Denials at NOTICE, everything else at INFO; the same JSON in both places. */
    pam_syslog(pamh, rec->error_code ? LOG_NOTICE : LOG_INFO, "%s", line);
    if (log_path && strcmp(log_path, "none") != 0) {
        iam_error_init(&e);
        r = iam_audit_append(log_path, line, &e);
        if (r < 0)
            pam_syslog(pamh, LOG_ERR, "cannot append to the audit log: %s",
                       iam_error_format(&e, msg, sizeof(msg)));
    }
    free(line);
}
