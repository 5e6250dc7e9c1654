// RegisterBpfCommands adds `seccomp-lab bpf asm|disasm|check|emu` to the app.
//
//   bpf asm FILE.s [-o OUT.bpf]   assemble; without -o print one `{ code, jt, jf, k },`
//                                 line per instruction (bpf_asm -c style)
//   bpf disasm FILE               print bpf_asm text
//   bpf check FILE                exit 0 "ok: N instructions", or exit 1
//                                 "EINVAL: insn 7: …" (the kernel's verdict)
//   bpf emu FILE [FILE…]          the files form a filter stack, first = oldest; each
//                                 stdin line `NR [A0 … A5] [arch=ARCH] [ip=IP]` prints
//                                 the stack's verdict, e.g. "ERRNO(1) 0x00050001"
//
// FILE is raw sock_filter bytes, or bpf_asm text when it ends in ".s". Bad input
// (unreadable file, odd length, assembly error, bad stdin line) is a one-line
// diagnostic and exit status 2. Commands report their status by throwing
// CLI::RuntimeError(code), which main() turns into the exit status.
#pragma once

#include <CLI/CLI.hpp>

namespace sclab::cli {

void RegisterBpfCommands(CLI::App& app);

}  // namespace sclab::cli
