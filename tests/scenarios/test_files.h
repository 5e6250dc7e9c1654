// ReadTestFile reads tests/scenarios/data/NAME (or any path under the source tree
// given relative to it, e.g. "scenarios/corpus/x.scn" with from_root).
#pragma once

#include <fstream>
#include <sstream>
#include <string>
#include <string_view>

namespace sclab::scn::testing {

inline std::string ReadSourceFile(std::string_view relative) {
  std::ifstream in(std::string(SCLAB_SOURCE_DIR) + "/" + std::string(relative), std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

inline std::string ReadTestFile(std::string_view name) {
  return ReadSourceFile("tests/scenarios/data/" + std::string(name));
}

}  // namespace sclab::scn::testing
