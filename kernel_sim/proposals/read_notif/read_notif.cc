#include "kernel_sim/proposals/read_notif/read_notif.h"

#include <algorithm>
#include <vector>

#include "kernel_sim/proposals/byte_fields.h"
#include "kernel_sim/proposals/received_view.h"
#include "kernel_sim/proposals/today/today.h"

namespace sclab::ksim::proposals::read_notif {

using model::Fail;

uint64_t RecordSize(const ListenerMode& mode) {
  return mode.config.configured ? perf_config::RecordSize(mode.config) : today::kSizeofNotif;
}

namespace {

// RecordFor builds one record of `facts` in the listener's format.
std::vector<uint8_t> RecordFor(const ListenerMode& mode, const NotificationFacts& facts,
                               const NotificationQueue& queue, model::CopyCounters* counters) {
  if (mode.config.configured) {
    return perf_config::BuildFlatRecord(mode.config, facts, queue.TargetMemory(facts.id), counters);
  }
  model::seccomp_notif n{};
  n.id = facts.id;
  n.pid = facts.pid;
  n.data = facts.data;
  const auto bytes = model::BytesOf(n);
  return {bytes.begin(), bytes.end()};
}

}  // namespace

model::SysResult<ReadResult> SeccompNotifyRead(model::UserMemory& mem,
                                               model::CopyCounters* counters, uint64_t buf,
                                               uint64_t count, const ListenerMode& mode,
                                               NotificationQueue& queue) {
  const uint64_t rsize = RecordSize(mode);
  if (count < rsize)
    return Fail(model::kENOSPC, "seccomp_notify_read: count is shorter than a record");
  ReadResult r;
  std::vector<uint64_t> taken;
  while (r.bytes + rsize <= count && (r.records == 0 || mode.batch)) {
    auto facts = queue.TakeInit();
    if (!facts.has_value()) break;
    const std::vector<uint8_t> rec = RecordFor(mode, *facts, queue, counters);
    if (!model::CopyToUser(mem, counters, buf + r.bytes, rec).ok()) {
      queue.PutBack(facts->id);
      // The rest stays INIT: nothing else was taken.
      if (r.records == 0) {
        return Fail(model::kEFAULT,
                    "seccomp_notify_read: copy_to_user faulted; the notification is INIT again");
      }
      return r;
    }
    r.bytes += rec.size();
    ++r.records;
  }
  if (r.records > 0) return r;
  if (queue.Orphaned()) return r;  // end of file
  if (mode.nonblock)
    return Fail(model::kEAGAIN, "seccomp_notify_read: O_NONBLOCK and no notification");
  r.would_block = true;
  return r;
}

model::SysResult<uint64_t> SeccompNotifyWrite(const model::UserMemory& mem,
                                              model::CopyCounters* counters, uint64_t buf,
                                              uint64_t count, NotificationQueue& queue) {
  if (count % kSizeofResp != 0) {
    return Fail(model::kEINVAL, "seccomp_notify_write: count is not a multiple of 24");
  }
  uint64_t done = 0;
  while (done < count) {
    model::seccomp_notif_resp resp{};
    if (!model::CopyFromUser(mem, counters, model::BytesOf(resp), buf + done).ok()) {
      if (done > 0) return done;
      return Fail(model::kEFAULT, "seccomp_notify_write: copy_from_user faulted");
    }
    auto replied = queue.Reply(resp);
    if (!replied.ok()) {
      if (done > 0) return done;
      return replied.failure();
    }
    done += kSizeofResp;
  }
  return done;
}

model::SysResult<void> SeccompNotifySetFlags(uint64_t flags, Abi kernel, ListenerMode* mode) {
  const uint64_t known = kUserNotifFdSyncWakeUp | (kernel == Abi::kNew ? kUserNotifFdBatchRead : 0);
  if ((flags & ~known) != 0) return Fail(model::kEINVAL, "seccomp_notify_set_flags: unknown flag");
  mode->batch = (flags & kUserNotifFdBatchRead) != 0;
  return model::Ok();
}

namespace {

// Backlog is a queue of `depth` standard notifications with consecutive ids.
struct Backlog {
  StandardNotification s = MakeStandardNotification();
  ModelQueue queue;
  explicit Backlog(uint32_t depth) {
    for (uint32_t i = 0; i < depth; ++i) {
      NotificationFacts f = s.facts;
      f.id += i;
      queue.Add(f, &s.target);
    }
  }
};

// Drain answers every notification of a fresh backlog and returns the syscalls made.
uint32_t Drain(uint32_t depth, uint32_t capacity, bool use_read, bool batch, bool write_replies) {
  Backlog b(depth);
  model::UserMemory sup;
  ListenerMode mode;
  mode.batch = batch;
  mode.nonblock = true;
  const uint64_t rbuf = sup.AllocBuffer(today::kSizeofNotif * capacity);
  const uint64_t wbuf = sup.AllocBuffer(kSizeofResp * capacity);
  uint32_t syscalls = 0;
  for (uint32_t answered = 0; answered < depth;) {
    std::vector<uint64_t> ids;
    ++syscalls;
    if (use_read) {
      auto r = SeccompNotifyRead(sup, nullptr, rbuf, today::kSizeofNotif * capacity, mode, b.queue);
      SCLAB_CHECK(r.ok() && r.value().records > 0, "Drain: read");
      for (uint32_t i = 0; i < r.value().records; ++i) {
        ids.push_back(b.s.facts.id + answered + i);
      }
    } else {
      SCLAB_CHECK(today::SeccompNotifyRecv(sup, nullptr, sup.AllocBuffer(today::kSizeofNotif),
                                           today::kSizeofNotif, *b.queue.TakeInit())
                      .ok(),
                  "Drain: recv");
      ids.push_back(b.s.facts.id + answered);
    }
    std::vector<uint8_t> resps;
    for (uint64_t id : ids) {
      model::seccomp_notif_resp resp{id, 0, 0, 1};
      const auto bytes = model::BytesOf(resp);
      resps.insert(resps.end(), bytes.begin(), bytes.end());
    }
    SCLAB_CHECK(sup.Write(wbuf, resps).ok(), "Drain: responses");
    if (write_replies) {
      ++syscalls;
      SCLAB_CHECK(SeccompNotifyWrite(sup, nullptr, wbuf, resps.size(), b.queue).ok(),
                  "Drain: write");
    } else {
      for (size_t i = 0; i < ids.size(); ++i) {
        ++syscalls;
        SCLAB_CHECK(b.queue.Reply(LoadLe<model::seccomp_notif_resp>(resps, i * kSizeofResp)).ok(),
                    "Drain: send");
      }
    }
    answered += static_cast<uint32_t>(ids.size());
  }
  return syscalls;
}

}  // namespace

DepthRow MeasureDepth(uint32_t depth, uint32_t capacity) {
  DepthRow row;
  row.depth = depth;
  row.ioctl_syscalls = Drain(depth, capacity, false, false, false);
  row.read_syscalls = Drain(depth, capacity, true, false, false);
  row.batched_syscalls = Drain(depth, capacity, true, true, false);
  row.batched_write_syscalls = Drain(depth, capacity, true, true, true);
  return row;
}

namespace {

std::vector<model::StructLayout> Layouts(Abi /*abi*/) {
  return {model::UapiLayout("seccomp_notif"), model::UapiLayout("seccomp_notif_resp")};
}

CompatCell Compat(Abi user, Abi kernel) {
  // Two notifications are pending; userspace built for the new ABI asks for batched
  // reads and reads both at once. The new field is "records per read".
  Backlog b(2);
  model::UserMemory sup;
  Truth truth{b.s.facts, b.s.how, "records per read", 2};
  model::Errno first_err{};
  std::string detected;
  auto got = [&]() -> model::SysResult<ReceivedView> {
    if (user == Abi::kOld || kernel == Abi::kOld) {
      if (user == Abi::kNew) {
        // Linux 6.18: SET_FLAGS refuses the bit and the listener has no read op.
        first_err = model::kEINVAL;
        detected = "read(2) on the listener is EINVAL, so it fell back to ioctl RECV";
      }
      return today::SupervisorReceives(sup, b.s.target, nullptr, *b.queue.TakeInit(),
                                       today::kSizeofNotif);
    }
    ListenerMode mode;
    auto f = SeccompNotifySetFlags(kUserNotifFdBatchRead, kernel, &mode);
    if (!f.ok()) return f.failure();
    const uint64_t buf = sup.AllocBuffer(2 * today::kSizeofNotif);
    auto r = SeccompNotifyRead(sup, nullptr, buf, 2 * today::kSizeofNotif, mode, b.queue);
    if (!r.ok()) return r.failure();
    std::vector<uint8_t> rec(today::kSizeofNotif);
    SCLAB_CHECK(sup.Read(buf, rec).ok(), "read_notif compat: read back");
    ReceivedView v;
    v.id = LoadLe<uint64_t>(rec, 0);
    v.pid = LoadLe<uint32_t>(rec, 8);
    v.data = LoadLe<model::seccomp_data>(rec, 16);
    v.new_field = r.value().records;
    auto how = today::SupervisorReadsOpenHow(sup, b.s.target, nullptr, v.data);
    if (!how.ok()) return how.failure();
    v.how = how.value();
    return v;
  }();
  return Classify(user, kernel, truth, got, first_err, detected);
}

}  // namespace

const Proposal& Plugin() {
  static const Proposal plugin(
      {.name = "read_notif",
       .title = "read(2) returns notification records (batched on request); write(2) answers",
       .layouts = &Layouts,
       .compat = &Compat,
       .verbs = &Verbs,
       .hooks = &KernelHooks,
       .traits =
           Traits{.fixed_size_buffers = true,
                  .setup_allocations = 0,
                  .per_notif_allocations = 0,
                  .reads_target_memory = true,
                  .note = "an array of records on the stack; with today's record the open_how is "
                          "still read with process_vm_readv, then ID_VALID"},
       .workload =
           Workload{.user = Abi::kNew,
                    .kernel = Abi::kNew,
                    .extra_requires = "requires proposal today user=old kernel=old\n",
                    .filter = "",
                    .install_flags = "NEW_LISTENER",
                    .setup = "",
                    .receive = "sup: read_notif(SL) -> n{i}\n"
                               "sup: read_open_how(target, n{i}.data.args[2]) -> h{i}\n"
                               "sup: id_valid(SL, n{i}) = 0\n",
                    .deny = "sup: write_replies(SL, n{i}.id, error=-EPERM) = 24\n",
                    .proceed = "sup: write_replies(SL, n{i}.id) = 24\n",
                    .toctou_note = "today's record: open_how read from the target's memory"}});
  return plugin;
}

}  // namespace sclab::ksim::proposals::read_notif
