# The fleet: bundles published by an admin host and pulled by the others (docs/fleet.md).
if(IAM_TESTS)
  iam_add_test(test_bundle SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_bundle.c
               LIBS iambundle LABELS unit)
endif()
if(IAM_TESTS)
  iam_add_script_test(fleet_publish
    COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/fleet/test_publish.sh $<TARGET_FILE:iamctl>
    LABELS unit)
endif()
if(IAM_TESTS)
  # re-signs manifests with fields changed, for the refusals that do not rest on the signature
  add_executable(bundle_forge ${CMAKE_CURRENT_SOURCE_DIR}/fleet/bundle_forge.c)
  target_link_libraries(bundle_forge PRIVATE iambundle)
  if(NOT IAM_SANITIZE)
    iam_add_script_test(fleet_pull
      COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/fleet/test_pull.sh $<TARGET_FILE:iamctl>
              $<TARGET_FILE:bundle_forge> $<TARGET_FILE:nss_iam> $<TARGET_FILE:pam_iam>
              ${PAM_WRAPPER_LIBRARY} $<TARGET_FILE:iam_authorized_keys>
      LABELS module TIMEOUT 300)
    set_tests_properties(fleet_pull PROPERTIES SKIP_RETURN_CODE 77)
  endif()
endif()
if(IAM_TESTS AND NOT IAM_SANITIZE)
  iam_add_script_test(fleet_pull_https
    COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/fleet/test_pull_https.sh $<TARGET_FILE:iamctl>
            $<TARGET_FILE:bundle_forge> $<TARGET_FILE:nss_iam> $<TARGET_FILE:pam_iam>
            ${PAM_WRAPPER_LIBRARY} ${CMAKE_CURRENT_SOURCE_DIR}/fleet/gen_export.py
    LABELS module TIMEOUT 300)
  set_tests_properties(fleet_pull_https PROPERTIES SKIP_RETURN_CODE 77)
endif()
# The manifest a host reads from an untrusted origin first, on hostile bytes.
if(IAM_FUZZ)
  iam_add_fuzz(fuzz_bundle_manifest
               SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/fuzz_bundle_manifest.c ${IAM_BUNDLE_SOURCES}
               LIBS PkgConfig::ZLIB
               CORPUS ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/bundle_manifest ARGS -max_len=8192)
endif()
