# Tests for the trail: lookup-events, seal-logs/validate-logs, generate-policy and the findings,
# over a trail made by real logins (pamtester through pam_iam under pam_wrapper).
if(IAM_TESTS)
  iam_add_test(test_trail_unit SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_trail.c
               LIBS iamtrail LABELS unit)
  target_include_directories(test_trail_unit PRIVATE ${PROJECT_SOURCE_DIR}/common/trail)

  add_executable(trail_writer ${CMAKE_CURRENT_SOURCE_DIR}/trail/trail_writer.c)
  target_link_libraries(trail_writer PRIVATE iamcore)
  add_executable(trail_forge ${CMAKE_CURRENT_SOURCE_DIR}/trail/trail_forge.c)
  target_link_libraries(trail_forge PRIVATE iamtrail)
  target_include_directories(trail_forge PRIVATE ${PROJECT_SOURCE_DIR}/common/trail)

  # These scripts preload pam_wrapper alone into pamtester; a sanitizer-built module needs the
  # ASan runtime loaded first (docs/testing.md), so they run in the plain build only (the unit
  # test above runs in both).
  if(NOT IAM_SANITIZE)
    iam_add_script_test(trail_lookup_seal
      COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/trail/test_trail.sh $<TARGET_FILE:iamctl>
              $<TARGET_FILE:pam_iam_testclock> ${PAM_WRAPPER_LIBRARY} $<TARGET_FILE:trail_writer>
              $<TARGET_FILE:trail_forge> ${PROJECT_SOURCE_DIR}/packaging/logrotate/iam
      LABELS module TIMEOUT 600)
    set_tests_properties(trail_lookup_seal PROPERTIES SKIP_RETURN_CODE 77)
    iam_add_script_test(trail_findings
      COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/trail/test_findings.sh $<TARGET_FILE:iamctl>
              $<TARGET_FILE:pam_iam_testclock> ${PAM_WRAPPER_LIBRARY}
      LABELS module TIMEOUT 600)
    set_tests_properties(trail_findings PROPERTIES SKIP_RETURN_CODE 77)
  endif()
endif()

# Benchmark (not a test): lookup-events beside jq at 10,000 / 100,000 / 1,000,000 records.
#   tests/bench/bench_trail.sh build/iamctl/iamctl build/tests/gen_trail
if(IAM_BENCH)
  add_executable(gen_trail ${CMAKE_CURRENT_SOURCE_DIR}/bench/gen_trail.c)
  target_link_libraries(gen_trail PRIVATE iamcore)
endif()

# The scanner and the digest parser on hostile bytes (collected trails come from anywhere).
if(IAM_FUZZ)
  iam_add_fuzz(fuzz_trail SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/fuzz_trail.c
               ${PROJECT_SOURCE_DIR}/common/trail/fields.c ${PROJECT_SOURCE_DIR}/common/trail/digest.c
               CORPUS ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/trail ARGS -max_len=65536)
  target_include_directories(fuzz_trail PRIVATE ${PROJECT_SOURCE_DIR}/common/trail)
endif()
