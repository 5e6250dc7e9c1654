#include "golden.h"

#include <boost/test/unit_test.hpp>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace sclab::scn::testing {
namespace {

std::string LineOf(const std::string& text, size_t index) {
  std::istringstream in(text);
  std::string line;
  for (size_t i = 0; std::getline(in, line); ++i) {
    if (i == index) {
      return line;
    }
  }
  return "(end of text)";
}

}  // namespace

std::string GoldenPath(std::string_view name) {
  return std::string(SCLAB_SOURCE_DIR) + "/tests/scenarios/golden/" + std::string(name) + ".txt";
}

void CheckGolden(std::string_view name, const std::string& actual) {
  const std::string path = GoldenPath(name);
  const char* update = std::getenv("SCLAB_UPDATE_GOLDEN");
  if (update != nullptr && std::string_view(update) == "1") {
    std::ofstream out(path, std::ios::binary);
    out << actual;
    BOOST_TEST_REQUIRE(out.good(), "cannot write " << path);
    BOOST_TEST_MESSAGE("golden file written: " << path);
    return;
  }
  std::ifstream in(path, std::ios::binary);
  BOOST_TEST_REQUIRE(in.good(),
                     "missing golden file " << path << " (write it with SCLAB_UPDATE_GOLDEN=1)");
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string expected = buffer.str();
  if (expected == actual) {
    return;
  }
  size_t line = 0;
  for (size_t i = 0; i < std::min(expected.size(), actual.size()) && expected[i] == actual[i];
       ++i) {
    if (expected[i] == '\n') {
      ++line;
    }
  }
  BOOST_ERROR("output differs from " << path << " at line " << line + 1
                                     << ":\n  golden: " << LineOf(expected, line)
                                     << "\n  actual: " << LineOf(actual, line)
                                     << "\n(regenerate with SCLAB_UPDATE_GOLDEN=1 if intended)");
}

}  // namespace sclab::scn::testing
