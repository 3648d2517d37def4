/* SPDX-License-Identifier: Apache-2.0 */
/* Audit glue: the record to the audit log and to syslog (authpriv). */
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include <security/pam_ext.h>

#include "pam_iam_private.h"

static void audit_log_cleanup(pam_handle_t *pamh, void *data, int error_status) {
    (void)pamh;
    (void)error_status;
    iam_audit_log_close(data);
}

/* Append the line to the log at path. The log a phase opened stays open with the handle for
 * the next records of the same login (PAM_IAM_DATA_AUDIT_LOG) while path names that very file
 * (iam_audit_log_is), and is closed by pam_iam_audit_release() when the login's phases are
 * done, or by pam_end(). */
static int append(pam_handle_t *pamh, const char *path, const char *line, struct iam_error *e) {
    union { /* pam_get_data() gives the pointer as const; it is ours to write through */
        const void *data;
        struct iam_audit_log *log;
    } u = {NULL};
    struct iam_audit_log *log = NULL;
    int r;

    if (pam_get_data(pamh, PAM_IAM_DATA_AUDIT_LOG, &u.data) == PAM_SUCCESS && u.log &&
        iam_audit_log_is(u.log, path))
        return iam_audit_log_write(u.log, line, e);
    r = iam_audit_log_open(path, &log, e);
    if (r < 0)
        return r;
    r = iam_audit_log_write(log, line, e);
    /* kept for the next record, replacing (and closing) the one kept before; when it cannot
     * be kept, closed now */
    if (pam_set_data(pamh, PAM_IAM_DATA_AUDIT_LOG, log, audit_log_cleanup) != PAM_SUCCESS)
        iam_audit_log_close(log);
    return r;
}

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
        r = append(pamh, log_path, line, &e);
        if (r < 0)
            pam_syslog(pamh, LOG_ERR, "cannot append to the audit log: %s",
                       iam_error_format(&e, msg, sizeof(msg)));
    }
    free(line);
}

void pam_iam_audit_release(pam_handle_t *pamh) {
    const void *data = NULL;

    if (pam_get_data(pamh, PAM_IAM_DATA_AUDIT_LOG, &data) == PAM_SUCCESS && data)
        (void)pam_set_data(pamh, PAM_IAM_DATA_AUDIT_LOG, NULL, NULL); /* closes it */
}
