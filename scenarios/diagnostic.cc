#include "scenarios/diagnostic.h"

#include <fmt/format.h>

namespace sclab::scn {

std::string Diagnostic::Headline() const {
  return fmt::format("{}:{}:{}: error: {}", file, loc.line, loc.col, message);
}

std::string Diagnostic::Format() const {
  std::string out = Headline();
  out += '\n';
  if (source_line.empty()) {
    return out;
  }
  out += source_line;
  out += '\n';
  // Keep tabs from the source line so the caret lines up whatever the tab width.
  const size_t width = loc.col > 0 ? loc.col - 1 : 0;
  for (size_t i = 0; i < width; ++i) {
    out += i < source_line.size() && source_line[i] == '\t' ? '\t' : ' ';
  }
  out += "^\n";
  return out;
}

std::string SourceLine(std::string_view text, uint32_t line) {
  if (line == 0) {
    return {};
  }
  size_t start = 0;
  for (uint32_t current = 1; current < line; ++current) {
    const size_t nl = text.find('\n', start);
    if (nl == std::string_view::npos) {
      return {};
    }
    start = nl + 1;
  }
  size_t end = text.find('\n', start);
  if (end == std::string_view::npos) {
    end = text.size();
  }
  std::string_view result = text.substr(start, end - start);
  if (!result.empty() && result.back() == '\r') {
    result.remove_suffix(1);
  }
  return std::string(result);
}

Diagnostic MakeDiagnostic(std::string_view file, std::string_view text, Loc loc,
                          std::string message) {
  return Diagnostic{std::string(file), loc, std::move(message), SourceLine(text, loc.line)};
}

std::string FormatDiagnostics(const std::vector<Diagnostic>& diagnostics) {
  std::string out;
  for (const Diagnostic& d : diagnostics) {
    out += d.Format();
  }
  return out;
}

}  // namespace sclab::scn
