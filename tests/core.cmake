# Tests for the shared core pieces owned by no single area (json reader, error helpers).
if(IAM_TESTS)
  iam_add_test(test_json SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_json.c LABELS unit)
endif()
