# Tests for the shared core pieces owned by no single area (json reader, arena, error helpers).
if(IAM_TESTS)
  iam_add_test(test_json SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_json.c LABELS unit)
  iam_add_test(test_arena SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_arena.c LABELS unit)
  target_include_directories(test_arena PRIVATE ${PROJECT_SOURCE_DIR}/common)
endif()
