// Lex turns the text of a `.scn` file into tokens, one statement a line
// (SCENARIO_LANGUAGE.md "Lexical rules").
//
// Contract:
// - Names are [A-Za-z_][A-Za-z0-9_]*; numbers are decimal, 0x hex or 0o octal (a
//   minus sign is a separate token: the parser makes it unary). A decimal number
//   with a leading zero (`0644`) is refused as ambiguous, as is a number that does
//   not fit 64 bits or runs into letters (`12ab`).
// - "…" strings know the escapes \\ \" \n \t \0 and \xHH; `"""` opens a string that
//   may span lines, closed by the next `"""` (its first newline, if it follows the
//   opening quotes directly, and its last one are dropped).
// - `#` starts a comment to the end of the line; a newline ends a statement and is a
//   token of its own (kNewline), so the parser sees the line structure.
// - Two constructs are taken raw, because their contents are not scenario tokens:
//   the argument of `bytes(…)` (kRawBytes, up to the `)` on the same line), and the
//   lines of a `filter NAME bpf {` block (one kRawBlock token holding the lines
//   between that line and the line that is only `}`, unchanged so that assembler
//   columns stay true, except that a `#` comment is blanked: inside such a block `#`
//   starts a comment only at the start of a line or when followed by whitespace,
//   since `#k` is an immediate).
// - Every token records its position and its byte range in the text. Errors are
//   collected as diagnostics; lexing always reaches the end.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "scenarios/diagnostic.h"
#include "scenarios/loc.h"

namespace sclab::scn {

struct Token {
  enum class Kind : uint8_t {
    kName,
    kNumber,
    kString,        // "…" (text: the contents, escapes resolved)
    kTripleString,  // """…""" (text: the contents)
    kPunct,         // text: one of -> == != <= >= < > = : ( ) , & | + - [ ] { } .
    kRawBytes,      // text: what stands between `bytes(` and `)`
    kRawBlock,      // text: the lines of a bpf block; loc: its first line, column 1
    kNewline,
    kEnd,
  };
  Kind kind = Kind::kEnd;
  Loc loc;
  std::string text;     // name, punctuation, string contents, raw text
  uint64_t number = 0;  // kNumber
  size_t begin = 0;     // byte range of the token in the source
  size_t end = 0;

  bool Is(Kind k, std::string_view t) const { return kind == k && text == t; }
  bool IsPunct(std::string_view t) const { return Is(Kind::kPunct, t); }
  bool IsName(std::string_view t) const { return Is(Kind::kName, t); }
};

struct LexResult {
  std::vector<Token> tokens;  // always ends with kEnd
  std::vector<Diagnostic> diagnostics;
};

LexResult Lex(std::string_view file, std::string_view text);

}  // namespace sclab::scn
