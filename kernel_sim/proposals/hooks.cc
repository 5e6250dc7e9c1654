// MakeHooks' composite asks the plug-ins' hooks in registry order and gives each its
// own per-listener and per-call state slot; the baseline answers process_vm_readv().
#include "kernel_sim/proposals/hooks.h"

#include <algorithm>

#include "kernel_sim/proposals/registry.h"
#include "kernel_sim/proposals/today/today.h"

namespace sclab::ksim::proposals {

namespace {

// Slots holds one state slot per plug-in hook.
struct Slots final : ListenerState {
  std::vector<std::unique_ptr<ListenerState>> slot;
};

Slots& SlotsOf(std::unique_ptr<ListenerState>& s, size_t n) {
  if (s == nullptr) s = std::make_unique<Slots>();
  auto& slots = static_cast<Slots&>(*s);
  if (slots.slot.size() < n) slots.slot.resize(n);
  return slots;
}

class CompositeHooks final : public ProposalHooks {
 public:
  explicit CompositeHooks(std::vector<std::unique_ptr<ProposalHooks>> hooks)
      : hooks_(std::move(hooks)) {}

  uint32_t ExtraFilterFlags() const override {
    uint32_t flags = 0;
    for (const auto& h : hooks_) flags |= h->ExtraFilterFlags();
    return flags;
  }
  bpf::ValidateOptions ValidateOptionsFor(uint32_t flags) const override {
    bpf::ValidateOptions o;
    for (const auto& h : hooks_)
      o.data_size = std::max(o.data_size, h->ValidateOptionsFor(flags).data_size);
    return o;
  }
  std::vector<uint8_t> FilterData(const model::UserMemory& mem, model::CopyCounters* counters,
                                  const bpf::SeccompData& sd, uint32_t len,
                                  std::shared_ptr<const SyscallNote>* note) override {
    // Only a hook that widens the data (a new filter flag) builds it.
    for (const auto& h : hooks_) {
      if (h->ExtraFilterFlags() != 0) return h->FilterData(mem, counters, sd, len, note);
    }
    return ProposalHooks::FilterData(mem, counters, sd, len, note);
  }
  std::optional<model::SysResult<model::open_how>> Openat2How(const SyscallNote* note,
                                                              uint64_t usize) override {
    for (const auto& h : hooks_) {
      if (auto r = h->Openat2How(note, usize)) return r;
    }
    return std::nullopt;
  }
  bool ListenerReads() const override {
    return std::any_of(hooks_.begin(), hooks_.end(),
                       [](const auto& h) { return h->ListenerReads(); });
  }
  bool ListenerWrites() const override {
    return std::any_of(hooks_.begin(), hooks_.end(),
                       [](const auto& h) { return h->ListenerWrites(); });
  }
  std::optional<model::SysResult<HookResult>> ListenerIoctl(ListenerCall& call, uint32_t cmd,
                                                            uint64_t arg) override {
    return Ask(call,
               [&](ProposalHooks& h, ListenerCall& c) { return h.ListenerIoctl(c, cmd, arg); });
  }
  std::optional<model::SysResult<HookResult>> ListenerRead(ListenerCall& call, uint64_t buf,
                                                           uint64_t count) override {
    return Ask(call,
               [&](ProposalHooks& h, ListenerCall& c) { return h.ListenerRead(c, buf, count); });
  }
  std::optional<model::SysResult<HookResult>> ListenerWrite(ListenerCall& call, uint64_t buf,
                                                            uint64_t count) override {
    return Ask(call,
               [&](ProposalHooks& h, ListenerCall& c) { return h.ListenerWrite(c, buf, count); });
  }
  std::optional<model::SysResult<int64_t>> Syscall(SyscallCall& call, int nr) override {
    if (nr == today::kNrProcessVmReadv) {
      bool may_access = false;
      const model::UserMemory* target =
          call.find_memory(static_cast<int32_t>(call.args[0]), &may_access);
      if (target == nullptr) {
        return model::SysResult<int64_t>(
            model::Fail(model::kESRCH, "process_vm_rw_core: no task with that pid"));
      }
      return AsValue(today::ProcessVmReadv(call.mem, *target, call.counters, call.args[1],
                                           call.args[2], call.args[3], call.args[4], call.args[5],
                                           may_access));
    }
    for (const auto& h : hooks_) {
      if (auto r = h->Syscall(call, nr)) return r;
    }
    return std::nullopt;
  }

 private:
  template <class Fn>
  std::optional<model::SysResult<HookResult>> Ask(ListenerCall& call, Fn fn) {
    Slots& state = SlotsOf(call.state, hooks_.size());
    Slots& call_state = SlotsOf(call.call_state, hooks_.size());
    for (size_t i = 0; i < hooks_.size(); ++i) {
      ListenerCall mine{call.mem,      call.counters, call.queue,   call.f_flags,
                        state.slot[i], call.fds,      call.resumed, call_state.slot[i]};
      if (auto r = fn(*hooks_[i], mine)) return r;
    }
    return std::nullopt;
  }

  std::vector<std::unique_ptr<ProposalHooks>> hooks_;
};

}  // namespace

std::shared_ptr<ProposalHooks> MakeHooks(
    const std::vector<std::pair<std::string, Abi>>& requirements) {
  std::vector<std::unique_ptr<ProposalHooks>> hooks;
  for (const Proposal* p : AllProposals()) {
    for (const auto& [name, abi] : requirements) {
      if (name != p->Name()) continue;
      if (std::unique_ptr<ProposalHooks> h = p->MakeKernelHooks(abi)) hooks.push_back(std::move(h));
    }
  }
  return std::make_shared<CompositeHooks>(std::move(hooks));
}

model::SysResult<HookResult> Answered(const model::SysResult<void>& r) {
  if (!r.ok()) return r.failure();
  return HookResult{};
}

model::SysResult<int64_t> AsValue(const model::SysResult<void>& r) {
  if (!r.ok()) return r.failure();
  return int64_t{0};
}

model::SysResult<HookResult> ReceiveOne(
    ListenerCall& call, const std::function<model::SysResult<void>()>& prepare,
    const std::function<model::SysResult<int64_t>(const NotificationFacts&)>& deliver) {
  if (!call.resumed) {
    auto ready = prepare();
    if (!ready.ok()) return ready.failure();
  }
  std::optional<NotificationFacts> facts = call.queue.TakeInit();
  if (!facts) {
    if (call.queue.Orphaned()) {
      return model::Fail(model::kENOENT, "a proposal receive: no notification in state INIT");
    }
    return HookResult{0, true};
  }
  auto delivered = deliver(*facts);
  if (!delivered.ok()) {
    call.queue.PutBack(facts->id);
    return delivered.failure();
  }
  return HookResult{delivered.value(), false};
}

}  // namespace sclab::ksim::proposals
