# Shared build settings for every seccomp-lab target.

add_library(sclab_warnings INTERFACE)
target_compile_options(sclab_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion
  $<$<BOOL:${SCLAB_WERROR}>:-Werror>)

add_library(sclab_sanitizers INTERFACE)
if(SCLAB_SANITIZE)
  target_compile_options(sclab_sanitizers INTERFACE
    -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
  target_link_options(sclab_sanitizers INTERFACE -fsanitize=address,undefined)
endif()

# sclab_library(NAME ALIAS SOURCES ... [DEPS ...]): one static library per folder,
# includes rooted at the repository (#include "bpf/validator.h").
function(sclab_library name alias)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_library(${name} STATIC ${ARG_SOURCES})
  add_library(${alias} ALIAS ${name})
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR})
  target_link_libraries(${name} PUBLIC ${ARG_DEPS} PRIVATE sclab_warnings)
  target_link_libraries(${name} PUBLIC sclab_sanitizers)
endfunction()

# sclab_test(NAME SOURCES ... DEPS ... [LABELS ...]): one Boost.Test binary, registered with CTest.
function(sclab_test name)
  cmake_parse_arguments(ARG "" "TIMEOUT" "SOURCES;DEPS;LABELS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} Boost::unit_test_framework sclab_warnings
                        sclab_sanitizers)
  target_compile_definitions(${name} PRIVATE BOOST_TEST_DYN_LINK
                             SCLAB_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
  add_test(NAME ${name} COMMAND ${name} --color_output=false --report_level=short)
  if(ARG_TIMEOUT)
    set_tests_properties(${name} PROPERTIES TIMEOUT ${ARG_TIMEOUT})
  endif()
  if(ARG_LABELS)
    set_tests_properties(${name} PROPERTIES LABELS "${ARG_LABELS}")
  endif()
endfunction()
