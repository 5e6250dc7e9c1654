// deep_args's kernel hooks: the old ABI is Linux 6.18; the new one accepts the filter
// flag, validates such filters with the wider window, copies the syscall's struct once
// before the filters run (and notes whether the copy succeeded), lets openat2 use that
// copy, and delivers it with RECV_DEEP.
#include "kernel_sim/proposals/hooks.h"
#include "kernel_sim/proposals/deep_args/deep_args.h"
#include "kernel_sim/proposals/ioctl_number.h"
#include "model/syscall_table.h"

namespace sclab::ksim::proposals::deep_args {

namespace {

// EaNote is what the kernel remembers about the syscall's one copy.
struct EaNote final : SyscallNote {
  EaCopy ea;
  int32_t nr = 0;
};

model::seccomp_data ModelData(const bpf::SeccompData& sd) {
  model::seccomp_data d{};
  d.nr = sd.nr;
  d.arch = sd.arch;
  d.instruction_pointer = sd.instruction_pointer;
  for (size_t i = 0; i < 6; ++i) d.args[i] = sd.args[i];
  return d;
}

class DeepArgsHooks final : public ProposalHooks {
 public:
  uint32_t ExtraFilterFlags() const override { return kFilterFlagDeepArgs; }

  bpf::ValidateOptions ValidateOptionsFor(uint32_t flags) const override {
    auto o =
        deep_args::ValidateOptionsFor(flags & (kKnownFilterFlags | kFilterFlagDeepArgs), Abi::kNew);
    return o.ok() ? o.value() : bpf::ValidateOptions{};
  }

  std::vector<uint8_t> FilterData(const model::UserMemory& mem, model::CopyCounters* counters,
                                  const bpf::SeccompData& sd, uint32_t len,
                                  std::shared_ptr<const SyscallNote>* note) override {
    auto n = std::make_shared<EaNote>();
    const model::seccomp_data data = ModelData(sd);
    n->ea = SeccompCopyEa(mem, counters, data);
    n->nr = sd.nr;
    // The whole copy stays in the buffer (the notification carries it), however little
    // of it the filters read.
    const uint32_t whole =
        n->ea.present ? kEaOffset + static_cast<uint32_t>(n->ea.bytes.size()) : 0;
    std::vector<uint8_t> out = BuildFilterData(data, n->ea, std::max(len, whole));
    *note = std::move(n);
    return out;
  }

  std::optional<model::SysResult<model::open_how>> Openat2How(const SyscallNote* note,
                                                              uint64_t /*usize*/) override {
    const auto* n = dynamic_cast<const EaNote*>(note);
    if (n == nullptr || n->nr != model::nr::kOpenat2) return std::nullopt;
    return OpenHowFromCopy(n->ea);
  }

  std::optional<model::SysResult<HookResult>> ListenerIoctl(ListenerCall& call, uint32_t cmd,
                                                            uint64_t arg) override {
    if (!SameIoctlIgnoringSize(cmd, kIoctlNotifRecvDeep)) return std::nullopt;
    const uint64_t len = IoctlSize(cmd);
    return ReceiveOne(
        call, [&] { return RecvDeepPrepare(len); },
        [&](const NotificationFacts& facts) -> model::SysResult<int64_t> {
          return AsValue(
              SeccompNotifyRecvDeep(call.mem, call.counters, arg, len, facts,
                                    EaCopyFromFilterData(facts.data, facts.filter_data)));
        });
  }
};

}  // namespace

std::unique_ptr<ProposalHooks> KernelHooks(Abi kernel) {
  if (kernel == Abi::kOld) return nullptr;
  return std::make_unique<DeepArgsHooks>();
}

}  // namespace sclab::ksim::proposals::deep_args
