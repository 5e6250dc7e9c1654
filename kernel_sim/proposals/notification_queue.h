// ModelQueue is a stand-alone NotificationQueue (kernel_sim/proposal_hooks.h: a
// listener's queue as a proposal's receive and reply paths see it) with the kernel's
// rules, for the model tests and for measurements over many queue depths (read_notif's
// batching sweep). In the simulator the Kernel's own listener stands in its place.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <vector>

#include "kernel_sim/proposals/notification_facts.h"
#include "model/sys_result.h"
#include "model/uapi.h"
#include "model/user_memory.h"

namespace sclab::ksim::proposals {

// ModelQueue holds notifications raised by tasks whose memory it owns.
class ModelQueue final : public NotificationQueue {
 public:
  enum class State : uint8_t { kInit, kSent, kReplied };
  struct Entry {
    NotificationFacts facts;
    State state = State::kInit;
    model::seccomp_notif_resp resp{};
  };

  // Add queues a notification (INIT) raised by a task with memory `target`.
  void Add(const NotificationFacts& facts, const model::UserMemory* target);
  void SetOrphaned(bool orphaned) { orphaned_ = orphaned; }

  std::optional<NotificationFacts> TakeInit() override;
  void PutBack(uint64_t id) override;
  bool Orphaned() const override { return orphaned_; }
  const model::UserMemory& TargetMemory(uint64_t id) const override;
  // Models kernel/seccomp.c seccomp_notify_send(): flags other than CONTINUE -> EINVAL;
  // CONTINUE with error or val -> EINVAL; unknown id -> ENOENT; not SENT -> EINPROGRESS.
  model::SysResult<void> Reply(const model::seccomp_notif_resp& resp) override;

  const Entry* Find(uint64_t id) const;
  size_t CountIn(State state) const;

 private:
  std::vector<Entry> entries_;  // arrival order
  std::vector<const model::UserMemory*> targets_;
  bool orphaned_ = false;
};

}  // namespace sclab::ksim::proposals
