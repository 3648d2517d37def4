/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* The in-place upgrade of a JSON identity database to the store (migrate.c). */

#include "verb_common.h"

/* Called by sth_open before the store is opened: when the configuration's database is a JSON
 * database (or the old default one is), convert it and follow iam.conf to the store. 0 or an
 * exit code (message printed). */
int migrate_if_needed(struct sth *h);
/* Compile the caches from the store just made (a failure is a warning). */
int migrate_compile(struct sth *h);
/* Take the writers' lock of h->config->database (verb_common.c). */
int sth_lock(struct sth *h);
