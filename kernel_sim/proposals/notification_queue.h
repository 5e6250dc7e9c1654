// NotificationQueue is a listener's queue of notifications as a proposal's receive and
// reply paths see it: take the oldest INIT notification (it becomes SENT), put one
// back to INIT after a failed copy, answer one (SEND's rules), and find the notifying
// task's memory. kernel_sim implements it over its real listener; ModelQueue is a
// stand-alone queue with the kernel's rules for the model tests and for measurements
// over many queue depths (read_notif's batching sweep).
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

class NotificationQueue {
 public:
  virtual ~NotificationQueue() = default;
  // TakeInit marks the oldest INIT notification SENT and returns it; nullopt if none.
  virtual std::optional<NotificationFacts> TakeInit() = 0;
  // PutBack returns a notification taken by TakeInit() to INIT, in its old place.
  virtual void PutBack(uint64_t id) = 0;
  // Orphaned is true once no task uses the filter (RECV would say ENOENT, poll POLLHUP).
  virtual bool Orphaned() const = 0;
  // TargetMemory is the memory of the task that raised notification `id`.
  virtual const model::UserMemory& TargetMemory(uint64_t id) const = 0;
  // Reply applies a response with seccomp_notify_send()'s checks, in its order.
  [[nodiscard]] virtual model::SysResult<void> Reply(const model::seccomp_notif_resp& resp) = 0;
};

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
