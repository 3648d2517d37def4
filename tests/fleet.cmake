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
