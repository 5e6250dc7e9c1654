#include "bpf/program_io.h"

#include <fmt/format.h>

#include <bit>
#include <cstddef>
#include <cstring>

namespace sclab::bpf {

namespace {

// Insn has struct sock_filter's layout (insn.h), so on a little-endian host a program's
// memory is already the raw format and one copy converts either way.
constexpr bool kRawIsHostLayout = std::endian::native == std::endian::little &&
                                  offsetof(Insn, code) == 0 && offsetof(Insn, jt) == 2 &&
                                  offsetof(Insn, jf) == 3 && offsetof(Insn, k) == 4;

}  // namespace

std::vector<uint8_t> EncodeProgram(std::span<const Insn> program) {
  std::vector<uint8_t> out(program.size() * sizeof(Insn));
  if (program.empty()) {
    return out;
  }
  if constexpr (kRawIsHostLayout) {
    std::memcpy(out.data(), program.data(), out.size());
  } else {
    uint8_t* at = out.data();
    for (const Insn& insn : program) {
      at[0] = static_cast<uint8_t>(insn.code & 0xff);
      at[1] = static_cast<uint8_t>(insn.code >> 8);
      at[2] = insn.jt;
      at[3] = insn.jf;
      for (int i = 0; i < 4; ++i) {
        at[4 + i] = static_cast<uint8_t>((insn.k >> (8 * i)) & 0xff);
      }
      at += sizeof(Insn);
    }
  }
  return out;
}

Outcome<std::vector<Insn>, std::string> DecodeProgram(std::span<const uint8_t> bytes) {
  if (bytes.size() % sizeof(Insn) != 0) {
    return Err<std::string>{fmt::format(
        "length {} is not a multiple of 8 (the size of struct sock_filter)", bytes.size())};
  }
  std::vector<Insn> program(bytes.size() / sizeof(Insn));
  if (program.empty()) {
    return program;
  }
  if constexpr (kRawIsHostLayout) {
    std::memcpy(program.data(), bytes.data(), bytes.size());
  } else {
    for (size_t i = 0; i < program.size(); ++i) {
      const uint8_t* at = bytes.data() + i * sizeof(Insn);
      Insn& insn = program[i];
      insn.code = static_cast<uint16_t>(at[0] | (at[1] << 8));
      insn.jt = at[2];
      insn.jf = at[3];
      insn.k = static_cast<uint32_t>(at[4]) | (static_cast<uint32_t>(at[5]) << 8) |
               (static_cast<uint32_t>(at[6]) << 16) | (static_cast<uint32_t>(at[7]) << 24);
    }
  }
  return program;
}

}  // namespace sclab::bpf
