# Regression tests of the security review: each defect's reproduction, scripted, through the
# real iamctl and pam_iam.so (pamtester under pam_wrapper; PAM_PRELOAD puts the ASan runtime
# ahead of pam_wrapper in the sanitizer build, as tests/pam.cmake does).
iam_add_script_test(security_import_credentials
  COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/security/test_import_credentials.sh
          $<TARGET_FILE:iamctl> $<TARGET_FILE:pam_iam> ${PAM_WRAPPER_LIBRARY}
  LABELS module TIMEOUT 120 ENV "PAM_PRELOAD=${PAM_TEST_PRELOAD}")
set_tests_properties(security_import_credentials PROPERTIES SKIP_RETURN_CODE 77)
iam_add_script_test(security_unknown_name_log
  COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/security/test_unknown_name_log.sh
          $<TARGET_FILE:iamctl> $<TARGET_FILE:pam_iam> ${PAM_WRAPPER_LIBRARY}
  LABELS module TIMEOUT 120 ENV "PAM_PRELOAD=${PAM_TEST_PRELOAD}")
set_tests_properties(security_unknown_name_log PROPERTIES SKIP_RETURN_CODE 77)
# The installation of both caches as one generation, and the readers' view of it (layout,
# clean-up, a reader racing installs, installs killed, hostile layouts).
iam_add_test(test_cache_install SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/security/test_cache_install.c
             LIBS iamcache_reader LABELS unit TIMEOUT 300)
target_include_directories(test_cache_install PRIVATE ${PROJECT_SOURCE_DIR}/common)

if(IAM_E2E)
  # NSS and pam_iam find the caches where iam.conf says; a running nscd is told when the
  # caches change (root, private mount and pid namespace, a real nscd).
  iam_add_script_test(e2e_security_nss_agreement
    COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/security/test_nss_agreement.sh
            $<TARGET_FILE:iamctl> $<TARGET_FILE:nss_iam> $<TARGET_FILE:pam_iam>
            ${PAM_WRAPPER_LIBRARY}
    LABELS e2e TIMEOUT 300)
  set_tests_properties(e2e_security_nss_agreement PROPERTIES SKIP_RETURN_CODE 77)
endif()

# These drive the real NSS module through getent or pamtester, which load a sanitizer-built
# module without the ASan runtime first (docs/testing.md): they run in the plain build only.
if(NOT IAM_SANITIZE)
  # The account phase of a user NSS still knows after delete-user: the shipped stack, with NSS
  # from nss_wrapper and libnss_iam.so.2 given the pre-deletion nss.cache.
  find_library(SECURITY_NSS_WRAPPER NAMES nss_wrapper libnss_wrapper.so)
  if(SECURITY_NSS_WRAPPER)
    iam_add_script_test(security_deleted_user
      COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/security/test_deleted_user.sh
              $<TARGET_FILE:iamctl> $<TARGET_FILE:pam_iam> ${PAM_WRAPPER_LIBRARY}
              ${SECURITY_NSS_WRAPPER} $<TARGET_FILE:nss_iam> ${PROJECT_SOURCE_DIR}/packaging
      LABELS module TIMEOUT 120)
    set_tests_properties(security_deleted_user PROPERTIES SKIP_RETURN_CODE 77)
  endif()

  # IAM identities never take the host's ids or names (the store edited behind iamctl's back,
  # the range narrowed, local accounts added), and group names that grant privileges.
  iam_add_script_test(security_system_ids
    COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/security/test_system_ids.sh
            $<TARGET_FILE:iamctl> $<TARGET_FILE:nss_iam>
    LABELS module TIMEOUT 120)
  iam_add_script_test(security_privileged_groups
    COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/security/test_privileged_groups.sh
            $<TARGET_FILE:iamctl> $<TARGET_FILE:nss_iam> ${CMAKE_CURRENT_SOURCE_DIR}/data
            ${PROJECT_SOURCE_DIR}/packaging/man/iam.conf.5
    LABELS module TIMEOUT 120)
endif()
