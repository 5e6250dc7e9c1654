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

# Boost.Test's headers cost each test file several seconds to parse, about half of a
# cold build; every test target reuses one precompiled copy of them. A file that
# defines BOOST_TEST_MODULE must see its own #define before unit_test.hpp (that is
# what generates main()), so it is compiled without the precompiled header.
add_library(sclab_test_pch OBJECT ${CMAKE_CURRENT_LIST_DIR}/test_pch_anchor.cc)
target_link_libraries(sclab_test_pch PRIVATE Boost::unit_test_framework sclab_warnings
                      sclab_sanitizers)
target_compile_definitions(sclab_test_pch PRIVATE BOOST_TEST_DYN_LINK
                           SCLAB_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
target_precompile_headers(sclab_test_pch PRIVATE <boost/test/unit_test.hpp>
                          <boost/test/data/test_case.hpp> <boost/test/data/monomorphic.hpp>)

# sclab_test(NAME SOURCES ... DEPS ... [LABELS ...]): one Boost.Test binary, registered with CTest.
function(sclab_test name)
  cmake_parse_arguments(ARG "" "TIMEOUT" "SOURCES;DEPS;LABELS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} Boost::unit_test_framework sclab_warnings
                        sclab_sanitizers)
  target_compile_definitions(${name} PRIVATE BOOST_TEST_DYN_LINK
                             SCLAB_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
  target_precompile_headers(${name} REUSE_FROM sclab_test_pch)
  # With the precompiled header GCC 12 inlines std::string's operator+ differently
  # and reports false out-of-bounds memcpys inside it (its known std::string false
  # positives, e.g. GCC bugs 105651 and 105329); the libraries keep both warnings.
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND NOT CMAKE_DISABLE_PRECOMPILE_HEADERS)
    target_compile_options(${name} PRIVATE -Wno-array-bounds -Wno-stringop-overflow)
  endif()
  foreach(source IN LISTS ARG_SOURCES)
    cmake_path(ABSOLUTE_PATH source BASE_DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR}
               OUTPUT_VARIABLE path)
    file(READ ${path} text)
    if(text MATCHES "#define BOOST_TEST_MODULE")
      set_source_files_properties(${source} PROPERTIES SKIP_PRECOMPILE_HEADERS ON)
    endif()
  endforeach()
  add_test(NAME ${name} COMMAND ${name} --color_output=false --report_level=short)
  if(ARG_TIMEOUT)
    set_tests_properties(${name} PROPERTIES TIMEOUT ${ARG_TIMEOUT})
  endif()
  if(ARG_LABELS)
    set_tests_properties(${name} PROPERTIES LABELS "${ARG_LABELS}")
  endif()
endfunction()
