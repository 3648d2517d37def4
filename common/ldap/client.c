/* SPDX-License-Identifier: Apache-2.0 */
/* A directory over LDAP with OpenLDAP's client library, loaded by dlopen (iam/ldap.h). */
#include <arpa/inet.h>
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>

#include <ldap.h>

#include "iam/ldap.h"

/* Debian 12 ships libldap-2.5.so.0; OpenLDAP 2.6 renamed it libldap.so.2. */
static const char *const ldap_libraries[] = {"libldap-2.5.so.0", "libldap.so.2", NULL};

struct ldap_api {
    int (*initialize)(LDAP **, const char *);
    int (*set_option)(LDAP *, int, const void *);
    int (*get_option)(LDAP *, int, void *);
    int (*start_tls_s)(LDAP *, LDAPControl **, LDAPControl **);
    int (*sasl_bind_s)(LDAP *, const char *, const char *, struct berval *, LDAPControl **,
                       LDAPControl **, struct berval **);
    int (*search_ext_s)(LDAP *, const char *, int, const char *, char **, int, LDAPControl **,
                        LDAPControl **, struct timeval *, int, LDAPMessage **);
    int (*create_page_control)(LDAP *, ber_int_t, struct berval *, int, LDAPControl **);
    int (*parse_pageresponse_control)(LDAP *, LDAPControl *, ber_int_t *, struct berval *);
    LDAPControl *(*control_find)(const char *, LDAPControl **, LDAPControl ***);
    int (*parse_result)(LDAP *, LDAPMessage *, int *, char **, char **, char ***,
                        LDAPControl ***, int);
    LDAPMessage *(*first_entry)(LDAP *, LDAPMessage *);
    LDAPMessage *(*next_entry)(LDAP *, LDAPMessage *);
    char *(*get_dn)(LDAP *, LDAPMessage *);
    char *(*first_attribute)(LDAP *, LDAPMessage *, BerElement **);
    char *(*next_attribute)(LDAP *, LDAPMessage *, BerElement *);
    struct berval **(*get_values_len)(LDAP *, LDAPMessage *, const char *);
    void (*value_free_len)(struct berval **);
    void (*memfree)(void *);
    void (*ber_free)(BerElement *, int);
    void (*ber_memfree)(void *);
    int (*msgfree)(LDAPMessage *);
    int (*unbind_ext_s)(LDAP *, LDAPControl **, LDAPControl **);
    char *(*err2string)(int);
    void (*control_free)(LDAPControl *);
    void (*controls_free)(LDAPControl **);
    void (*memvfree)(void **);
    int (*url_parse)(const char *, LDAPURLDesc **);
    void (*free_urldesc)(LDAPURLDesc *);
};

static struct ldap_api api;
static void *api_handle; /* kept for the life of the process: api points into it */
static int api_state;    /* 0 not tried, 1 loaded, -ENOTSUP unavailable */
static char api_why[200];
static pthread_once_t api_once = PTHREAD_ONCE_INIT;

#define SYM(field, name) *(void **)&api.field = dlsym(h, name)

static void load_once(void) {
    void *h = NULL;
    const char *e = NULL;

    for (size_t i = 0; !h && ldap_libraries[i]; i++)
        if (!(h = dlopen(ldap_libraries[i], RTLD_NOW | RTLD_LOCAL)))
            e = dlerror();
    if (!h) {
        snprintf(api_why, sizeof(api_why), "%s", e ? e : "libldap: cannot load");
        api_state = -ENOTSUP;
        return;
    }
    SYM(initialize, "ldap_initialize");
    SYM(set_option, "ldap_set_option");
    SYM(get_option, "ldap_get_option");
    SYM(start_tls_s, "ldap_start_tls_s");
    SYM(sasl_bind_s, "ldap_sasl_bind_s");
    SYM(search_ext_s, "ldap_search_ext_s");
    SYM(create_page_control, "ldap_create_page_control");
    SYM(parse_pageresponse_control, "ldap_parse_pageresponse_control");
    SYM(control_find, "ldap_control_find");
    SYM(parse_result, "ldap_parse_result");
    SYM(first_entry, "ldap_first_entry");
    SYM(next_entry, "ldap_next_entry");
    SYM(get_dn, "ldap_get_dn");
    SYM(first_attribute, "ldap_first_attribute");
    SYM(next_attribute, "ldap_next_attribute");
    SYM(get_values_len, "ldap_get_values_len");
    SYM(value_free_len, "ldap_value_free_len");
    SYM(memfree, "ldap_memfree");
    SYM(ber_free, "ber_free");
    SYM(ber_memfree, "ber_memfree");
    SYM(msgfree, "ldap_msgfree");
    SYM(unbind_ext_s, "ldap_unbind_ext_s");
    SYM(err2string, "ldap_err2string");
    SYM(control_free, "ldap_control_free");
    SYM(controls_free, "ldap_controls_free");
    SYM(memvfree, "ldap_memvfree");
    SYM(url_parse, "ldap_url_parse");
    SYM(free_urldesc, "ldap_free_urldesc");
    for (size_t i = 0; i < sizeof(api) / sizeof(void *); i++)
        if (!((void **)&api)[i]) {
            snprintf(api_why, sizeof(api_why), "libldap: a function is missing");
            memset(&api, 0, sizeof(api));
            dlclose(h);
            api_state = -ENOTSUP;
            return;
        }
    api_handle = h;
    api_state = 1;
}

