# The documents' tables of the host vocabulary (actions, context keys, authentication methods)
# are generated from iam/host.h; the test fails when docs/architecture.md or README.md differ.
if(IAM_TESTS)
  add_executable(host_vocabulary ${CMAKE_CURRENT_SOURCE_DIR}/docs/host_vocabulary.c)
  target_include_directories(host_vocabulary PRIVATE ${IAM_CORE_PUBLIC_INCLUDE})
  iam_add_script_test(docs_host_vocabulary
    COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/docs/test_host_vocabulary.sh
            $<TARGET_FILE:host_vocabulary> ${PROJECT_SOURCE_DIR}/docs/architecture.md
            ${PROJECT_SOURCE_DIR}/README.md
    LABELS unit TIMEOUT 30)
endif()
