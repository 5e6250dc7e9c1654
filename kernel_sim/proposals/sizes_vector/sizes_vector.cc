#include "kernel_sim/proposals/sizes_vector/sizes_vector.h"

#include <fmt/format.h>
#include <algorithm>

#include "kernel_sim/proposals/byte_fields.h"
#include "kernel_sim/proposals/received_view.h"

namespace sclab::ksim::proposals::sizes_vector {

using model::Fail;

namespace {
constexpr uint64_t kHeaderSize = 8;
constexpr uint32_t kStackCapacity = 16;  // userspace's guess: a u32[16] on the stack
}  // namespace

KernelLayout LayoutOf(Abi abi) {
  if (abi == Abi::kOld) return KernelLayout{{64, kEaMemberSize}, 16};
  return KernelLayout{{64, kEaMemberSize, 88}, 24};
}

model::StructSpec SeedDiscoverySpec() {
  return {"seccom_sizes",
          {model::U32("num_members"), model::ArrayOf(model::U32("member_sizes"), 0),
           model::U32("submember_size")},
          {}};
}

model::StructSpec DiscoverySpec() {
  return {"seccomp_notif_layout",
          {model::U32("num_members"), model::U32("submember_size"),
           model::ArrayOf(model::U32("member_sizes"), 0)},
          {}};
}

model::StructLayout SubmemberLayout(Abi abi) {
  std::vector<model::FieldSpec> fields = {model::U64("id"), model::U32("pid"),
                                          model::U32("ea_size")};
  if (abi == Abi::kNew) {
    fields.push_back(model::U32("tgid"));
    fields.push_back(model::U32("__reserved"));
  }
  return model::LayOutStruct({"seccomp_notif_submembers", fields, {}});
}

model::StructLayout RecordLayout(Abi abi) {
  std::vector<model::FieldSpec> fields = {
      model::Nested("member0", model::UapiLayout("seccomp_data")),
      model::ArrayOf(model::Scalar("member1", "__u8", 1), kEaMemberSize)};
  if (abi == Abi::kNew) fields.push_back(model::ArrayOf(model::Scalar("member2", "__u8", 1), 88));
  fields.push_back(model::Nested("fixed", SubmemberLayout(abi)));
  return model::LayOutStruct({"seccomp_notif_record", fields, {}});
}

Offsets ComputeOffsets(const KernelLayout& layout) {
  Offsets o;
  uint64_t at = 0;
  for (uint32_t size : layout.member_sizes) {
    o.member.push_back(at);
    at += size;
  }
  o.fixed = at;
  o.total = at + layout.submember_size;
  return o;
}

model::SysResult<void> SeccompNotifGetLayout(model::UserMemory& mem, model::CopyCounters* counters,
                                             uint64_t buf, Abi kernel) {
  uint32_t capacity = 0;
  if (!model::CopyFromUser(mem, counters, model::BytesOf(capacity), buf).ok()) {
    return Fail(model::kEFAULT, "seccomp_notif_get_layout: get_user(num_members) faulted");
  }
  const KernelLayout k = LayoutOf(kernel);
  const uint32_t header[2] = {static_cast<uint32_t>(k.member_sizes.size()), k.submember_size};
  if (!model::CopyToUser(mem, counters, buf, model::BytesOf(header)).ok()) {
    return Fail(model::kEFAULT, "seccomp_notif_get_layout: copy_to_user(header) faulted");
  }
  if (capacity < k.member_sizes.size()) {
    return Fail(model::kENOSPC,
                "seccomp_notif_get_layout: member_sizes[] too short; num_members written");
  }
  const std::span<const uint8_t> sizes(reinterpret_cast<const uint8_t*>(k.member_sizes.data()),
                                       k.member_sizes.size() * sizeof(uint32_t));
  if (!model::CopyToUser(mem, counters, buf + kHeaderSize, sizes).ok()) {
    return Fail(model::kEFAULT, "seccomp_notif_get_layout: copy_to_user(member_sizes) faulted");
  }
  return model::Ok();
}

KernelLayout ReadDiscoveredLayout(const model::UserMemory& mem, uint64_t buf) {
  std::vector<uint8_t> header(kHeaderSize);
  SCLAB_CHECK(mem.Read(buf, header).ok(), "ReadDiscoveredLayout: header");
  KernelLayout k;
  const auto n = LoadLe<uint32_t>(header, 0);
  k.submember_size = LoadLe<uint32_t>(header, 4);
  std::vector<uint8_t> sizes(uint64_t{n} * 4);
  SCLAB_CHECK(mem.Read(buf + kHeaderSize, sizes).ok(), "ReadDiscoveredLayout: member_sizes");
  for (uint32_t i = 0; i < n; ++i) k.member_sizes.push_back(LoadLe<uint32_t>(sizes, uint64_t{4} * i));
  return k;
}

model::SysResult<KernelLayout> SupervisorDiscovers(model::UserMemory& sup,
                                                   model::CopyCounters* counters, Abi kernel) {
  std::vector<uint8_t> query(kHeaderSize + uint64_t{4} * kStackCapacity, 0);
  StoreLe(std::span(query), 0, kStackCapacity);
  const uint64_t buf = sup.AllocBuffer(query.size());
  SCLAB_CHECK(sup.Write(buf, query).ok(), "SupervisorDiscovers: query");
  auto r = SeccompNotifGetLayout(sup, counters, buf, kernel);
  if (!r.ok()) return r.failure();
  return ReadDiscoveredLayout(sup, buf);
}

void DecodeSubmembers(std::span<const uint8_t> fixed, const KernelLayout& layout, Abi user,
                      ReceivedView* view, std::string* detected) {
  view->id = LoadLe<uint64_t>(fixed, 0);
  view->pid = LoadLe<uint32_t>(fixed, 8);
  if (user != Abi::kNew) return;
  if (layout.submember_size >= 20) {
    view->new_field = LoadLe<uint32_t>(fixed, 16);
  } else {
    *detected =
        fmt::format("submember_size is {}, so the block ends before tgid", layout.submember_size);
  }
}

std::vector<uint8_t> BuildRecord(Abi kernel, const NotificationFacts& facts,
                                 const model::UserMemory& target, model::CopyCounters* counters) {
  const KernelLayout k = LayoutOf(kernel);
  const Offsets o = ComputeOffsets(k);
  std::vector<uint8_t> rec(o.total, 0);
  const auto data = model::BytesOf(facts.data);
  std::copy(data.begin(), data.end(), rec.begin() + static_cast<std::ptrdiff_t>(o.member[0]));
  uint32_t ea_size = 0;
  if (const auto arg = ExtensibleArgOf(facts.data); arg.has_value()) {
    auto ea = CopyTargetStruct(target, counters, *arg, kEaMemberSize);
    if (ea.ok()) {
      std::copy(ea.value().begin(), ea.value().end(),
                rec.begin() + static_cast<std::ptrdiff_t>(o.member[1]));
      ea_size = static_cast<uint32_t>(arg->usize);
    }
  }
  if (kernel == Abi::kNew) {  // the grown seccomp_data: data, then feature bits 0
    std::copy(data.begin(), data.end(), rec.begin() + static_cast<std::ptrdiff_t>(o.member[2]));
  }
  StoreLe(std::span(rec), o.fixed, facts.id);
  StoreLe(std::span(rec), o.fixed + 8, facts.pid);
  StoreLe(std::span(rec), o.fixed + 12, ea_size);
  if (kernel == Abi::kNew) StoreLe(std::span(rec), o.fixed + 16, facts.tgid);
  return rec;
}

model::SysResult<void> RecvLayoutPrepare(Abi kernel, uint64_t len) {
  if (len < ComputeOffsets(LayoutOf(kernel)).total) {
    return Fail(model::kENOSPC, "seccomp_notify_recv_layout: the buffer is shorter than a record");
  }
  return model::Ok();
}

model::SysResult<uint64_t> SeccompNotifyRecvLayout(model::UserMemory& mem,
                                                   model::CopyCounters* counters, uint64_t buf,
                                                   Abi kernel, const NotificationFacts& facts,
                                                   const model::UserMemory& target) {
  const std::vector<uint8_t> rec = BuildRecord(kernel, facts, target, counters);
  if (!model::CopyToUser(mem, counters, buf, rec).ok()) {
    return Fail(model::kEFAULT,
                "seccomp_notify_recv_layout: copy_to_user faulted; the notification is INIT again");
  }
  return static_cast<uint64_t>(rec.size());
}

namespace {

std::vector<model::StructLayout> Layouts(Abi abi) {
  return {model::LayOutStruct(DiscoverySpec()), SubmemberLayout(abi), RecordLayout(abi),
          model::UapiLayout("seccomp_notif_resp")};
}

CompatCell Compat(Abi user, Abi kernel) {
  StandardNotification s = MakeStandardNotification();
  model::UserMemory sup;
  Truth truth{s.facts, s.how, "tgid", s.facts.tgid};
  std::string detected;
  auto got = [&]() -> model::SysResult<ReceivedView> {
    auto discovered = SupervisorDiscovers(sup, nullptr, kernel);
    if (!discovered.ok()) return discovered.failure();
    const KernelLayout& k = discovered.value();
    const Offsets o = ComputeOffsets(k);
    const uint64_t buf = sup.AllocBuffer(o.total);  // malloc(o.total)
    auto ready = RecvLayoutPrepare(kernel, o.total);
    if (!ready.ok()) return ready.failure();
    auto n = SeccompNotifyRecvLayout(sup, nullptr, buf, kernel, s.facts, s.target);
    if (!n.ok()) return n.failure();
    std::vector<uint8_t> rec(n.value());
    SCLAB_CHECK(sup.Read(buf, rec).ok(), "sizes_vector compat: read back");
    ReceivedView v;
    v.data = LoadLe<model::seccomp_data>(rec, o.member[0]);
    v.how = LoadLe<model::open_how>(rec, o.member[1]);
    DecodeSubmembers(std::span(rec).subspan(o.fixed), k, user, &v, &detected);
    return v;
  }();
  return Classify(user, kernel, truth, got, model::Errno{}, detected);
}

}  // namespace

const Proposal& Plugin() {
  static const Proposal plugin(
      {.name = "sizes_vector",
       .title = "the kernel describes the record's layout; userspace computes offsets",
       .layouts = &Layouts,
       .compat = &Compat,
       .verbs = &Verbs,
       .hooks = &KernelHooks,
       .traits =
           Traits{.fixed_size_buffers = false,
                  .setup_allocations = 1,
                  .per_notif_allocations = 0,
                  .reads_target_memory = false,
                  .note = "offsets computed from the discovered sizes; the record is malloc'ed "
                          "once at its discovered length and reused"},
       .workload = Workload{.user = Abi::kNew,
                            .kernel = Abi::kNew,
                            .extra_requires = "",
                            .filter = "",
                            .install_flags = "NEW_LISTENER",
                            .setup = "sup: notif_layout(SL) -> s\n",
                            .receive = "sup: recv_layout(SL) -> n{i}\n",
                            .deny = kReplyDeny,
                            .proceed = kReplyContinue,
                            .toctou_note = "the record's copy is not the one the call makes"}});
  return plugin;
}

}  // namespace sclab::ksim::proposals::sizes_vector
