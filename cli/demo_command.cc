#include "cli/demo_command.h"

#include <fmt/format.h>

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "bpf/action_cache.h"
#include "bpf/actions.h"
#include "bpf/assembler.h"
#include "bpf/interpreter.h"
#include "bpf/syscall_names.h"
#include "bpf/validator.h"
#include "cli/program_file.h"
#include "cli/syscall_line.h"

namespace sclab::cli {
namespace {

// Directive returns the text after `; NAME:` on each line that has it.
std::vector<std::string> Directive(const std::string& text, std::string_view name) {
  std::vector<std::string> out;
  const std::string marker = fmt::format("; {}:", name);
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) {
      end = text.size();
    }
    const std::string_view line(text.data() + start, end - start);
    if (line.rfind(marker, 0) == 0) {
      std::string_view rest = line.substr(marker.size());
      while (!rest.empty() && rest.front() == ' ') {
        rest.remove_prefix(1);
      }
      out.emplace_back(rest);
    }
    start = end + 1;
  }
  return out;
}

// Describe summarises ConstantActions(): "5 always ALLOW, 465 always ERRNO(1), ...".
std::string ConstantSummary(const bpf::ValidatedProgram& program) {
  std::map<std::string, int> counts;
  int depends = 0;
  for (const auto& constant : bpf::ConstantActions(program.Original())) {
    if (constant) {
      ++counts[bpf::FormatAction(*constant)];
    } else {
      ++depends;
    }
  }
  std::vector<std::pair<int, std::string>> ordered;
  ordered.reserve(counts.size());
  for (const auto& [name, n] : counts) {
    ordered.emplace_back(-n, name);
  }
  std::sort(ordered.begin(), ordered.end());
  std::string out;
  for (const auto& [negative, name] : ordered) {
    out += fmt::format("{}{} always {}", out.empty() ? "" : ", ", -negative, name);
  }
  if (depends > 0) {
    out += fmt::format("{}{} depend on arguments", out.empty() ? "" : ", ", depends);
  }
  return out;
}

int RunExample(const std::filesystem::path& path) {
  std::string text;
  std::string error;
  if (!ReadFile(path.string(), &text, &error)) {
    std::fprintf(stderr, "%s\n", error.c_str());
    return 2;
  }
  const auto about = Directive(text, "about");
  std::printf("%s — %s\n", path.filename().c_str(), about.empty() ? "" : about.front().c_str());
  auto assembled = bpf::Assemble(text);
  if (!assembled.ok()) {
    std::fprintf(stderr, "%s\n", assembled.error().front().Format(path.string()).c_str());
    return 2;
  }
  auto verdict = bpf::Validate(assembled.value());
  if (!verdict.ok()) {
    std::printf("  the kernel refuses it: EINVAL: %s (%s)\n\n", verdict.error().Message().c_str(),
                verdict.error().rule);
    return 1;
  }
  const bpf::ValidatedProgram& program = verdict.value();
  std::printf("  the kernel accepts it: %d instructions, %d after conversion to eBPF\n",
              program.Length(), program.TranslatedLength());
  std::printf("  x86_64 syscall numbers: %s\n", ConstantSummary(program).c_str());
  const bpf::ActionCache cache = bpf::ActionCache::Prepare(program, nullptr);
  for (const std::string& line : Directive(text, "try")) {
    auto parsed = ParseSyscallLine(line);
    if (!parsed.ok() || !parsed.value()) {
      std::fprintf(stderr, "%s: error: bad `; try:` line '%s'\n", path.c_str(), line.c_str());
      return 2;
    }
    const bpf::SeccompData& data = *parsed.value();
    const std::string call = line.substr(0, line.find('#'));
    const bool cached = cache.Allows(data.arch, data.nr);
    const uint32_t ret = cached ? bpf::kRetAllow : bpf::Run(program, data).ret;
    const std::string comment = line.find('#') == std::string::npos
                                    ? std::string()
                                    : "  " + line.substr(line.find('#'));
    std::printf("    %-30s -> %-12s 0x%08x%s%s\n", call.substr(0, call.find_last_not_of(' ') + 1).c_str(),
                bpf::FormatAction(ret).c_str(), ret, cached ? "  (action cache)" : "",
                comment.c_str());
  }
  std::printf("\n");
  return 0;
}

