#include "cli/program_file.h"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "bpf/assembler.h"
#include "bpf/program_io.h"

namespace sclab::cli {

bool ReadFile(const std::string& path, std::string* contents, std::string* error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    *error = fmt::format("{}: error: cannot read: {}", path, std::strerror(errno));
    return false;
  }
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) {
    *error = fmt::format("{}: error: cannot read: {}", path, std::strerror(errno));
    return false;
  }
  *contents = buffer.str();
  return true;
}

bpf::Outcome<std::vector<bpf::Insn>, std::string> LoadProgram(const std::string& path) {
  using Error = bpf::Err<std::string>;
  std::string contents;
  std::string error;
  if (!ReadFile(path, &contents, &error)) {
    return Error{error};
  }
  const bool is_asm = path.size() >= 2 && path.compare(path.size() - 2, 2, ".s") == 0;
  if (is_asm) {
    auto assembled = bpf::Assemble(contents);
    if (!assembled.ok()) {
      std::string lines;
      for (const bpf::AsmError& e : assembled.error()) {
        if (!lines.empty()) {
          lines += "\n";
        }
        lines += e.Format(path);
      }
      return Error{lines};
    }
    return std::move(assembled).value();
  }
  const std::vector<uint8_t> bytes(contents.begin(), contents.end());
  auto decoded = bpf::DecodeProgram(bytes);
  if (!decoded.ok()) {
    return Error{fmt::format("{}: error: {}", path, decoded.error())};
  }
  return std::move(decoded).value();
}

}  // namespace sclab::cli
