#include "kernel_sim/proposals/deep_args/deep_args.h"

#include <algorithm>
#include <string>

#include "kernel_sim/proposals/byte_fields.h"
#include "kernel_sim/proposals/received_view.h"
#include "kernel_sim/proposals/today/today.h"
#include "model/clone_args.h"
#include "model/syscall_table.h"

namespace sclab::ksim::proposals::deep_args {

using model::Fail;

model::StructLayout DataLayout() {
  return model::LayOutStruct(
      {"seccomp_data_deep",
       {model::Nested("data", model::UapiLayout("seccomp_data")), model::U64("feature_bits"),
        model::U32("nr_hi"), model::U32("ea_size"), model::U32("ea_nonzero_end"),
        model::U32("__reserved")},
       {{"sizeof(struct seccomp_data)", 64}}});
}

model::StructLayout NotifDeepLayout() {
  return model::LayOutStruct(
      {"seccomp_notif_deep",
       {model::U64("id"), model::U32("pid"), model::U32("flags"),
        model::Nested("data", model::UapiLayout("seccomp_data")), model::U64("feature_bits"),
        model::U32("nr_hi"), model::U32("ea_size"), model::U32("ea_nonzero_end"),
        model::U32("ea_copied"), model::ArrayOf(model::Scalar("ea", "__u8", 1), 0)},
       {}});
}

model::SysResult<bpf::ValidateOptions> ValidateOptionsFor(uint32_t flags, Abi kernel) {
  const uint32_t known = kKnownFilterFlags | (kernel == Abi::kNew ? kFilterFlagDeepArgs : 0);
  if ((flags & ~known) != 0) return Fail(model::kEINVAL, "seccomp_set_mode_filter: unknown flag");
  bpf::ValidateOptions o;
  if ((flags & kFilterFlagDeepArgs) != 0) o.data_size = kDeepDataSize;
  return o;
}

namespace {

// SizeRefused says whether the syscall's own checks refuse `usize` before copying.
bool SizeRefused(const model::seccomp_data& sd, uint64_t usize) {
  if (sd.nr == model::nr::kOpenat2)
    return usize < model::kOpenHowSizeVer0 || usize > model::kPageSize;
  return usize < model::kCloneArgsSizeVer0 || usize > model::kPageSize;
}

}  // namespace

EaCopy SeccompCopyEa(const model::UserMemory& mem, model::CopyCounters* counters,
                     const model::seccomp_data& sd) {
  EaCopy ea;
  const auto arg = ExtensibleArgOf(sd);
  if (!arg.has_value()) return ea;
  ea.present = true;
  ea.usize = arg->usize;
  ea.bytes.assign(arg->ksize, 0);
  if (SizeRefused(sd, arg->usize)) return ea;
  auto r = model::CopyStructFromUser(mem, counters, ea.bytes, arg->addr, arg->usize);
  if (!r.ok()) {
    ea.copy_error = r.failure();
    std::fill(ea.bytes.begin(), ea.bytes.end(), uint8_t{0});
    if (r.error() == model::kE2BIG) {
      ea.nonzero_end_known = true;
      ea.nonzero_end = static_cast<uint32_t>(arg->usize);
    }
    return ea;
  }
  ea.copied = true;
  ea.nonzero_end_known = true;
  const auto last =
      std::find_if(ea.bytes.rbegin(), ea.bytes.rend(), [](uint8_t b) { return b != 0; });
  ea.nonzero_end = static_cast<uint32_t>(ea.bytes.rend() - last);
  return ea;
}

std::vector<uint8_t> BuildFilterData(const model::seccomp_data& sd, const EaCopy& ea,
                                     uint32_t len) {
  std::vector<uint8_t> data(std::max<uint32_t>(len, sizeof(model::seccomp_data)), 0);
  const auto head = model::BytesOf(sd);
  std::copy(head.begin(), head.end(), data.begin());
  if (data.size() < kDeepHeaderSize) return data;
  uint64_t features = kHasNrHi;
  if (ea.copied) features |= kHasEa;
  if (ea.nonzero_end_known) features |= kHasEaEnd;
  StoreLe(std::span(data), kOffFeatureBits, features);
  StoreLe(std::span(data), kOffNrHi, uint32_t{0});
  StoreLe(std::span(data), kOffEaSize, static_cast<uint32_t>(ea.usize));
  StoreLe(std::span(data), kOffEaNonzeroEnd, ea.nonzero_end);
  if (data.size() > kEaOffset) {
    const size_t n = std::min<size_t>(ea.bytes.size(), data.size() - kEaOffset);
    std::copy_n(ea.bytes.begin(), n, data.begin() + kEaOffset);
  }
  return data;
}

EaCopy EaCopyFromFilterData(const model::seccomp_data& sd, std::span<const uint8_t> filter_data) {
  EaCopy ea;
  const auto arg = ExtensibleArgOf(sd);
  if (!arg.has_value() || filter_data.size() < kEaOffset + arg->ksize) return ea;
  ea.present = true;
  ea.usize = LoadLe<uint32_t>(filter_data, kOffEaSize);
  const uint64_t features = LoadLe<uint64_t>(filter_data, kOffFeatureBits);
  ea.copied = (features & kHasEa) != 0;
  ea.nonzero_end_known = (features & kHasEaEnd) != 0;
  ea.nonzero_end = LoadLe<uint32_t>(filter_data, kOffEaNonzeroEnd);
  const auto window = filter_data.subspan(kEaOffset, arg->ksize);
  ea.bytes.assign(window.begin(), window.end());
  return ea;
}

model::SysResult<model::open_how> OpenHowFromCopy(const EaCopy& ea) {
  if (ea.usize < model::kOpenHowSizeVer0)
    return Fail(model::kEINVAL, "openat2: usize < OPEN_HOW_SIZE_VER0");
  if (ea.usize > model::kPageSize) return Fail(model::kE2BIG, "openat2: usize > PAGE_SIZE");
  if (!ea.copied) return ea.copy_error;
  model::open_how how = LoadLe<model::open_how>(ea.bytes, 0);
  if ((how.flags & model::kOPath) == 0) how.flags |= model::kOLargefile;
  return how;
}

model::SysResult<void> RecvDeepPrepare(uint64_t len) {
  if (len < kNotifDeepHeader) {
    return Fail(model::kENOSPC, "seccomp_notify_recv_deep: the buffer is shorter than the header");
  }
  return model::Ok();
}

model::SysResult<void> SeccompNotifyRecvDeep(model::UserMemory& mem, model::CopyCounters* counters,
                                             uint64_t buf, uint64_t len,
                                             const NotificationFacts& facts, const EaCopy& ea) {
  std::vector<uint8_t> k(kNotifDeepHeader + ea.bytes.size(), 0);
  StoreLe(std::span(k), 0, facts.id);
  StoreLe(std::span(k), 8, facts.pid);
  StoreLe(std::span(k), 16, facts.data);
  const std::vector<uint8_t> view = BuildFilterData(facts.data, ea, kDeepHeaderSize);
  std::copy(view.begin() + kOffFeatureBits, view.begin() + kDeepHeaderSize, k.begin() + 80);
  StoreLe(std::span(k), 100, static_cast<uint32_t>(ea.bytes.size()));
  std::copy(ea.bytes.begin(), ea.bytes.end(), k.begin() + kNotifDeepHeader);
  if (!model::CopyStructToUser(mem, counters, buf, len, k, nullptr).ok()) {
    return Fail(
        model::kEFAULT,
        "seccomp_notify_recv_deep: copy_struct_to_user faulted; the notification is INIT again");
  }
  return model::Ok();
}

namespace {

std::vector<model::StructLayout> Layouts(Abi abi) {
  if (abi == Abi::kOld)
    return {model::UapiLayout("seccomp_data"), model::UapiLayout("seccomp_notif")};
  return {DataLayout(), NotifDeepLayout(), model::UapiLayout("open_how")};
}

CompatCell Compat(Abi user, Abi kernel) {
  StandardNotification s = MakeStandardNotification();
  model::UserMemory sup;
  Truth truth{s.facts, s.how, "the cached open_how", sizeof(model::open_how)};
  model::Errno first_err{};
  std::string detected;
  bool deep = user == Abi::kNew;
  if (deep) {
    auto opts = ValidateOptionsFor(kFilterFlagDeepArgs, kernel);
    if (!opts.ok()) {
      first_err = opts.error();
      deep = false;
      detected =
          "installing with DEEP_ARGS is EINVAL, so it installed a plain filter and reads "
          "open_how with process_vm_readv";
    }
  }
  auto got = [&]() -> model::SysResult<ReceivedView> {
    ReceivedView v;
    if (deep) {
      const EaCopy ea = SeccompCopyEa(s.target, nullptr, s.facts.data);
      const uint64_t len = kNotifDeepHeader + sizeof(model::clone_args);  // the largest it knows
      const uint64_t buf = sup.AllocBuffer(len);
      auto ready = RecvDeepPrepare(len);
      if (!ready.ok()) return ready.failure();
      auto r = SeccompNotifyRecvDeep(sup, nullptr, buf, len, s.facts, ea);
      if (!r.ok()) return r.failure();
      std::vector<uint8_t> rec(len);
      SCLAB_CHECK(sup.Read(buf, rec).ok(), "deep_args compat: read back");
      v.id = LoadLe<uint64_t>(rec, 0);
      v.pid = LoadLe<uint32_t>(rec, 8);
      v.data = LoadLe<model::seccomp_data>(rec, 16);
      if ((LoadLe<uint64_t>(rec, 80) & kHasEa) != 0) {
        v.how = LoadLe<model::open_how>(rec, kNotifDeepHeader);
        v.new_field = LoadLe<uint32_t>(rec, 100);
      }
      return v;
    }
    return today::SupervisorReceives(sup, s.target, nullptr, s.facts, today::kSizeofNotif);
  }();
  return Classify(user, kernel, truth, got, first_err, detected);
}

}  // namespace

const Proposal& Plugin() {
  static const Proposal plugin(
      {.name = "deep_args",
       .title = "filters read the syscall's struct at PAGE_SIZE, copied once for all",
       .layouts = &Layouts,
       .compat = &Compat,
       .verbs = &Verbs,
       .hooks = &KernelHooks,
       .traits =
           Traits{.fixed_size_buffers = true,
                  .setup_allocations = 0,
                  .per_notif_allocations = 0,
                  .reads_target_memory = false,
                  .note = "a 104-byte header plus the largest struct the program knows, on the "
                          "stack; the notification carries the copy the filters saw"},
       .workload = Workload{
           .user = Abi::kNew,
           .kernel = Abi::kNew,
           .extra_requires = "",
           .filter = "filter F bpf {\n"
                     "    ld [0]\n"
                     "    jeq #437, deep, pass\n"
                     "deep:\n"
                     "    ld [4096]\n"
                     "    ret #NOTIFY\n"
                     "pass:\n"
                     "    ret #ALLOW\n"
                     "}\n",
           .install_flags = "0x40|NEW_LISTENER",
           .setup = "",
           .receive = "sup: recv_deep(SL) -> n{i}\n",
           .deny = kReplyDeny,
           .proceed = kReplyContinue,
           .toctou_note = "openat2 consumes the copy the filters and the supervisor saw"}});
  return plugin;
}

}  // namespace sclab::ksim::proposals::deep_args