// kDemoScenario is the corpus scenario whose timeline `demo` shows: a notification
// that a signal interrupts after RECV, the SA_RESTART restart that queues a new one
// with the next id, the supervisor's stale id answered ENOENT, and the queue state
// at every step: the notification rules, signals and restarts in one run.
constexpr const char* kDemoScenario = "signals/after_recv_sa_restart.scn";

// RunSelf runs this binary with `args` (check, trace) and returns its exit status.
int RunSelf(const std::vector<std::string>& args) {
  std::fflush(stdout);
  std::fflush(stderr);
  std::vector<char*> argv;
  std::string self = "seccomp-lab";
  argv.push_back(self.data());
  std::vector<std::string> copies = args;
  for (std::string& a : copies) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  if (posix_spawn(&pid, "/proc/self/exe", nullptr, nullptr, argv.data(), environ) != 0) {
    std::fprintf(stderr, "seccomp-lab demo: error: cannot run /proc/self/exe\n");
    return 2;
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return 2;
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 2;
}

int RunExamples(const std::string& dir) {
  std::vector<std::filesystem::path> files;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (entry.path().extension() == ".s") {
      files.push_back(entry.path());
    }
  }
  if (ec || files.empty()) {
    std::fprintf(stderr, "%s: error: no example filters (*.s) found\n", dir.c_str());
    return 2;
  }
  std::sort(files.begin(), files.end());
  std::printf(
      "seccomp-lab demo: each example filter is assembled, checked exactly as Linux 6.18 "
      "checks it,\nand run on a few syscalls exactly as the kernel runs it.\n\n");
  int accepted = 0;
  int refused = 0;
  for (const auto& file : files) {
    const int rc = RunExample(file);
    if (rc == 2) {
      return 2;
    }
    (rc == 0 ? accepted : refused)++;
  }
  std::printf("%zu example filters: %d accepted, %d refused by the kernel's checks\n",
              files.size(), accepted, refused);
  return 0;
}

}  // namespace

void RegisterDemoCommand(CLI::App& app) {
  auto dir = std::make_shared<std::string>(SCLAB_SOURCE_DIR "/bpf/examples");
  auto bpf_examples = std::make_shared<bool>(false);
  CLI::App* demo = app.add_subcommand(
      "demo", "check the corpus on the simulator and the real kernel, then explain one scenario");
  demo->add_flag("--bpf-examples", *bpf_examples,
                 "instead: run the bundled example filters (bpf/examples/*.s)");
  demo->add_option("--examples", *dir, "folder of example .s files (with --bpf-examples)");
  demo->callback([dir, bpf_examples] {
    if (*bpf_examples) {
      throw CLI::RuntimeError(RunExamples(*dir));
    }
    const std::string corpus = SCLAB_SOURCE_DIR "/scenarios/corpus";
    std::printf(
        "seccomp-lab demo, part 1: every corpus scenario on the simulated kernel and on the "
        "real one\n(`seccomp-lab check`; live runs need root and are skipped, with the reason, "
        "otherwise).\n\n");
    const int check = RunSelf({"check", corpus});
    std::printf(
        "\nseccomp-lab demo, part 2: one scenario explained step by step on the simulator\n"
        "(`seccomp-lab trace %s`): the reason behind each outcome, the kernel's notes,\n"
        "and the notification queue after every step.\n\n",
        kDemoScenario);
    const int trace = RunSelf({"trace", corpus + "/" + kDemoScenario});
    throw CLI::RuntimeError(check != 0 ? check : trace);
  });
}

}  // namespace sclab::cli
