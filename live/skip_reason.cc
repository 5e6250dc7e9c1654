#include "live/skip_reason.h"

#include <sys/utsname.h>
#include <unistd.h>

#include <cstdio>

#include "live/proc_reader.h"
#include "model/syscall_table.h"

namespace sclab::live {
namespace {

constexpr uint32_t kRetActionFull = 0xffff0000u;
constexpr uint32_t kRetUserNotif = 0x7fc00000u;
constexpr uint16_t kBpfRetK = 0x06;  // BPF_RET | BPF_K

bool UsesUserNotif(const scn::Scenario& scenario) {
  for (const scn::FilterDecl& filter : scenario.filters) {
    for (const bpf::Insn& insn : filter.program) {
      if (insn.code == kBpfRetK && (insn.k & kRetActionFull) == kRetUserNotif) {
        return true;
      }
    }
  }
  for (const scn::Step& step : scenario.steps) {
    if (step.kind != scn::Step::Kind::kCall) {
      continue;
    }
    switch (step.call.verb) {
      case scn::Verb::kRecv:
      case scn::Verb::kReply:
      case scn::Verb::kIdValid:
      case scn::Verb::kAddfd:
      case scn::Verb::kSetFlags:
        return true;
      default:
        break;
    }
  }
  return false;
}

bool AsksForIds(const scn::Scenario& scenario) {
  for (const scn::Step& step : scenario.steps) {
    if (step.kind != scn::Step::Kind::kCall) {
      continue;
    }
    int nr = -1;
    if (step.call.verb == scn::Verb::kSyscall) {
      nr = step.call.nr;
    }
    if (step.call.verb == scn::Verb::kRawSyscall && !step.call.args.empty() &&
        step.call.args[0].value.kind == scn::Expr::Kind::kNumber) {
      nr = static_cast<int>(step.call.args[0].value.number);
    }
    if (nr == model::nr::kGetuid || nr == model::nr::kGetgid) {
      return true;
    }
  }
  return false;
}

}  // namespace

LiveHost ProbeLiveHost() {
  LiveHost host;
  host.root = geteuid() == 0;
  utsname uts{};
  if (uname(&uts) == 0) {
    host.kernel = uts.release;
    std::sscanf(uts.release, "%d.%d", &host.kernel_major, &host.kernel_minor);
  }
  const std::string actions = ReadText("/proc/sys/kernel/seccomp/actions_avail");
  host.seccomp_filter = !actions.empty();
  host.user_notif = actions.find("user_notif") != std::string::npos;
  return host;
}

std::string LiveSkipReason(const scn::Scenario& scenario, const LiveHost& host) {
  if (!scenario.requires_proposals.empty()) {
    return "sim only: proposal " + scenario.requires_proposals.front() + " has no kernel";
  }
  if (!host.root) {
    for (const scn::ProcessDecl& process : scenario.processes) {
      if (process.privileged) {
        return "process " + process.name + " is privileged and the runner is not root";
      }
    }
    if (AsksForIds(scenario)) {
      return "getuid()/getgid() expect uid/gid 65534, which needs a root runner";
    }
  }
  if (scenario.requires_kernel) {
    const auto [major, minor] = *scenario.requires_kernel;
    if (host.kernel_major < major || (host.kernel_major == major && host.kernel_minor < minor)) {
      return "requires kernel >= " + std::to_string(major) + "." + std::to_string(minor) +
             ", this is " + host.kernel;
    }
  }
  if (!host.seccomp_filter) {
    return "this kernel has no seccomp filters (no actions_avail)";
  }
  if (!host.user_notif && UsesUserNotif(scenario)) {
    return "this kernel does not offer SECCOMP_RET_USER_NOTIF";
  }
  return "";
}

}  // namespace sclab::live
