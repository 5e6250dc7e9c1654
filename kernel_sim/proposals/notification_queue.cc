#include "kernel_sim/proposals/notification_queue.h"

#include "base/check.h"

namespace sclab::ksim::proposals {

using model::Fail;

namespace {
constexpr uint32_t kUserNotifFlagContinue = 1;
}  // namespace

void ModelQueue::Add(const NotificationFacts& facts, const model::UserMemory* target) {
  SCLAB_CHECK(Find(facts.id) == nullptr, "ModelQueue::Add: ids are unique");
  entries_.push_back(Entry{facts, State::kInit, {}});
  targets_.push_back(target);
}

std::optional<NotificationFacts> ModelQueue::TakeInit() {
  for (Entry& e : entries_) {
    if (e.state == State::kInit) {
      e.state = State::kSent;
      return e.facts;
    }
  }
  return std::nullopt;
}

void ModelQueue::PutBack(uint64_t id) {
  for (Entry& e : entries_) {
    if (e.facts.id == id) e.state = State::kInit;
  }
}

const model::UserMemory& ModelQueue::TargetMemory(uint64_t id) const {
  for (size_t i = 0; i < entries_.size(); ++i) {
    if (entries_[i].facts.id == id) return *targets_[i];
  }
  SCLAB_CHECK(false, "ModelQueue::TargetMemory: unknown id");
  return *targets_.front();
}

model::SysResult<void> ModelQueue::Reply(const model::seccomp_notif_resp& resp) {
  if ((resp.flags & ~kUserNotifFlagContinue) != 0) {
    return Fail(model::kEINVAL, "seccomp_notify_send: flags other than CONTINUE");
  }
  if ((resp.flags & kUserNotifFlagContinue) != 0 && (resp.error != 0 || resp.val != 0)) {
    return Fail(model::kEINVAL, "seccomp_notify_send: CONTINUE with an error or a value");
  }
  for (Entry& e : entries_) {
    if (e.facts.id != resp.id || e.state == State::kReplied) continue;
    if (e.state != State::kSent) {
      return Fail(model::kEINPROGRESS,
                  "seccomp_notify_send: the notification is not in state SENT");
    }
    e.state = State::kReplied;
    e.resp = resp;
    return model::Ok();
  }
  return Fail(model::kENOENT, "seccomp_notify_send: no notification with that id");
}

const ModelQueue::Entry* ModelQueue::Find(uint64_t id) const {
  for (const Entry& e : entries_) {
    if (e.facts.id == id) return &e;
  }
  return nullptr;
}

size_t ModelQueue::CountIn(State state) const {
  size_t n = 0;
  for (const Entry& e : entries_) n += e.state == state ? 1 : 0;
  return n;
}

}  // namespace sclab::ksim::proposals
