#include "kernel_sim/proposals/ea_notif/ea_notif.h"

#include <algorithm>
#include <string>
#include <vector>

#include "kernel_sim/proposals/byte_fields.h"
#include "kernel_sim/proposals/received_view.h"
#include "kernel_sim/proposals/today/today.h"

namespace sclab::ksim::proposals::ea_notif {

using model::Fail;

model::StructLayout NotifLayout(Abi abi) {
  std::vector<model::FieldSpec> fields = {
      model::U32("size"),  model::U32("flags"),
      model::U64("id"),    model::U32("pid"),
      model::U32("tgid"),  model::U32("data_size"),
      model::U32("__pad"), model::Nested("data", model::UapiLayout("seccomp_data"))};
  std::vector<model::StructVersion> versions = {{"SECCOMP_NOTIF_EA_SIZE_VER0", kSizeVer0}};
  if (abi == Abi::kNew) {
    fields.push_back(model::S32("pidfd"));
    fields.push_back(model::U32("__pad2"));
    versions.push_back({"SECCOMP_NOTIF_EA_SIZE_VER1", kSizeVer1});
  }
  return model::LayOutStruct({"seccomp_notif_ea", fields, versions});
}

model::SysResult<RecvRequest> SeccompNotifyRecvEaPrepare(const model::UserMemory& mem,
                                                         model::CopyCounters* counters,
                                                         uint64_t buf) {
  uint32_t usize = 0;
  if (!model::CopyFromUser(mem, counters, model::BytesOf(usize), buf).ok()) {
    return Fail(model::kEFAULT, "seccomp_notify_recv_ea: get_user(size) faulted");
  }
  if (usize < kSizeVer0) return Fail(model::kEINVAL, "seccomp_notify_recv_ea: size < VER0");
  if (usize > model::kPageSize)
    return Fail(model::kE2BIG, "seccomp_notify_recv_ea: size > PAGE_SIZE");
  auto zeroed = model::CheckZeroedUser(mem, counters, buf + 4, usize - 4);
  if (!zeroed.ok())
    return Fail(model::kEFAULT, "seccomp_notify_recv_ea: check_zeroed_user faulted");
  if (!zeroed.value()) {
    return Fail(model::kEINVAL, "seccomp_notify_recv_ea: a byte after size is not zero");
  }
  return RecvRequest{usize};
}

model::SysResult<int> SeccompNotifyRecvEaDeliver(model::UserMemory& mem,
                                                 model::CopyCounters* counters, uint64_t buf,
                                                 const RecvRequest& req,
                                                 const NotificationFacts& facts, Abi kernel,
                                                 FdInstaller* fds) {
  const uint64_t ksize = KernelSize(kernel);
  seccomp_notif_ea k{};
  k.size = static_cast<uint32_t>(std::min(req.usize, ksize));
  k.flags = kHasTgid;
  k.id = facts.id;
  k.pid = facts.pid;
  k.tgid = facts.tgid;
  k.data_size = sizeof(model::seccomp_data);
  k.data = facts.data;
  int pidfd = -1;
  if (ksize >= kSizeVer1 && req.usize >= kSizeVer1) {
    SCLAB_CHECK(fds != nullptr, "SeccompNotifyRecvEaDeliver: a VER1 kernel needs an FdInstaller");
    auto reserved = fds->Reserve();
    if (!reserved.ok()) {
      return Fail(model::kEMFILE,
                  "seccomp_notify_recv_ea: no fd for the pidfd; the notification is INIT again");
    }
    pidfd = reserved.value();
    k.pidfd = pidfd;
    k.flags |= kHasPidfd;
  }
  const auto bytes = model::BytesOf(k).first(ksize);
  if (!model::CopyStructToUser(mem, counters, buf, req.usize, bytes, nullptr).ok()) {
    if (pidfd >= 0) fds->Release(pidfd);
    return Fail(
        model::kEFAULT,
        "seccomp_notify_recv_ea: copy_struct_to_user faulted; the notification is INIT again");
  }
  if (pidfd >= 0) fds->Install(pidfd, facts.tgid);
  return pidfd;
}

namespace {

std::vector<model::StructLayout> Layouts(Abi abi) {
  return {NotifLayout(abi), model::UapiLayout("seccomp_notif_resp")};
}

CompatCell Compat(Abi user, Abi kernel) {
  StandardNotification s = MakeStandardNotification();
  model::UserMemory sup;
  CountingFdInstaller fds;
  const uint64_t usize = KernelSize(user);  // sizeof(struct seccomp_notif_ea) as compiled
  const uint64_t buf = sup.AllocBuffer(usize);
  SCLAB_CHECK(sup.Write(buf, model::BytesOf(static_cast<uint32_t>(usize))).ok(),
              "ea_notif compat: size");
  Truth truth{s.facts, s.how, "pidfd", 3};  // the first free fd of the supervisor
  std::string detected;
  auto got = [&]() -> model::SysResult<ReceivedView> {
    auto req = SeccompNotifyRecvEaPrepare(sup, nullptr, buf);
    if (!req.ok()) return req.failure();
    auto delivered =
        SeccompNotifyRecvEaDeliver(sup, nullptr, buf, req.value(), s.facts, kernel, &fds);
    if (!delivered.ok()) return delivered.failure();
    std::vector<uint8_t> bytes(usize);
    SCLAB_CHECK(sup.Read(buf, bytes).ok(), "ea_notif compat: read back");
    ReceivedView v;
    v.id = LoadLe<uint64_t>(bytes, 8);
    v.pid = LoadLe<uint32_t>(bytes, 16);
    v.data = LoadLe<model::seccomp_data>(bytes, 32);
    const uint32_t flags = LoadLe<uint32_t>(bytes, 4);
    const uint32_t written = LoadLe<uint32_t>(bytes, 0);
    if (user == Abi::kNew) {
      if ((flags & kHasPidfd) != 0) {
        v.new_field = static_cast<uint64_t>(LoadLe<int32_t>(bytes, 96));
      } else {
        detected = "size says " + std::to_string(written) + " bytes and flags lacks HAS_PIDFD";
      }
    }
    auto how = today::SupervisorReadsOpenHow(sup, s.target, nullptr, v.data);
    if (!how.ok()) return how.failure();
    v.how = how.value();
    return v;
  }();
  return Classify(user, kernel, truth, got, model::Errno{}, detected);
}

}  // namespace

const Proposal& Plugin() {
  static const Proposal plugin(
      {.name = "ea_notif",
       .title = "extensible-struct notification (size + validity bits), one ioctl",
       .layouts = &Layouts,
       .compat = &Compat,
       .verbs = &Verbs,
       .hooks = &KernelHooks,
       .traits =
           Traits{.fixed_size_buffers = true,
                  .setup_allocations = 0,
                  .per_notif_allocations = 0,
                  .reads_target_memory = true,
                  .note = "one struct on the stack at the size the program was compiled with; "
                          "open_how still read with process_vm_readv, then ID_VALID"},
       .workload = Workload{
           .user = Abi::kNew,
           .kernel = Abi::kNew,
           .extra_requires = "requires proposal today user=old kernel=old\n",
           .filter = "",
           .install_flags = "NEW_LISTENER",
           .setup = "",
           .receive = "sup: ea_recv(SL) -> n{i}\n"
                      "sup: read_open_how(target, n{i}.data.args[2]) -> h{i}\n"
                      "sup: id_valid(SL, n{i}) = 0\n",
           .deny = "sup: reply(SL, n{i}, error=-EPERM) = 0\n"
                   "sup: close(n{i}.pidfd) = 0\n",
           .proceed = "sup: reply(SL, n{i}, continue) = 0\n"
                      "sup: close(n{i}.pidfd) = 0\n",
           .toctou_note = "open_how is read from the target's memory, then copied again"}});
  return plugin;
}

}  // namespace sclab::ksim::proposals::ea_notif