#undef SYM

int iam_ldap_load(struct iam_error *reterr) {
    if (pthread_once(&api_once, load_once) != 0 || api_state != 1) {
        iam_error_set(reterr, 0, 0, 0,
                      "directories need OpenLDAP's client library (Debian package libldap-2.5-0): "
                      "%s",
                      api_why[0] ? api_why : "cannot load it");
        return -ENOTSUP;
    }
    return 0;
}

struct iam_ldap {
    LDAP *ld;
    unsigned timeout_ms;
    char *uri;
};

static void tv_ms(struct timeval *tv, unsigned ms) {
    tv->tv_sec = (time_t)(ms / 1000);
    tv->tv_usec = (suseconds_t)(ms % 1000) * 1000;
}

/* What the library said, with its diagnostic message when it has one. */
static int fail_ldap(struct iam_ldap *l, int rc, int r, const char *what,
                     struct iam_error *reterr) {
    char *diag = NULL;

    if (l && l->ld)
        (void)api.get_option(l->ld, LDAP_OPT_DIAGNOSTIC_MESSAGE, &diag);
    iam_error_set(reterr, 0, 0, 0, "%s: %s: %s%s%s%s", l ? l->uri : "ldap", what,
                  api.err2string(rc), diag && *diag ? " (" : "", diag && *diag ? diag : "",
                  diag && *diag ? ")" : "");
    if (diag)
        api.memfree(diag);
    return r;
}

/* libldap's result codes in ours (iam/ldap.h). */
static int map_rc(int rc, bool bind) {
    switch (rc) {
    case LDAP_SERVER_DOWN:
    case LDAP_CONNECT_ERROR:
        return -EHOSTUNREACH;
    case LDAP_TIMEOUT:
        return -ETIMEDOUT;
    case LDAP_NO_MEMORY:
        return -ENOMEM;
    case LDAP_SIZELIMIT_EXCEEDED:
    case LDAP_TIMELIMIT_EXCEEDED:
    case LDAP_ADMINLIMIT_EXCEEDED:
        return -E2BIG;
    case LDAP_INVALID_CREDENTIALS:
    case LDAP_INAPPROPRIATE_AUTH:
    case LDAP_INSUFFICIENT_ACCESS:
    case LDAP_UNWILLING_TO_PERFORM:
        return bind ? -EACCES : -EIO;
    default:
        return -EIO;
    }
}

static bool host_is_loopback(const char *host) {
    struct in6_addr a6;
    struct in_addr a4;

    if (!host || !*host || strcasecmp(host, "localhost") == 0)
        return host && *host;
    if (inet_pton(AF_INET, host, &a4) == 1)
        return (ntohl(a4.s_addr) >> 24) == 127;
    if (inet_pton(AF_INET6, host, &a6) == 1)
        return IN6_IS_ADDR_LOOPBACK(&a6);
    return false;
}

