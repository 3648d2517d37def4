# The policy conformance corpus: one CTest per case directory under vectors/policy/, run by
# vector_runner against `iamctl simulate-custom-policy` (label: vectors). See vectors/README.md.
add_executable(vector_runner ${CMAKE_CURRENT_LIST_DIR}/vector_runner.c)
target_link_libraries(vector_runner PRIVATE PkgConfig::JANSSON)

file(GLOB IAM_VECTOR_REQUESTS CONFIGURE_DEPENDS
     ${CMAKE_CURRENT_LIST_DIR}/policy/*/request.json)
foreach(_req IN LISTS IAM_VECTOR_REQUESTS)
  get_filename_component(_dir ${_req} DIRECTORY)
  get_filename_component(_case ${_dir} NAME)
  add_test(NAME vector.${_case} COMMAND vector_runner $<TARGET_FILE:iamctl> ${_dir})
  set_tests_properties(vector.${_case} PROPERTIES LABELS vectors TIMEOUT 30)
endforeach()
