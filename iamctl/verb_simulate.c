/* SPDX-License-Identifier: Apache-2.0 */
#include "iamctl.h"

int verb_simulate_custom_policy(int argc, char *argv[]) {
    (void)argc;
    (void)argv;
    return iamctl_fail("simulate-custom-policy: not built yet");
}