/* The scheme and whether the host is local; -EINVAL for anything but one plain URI. */
static int parse_uri(const char *uri, char scheme[8], bool *ret_local, struct iam_error *reterr) {
    LDAPURLDesc *lud = NULL;
    int r = -EINVAL;

    if (!uri || strpbrk(uri, " \t,")) {
        iam_error_set(reterr, 0, 0, 0, "\"%.200s\": one URI, ldap://, ldaps:// or ldapi://",
                      uri ? uri : "");
        return -EINVAL;
    }
    if (api.url_parse(uri, &lud) != LDAP_URL_SUCCESS || !lud->lud_scheme) {
        iam_error_set(reterr, 0, 0, 0, "\"%.200s\" is not an LDAP URI", uri);
        goto out;
    }
    if (strcasecmp(lud->lud_scheme, "ldap") != 0 && strcasecmp(lud->lud_scheme, "ldaps") != 0 &&
        strcasecmp(lud->lud_scheme, "ldapi") != 0) {
        iam_error_set(reterr, 0, 0, 0, "\"%.200s\": the scheme must be ldap, ldaps or ldapi", uri);
        goto out;
    }
    if ((lud->lud_dn && *lud->lud_dn) || lud->lud_attrs || lud->lud_filter || lud->lud_exts) {
        iam_error_set(reterr, 0, 0, 0,
                      "\"%.200s\": give the base DN and filters as options, not in the URI", uri);
        goto out;
    }
    snprintf(scheme, 8, "%s", lud->lud_scheme);
    for (char *c = scheme; *c; c++)
        *c = (char)(*c | 0x20);
    *ret_local = strcmp(scheme, "ldapi") == 0 || host_is_loopback(lud->lud_host);
    r = 0;
out:
    if (lud)
        api.free_urldesc(lud);
    return r;
}

int iam_ldap_uri_is_local(const char *uri, struct iam_error *reterr) {
    char scheme[8];
    bool local = false;
    int r;

    if ((r = iam_ldap_load(reterr)) < 0 || (r = parse_uri(uri, scheme, &local, reterr)) < 0)
        return r;
    return local ? 1 : 0;
}

static int set_options(struct iam_ldap *l, const struct iam_ldap_options *o, bool tls,
                       struct iam_error *reterr) {
    const int version = LDAP_VERSION3, demand = LDAP_OPT_X_TLS_DEMAND, zero = 0;
    struct timeval tv;
    const char *ca = o->ca_file ? o->ca_file : IAM_LDAP_DEFAULT_CA_FILE;
    int rc;

    tv_ms(&tv, l->timeout_ms);
    if ((rc = api.set_option(l->ld, LDAP_OPT_PROTOCOL_VERSION, &version)) != LDAP_OPT_SUCCESS ||
        (rc = api.set_option(l->ld, LDAP_OPT_REFERRALS, LDAP_OPT_OFF)) != LDAP_OPT_SUCCESS ||
        (rc = api.set_option(l->ld, LDAP_OPT_NETWORK_TIMEOUT, &tv)) != LDAP_OPT_SUCCESS ||
        (rc = api.set_option(l->ld, LDAP_OPT_TIMEOUT, &tv)) != LDAP_OPT_SUCCESS)
        return fail_ldap(l, rc, -EIO, "setting options", reterr);
    if (!tls)
        return 0;
    if ((rc = api.set_option(l->ld, LDAP_OPT_X_TLS_REQUIRE_CERT, &demand)) != LDAP_OPT_SUCCESS ||
        (rc = api.set_option(l->ld, LDAP_OPT_X_TLS_CACERTFILE, ca)) != LDAP_OPT_SUCCESS ||
        (rc = api.set_option(l->ld, LDAP_OPT_X_TLS_NEWCTX, &zero)) != LDAP_OPT_SUCCESS)
        return fail_ldap(l, rc, -EPROTO, "setting up TLS (CA file)", reterr);
    return 0;
}

static int do_bind(struct iam_ldap *l, const struct iam_ldap_options *o, struct iam_error *reterr) {
    static char empty[1];
    struct berval cred = {0, NULL};
    int rc;

    switch (o->bind) {
    case IAM_LDAP_BIND_ANONYMOUS:
        rc = api.sasl_bind_s(l->ld, NULL, LDAP_SASL_SIMPLE, &cred, NULL, NULL, NULL);
        break;
    case IAM_LDAP_BIND_SIMPLE:
        if (!o->bind_dn || !*o->bind_dn || !o->password || o->password_len == 0) {
            iam_error_set(reterr, 0, 0, 0, "%s: a simple bind needs a DN and a password", l->uri);
            return -EACCES;
        }
        /* libldap's berval is not const; it only reads the password */
        union {
            const char *c;
            char *m;
        } pw = {.c = o->password};
        cred.bv_val = pw.m;
        cred.bv_len = o->password_len;
        rc = api.sasl_bind_s(l->ld, o->bind_dn, LDAP_SASL_SIMPLE, &cred, NULL, NULL, NULL);
        break;
    case IAM_LDAP_BIND_SASL_EXTERNAL:
        /* the identity is the socket's peer; the initial response is the authorisation id,
         * present and empty (absent, the server would ask for it with an empty challenge) */
        cred.bv_val = empty;
        rc = api.sasl_bind_s(l->ld, NULL, "EXTERNAL", &cred, NULL, NULL, NULL);
        break;
    default:
        return -EINVAL;
    }
    if (rc != LDAP_SUCCESS)
        return fail_ldap(l, rc, map_rc(rc, true), "bind", reterr);
    return 0;
}

