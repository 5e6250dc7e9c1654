// ParseSyscallLine reads one syscall description as `bpf emu` and the demo take it:
// `NR [A0 … A5] [arch=ARCH] [ip=IP]`. NR is a number (decimal, 0x hex, may be
// negative) or an x86_64 syscall name; arguments are 64-bit numbers (missing ones are
// 0); ARCH is x86_64, i386 or a number (default x86_64). `#` starts a comment.
//
// Returns nullopt for a blank or comment-only line; an error carries the 1-based
// column of the offending word and a message ("unknown syscall 'getpidd'").
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "bpf/interpreter.h"
#include "bpf/outcome.h"

namespace sclab::cli {

struct SyscallLineError {
  int column = 1;
  std::string message;
};

bpf::Outcome<std::optional<bpf::SeccompData>, SyscallLineError> ParseSyscallLine(
    std::string_view line);

}  // namespace sclab::cli
