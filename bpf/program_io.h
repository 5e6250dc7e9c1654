// The raw program format is what libseccomp's seccomp_export_bpf() writes and what
// seccomp(2) reads through `struct sock_fprog`: the instructions back to back, 8
// bytes each (u16 code, u8 jt, u8 jf, u32 k), little endian, no header.
//
// DecodeProgram fails only when the byte count is not a multiple of 8; an empty input
// decodes to an empty program (which the validator then rejects, as the kernel does).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "bpf/insn.h"
#include "bpf/outcome.h"

namespace sclab::bpf {

// EncodeProgram returns the raw little-endian bytes of `program`.
std::vector<uint8_t> EncodeProgram(std::span<const Insn> program);

// DecodeProgram parses raw bytes; the error is a one-line message
// ("length 13 is not a multiple of 8 (the size of struct sock_filter)").
Outcome<std::vector<Insn>, std::string> DecodeProgram(std::span<const uint8_t> bytes);

}  // namespace sclab::bpf
