// LoadProgram reads a BPF program for the command line: raw sock_filter bytes (what
// seccomp_export_bpf writes), or bpf_asm text when the name ends in ".s".
//
// Errors are one line, in the tool's diagnostic form: "FILE: error: cannot read: …",
// "FILE: error: length 13 is not a multiple of 8 …", or for assembly the first
// "FILE:LINE:COL: error: …" (all assembler errors are returned, one per line).
#pragma once

#include <string>
#include <vector>

#include "bpf/insn.h"
#include "bpf/outcome.h"

namespace sclab::cli {

bpf::Outcome<std::vector<bpf::Insn>, std::string> LoadProgram(const std::string& path);

// ReadFile returns the whole file, or nullopt with `*error` set ("cannot read: …").
bool ReadFile(const std::string& path, std::string* contents, std::string* error);

}  // namespace sclab::cli