int iam_ldap_connect(const struct iam_ldap_options *o, struct iam_ldap **ret,
                     struct iam_error *reterr) {
    struct iam_ldap *l = NULL;
    char scheme[8] = "";
    bool local = false, tls;
    int rc, r;

    if ((r = iam_ldap_load(reterr)) < 0 || (r = parse_uri(o->uri, scheme, &local, reterr)) < 0)
        return r;
    if (strcmp(scheme, "ldap") == 0 && !o->starttls && !local) {
        iam_error_set(reterr, 0, 0, 0,
                      "%s: without StartTLS only a loopback address is accepted; use StartTLS "
                      "or ldaps://",
                      o->uri);
        return -EINVAL;
    }
    if (o->bind == IAM_LDAP_BIND_SASL_EXTERNAL && strcmp(scheme, "ldapi") != 0) {
        iam_error_set(reterr, 0, 0, 0, "%s: SASL EXTERNAL is for ldapi:// only", o->uri);
        return -EINVAL;
    }
    tls = strcmp(scheme, "ldaps") == 0 || (strcmp(scheme, "ldap") == 0 && o->starttls);
    if (!(l = calloc(1, sizeof(*l))) || !(l->uri = strdup(o->uri))) {
        r = -ENOMEM;
        iam_error_set(reterr, 0, 0, 0, "out of memory");
        goto out;
    }
    l->timeout_ms = o->timeout_ms ? o->timeout_ms : 10000;
    if ((rc = api.initialize(&l->ld, o->uri)) != LDAP_SUCCESS) {
        r = fail_ldap(l, rc, -EINVAL, "initialising", reterr);
        goto out;
    }
    if ((r = set_options(l, o, tls, reterr)) < 0)
        goto out;
    if (strcmp(scheme, "ldap") == 0 && o->starttls &&
        (rc = api.start_tls_s(l->ld, NULL, NULL)) != LDAP_SUCCESS) {
        r = rc == LDAP_SERVER_DOWN || rc == LDAP_TIMEOUT
                ? fail_ldap(l, rc, map_rc(rc, false), "StartTLS", reterr)
                : fail_ldap(l, rc, -EPROTO, "StartTLS", reterr);
        goto out;
    }
    if ((r = do_bind(l, o, reterr)) < 0)
        goto out;
    *ret = l;
    l = NULL;
    r = 0;
out:
    iam_ldap_close(l);
    return r;
}

void iam_ldap_close(struct iam_ldap *l) {
    if (!l)
        return;
    if (l->ld)
        (void)api.unbind_ext_s(l->ld, NULL, NULL);
    free(l->uri);
    free(l);
}

const struct iam_ldap_attr *iam_ldap_entry_attr(const struct iam_ldap_entry *e, const char *name) {
    size_t n = strlen(name);

    for (size_t i = 0; i < e->n_attrs; i++)
        if (strncasecmp(e->attrs[i].name, name, n) == 0 && e->attrs[i].name[n] == '\0')
            return &e->attrs[i];
    return NULL;
}

/* One entry of a page, handed to cb with its attributes (at most IAM_LDAP_MAX_ATTRS). */
static int one_entry(struct iam_ldap *l, LDAPMessage *m, iam_ldap_entry_cb cb, void *ctx,
                     struct iam_error *reterr) {
    struct iam_ldap_attr attrs[IAM_LDAP_MAX_ATTRS];
    struct berval **vals[IAM_LDAP_MAX_ATTRS] = {0};
    struct iam_ldap_value *values[IAM_LDAP_MAX_ATTRS] = {0};
    char *names[IAM_LDAP_MAX_ATTRS] = {0};
    struct iam_ldap_entry e = {.attrs = attrs};
    BerElement *ber = NULL;
    char *dn = api.get_dn(l->ld, m), *a;
    int r = -ENOMEM;

    if (!dn) {
        iam_error_set(reterr, 0, 0, 0, "%s: an entry without a DN", l->uri);
        return -EIO;
    }
    e.dn = dn;
    for (a = api.first_attribute(l->ld, m, &ber); a; a = api.next_attribute(l->ld, m, ber)) {
        size_t k = e.n_attrs, n = 0;

        if (k == IAM_LDAP_MAX_ATTRS) {
            api.memfree(a);
            continue;
        }
        names[k] = a;
        vals[k] = api.get_values_len(l->ld, m, a);
        while (vals[k] && vals[k][n])
            n++;
        if (n && !(values[k] = calloc(n, sizeof(*values[k]))))
            goto nomem;
        for (size_t j = 0; j < n; j++)
            values[k][j] = (struct iam_ldap_value){vals[k][j]->bv_val, vals[k][j]->bv_len};
        attrs[k] = (struct iam_ldap_attr){.name = a, .values = values[k], .n_values = n};
        e.n_attrs++;
    }
    r = cb(ctx, &e);
    goto out;
nomem:
    iam_error_set(reterr, 0, 0, 0, "out of memory");
out:
    for (size_t k = 0; k < IAM_LDAP_MAX_ATTRS; k++) {
        if (vals[k])
            api.value_free_len(vals[k]);
        free(values[k]);
        if (names[k])
            api.memfree(names[k]);
    }
    if (ber)
        api.ber_free(ber, 0);
    api.memfree(dn);
    return r;
}

