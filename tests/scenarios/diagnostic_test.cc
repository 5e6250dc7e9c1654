// The diagnostic format: headline, source line, caret under the column (tabs kept).
#include "scenarios/diagnostic.h"

#include <boost/test/unit_test.hpp>

namespace sclab::scn {
namespace {

BOOST_AUTO_TEST_SUITE(scn_diagnostic)

BOOST_AUTO_TEST_CASE(format_is_headline_source_line_and_caret) {
  const std::string text = "scenario \"x\"\nprocess p\np: getppidd()\n";
  const Diagnostic d = MakeDiagnostic("a.scn", text, Loc{3, 4}, "unknown call `getppidd`");
  BOOST_TEST(d.Headline() == "a.scn:3:4: error: unknown call `getppidd`");
  BOOST_TEST(d.Format() ==
             "a.scn:3:4: error: unknown call `getppidd`\n"
             "p: getppidd()\n"
             "   ^\n");
}

BOOST_AUTO_TEST_CASE(caret_line_keeps_the_source_tabs) {
  const Diagnostic d = MakeDiagnostic("a.scn", "\t\tx y\n", Loc{1, 5}, "m");
  BOOST_TEST(d.Format() == "a.scn:1:5: error: m\n\t\tx y\n\t\t  ^\n");
}

BOOST_AUTO_TEST_CASE(source_lines_are_found_by_number) {
  BOOST_TEST(SourceLine("a\nb\r\nc", 2) == "b");
  BOOST_TEST(SourceLine("a\nb\nc", 3) == "c");
  BOOST_TEST(SourceLine("a\nb\nc", 4).empty());
  BOOST_TEST(SourceLine("a", 0).empty());
  const Diagnostic d = MakeDiagnostic("a.scn", "", Loc{9, 1}, "m");
  BOOST_TEST(d.Format() == "a.scn:9:1: error: m\n");
}

BOOST_AUTO_TEST_CASE(several_diagnostics_print_in_order) {
  const std::string text = "a\nb\n";
  const std::vector<Diagnostic> ds = {MakeDiagnostic("f", text, Loc{1, 1}, "one"),
                                      MakeDiagnostic("f", text, Loc{2, 1}, "two")};
  BOOST_TEST(FormatDiagnostics(ds) == "f:1:1: error: one\na\n^\nf:2:1: error: two\nb\n^\n");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace sclab::scn
