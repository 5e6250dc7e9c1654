// Assemble turns classic-BPF text in the kernel's bpf_asm syntax (tools/bpf/bpf_exp.y)
// into instructions; Disassemble turns any instructions back into text such that
// Assemble(Disassemble(p)) == p for every program, valid or not.
//
// The syntax is bpf_asm's (mnemonics case-insensitive; `;`, `/* */` and a line that
// starts with `#` are comments; labels `name:`; jump targets are labels), with these
// additions, all documented in docs/bpf.md:
//   - seccomp constants usable wherever a number is, spelt exactly so (upper case, so
//     that the syscall `kill` is not KILL): ALLOW, KILL_PROCESS, KILL_THREAD (KILL),
//     TRAP, TRAP(n), ERRNO(n), NOTIFY (USER_NOTIF), TRACE, TRACE(n), LOG, each also
//     with a SECCOMP_RET_ prefix; the seccomp_data offsets nr, arch, ip, ip.hi,
//     args[i], args[i].hi; AUDIT_ARCH_X86_64, AUDIT_ARCH_I386; x86_64 syscall names;
//   - a jump target may be a raw offset (a number) instead of a label;
//   - `.insn CODE, JT, JF, K` writes one raw instruction, whatever its code.
// Nothing is validated here: `ldb`, `mod`, `ret x`, out-of-range offsets all assemble.
//
// Errors (each with a 1-based line and column in `text`, all collected): unknown
// mnemonic or operand, a value that does not fit its field, an unknown constant or
// label, a duplicate label, a label with no instruction after it, a backward jump, and
// a label that is more than 255 instructions past a conditional jump (jt/jf are 8 bits;
// bpf_asm rejects it the same way).
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "bpf/insn.h"
#include "bpf/outcome.h"

namespace sclab::bpf {

struct AsmError {
  int line = 0;    // 1-based
  int column = 0;  // 1-based
  std::string message;

  // Format is "FILE:LINE:COL: error: MESSAGE".
  std::string Format(std::string_view file) const;
};

Outcome<std::vector<Insn>, std::vector<AsmError>> Assemble(std::string_view text);

// Disassemble prints one instruction per line (labels `L<index>:` on their own line
// before jump targets), using symbolic seccomp constants where they reproduce the
// exact value, and `.insn` for anything without an exact mnemonic form.
std::string Disassemble(std::span<const Insn> program);

}  // namespace sclab::bpf
