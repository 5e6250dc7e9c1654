#include "cli/syscall_line.h"

#include <fmt/format.h>

#include <charconv>
#include <cstdint>
#include <vector>

#include "bpf/syscall_names.h"

namespace sclab::cli {
namespace {

// ParseU64 reads decimal or 0x-hex, optionally negative (two's complement).
std::optional<uint64_t> ParseU64(std::string_view s) {
  bool negative = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  int base = 10;
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    base = 16;
    s.remove_prefix(2);
  }
  if (s.empty()) {
    return std::nullopt;
  }
  uint64_t value = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value, base);
  if (ec != std::errc() || end != s.data() + s.size()) {
    return std::nullopt;
  }
  return negative ? 0 - value : value;
}

std::optional<uint32_t> ParseArch(std::string_view s) {
  if (s == "x86_64" || s == "AUDIT_ARCH_X86_64") {
    return bpf::kAuditArchX86_64;
  }
  if (s == "i386" || s == "AUDIT_ARCH_I386") {
    return bpf::kAuditArchI386;
  }
  if (auto v = ParseU64(s); v && *v <= 0xffffffffULL) {
    return static_cast<uint32_t>(*v);
  }
  return std::nullopt;
}

struct Word {
  std::string_view text;
  int column;  // 1-based
};

std::vector<Word> Split(std::string_view line) {
  std::vector<Word> words;
  size_t i = 0;
  auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\r'; };
  while (i < line.size()) {
    while (i < line.size() && blank(line[i])) {
      ++i;
    }
    if (i >= line.size() || line[i] == '#') {
      break;
    }
    const size_t start = i;
    while (i < line.size() && !blank(line[i])) {
      ++i;
    }
    words.push_back(Word{line.substr(start, i - start), static_cast<int>(start) + 1});
  }
  return words;
}

}  // namespace

bpf::Outcome<std::optional<bpf::SeccompData>, SyscallLineError> ParseSyscallLine(
    std::string_view line) {
  using Error = bpf::Err<SyscallLineError>;
  const std::vector<Word> words = Split(line);
  if (words.empty()) {
    return std::optional<bpf::SeccompData>();
  }
  bpf::SeccompData out;
  out.arch = bpf::kAuditArchX86_64;
  const Word& nr = words[0];
  if (auto v = ParseU64(nr.text)) {
    const auto as_signed = static_cast<int64_t>(*v);
    if (*v > 0xffffffffULL && as_signed < INT32_MIN) {
      return Error{{nr.column, fmt::format("syscall number {} out of range", nr.text)}};
    }
    out.nr = static_cast<int32_t>(static_cast<uint32_t>(*v));
  } else if (auto named = bpf::X86_64SyscallNumber(nr.text)) {
    out.nr = *named;
  } else {
    return Error{{nr.column, fmt::format("unknown syscall '{}'", nr.text)}};
  }
  size_t args = 0;
  for (size_t i = 1; i < words.size(); ++i) {
    const Word& w = words[i];
    if (w.text.rfind("arch=", 0) == 0) {
      auto arch = ParseArch(w.text.substr(5));
      if (!arch) {
        return Error{{w.column, fmt::format("bad arch '{}' (x86_64, i386 or a number)",
                                            w.text.substr(5))}};
      }
      out.arch = *arch;
    } else if (w.text.rfind("ip=", 0) == 0) {
      auto ip = ParseU64(w.text.substr(3));
      if (!ip) {
        return Error{{w.column, fmt::format("bad ip '{}'", w.text.substr(3))}};
      }
      out.instruction_pointer = *ip;
    } else {
      if (args == 6) {
        return Error{{w.column, "more than 6 arguments"}};
      }
      auto v = ParseU64(w.text);
      if (!v) {
        return Error{{w.column, fmt::format("bad argument '{}' (decimal or 0x hex)", w.text)}};
      }
      out.args[args++] = *v;
    }
  }
  return std::optional<bpf::SeccompData>(out);
}

}  // namespace sclab::cli
