// Diagnostic is one error found in a scenario file before anything runs (or, with
// the same format, a run-time error of a step): a position, a message, and the
// source line it points into.
//
// Format() prints the compiler-style report every tool of the project uses:
//
//   notify.scn:14:9: error: unknown name `getppidd`
//       target: getppidd() & -> c1
//               ^
//
// The caret line repeats the source line's leading tabs so that the caret stands
// under the column on any tab width. Columns count bytes, 1-based.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "scenarios/loc.h"

namespace sclab::scn {

struct Diagnostic {
  std::string file;
  Loc loc;
  std::string message;
  std::string source_line;  // the line `loc` points into, without its newline

  // Headline is "FILE:LINE:COL: error: MESSAGE".
  std::string Headline() const;
  // Format is the headline, the source line and the caret line, each ending in '\n'
  // (just the headline when the source line is unknown).
  std::string Format() const;
};

// SourceLine returns line `line` (1-based) of `text` without its newline, or "".
std::string SourceLine(std::string_view text, uint32_t line);

// MakeDiagnostic builds a Diagnostic whose source line is taken from `text`.
Diagnostic MakeDiagnostic(std::string_view file, std::string_view text, Loc loc,
                          std::string message);

// FormatDiagnostics concatenates the Format() of each, in the order given.
std::string FormatDiagnostics(const std::vector<Diagnostic>& diagnostics);

}  // namespace sclab::scn