/* The end of one page: its result must be success; the cookie of the next page, if any. */
static int page_result(struct iam_ldap *l, LDAPMessage *res, struct berval *cookie,
                       struct iam_error *reterr) {
    LDAPControl **ctrls = NULL, *pc;
    char *msg = NULL;
    ber_int_t count = 0;
    int rc = LDAP_OTHER, r;

    if (cookie->bv_val) {
        api.ber_memfree(cookie->bv_val);
        *cookie = (struct berval){0, NULL};
    }
    r = api.parse_result(l->ld, res, &rc, NULL, &msg, NULL, &ctrls, 0);
    if (r != LDAP_SUCCESS) {
        r = fail_ldap(l, r, map_rc(r, false), "reading a search result", reterr);
        goto out;
    }
    if (rc != LDAP_SUCCESS) {
        iam_error_set(reterr, 0, 0, 0, "%s: search: %s%s%s%s", l->uri, api.err2string(rc),
                      msg && *msg ? " (" : "", msg && *msg ? msg : "", msg && *msg ? ")" : "");
        r = map_rc(rc, false);
        goto out;
    }
    pc = ctrls ? api.control_find(LDAP_CONTROL_PAGEDRESULTS, ctrls, NULL) : NULL;
    if (pc && api.parse_pageresponse_control(l->ld, pc, &count, cookie) != LDAP_SUCCESS) {
        iam_error_set(reterr, 0, 0, 0, "%s: a malformed paged-results control", l->uri);
        r = -EIO;
        goto out;
    }
    r = 0;
out:
    if (ctrls)
        api.controls_free(ctrls);
    if (msg)
        api.memfree(msg);
    return r;
}

int iam_ldap_search(struct iam_ldap *l, const char *base, const char *filter,
                    const char *const *attrs, unsigned page_size, iam_ldap_entry_cb cb, void *ctx,
                    struct iam_error *reterr) {
    struct berval cookie = {0, NULL};
    struct timeval tv;
    union {
        const char *const *c;
        char **m;
    } attr_list = {.c = attrs}; /* libldap only reads it */
    int r = 0;

    tv_ms(&tv, l->timeout_ms);
    do {
        LDAPControl *pctrl = NULL, *sctrls[2] = {NULL, NULL};
        LDAPMessage *res = NULL;
        int rc;

        rc = api.create_page_control(l->ld, (ber_int_t)(page_size ? page_size : 500), &cookie, 0,
                                     &pctrl);
        if (rc != LDAP_SUCCESS) {
            r = fail_ldap(l, rc, -ENOMEM, "making the paged-results control", reterr);
            break;
        }
        sctrls[0] = pctrl;
        rc = api.search_ext_s(l->ld, base, LDAP_SCOPE_SUBTREE, filter, attr_list.m, 0, sctrls,
                              NULL, &tv, 0, &res);
        api.control_free(pctrl);
        if (rc != LDAP_SUCCESS && !res) {
            r = fail_ldap(l, rc, map_rc(rc, false), "search", reterr);
            break;
        }
        for (LDAPMessage *m = res ? api.first_entry(l->ld, res) : NULL; r == 0 && m;
             m = api.next_entry(l->ld, m))
            r = one_entry(l, m, cb, ctx, reterr);
        if (r == 0)
            r = page_result(l, res, &cookie, reterr);
        api.msgfree(res);
    } while (r == 0 && cookie.bv_val && cookie.bv_len > 0);
    if (cookie.bv_val)
        api.ber_memfree(cookie.bv_val);
    return r;
}
