// The lexer: token kinds and positions, numbers, strings, comments, the two raw
// constructs, and each lexical error with its exact position.
#include "scenarios/lexer.h"

#include <boost/test/unit_test.hpp>

namespace sclab::scn {
namespace {

using K = Token::Kind;

std::vector<Token> Tokens(std::string_view text) {
  LexResult r = Lex("t.scn", text);
  BOOST_TEST_REQUIRE(r.diagnostics.empty(), FormatDiagnostics(r.diagnostics));
  return r.tokens;
}

std::string Errors(std::string_view text) {
  std::string out;
  for (const Diagnostic& d : Lex("t.scn", text).diagnostics) {
    out += d.Headline() + "\n";
  }
  return out;
}

BOOST_AUTO_TEST_SUITE(scn_lexer)

BOOST_AUTO_TEST_CASE(a_step_line_becomes_names_and_punctuation_with_positions) {
  const auto t = Tokens("target: getppid() & -> c1 = -EPERM  # why\n");
  BOOST_TEST_REQUIRE(t.size() == 13u);
  BOOST_TEST(t[0].IsName("target"));
  BOOST_TEST(t[0].loc.line == 1u);
  BOOST_TEST(t[0].loc.col == 1u);
  BOOST_TEST(t[1].IsPunct(":"));
  BOOST_TEST(t[2].IsName("getppid"));
  BOOST_TEST(t[2].loc.col == 9u);
  BOOST_TEST(t[3].IsPunct("("));
  BOOST_TEST(t[4].IsPunct(")"));
  BOOST_TEST(t[5].IsPunct("&"));
  BOOST_TEST(t[6].IsPunct("->"));
  BOOST_TEST(t[7].IsName("c1"));
  BOOST_TEST(t[8].IsPunct("="));
  BOOST_TEST(t[9].IsPunct("-"));
  BOOST_TEST(t[10].IsName("EPERM"));
  BOOST_TEST((t[11].kind == K::kNewline));
  BOOST_TEST((t[12].kind == K::kEnd));
  BOOST_TEST(t[6].begin == 20u);
  BOOST_TEST(t[6].end == 22u);
}

BOOST_AUTO_TEST_CASE(two_character_operators_win_over_one_character_ones) {
  const auto t = Tokens("a == b != c <= d >= e < f > g | h + i . j [ k ] { }");
  std::vector<std::string> punct;
  for (const Token& tok : t) {
    if (tok.kind == K::kPunct) {
      punct.push_back(tok.text);
    }
  }
  const std::vector<std::string> want = {"==", "!=", "<=", ">=", "<", ">", "|",
                                         "+",  ".",  "[",  "]",  "{", "}"};
  BOOST_TEST(punct == want, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(numbers_are_decimal_hex_or_0o_octal) {
  const auto t = Tokens("0 42 0x7fff0000 0XfF 0o755 18446744073709551615");
  BOOST_TEST(t[0].number == 0u);
  BOOST_TEST(t[1].number == 42u);
  BOOST_TEST(t[2].number == 0x7fff0000u);
  BOOST_TEST(t[3].number == 0xffu);
  BOOST_TEST(t[4].number == 0755u);
  BOOST_TEST(t[5].number == 18446744073709551615u);
  BOOST_TEST(t[2].text == "0x7fff0000");
}

BOOST_AUTO_TEST_CASE(malformed_numbers_are_diagnostics_at_their_first_digit) {
  BOOST_TEST(Errors("seed 0644\n") ==
             "t.scn:1:6: error: `0644`: a number with a leading 0 is ambiguous; write 0o644 "
             "for octal or 644 for decimal\n");
  BOOST_TEST(Errors("x 12ab") == "t.scn:1:3: error: malformed number `12ab`\n");
  BOOST_TEST(Errors("x 0x") == "t.scn:1:3: error: malformed number `0x`\n");
  BOOST_TEST(Errors("x 0o8") == "t.scn:1:3: error: malformed number `0o8`\n");
  BOOST_TEST(Errors("x 18446744073709551616") ==
             "t.scn:1:3: error: `18446744073709551616` does not fit in 64 bits\n");
}

BOOST_AUTO_TEST_CASE(strings_resolve_their_escapes) {
  const auto t = Tokens(R"(mem s = "a\"b\\c\n\t\0\x41$scratch")");
  BOOST_TEST_REQUIRE((t[3].kind == K::kString));
  BOOST_TEST(t[3].text == std::string("a\"b\\c\n\t\0A$scratch", 17));
}

BOOST_AUTO_TEST_CASE(string_errors_point_at_the_string_or_the_escape) {
  BOOST_TEST(Errors("scenario \"abc\n") == "t.scn:1:10: error: unterminated string\n");
  BOOST_TEST(Errors("scenario \"a\\qb\"") == "t.scn:1:12: error: unknown escape `\\q`\n");
  BOOST_TEST(Errors("scenario \"\\x4\"") == "t.scn:1:11: error: \\x needs two hex digits\n");
  BOOST_TEST(Errors("about \"\"\"\nnever closed\n") ==
             "t.scn:1:7: error: unterminated \"\"\" string\n");
}

BOOST_AUTO_TEST_CASE(a_triple_quoted_string_spans_lines_and_drops_its_edge_newlines) {
  const auto t = Tokens("about \"\"\"\nline one\n  line two\n\"\"\"\nseed 3\n");
  BOOST_TEST_REQUIRE((t[1].kind == K::kTripleString));
  BOOST_TEST(t[1].text == "line one\n  line two");
  BOOST_TEST((t[2].kind == K::kNewline));
  BOOST_TEST(t[3].IsName("seed"));
  BOOST_TEST(t[3].loc.line == 5u);
}

BOOST_AUTO_TEST_CASE(comments_run_to_the_end_of_the_line) {
  const auto t = Tokens("# a comment line\nseed 1 # trailing\n");
  BOOST_TEST_REQUIRE(t.size() == 5u);
  BOOST_TEST((t[0].kind == K::kNewline));
  BOOST_TEST(t[1].IsName("seed"));
  BOOST_TEST(t[2].number == 1u);
  BOOST_TEST((t[3].kind == K::kNewline));
}

BOOST_AUTO_TEST_CASE(bytes_arguments_are_taken_raw) {
  const auto t = Tokens("p: mem b = bytes(de ad 00 ef)\n");
  BOOST_TEST_REQUIRE(t.size() >= 9u);
  BOOST_TEST(t[5].IsName("bytes"));
  BOOST_TEST(t[6].IsPunct("("));
  BOOST_TEST((t[7].kind == K::kRawBytes));
  BOOST_TEST(t[7].text == "de ad 00 ef");
  BOOST_TEST(t[7].loc.col == 18u);
  BOOST_TEST(t[8].IsPunct(")"));
  BOOST_TEST(Errors("p: mem b = bytes(de ad\n") ==
             "t.scn:1:18: error: bytes( needs its closing `)` on the same line\n");
}

BOOST_AUTO_TEST_CASE(a_bpf_block_is_one_raw_token_with_hash_immediates_kept) {
  const std::string text =
      "filter f bpf {\n"
      "    ld [0]   # the syscall number\n"
      "# a whole-line comment\n"
      "    jeq #39, yes, no\n"
      "}  # end\n"
      "seed 2\n";
  const auto t = Tokens(text);
  BOOST_TEST_REQUIRE(t.size() == 12u);
  BOOST_TEST(t[3].IsPunct("{"));
  BOOST_TEST((t[4].kind == K::kNewline));
  BOOST_TEST_REQUIRE((t[5].kind == K::kRawBlock));
  BOOST_TEST(t[5].loc.line == 2u);
  BOOST_TEST(t[5].text == "    ld [0]   \n\n    jeq #39, yes, no\n");
  BOOST_TEST(t[6].IsPunct("}"));
  BOOST_TEST(t[6].loc.line == 5u);
  BOOST_TEST(t[6].loc.col == 1u);
  BOOST_TEST((t[7].kind == K::kNewline));
  BOOST_TEST(t[8].IsName("seed"));
}

BOOST_AUTO_TEST_CASE(an_unclosed_bpf_block_is_reported_at_its_brace) {
  BOOST_TEST(Errors("filter f bpf {\n  ret #0\n") ==
             "t.scn:1:14: error: this `{` has no closing `}` line\n");
  BOOST_TEST(Errors("filter f bpf {") == "t.scn:1:14: error: this `{` has no closing `}` line\n");
}

BOOST_AUTO_TEST_CASE(stray_characters_are_reported_and_skipped) {
  BOOST_TEST(Errors("seed 1 % 2\n") == "t.scn:1:8: error: unexpected character `%`\n");
  BOOST_TEST(Errors("seed \x01") == "t.scn:1:6: error: unexpected byte 0x01\n");
  const LexResult r = Lex("t.scn", "a % b\n");
  BOOST_TEST(r.tokens.size() == 4u);  // a b newline end
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace sclab::scn
