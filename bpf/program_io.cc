#include "bpf/program_io.h"

#include <fmt/format.h>

namespace sclab::bpf {

std::vector<uint8_t> EncodeProgram(std::span<const Insn> program) {
  std::vector<uint8_t> out;
  out.reserve(program.size() * sizeof(Insn));
  for (const Insn& insn : program) {
    out.push_back(static_cast<uint8_t>(insn.code & 0xff));
    out.push_back(static_cast<uint8_t>(insn.code >> 8));
    out.push_back(insn.jt);
    out.push_back(insn.jf);
    for (int shift = 0; shift < 32; shift += 8) {
      out.push_back(static_cast<uint8_t>((insn.k >> shift) & 0xff));
    }
  }
  return out;
}

Outcome<std::vector<Insn>, std::string> DecodeProgram(std::span<const uint8_t> bytes) {
  if (bytes.size() % sizeof(Insn) != 0) {
    return Err<std::string>{fmt::format(
        "length {} is not a multiple of 8 (the size of struct sock_filter)", bytes.size())};
  }
  std::vector<Insn> program;
  program.reserve(bytes.size() / sizeof(Insn));
  for (size_t at = 0; at < bytes.size(); at += sizeof(Insn)) {
    Insn insn;
    insn.code = static_cast<uint16_t>(bytes[at] | (bytes[at + 1] << 8));
    insn.jt = bytes[at + 2];
    insn.jf = bytes[at + 3];
    insn.k = static_cast<uint32_t>(bytes[at + 4]) | (static_cast<uint32_t>(bytes[at + 5]) << 8) |
             (static_cast<uint32_t>(bytes[at + 6]) << 16) |
             (static_cast<uint32_t>(bytes[at + 7]) << 24);
    program.push_back(insn);
  }
  return program;
}

}  // namespace sclab::bpf
