# Tests for iamctl validate-policy and the validator in common/policy/validate/.
if(IAM_TESTS)
  # Unit tests of the API (positions, paths, JSON shape, catalogue completeness, engine step).
  iam_add_test(test_validate SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_validate.c TIMEOUT 600
               LABELS unit
               ENV "IAM_VALIDATE_VECTORS=${CMAKE_CURRENT_SOURCE_DIR}/vectors/validate"
                   "IAM_FINDINGS_DOC=${PROJECT_SOURCE_DIR}/docs/findings.md")

  # The write-path gate (iamctl/policy_check.c), built alone with its test.
  iam_add_test(test_policy_check
               SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_policy_check.c
                       ${PROJECT_SOURCE_DIR}/iamctl/policy_check.c
               LABELS unit)
  target_include_directories(test_policy_check PRIVATE ${PROJECT_SOURCE_DIR}/iamctl)

  # One CTest per check: tests/vectors/validate/<ISSUE_CODE>/{trigger,clean}.json
  add_executable(validate_vector_runner ${CMAKE_CURRENT_SOURCE_DIR}/vectors/validate_runner.c)
  target_link_libraries(validate_vector_runner PRIVATE iamtest)
  file(GLOB IAM_VALIDATE_VECTOR_DIRS CONFIGURE_DEPENDS
       ${CMAKE_CURRENT_SOURCE_DIR}/vectors/validate/*/trigger.json)
  foreach(trigger ${IAM_VALIDATE_VECTOR_DIRS})
    get_filename_component(dir ${trigger} DIRECTORY)
    get_filename_component(code ${dir} NAME)
    add_test(NAME validate_${code}
             COMMAND validate_vector_runner ${dir} ${PROJECT_SOURCE_DIR}/docs/findings.md)
    set_tests_properties(validate_${code} PROPERTIES LABELS vectors TIMEOUT 30)
  endforeach()

  # The vectors and docs/findings.md are generated (vectors/validate-gen/); where Python 3 is at
  # hand, check that the committed files are what the generators write. CI does not need Python.
  find_package(Python3 COMPONENTS Interpreter QUIET)
  if(Python3_Interpreter_FOUND)
    add_test(NAME validate.generator-fresh
             COMMAND ${Python3_EXECUTABLE} -B
                     ${CMAKE_CURRENT_SOURCE_DIR}/vectors/validate-gen/gen.py
                     ${CMAKE_CURRENT_SOURCE_DIR}/vectors/validate --check)
    add_test(NAME validate.findings-doc-fresh
             COMMAND ${Python3_EXECUTABLE} -B
                     ${CMAKE_CURRENT_SOURCE_DIR}/vectors/validate-gen/doc.py ${PROJECT_SOURCE_DIR}
                     --check)
    set_tests_properties(validate.generator-fresh validate.findings-doc-fresh
                         PROPERTIES LABELS vectors TIMEOUT 120)
  endif()

  # The command line: output shape, exit codes, file:// reading.
  iam_add_script_test(test_iamctl_validate
    COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/module/test_iamctl_validate.sh $<TARGET_FILE:iamctl>
            ${CMAKE_CURRENT_SOURCE_DIR}/vectors/validate
    LABELS unit TIMEOUT 60)

  # Every policy write goes through the checks (put-user-policy, create-policy, import, ...).
  iam_add_script_test(test_iamctl_policy_gate
    COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/module/test_iamctl_policy_gate.sh $<TARGET_FILE:iamctl>
            ${CMAKE_CURRENT_SOURCE_DIR}/data
    LABELS unit TIMEOUT 120)
endif()

if(IAM_BENCH)
  add_executable(bench_validate ${CMAKE_CURRENT_SOURCE_DIR}/bench/bench_validate.c)
  target_link_libraries(bench_validate PRIVATE iamcore)
endif()

if(IAM_FUZZ)
  # fuzz_validate: the validator and the engine it calls. Seeds: every validate vector policy
  # under 16 KiB, copied into a corpus folder in the build tree.
  set(_validate_corpus ${CMAKE_CURRENT_BINARY_DIR}/fuzz_validate_seeds)
  file(GLOB _validate_seeds ${CMAKE_CURRENT_SOURCE_DIR}/vectors/validate/*/*.json)
  foreach(seed ${_validate_seeds})
    file(SIZE ${seed} _size)
    if(_size LESS 16384)
      get_filename_component(_dir ${seed} DIRECTORY)
      get_filename_component(_code ${_dir} NAME)
      get_filename_component(_name ${seed} NAME)
      configure_file(${seed} ${_validate_corpus}/${_code}_${_name} COPYONLY)
    endif()
  endforeach()
  iam_add_fuzz(fuzz_validate SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/fuzz_validate.c
               CORPUS ${_validate_corpus} TIME 30 ARGS -seed=1 -max_len=8192)
endif()
