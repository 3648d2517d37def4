# iam_add_test(name SOURCES ... [LIBS ...] [LABELS ...] [ENV ...] [TIMEOUT s] [ARGS ...])
# One executable, linked with the iamtest helpers and cmocka, registered with CTest.
function(iam_add_test name)
  cmake_parse_arguments(T "" "TIMEOUT" "SOURCES;LIBS;LABELS;ENV;ARGS" ${ARGN})
  add_executable(${name} ${T_SOURCES})
  target_link_libraries(${name} PRIVATE iamtest ${T_LIBS})
  add_test(NAME ${name} COMMAND ${name} ${T_ARGS})
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 120)
  endif()
  if(NOT T_LABELS)
    set(T_LABELS unit)
  endif()
  set_tests_properties(${name} PROPERTIES LABELS "${T_LABELS}" TIMEOUT ${T_TIMEOUT})
  if(T_ENV)
    set_tests_properties(${name} PROPERTIES ENVIRONMENT "${T_ENV}")
  endif()
endfunction()

# iam_add_script_test(name COMMAND ... [LABELS ...] [ENV ...] [TIMEOUT s])
function(iam_add_script_test name)
  cmake_parse_arguments(T "" "TIMEOUT" "COMMAND;LABELS;ENV" ${ARGN})
  add_test(NAME ${name} COMMAND ${T_COMMAND})
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 300)
  endif()
  set_tests_properties(${name} PROPERTIES LABELS "${T_LABELS}" TIMEOUT ${T_TIMEOUT})
  if(T_ENV)
    set_tests_properties(${name} PROPERTIES ENVIRONMENT "${T_ENV}")
  endif()
endfunction()

# iam_add_fuzz(name SOURCES ... CORPUS dir [LIBS ...] [NO_CORE] [TIME s] [ARGS ...])
# A libFuzzer target (clang, IAM_FUZZ=ON) built with ASan and UBSan, where any undefined
# behaviour is fatal (-fno-sanitize-recover=all), linked with the instrumented core
# (iamcore_fuzz) unless NO_CORE. The CTest test (label fuzz) runs it TIME seconds (default 15)
# over a scratch copy of the seed corpus CORPUS, so new inputs stay out of the tree; crash
# inputs land in the build directory. Every target is also listed, with its corpus and options,
# in <build>/fuzz-targets.txt (name TAB corpus TAB options), which scripts/fuzz.sh reads for
# its long runs.
set(IAM_FUZZ_MANIFEST ${CMAKE_BINARY_DIR}/fuzz-targets.txt)
set(IAM_FUZZ_FLAGS -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all)
set(IAM_FUZZ_LIB_FLAGS -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all)
function(iam_add_fuzz name)
  cmake_parse_arguments(F "NO_CORE" "CORPUS;TIME" "SOURCES;LIBS;ARGS" ${ARGN})
  if(NOT F_TIME)
    set(F_TIME 15)
  endif()
  add_executable(${name} ${F_SOURCES})
  target_compile_options(${name} PRIVATE ${IAM_FUZZ_FLAGS})
  target_link_options(${name} PRIVATE ${IAM_FUZZ_FLAGS})
  if(NOT F_NO_CORE)
    list(APPEND F_LIBS iamcore_fuzz)
  endif()
  target_link_libraries(${name} PRIVATE ${F_LIBS})
  set(_work ${CMAKE_CURRENT_BINARY_DIR}/${name}_corpus)
  string(JOIN " " _args ${F_ARGS})
  add_test(NAME ${name}
    COMMAND sh -c "rm -rf \"$1\" && mkdir -p \"$1\" && cp \"$2\"/* \"$1\"/ && exec \"$0\" -max_total_time=${F_TIME} -timeout=10 -rss_limit_mb=2048 -artifact_prefix=\"$3/${name}-\" ${_args} \"$1\""
            $<TARGET_FILE:${name}> ${_work} ${F_CORPUS} ${CMAKE_CURRENT_BINARY_DIR})
  # A sanitizer report fails the test even if the process went on (a target or library built
  # some day without -fno-sanitize-recover).
  set_tests_properties(${name} PROPERTIES LABELS fuzz TIMEOUT 120
                       ENVIRONMENT "UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1"
                       FAIL_REGULAR_EXPRESSION "runtime error:;ERROR: AddressSanitizer;ERROR: LeakSanitizer")
  file(APPEND ${IAM_FUZZ_MANIFEST} "${name}\t${F_CORPUS}\t${_args}\n")
endfunction()
