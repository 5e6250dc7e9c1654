#include "kernel_sim/proposals/today/today.h"

#include <algorithm>
#include <string>

#include "kernel_sim/proposals/byte_fields.h"
#include "kernel_sim/proposals/received_view.h"

namespace sclab::ksim::proposals::today {

using model::Fail;

model::StructLayout NotifLayout(Abi abi) {
  if (abi == Abi::kOld) return model::UapiLayout("seccomp_notif");
  return model::LayOutStruct({"seccomp_notif",
                              {model::U64("id"), model::U32("pid"), model::U32("flags"),
                               model::Nested("data", model::UapiLayout("seccomp_data")),
                               model::U32("tgid"), model::U32("__reserved")},
                              {}});
}

model::SysResult<void> SeccompNotifyRecv(model::UserMemory& mem, model::CopyCounters* counters,
                                         uint64_t buf, uint64_t size,
                                         const NotificationFacts& facts) {
  auto ready = SeccompNotifyRecvPrepare(mem, counters, buf, size);
  if (!ready.ok()) return ready;
  return SeccompNotifyRecvDeliver(mem, counters, buf, size, facts);
}

model::SysResult<void> SeccompNotifyRecvPrepare(const model::UserMemory& mem,
                                                model::CopyCounters* counters, uint64_t buf,
                                                uint64_t size) {
  auto zeroed = model::CheckZeroedUser(mem, counters, buf, size);
  if (!zeroed.ok()) return Fail(model::kEFAULT, "seccomp_notify_recv: check_zeroed_user faulted");
  if (!zeroed.value())
    return Fail(model::kEINVAL, "seccomp_notify_recv: the buffer is not all zero");
  return model::Ok();
}

model::SysResult<void> SeccompNotifyRecvDeliver(model::UserMemory& mem,
                                                model::CopyCounters* counters, uint64_t buf,
                                                uint64_t size, const NotificationFacts& facts) {
  SCLAB_CHECK(size == kSizeofNotif || size == kSizeofNotifV2, "SeccompNotifyRecv: 80 or 88");
  seccomp_notif_v2 unotif{};
  unotif.id = facts.id;
  unotif.pid = facts.pid;
  unotif.flags = 0;
  unotif.data = facts.data;
  unotif.tgid = facts.tgid;
  const auto bytes = model::BytesOf(unotif).first(size);
  if (!model::CopyToUser(mem, counters, buf, bytes).ok()) {
    return Fail(model::kEFAULT,
                "seccomp_notify_recv: copy_to_user faulted; the notification is INIT again");
  }
  return model::Ok();
}

model::SysResult<void> SeccompGetNotifSizes(model::UserMemory& mem, model::CopyCounters* counters,
                                            uint64_t buf, Abi abi) {
  model::seccomp_notif_sizes sizes{};
  sizes.seccomp_notif = static_cast<uint16_t>(abi == Abi::kOld ? kSizeofNotif : kSizeofNotifV2);
  sizes.seccomp_notif_resp = sizeof(model::seccomp_notif_resp);
  sizes.seccomp_data = sizeof(model::seccomp_data);
  if (!model::CopyToUser(mem, counters, buf, model::BytesOf(sizes)).ok()) {
    return Fail(model::kEFAULT, "seccomp_get_notif_sizes: copy_to_user faulted");
  }
  return model::Ok();
}

bool KnowsIoctl(Abi abi, uint32_t cmd) {
  switch (cmd) {
    case kIoctlNotifRecv:
    case kIoctlNotifSend:
    case kIoctlNotifIdValid:
    case 0x80082102:  // SECCOMP_IOCTL_NOTIF_ID_VALID's first, wrong-direction number
    case 0x40082104:  // SECCOMP_IOCTL_NOTIF_SET_FLAGS
      return true;
    case kIoctlNotifRecvV2:
      return abi == Abi::kNew;
    default:
      // SECCOMP_IOCTL_NOTIF_ADDFD at any size (EA_IOCTL).
      return (cmd & ~0xFFFF0000u) == (0x40182103u & ~0xFFFF0000u) && (cmd >> 30) == 1;
  }
}

namespace {

// ImportIovec models lib/iov_iter.c import_iovec() / iovec_from_user(): the count
// limit, then one copy of the whole array, then each length must fit in ssize_t.
model::SysResult<std::vector<iovec>> ImportIovec(const model::UserMemory& mem,
                                                 model::CopyCounters* counters, uint64_t uvec,
                                                 uint64_t count) {
  if (count > kUioMaxiov) return Fail(model::kEINVAL, "iovec_from_user: more than UIO_MAXIOV");
  std::vector<iovec> vec(count);
  std::span<uint8_t> bytes(reinterpret_cast<uint8_t*>(vec.data()), count * sizeof(iovec));
  if (!model::CopyFromUser(mem, counters, bytes, uvec).ok()) {
    return Fail(model::kEFAULT, "iovec_from_user: copy_from_user faulted");
  }
  for (const iovec& v : vec) {
    if (static_cast<int64_t>(v.iov_len) < 0)
      return Fail(model::kEINVAL, "iovec_from_user: negative length");
  }
  return vec;
}

}  // namespace

model::SysResult<uint64_t> ProcessVmReadv(model::UserMemory& local, const model::UserMemory& target,
                                          model::CopyCounters* counters, uint64_t lvec,
                                          uint64_t liovcnt, uint64_t rvec, uint64_t riovcnt,
                                          uint64_t flags, bool may_access) {
  if (flags != 0) return Fail(model::kEINVAL, "process_vm_rw: flags != 0");
  auto lv = ImportIovec(local, counters, lvec, liovcnt);
  if (!lv.ok()) return lv.failure();
  uint64_t wanted = 0;
  for (const iovec& v : lv.value()) wanted += v.iov_len;
  if (wanted == 0) return uint64_t{0};
  auto rv = ImportIovec(local, counters, rvec, riovcnt);
  if (!rv.ok()) return rv.failure();
  if (!may_access) return Fail(model::kEPERM, "mm_access: PTRACE_MODE_ATTACH_REALCREDS refused");
  // Walk the remote ranges, filling the local ones in order.
  size_t li = 0;
  uint64_t loff = 0;
  uint64_t total = 0;
  for (const iovec& r : rv.value()) {
    const uint64_t want = std::min<uint64_t>(r.iov_len, wanted - total);
    if (want == 0) break;
    std::vector<uint8_t> chunk(want);
    const bool faulted = !model::CopyFromUser(target, counters, chunk, r.iov_base).ok();
    const uint64_t got = faulted ? target.MappedPrefix(r.iov_base, want) : want;
    uint64_t done = 0;
    while (done < got && li < lv.value().size()) {
      const iovec& l = lv.value()[li];
      const uint64_t n = std::min(got - done, l.iov_len - loff);
      if (!model::CopyToUser(local, counters, l.iov_base + loff,
                             std::span<const uint8_t>(chunk).subspan(done, n))
               .ok()) {
        if (total + done > 0) return total + done;
        return Fail(model::kEFAULT, "process_vm_rw: the local buffer faulted");
      }
      done += n;
      loff += n;
      if (loff == l.iov_len) {
        ++li;
        loff = 0;
      }
    }
    total += done;
    if (faulted) {
      if (total > 0) return total;
      return Fail(model::kEFAULT, "process_vm_rw_single_vec: the target's range is not mapped");
    }
  }
  return total;
}

model::SysResult<model::open_how> SupervisorReadsOpenHow(model::UserMemory& sup,
                                                         const model::UserMemory& target,
                                                         model::CopyCounters* counters,
                                                         const model::seccomp_data& data) {
  const uint64_t local = sup.AllocBuffer(sizeof(model::open_how));
  const iovec liov{local, sizeof(model::open_how)};
  const iovec riov{data.args[2], sizeof(model::open_how)};
  const uint64_t lvec = sup.AllocBuffer(sizeof(iovec));
  const uint64_t rvec = sup.AllocBuffer(sizeof(iovec));
  SCLAB_CHECK(
      sup.Write(lvec, model::BytesOf(liov)).ok() && sup.Write(rvec, model::BytesOf(riov)).ok(),
      "SupervisorReadsOpenHow: the supervisor's own iovecs");
  auto n = ProcessVmReadv(sup, target, counters, lvec, 1, rvec, 1, 0, true);
  if (!n.ok()) return n.failure();
  if (n.value() != sizeof(model::open_how)) {
    return model::Fail(model::kEFAULT, "process_vm_readv: short read of open_how");
  }
  std::vector<uint8_t> how(sizeof(model::open_how));
  SCLAB_CHECK(sup.Read(local, how).ok(), "SupervisorReadsOpenHow: read back");
  return LoadLe<model::open_how>(how, 0);
}

model::SysResult<ReceivedView> SupervisorReceives(model::UserMemory& sup,
                                                  const model::UserMemory& target,
                                                  model::CopyCounters* counters,
                                                  const NotificationFacts& facts, uint64_t size) {
  const uint64_t buf = sup.AllocBuffer(size);
  auto r = SeccompNotifyRecv(sup, counters, buf, size, facts);
  if (!r.ok()) return r.failure();
  std::vector<uint8_t> bytes(size);
  SCLAB_CHECK(sup.Read(buf, bytes).ok(), "SupervisorReceives: read back");
  ReceivedView v;
  v.id = LoadLe<uint64_t>(bytes, 0);
  v.pid = LoadLe<uint32_t>(bytes, 8);
  v.data = LoadLe<model::seccomp_data>(bytes, 16);
  if (size == kSizeofNotifV2) v.new_field = LoadLe<uint32_t>(bytes, 80);
  auto how = SupervisorReadsOpenHow(sup, target, counters, v.data);
  if (!how.ok()) return how.failure();
  v.how = how.value();
  return v;
}

namespace {

std::vector<model::StructLayout> Layouts(Abi abi) {
  return {NotifLayout(abi), model::UapiLayout("seccomp_notif_resp"),
          model::UapiLayout("seccomp_notif_sizes"), model::UapiLayout("seccomp_notif_addfd")};
}

CompatCell Compat(Abi user, Abi kernel) {
  StandardNotification s = MakeStandardNotification();
  model::UserMemory sup;
  Truth truth{s.facts, s.how, "tgid", s.facts.tgid};
  model::Errno first_err{};
  std::string detected;
  // The supervisor built for the new ABI tries the grown RECV first.
  uint64_t size = kSizeofNotif;
  if (user == Abi::kNew) {
    if (KnowsIoctl(kernel, kIoctlNotifRecvV2)) {
      size = kSizeofNotifV2;
    } else {
      first_err = model::kEINVAL;
      detected = "RECV 0xC0582100 is EINVAL, so it fell back to the 80-byte RECV";
    }
  }
  auto got = SupervisorReceives(sup, s.target, nullptr, s.facts, size);
  return Classify(user, kernel, truth, got, first_err, detected);
}

}  // namespace

const Proposal& Plugin() {
  static const Proposal plugin(
      {.name = "today",
       .title = "Linux 6.18: 80-byte RECV, process_vm_readv, ID_VALID, SEND",
       .layouts = &Layouts,
       .compat = &Compat,
       .verbs = &Verbs,
       .hooks = &KernelHooks,
       .traits =
           Traits{.fixed_size_buffers = true,
                  .setup_allocations = 2,
                  .per_notif_allocations = 0,
                  .reads_target_memory = true,
                  .note =
                      "seccomp_unotify(2) sizes both buffers from GET_NOTIF_SIZES with malloc (a "
                      "stack buffer works: the ioctl writes exactly 80); open_how read with "
                      "process_vm_readv, then ID_VALID"},
       .workload = Workload{.user = Abi::kOld,
                            .kernel = Abi::kOld,
                            .extra_requires = "",
                            .filter = "",
                            .install_flags = "NEW_LISTENER",
                            .setup = "",
                            .receive = "sup: recv(SL) -> n{i}\n"
                                       "sup: read_open_how(target, n{i}.data.args[2]) -> h{i}\n"
                                       "sup: id_valid(SL, n{i}) = 0\n",
                            .deny = kReplyDeny,
                            .proceed = kReplyContinue,
                            .toctou_note = "the call copies open_how again after CONTINUE"}});
  return plugin;
}

}  // namespace sclab::ksim::proposals::today
