# Directories: import-ldap against a real slapd on 127.0.0.1 (tests/ldap/lib.sh), and
# directory passwords through pam_iam.
if(IAM_TESTS AND NOT IAM_SANITIZE)
  # getent loads libnss_iam.so.2 (not under the sanitizers)
  iam_add_script_test(ldap_import
    COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/ldap/test_import_ldap.sh $<TARGET_FILE:iamctl>
            $<TARGET_FILE_DIR:nss_iam>
    LABELS module TIMEOUT 300)
  set_tests_properties(ldap_import PROPERTIES SKIP_RETURN_CODE 77)
endif()
if(IAM_TESTS AND NOT IAM_SANITIZE)
  iam_add_script_test(ldap_import_schemas
    COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/ldap/test_import_schemas.sh $<TARGET_FILE:iamctl>
            $<TARGET_FILE_DIR:nss_iam>
    LABELS module TIMEOUT 300)
  set_tests_properties(ldap_import_schemas PROPERTIES SKIP_RETURN_CODE 77)
endif()
if(IAM_TESTS AND NOT IAM_SANITIZE)
  iam_add_script_test(ldap_directory_password
    COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/ldap/test_directory_password.sh
            $<TARGET_FILE:iamctl> $<TARGET_FILE:pam_iam> ${PAM_WRAPPER_LIBRARY}
            $<TARGET_FILE:iam_ldap_auth>
    LABELS module TIMEOUT 300 ENV "PAM_PRELOAD=${PAM_TEST_PRELOAD}")
  set_tests_properties(ldap_directory_password PROPERTIES SKIP_RETURN_CODE 77)
endif()
