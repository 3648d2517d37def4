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
