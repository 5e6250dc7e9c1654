// docs/model.md shows every built-in layout's byte map; this keeps them equal to
// RenderByteMap(). Each map sits in a block
//
//   <!-- bytemap: NAME -->
//   ```text
//   ...
//   ```
//
// Run with SCLAB_WRITE_DOCS=1 to rewrite the blocks from the renderer instead.
#include <boost/test/unit_test.hpp>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "model/layout.h"

namespace sclab::model {
namespace {

const std::string kDocPath = std::string(SCLAB_SOURCE_DIR) + "/docs/model.md";
const std::string kFence = "```";

std::string Marker(const std::string& name) { return "<!-- bytemap: " + name + " -->\n"; }

// BlockBounds finds the text between the marker's opening fence line and the closing
// fence; false when the marker or the fences are missing.
bool BlockBounds(const std::string& doc, const std::string& name, size_t* begin, size_t* end) {
  const size_t marker = doc.find(Marker(name));
  if (marker == std::string::npos) return false;
  const std::string open = kFence + "text\n";
  const size_t fence = marker + Marker(name).size();
  if (doc.compare(fence, open.size(), open) != 0) return false;
  *begin = fence + open.size();
  *end = doc.find(kFence + "\n", *begin);
  return *end != std::string::npos;
}

std::string ReadDoc() {
  std::ifstream in(kDocPath);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

BOOST_AUTO_TEST_SUITE(model_docs)

BOOST_AUTO_TEST_CASE(docs_show_every_builtin_byte_map_as_rendered) {
  std::string doc = ReadDoc();
  BOOST_TEST_REQUIRE(!doc.empty(), "cannot read " << kDocPath);
  const bool write = std::getenv("SCLAB_WRITE_DOCS") != nullptr;
  for (const std::string& name : UapiLayouts().Names()) {
    size_t begin = 0;
    size_t end = 0;
    BOOST_TEST_REQUIRE(BlockBounds(doc, name, &begin, &end),
                       "docs/model.md has no byte-map block for " << name);
    const std::string rendered = RenderByteMap(UapiLayout(name));
    if (write) {
      doc.replace(begin, end - begin, rendered);
    } else {
      BOOST_TEST(doc.substr(begin, end - begin) == rendered,
                 name << ": rerun with SCLAB_WRITE_DOCS=1 to update docs/model.md");
    }
  }
  if (write) std::ofstream(kDocPath) << doc;
}

BOOST_AUTO_TEST_CASE(docs_name_no_layout_the_registry_lacks) {
  const std::string doc = ReadDoc();
  const std::string prefix = "<!-- bytemap: ";
  for (size_t at = doc.find(prefix); at != std::string::npos; at = doc.find(prefix, at + 1)) {
    const size_t name_end = doc.find(" -->", at);
    BOOST_TEST_REQUIRE(name_end != std::string::npos);
    const std::string name = doc.substr(at + prefix.size(), name_end - at - prefix.size());
    BOOST_TEST(UapiLayouts().Find(name) != nullptr, "docs/model.md shows unknown " << name);
  }
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace sclab::model
