#include "cli/bpf_command.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "bpf/action_cache.h"
#include "bpf/actions.h"
#include "bpf/assembler.h"
#include "bpf/interpreter.h"
#include "bpf/program_io.h"
#include "bpf/validator.h"
#include "cli/program_file.h"
#include "cli/syscall_line.h"

namespace sclab::cli {
namespace {

[[noreturn]] void Exit(int code) { throw CLI::RuntimeError(code); }

[[noreturn]] void BadInput(const std::string& line) {
  std::fprintf(stderr, "%s\n", line.c_str());
  Exit(2);
}

std::vector<bpf::Insn> LoadOrExit(const std::string& path) {
  auto program = LoadProgram(path);
  if (!program.ok()) {
    BadInput(program.error());
  }
  return std::move(program).value();
}

void AsmCommand(const std::string& path, const std::string& out_path) {
  std::string text;
  std::string error;
  if (!ReadFile(path, &text, &error)) {
    BadInput(error);
  }
  auto assembled = bpf::Assemble(text);
  if (!assembled.ok()) {
    for (const bpf::AsmError& e : assembled.error()) {
      std::fprintf(stderr, "%s\n", e.Format(path).c_str());
    }
    Exit(2);
  }
  const std::vector<bpf::Insn>& program = assembled.value();
  if (out_path.empty()) {
    for (const bpf::Insn& insn : program) {
      std::printf("{ 0x%02x, %2u, %2u, 0x%08x },\n", insn.code, insn.jt, insn.jf, insn.k);
    }
    return;
  }
  const std::vector<uint8_t> bytes = bpf::EncodeProgram(program);
  std::ofstream out(out_path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  out.close();
  if (!out) {
    BadInput(fmt::format("{}: error: cannot write", out_path));
  }
}

void DisasmCommand(const std::string& path) {
  std::fputs(bpf::Disassemble(LoadOrExit(path)).c_str(), stdout);
}

void CheckCommand(const std::string& path) {
  const std::vector<bpf::Insn> program = LoadOrExit(path);
  auto verdict = bpf::Validate(program);
  if (verdict.ok()) {
    std::printf("ok: %zu instructions\n", program.size());
    return;
  }
  std::printf("EINVAL: %s\n", verdict.error().Message().c_str());
  Exit(1);
}

void EmuCommand(const std::vector<std::string>& paths) {
  // Oldest first on the command line; the kernel runs them newest first.
  std::vector<std::unique_ptr<bpf::ValidatedProgram>> filters;
  std::vector<bpf::ActionCache> caches;
  for (const std::string& path : paths) {
    auto verdict = bpf::Validate(LoadOrExit(path));
    if (!verdict.ok()) {
      BadInput(fmt::format("{}: error: the kernel refuses this filter: EINVAL: {}", path,
                           verdict.error().Message()));
    }
    filters.push_back(std::make_unique<bpf::ValidatedProgram>(std::move(verdict).value()));
    caches.push_back(
        bpf::ActionCache::Prepare(*filters.back(), caches.empty() ? nullptr : &caches.back()));
  }
  std::vector<const bpf::ValidatedProgram*> newest_first;
  newest_first.reserve(filters.size());
  for (const auto& filter : filters) {
    newest_first.push_back(filter.get());
  }
  std::reverse(newest_first.begin(), newest_first.end());
  std::string line;
  int line_no = 0;
  while (std::getline(std::cin, line)) {
    ++line_no;
    auto parsed = ParseSyscallLine(line);
    if (!parsed.ok()) {
      BadInput(fmt::format("<stdin>:{}:{}: error: {}", line_no, parsed.error().column,
                           parsed.error().message));
    }
    if (!parsed.value().has_value()) {
      continue;
    }
    const bpf::SeccompData& data = *parsed.value();
    // seccomp_run_filters(): a set bit in the newest filter's cache skips every filter.
    const uint32_t ret = caches.back().Allows(data.arch, data.nr)
                             ? bpf::kRetAllow
                             : bpf::RunStack(newest_first, data).ret;
    std::printf("%s 0x%08x\n", bpf::FormatAction(ret).c_str(), ret);
  }
}

}  // namespace

void RegisterBpfCommands(CLI::App& app) {
  CLI::App* bpf = app.add_subcommand("bpf", "classic BPF: assemble, disassemble, check, emulate");
  bpf->require_subcommand(1);

  auto asm_path = std::make_shared<std::string>();
  auto asm_out = std::make_shared<std::string>();
  CLI::App* as = bpf->add_subcommand("asm", "assemble bpf_asm text");
  as->add_option("FILE", *asm_path, "bpf_asm source")->required();
  as->add_option("-o,--output", *asm_out, "write the raw program (seccomp_export_bpf format)");
  as->callback([asm_path, asm_out] { AsmCommand(*asm_path, *asm_out); });

  auto disasm_path = std::make_shared<std::string>();
  CLI::App* disasm = bpf->add_subcommand("disasm", "print a program as bpf_asm text");
  disasm->add_option("FILE", *disasm_path, "raw program, or bpf_asm text (.s)")->required();
  disasm->callback([disasm_path] { DisasmCommand(*disasm_path); });

  auto check_path = std::make_shared<std::string>();
  CLI::App* check = bpf->add_subcommand("check", "would the kernel accept this seccomp filter?");
  check->add_option("FILE", *check_path, "raw program, or bpf_asm text (.s)")->required();
  check->callback([check_path] { CheckCommand(*check_path); });

  auto emu_paths = std::make_shared<std::vector<std::string>>();
  CLI::App* emu = bpf->add_subcommand(
      "emu", "run a filter stack (first file = oldest) on syscalls read from stdin");
  emu->add_option("FILE", *emu_paths, "raw programs, or bpf_asm text (.s)")->required();
  emu->callback([emu_paths] { EmuCommand(*emu_paths); });
}

}  // namespace sclab::cli
