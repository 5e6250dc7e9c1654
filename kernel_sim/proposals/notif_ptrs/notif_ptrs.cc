#include "kernel_sim/proposals/notif_ptrs/notif_ptrs.h"

#include <fmt/format.h>

#include <algorithm>

#include "kernel_sim/proposals/byte_fields.h"
#include "kernel_sim/proposals/received_view.h"
#include "kernel_sim/proposals/sizes_vector/sizes_vector.h"

namespace sclab::ksim::proposals::notif_ptrs {

using model::Fail;

namespace {

// MemberVer0 is the smallest size a pair may give member `i`.
uint32_t MemberVer0(size_t i) {
  return i == 1 ? 8 : sizes_vector::LayoutOf(Abi::kNew).member_sizes[i];
}

}  // namespace

uint64_t BlockSize(Abi abi) {
  const sizes_vector::KernelLayout k = sizes_vector::LayoutOf(abi);
  return k.member_sizes.size() * sizeof(seccomp_notif_buf) + k.submember_size;
}

model::StructLayout BufLayout() {
  return model::LayOutStruct(
      {"seccomp_notif_buf",
       {model::AlignedU64("ptr"), model::U32("size"), model::U32("__reserved")},
       {}});
}

model::StructLayout BlockLayout(Abi abi) {
  const model::StructLayout buf = BufLayout();
  std::vector<model::FieldSpec> fields = {model::Nested("data", buf), model::Nested("ea", buf)};
  if (abi == Abi::kNew) fields.push_back(model::Nested("data_v2", buf));
  fields.push_back(model::Nested("fixed", sizes_vector::SubmemberLayout(abi)));
  return model::LayOutStruct({"seccomp_notif_ptrs", fields, {}});
}

model::SysResult<PtrsRequest> RecvPtrsPrepare(const model::UserMemory& mem,
                                              model::CopyCounters* counters, uint64_t block,
                                              uint64_t len, Abi kernel) {
  if (len != BlockSize(kernel)) {
    return Fail(model::kEINVAL, "seccomp_notify_recv_ptrs: the block does not match GET_LAYOUT's");
  }
  const size_t n = sizes_vector::LayoutOf(kernel).member_sizes.size();
  PtrsRequest req;
  req.bufs.resize(n);
  std::span<uint8_t> bytes(reinterpret_cast<uint8_t*>(req.bufs.data()),
                           n * sizeof(seccomp_notif_buf));
  if (!model::CopyFromUser(mem, counters, bytes, block).ok()) {
    return Fail(model::kEFAULT, "seccomp_notify_recv_ptrs: copy_from_user of the pairs faulted");
  }
  for (size_t i = 0; i < n; ++i) {
    const seccomp_notif_buf& b = req.bufs[i];
    if (b.reserved != 0)
      return Fail(model::kEINVAL, "seccomp_notify_recv_ptrs: __reserved is not zero");
    if (b.ptr == 0 && b.size != 0)
      return Fail(model::kEINVAL, "seccomp_notify_recv_ptrs: a size without a pointer");
    if (b.ptr != 0 && b.size < MemberVer0(i)) {
      return Fail(model::kEINVAL, "seccomp_notify_recv_ptrs: a size below the member's VER0");
    }
    if (b.size > model::kPageSize)
      return Fail(model::kE2BIG, "seccomp_notify_recv_ptrs: a size above PAGE_SIZE");
  }
  for (const seccomp_notif_buf& b : req.bufs) {
    if (b.ptr != 0 && !model::AccessOk(b.ptr, b.size)) {
      return Fail(model::kEFAULT, "seccomp_notify_recv_ptrs: access_ok failed; nothing written");
    }
  }
  return req;
}

model::SysResult<void> SeccompNotifyRecvPtrs(model::UserMemory& mem, model::CopyCounters* counters,
                                             uint64_t block, const PtrsRequest& req, Abi kernel,
                                             const NotificationFacts& facts,
                                             const model::UserMemory& target) {
  const auto efault = Fail(
      model::kEFAULT, "seccomp_notify_recv_ptrs: a copy faulted; the notification is INIT again");
  const auto data = model::BytesOf(facts.data);
  uint32_t ea_size = 0;
  for (size_t i = 0; i < req.bufs.size(); ++i) {
    const seccomp_notif_buf& b = req.bufs[i];
    if (b.ptr == 0) continue;
    if (i == 1) {
      const auto arg = ExtensibleArgOf(facts.data);
      std::vector<uint8_t> ea(b.size, 0);
      if (arg.has_value()) {
        auto read = CopyTargetStruct(target, counters, *arg, b.size);
        if (read.ok()) {
          ea = std::move(read).value();
          ea_size = static_cast<uint32_t>(arg->usize);
        }
      }
      if (!model::CopyToUser(mem, counters, b.ptr, ea).ok()) return efault;
    } else {
      // seccomp_data, or its grown form (data, then feature bits 0 up to 88).
      std::vector<uint8_t> k(i == 0 ? 64 : 88, 0);
      std::copy(data.begin(), data.end(), k.begin());
      if (!model::CopyStructToUser(mem, counters, b.ptr, b.size, k, nullptr).ok()) return efault;
    }
  }
  const sizes_vector::KernelLayout k = sizes_vector::LayoutOf(kernel);
  std::vector<uint8_t> fixed(k.submember_size, 0);
  StoreLe(std::span(fixed), 0, facts.id);
  StoreLe(std::span(fixed), 8, facts.pid);
  StoreLe(std::span(fixed), 12, ea_size);
  if (kernel == Abi::kNew) StoreLe(std::span(fixed), 16, facts.tgid);
  if (!model::CopyToUser(mem, counters, block + req.bufs.size() * sizeof(seccomp_notif_buf), fixed)
           .ok()) {
    return efault;
  }
  return model::Ok();
}

namespace {

std::vector<model::StructLayout> Layouts(Abi abi) {
  return {BufLayout(), BlockLayout(abi), sizes_vector::SubmemberLayout(abi),
          model::UapiLayout("seccomp_notif_resp")};
}

CompatCell Compat(Abi user, Abi kernel) {
  StandardNotification s = MakeStandardNotification();
  model::UserMemory sup;
  Truth truth{s.facts, s.how, "tgid", s.facts.tgid};
  std::string detected;
  auto got = [&]() -> model::SysResult<ReceivedView> {
    auto discovered = sizes_vector::SupervisorDiscovers(sup, nullptr, kernel);
    if (!discovered.ok()) return discovered.failure();
    const sizes_vector::KernelLayout& k = discovered.value();
    // malloc the block and one buffer per wanted member; unknown members stay NULL.
    const uint64_t block_len = k.member_sizes.size() * sizeof(seccomp_notif_buf) + k.submember_size;
    const uint64_t data_buf = sup.AllocBuffer(sizeof(model::seccomp_data));
    const uint64_t how_buf = sup.AllocBuffer(sizeof(model::open_how));
    std::vector<uint8_t> block(block_len, 0);
    StoreLe(std::span(block), 0, seccomp_notif_buf{data_buf, sizeof(model::seccomp_data), 0});
    StoreLe(std::span(block), 16, seccomp_notif_buf{how_buf, sizeof(model::open_how), 0});
    const uint64_t ublock = sup.AllocBuffer(block_len);
    SCLAB_CHECK(sup.Write(ublock, block).ok(), "notif_ptrs compat: block");
    auto req = RecvPtrsPrepare(sup, nullptr, ublock, block_len, kernel);
    if (!req.ok()) return req.failure();
    auto done = SeccompNotifyRecvPtrs(sup, nullptr, ublock, req.value(), kernel, s.facts, s.target);
    if (!done.ok()) return done.failure();
    const uint64_t fixed_at = k.member_sizes.size() * sizeof(seccomp_notif_buf);
    const auto fixed = [&] {
      std::vector<uint8_t> f(k.submember_size);
      SCLAB_CHECK(sup.Read(ublock + fixed_at, f).ok(), "notif_ptrs compat: fixed");
      return f;
    }();
    std::vector<uint8_t> data(64);
    std::vector<uint8_t> how(24);
    SCLAB_CHECK(sup.Read(data_buf, data).ok() && sup.Read(how_buf, how).ok(),
                "notif_ptrs compat: members");
    ReceivedView v;
    v.data = LoadLe<model::seccomp_data>(data, 0);
    v.how = LoadLe<model::open_how>(how, 0);
    sizes_vector::DecodeSubmembers(fixed, k, user, &v, &detected);
    return v;
  }();
  return Classify(user, kernel, truth, got, model::Errno{}, detected);
}

}  // namespace

const Proposal& Plugin() {
  static const Proposal plugin(
      {.name = "notif_ptrs",
       .title = "{pointer, size} per member, fixed fields after; sizes discovered at run time",
       .layouts = &Layouts,
       .compat = &Compat,
       .verbs = &Verbs,
       .hooks = &KernelHooks,
       .traits =
           Traits{.fixed_size_buffers = false,
                  .setup_allocations = 3,
                  .per_notif_allocations = 0,
                  .reads_target_memory = false,
                  .note = "the pointer block is built from the discovered count and fixed-block "
                          "size: malloc'ed block plus one buffer per wanted member"},
       .workload = Workload{.user = Abi::kNew,
                            .kernel = Abi::kNew,
                            .extra_requires = "",
                            .filter = "",
                            .install_flags = "NEW_LISTENER",
                            .setup = "sup: ptrs_layout(SL) -> s\n",
                            .receive = "sup: recv_ptrs(SL) -> n{i}\n",
                            .deny = kReplyDeny,
                            .proceed = kReplyContinue,
                            .toctou_note = "the member's copy is not the one the call makes"}});
  return plugin;
}

}  // namespace sclab::ksim::proposals::notif_ptrs
