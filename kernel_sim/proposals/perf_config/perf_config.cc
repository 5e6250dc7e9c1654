// perf_config's negotiation follows kernel/events/core.c perf_copy_attr() step by step
// (../shared/PROPOSALS.md lists the steps): zero the kernel struct, read `size`, treat
// 0 as VER0, send too small or too large sizes and non-zero unknown bytes to the error
// path that writes the kernel's size back and returns E2BIG, and only then validate the
// known fields (unknown bits: EINVAL). The member sizes come last, each with its own
// write-back, so a supervisor can learn every size the kernel supports by retrying.
#include "kernel_sim/proposals/perf_config/perf_config.h"

#include <fmt/format.h>
#include <algorithm>

#include "kernel_sim/proposals/byte_fields.h"
#include "kernel_sim/proposals/received_view.h"

namespace sclab::ksim::proposals::perf_config {

using model::Fail;

namespace {

constexpr uint64_t kWord = 8;
constexpr uint64_t kMemberSizeOffset = 16;  // offsetof(size_of_variable_member1)

uint64_t RoundUp8(uint64_t v) { return (v + kWord - 1) / kWord * kWord; }

size_t MemberCount(Abi abi) { return abi == Abi::kOld ? 2 : 3; }

// PutUserU32 models put_user() of a u32: one copy_to_user of 4 bytes.
model::SysResult<void> PutUserU32(model::UserMemory& mem, model::CopyCounters* counters,
                                  uint64_t addr, uint32_t value) {
  return model::CopyToUser(mem, counters, addr, model::BytesOf(value));
}

}  // namespace

std::string FixedBitsCollision(std::span<const FixedField> table) {
  for (size_t i = 0; i < table.size(); ++i) {
    const uint64_t bit = table[i].bit;
    if (bit == 0 || (bit & (bit - 1)) != 0) {
      return fmt::format("{} uses {:#x}, which is not a single bit", table[i].name, bit);
    }
    for (size_t j = 0; j < i; ++j) {
      if (table[j].bit == bit) {
        int n = 0;
        while ((uint64_t{1} << n) != bit) ++n;
        return fmt::format("{} and {} both use bit {}", table[j].name, table[i].name, n);
      }
    }
  }
  return "";
}

uint64_t KnownFields(Abi abi) {
  uint64_t known = 0;
  for (const FixedField& f : kFixedFields) {
    if (f.since == Abi::kOld || abi == Abi::kNew) known |= f.bit;
  }
  return known;
}

model::StructLayout ConfigLayout(Abi abi) {
  std::vector<model::FieldSpec> fields = {
      model::U32("size"), model::U64("optional_fixed_size_fields"),
      model::U32("size_of_variable_member1"), model::U32("size_of_variable_member2")};
  std::vector<model::StructVersion> versions = {
      {"SECCOMP_NOTIF_CONFIG_SIZE_VER0", kConfigSizeVer0}};
  if (abi == Abi::kNew) {
    fields.push_back(model::U32("size_of_variable_member3"));
    fields.push_back(model::U32("__reserved1"));
    versions.push_back({"SECCOMP_NOTIF_CONFIG_SIZE_VER1", kConfigSizeVer1});
  }
  return model::LayOutStruct({"seccomp_notif_config", fields, versions});
}

model::SysResult<void> SeccompNotifyConfig(model::UserMemory& mem, model::CopyCounters* counters,
                                           uint64_t uconfig, Abi kernel, NotifConfig* state) {
  if (state->configured) return Fail(model::kEBUSY, "seccomp_notify_config: already configured");
  const uint64_t ksize = ConfigSize(kernel);
  seccomp_notif_config k{};  // 1. the kernel zeroes its struct
  uint32_t usize = 0;        // 2. reads the user's size
  if (!model::CopyFromUser(mem, counters, model::BytesOf(usize), uconfig).ok()) {
    return Fail(model::kEFAULT, "seccomp_notify_config: get_user(size) faulted");
  }
  if (usize == 0) usize = kConfigSizeVer0;                          // 3.
  auto err_size = [&](const char* why) -> model::SysResult<void> {  // 6.
    if (!PutUserU32(mem, counters, uconfig, static_cast<uint32_t>(ksize)).ok()) {
      return Fail(model::kEFAULT, "seccomp_notify_config: put_user(size) faulted");
    }
    return Fail(model::kE2BIG, why);
  };
  if (usize < kConfigSizeVer0 || usize > model::kPageSize) {  // 4.
    return err_size(
        "seccomp_notify_config: size < VER0 or > PAGE_SIZE; the kernel's size written back");
  }
  auto copied = model::CopyStructFromUser(mem, counters, model::BytesOf(k).first(ksize), uconfig,
                                          usize);  // 5.
  if (!copied.ok()) {
    if (copied.error() == model::kE2BIG) {
      return err_size(
          "seccomp_notify_config: non-zero bytes past the kernel's size; its size written back");
    }
    return Fail(model::kEFAULT, "seccomp_notify_config: copy_struct_from_user faulted");
  }
  if ((k.optional_fixed_size_fields & ~KnownFields(kernel)) != 0) {  // 7.
    return Fail(model::kEINVAL, "seccomp_notify_config: unknown bit in optional_fixed_size_fields");
  }
  const std::array<uint32_t, 3> asked = {k.size_of_variable_member1, k.size_of_variable_member2,
                                         k.size_of_variable_member3};
  for (size_t i = 0; i < MemberCount(kernel); ++i) {
    const Member& m = kMembers[i];
    if (asked[i] == 0) continue;
    const bool too_big = asked[i] > m.ksize;
    if (too_big || asked[i] < m.ver0 || asked[i] % kWord != 0) {
      if (!PutUserU32(mem, counters, uconfig + kMemberSizeOffset + 4 * i, m.ksize).ok()) {
        return Fail(model::kEFAULT, "seccomp_notify_config: put_user(member size) faulted");
      }
      return too_big ? Fail(model::kE2BIG,
                            "seccomp_notify_config: member larger than the kernel's; its size "
                            "written back")
                     : Fail(model::kEINVAL,
                            "seccomp_notify_config: member below its VER0 or not a multiple of 8; "
                            "the kernel's size written back");
    }
  }
  state->configured = true;
  state->kernel = kernel;
  state->fields = k.optional_fixed_size_fields;
  state->member_size = {asked[0], asked[1], MemberCount(kernel) > 2 ? asked[2] : 0};
  return model::Ok();
}

uint64_t RecordSize(const NotifConfig& config) {
  uint64_t size = kWord;  // id
  for (uint32_t m : config.member_size) size += m;
  for (const FixedField& f : kFixedFields) {
    if ((config.fields & f.bit) != 0) size += f.size;
  }
  return RoundUp8(size);
}

model::StructLayout RecordLayout(const NotifConfig& config) {
  std::vector<model::FieldSpec> fields = {model::U64("id")};
  for (size_t i = 0; i < kMembers.size(); ++i) {
    const uint32_t n = config.member_size[i];
    if (n == 0) continue;
    if (i == 0 && n == sizeof(model::seccomp_data)) {
      fields.push_back(model::Nested("data", model::UapiLayout("seccomp_data")));
    } else {
      fields.push_back(model::ArrayOf(model::Scalar(std::string(kMembers[i].name), "__u8", 1), n));
    }
  }
  uint64_t fixed = 0;
  for (const FixedField& f : kFixedFields) {
    if ((config.fields & f.bit) == 0) continue;
    fields.push_back(model::U32(std::string(f.name)));
    fixed += f.size;
  }
  if (fixed % kWord != 0) fields.push_back(model::U32("__pad"));
  return model::LayOutStruct({"seccomp_notif_flat", fields, {}});
}

std::vector<uint8_t> BuildFlatRecord(const NotifConfig& config, const NotificationFacts& facts,
                                     const model::UserMemory& target,
                                     model::CopyCounters* counters) {
  std::vector<uint8_t> rec(RecordSize(config), 0);
  StoreLe(std::span(rec), 0, facts.id);
  uint64_t at = kWord;
  uint32_t ea_size = 0;
  // Member 1: seccomp_data at the size asked for (never more than 64: checked at configure).
  if (config.member_size[0] != 0) {
    const auto data = model::BytesOf(facts.data);
    std::copy_n(data.begin(), config.member_size[0], rec.begin() + static_cast<std::ptrdiff_t>(at));
    at += config.member_size[0];
  }
  // Member 2: the syscall's extensible struct, read from the target.
  if (config.member_size[1] != 0) {
    const auto arg = ExtensibleArgOf(facts.data);
    if (arg.has_value()) {
      auto ea = CopyTargetStruct(target, counters, *arg, config.member_size[1]);
      if (ea.ok()) {
        std::copy(ea.value().begin(), ea.value().end(),
                  rec.begin() + static_cast<std::ptrdiff_t>(at));
        ea_size = static_cast<uint32_t>(arg->usize);
      }
    }
    at += config.member_size[1];
  }
  // Member 3: the grown seccomp_data: data, then feature_bits 0 (this kernel sets none).
  if (config.member_size[2] != 0) {
    const auto data = model::BytesOf(facts.data);
    std::copy(data.begin(), data.end(), rec.begin() + static_cast<std::ptrdiff_t>(at));
    at += config.member_size[2];
  }
  for (const FixedField& f : kFixedFields) {
    if ((config.fields & f.bit) == 0) continue;
    uint32_t v = 0;
    if (f.bit == kFieldPid) v = facts.pid;
    if (f.bit == kFieldTgid) v = facts.tgid;
    if (f.bit == kFieldEaSize) v = ea_size;
    StoreLe(std::span(rec), at, v);
    at += f.size;
  }
  return rec;
}

model::SysResult<void> RecvFlatPrepare(const NotifConfig& config, uint64_t len) {
  if (!config.configured) return Fail(model::kEINVAL, "seccomp_notify_recv_flat: not configured");
  if (len < RecordSize(config)) {
    return Fail(model::kENOSPC, "seccomp_notify_recv_flat: the buffer is shorter than a record");
  }
  return model::Ok();
}

model::SysResult<uint64_t> SeccompNotifyRecvFlat(model::UserMemory& mem,
                                                 model::CopyCounters* counters, uint64_t buf,
                                                 const NotifConfig& config,
                                                 const NotificationFacts& facts,
                                                 const model::UserMemory& target) {
  const std::vector<uint8_t> rec = BuildFlatRecord(config, facts, target, counters);
  if (!model::CopyToUser(mem, counters, buf, rec).ok()) {
    return Fail(model::kEFAULT,
                "seccomp_notify_recv_flat: copy_to_user faulted; the notification is INIT again");
  }
  return static_cast<uint64_t>(rec.size());
}

seccomp_notif_config StandardConfig(Abi user) {
  seccomp_notif_config c{};
  c.size = static_cast<uint32_t>(ConfigSize(user));
  c.optional_fixed_size_fields = kFieldPid | kFieldEaSize | (user == Abi::kNew ? kFieldTgid : 0);
  c.size_of_variable_member1 = sizeof(model::seccomp_data);
  c.size_of_variable_member2 = sizeof(model::open_how);
  return c;
}

namespace {

std::vector<model::StructLayout> Layouts(Abi abi) {
  NotifConfig standard;
  standard.configured = true;
  const seccomp_notif_config c = StandardConfig(abi);
  standard.fields = c.optional_fixed_size_fields;
  standard.member_size = {c.size_of_variable_member1, c.size_of_variable_member2,
                          c.size_of_variable_member3};
  return {ConfigLayout(abi), RecordLayout(standard), model::UapiLayout("seccomp_notif_resp")};
}

CompatCell Compat(Abi user, Abi kernel) {
  StandardNotification s = MakeStandardNotification();
  model::UserMemory sup;
  Truth truth{s.facts, s.how, "tgid", s.facts.tgid};
  model::Errno first_err{};
  std::string detected;
  seccomp_notif_config c = StandardConfig(user);
  const uint64_t csize = ConfigSize(user);
  const uint64_t uconfig = sup.AllocBuffer(csize);
  NotifConfig state;
  auto configure = [&]() {
    SCLAB_CHECK(sup.Write(uconfig, model::BytesOf(c).first(csize)).ok(),
                "perf_config compat: config");
    return SeccompNotifyConfig(sup, nullptr, uconfig, kernel, &state);
  };
  auto r = configure();
  if (!r.ok() && r.error() == model::kEINVAL && user == Abi::kNew) {
    // perf's convention: drop what the kernel refused and try again, decoding with the
    // record struct compiled for the old field set.
    first_err = r.error();
    detected =
        "CONFIG with TGID is EINVAL; configured again without it (and decodes with a second record "
        "struct)";
    c.optional_fixed_size_fields &= ~kFieldTgid;
    r = configure();
  }
  auto got = [&]() -> model::SysResult<ReceivedView> {
    if (!r.ok()) return r.failure();
    const uint64_t len = RecordSize(state);
    auto ready = RecvFlatPrepare(state, len);
    if (!ready.ok()) return ready.failure();
    const uint64_t buf = sup.AllocBuffer(len);
    auto n = SeccompNotifyRecvFlat(sup, nullptr, buf, state, s.facts, s.target);
    if (!n.ok()) return n.failure();
    std::vector<uint8_t> rec(n.value());
    SCLAB_CHECK(sup.Read(buf, rec).ok(), "perf_config compat: read back");
    // The userspace struct: u64 id; seccomp_data; open_how; u32 pid; [u32 tgid;] u32 ea_size.
    ReceivedView v;
    v.id = LoadLe<uint64_t>(rec, 0);
    v.data = LoadLe<model::seccomp_data>(rec, 8);
    v.how = LoadLe<model::open_how>(rec, 72);
    v.pid = LoadLe<uint32_t>(rec, 96);
    if ((c.optional_fixed_size_fields & kFieldTgid) != 0) v.new_field = LoadLe<uint32_t>(rec, 100);
    return v;
  }();
  return Classify(user, kernel, truth, got, first_err, detected);
}

}  // namespace

const Proposal& Plugin() {
  static const Proposal plugin(
      {.name = "perf_config",
       .title = "perf_event_attr-style configure once, then flat records of what was asked",
       .layouts = &Layouts,
       .compat = &Compat,
       .verbs = &Verbs,
       .hooks = &KernelHooks,
       .traits =
           Traits{.fixed_size_buffers = true,
                  .setup_allocations = 0,
                  .per_notif_allocations = 0,
                  .reads_target_memory = false,
                  .note = "config and record are structs fixed at compile time; the kernel copies "
                          "the open_how into the record, so no process_vm_readv"},
       .workload = Workload{.user = Abi::kNew,
                            .kernel = Abi::kNew,
                            .extra_requires = "",
                            .filter = "",
                            .install_flags = "NEW_LISTENER",
                            .setup = "sup: notif_config(SL) = 0\n",
                            .receive = "sup: recv_flat(SL) -> n{i}\n",
                            .deny = kReplyDeny,
                            .proceed = kReplyContinue,
                            .toctou_note = "the record's copy is not the one the call makes"}});
  return plugin;
}

}  // namespace sclab::ksim::proposals::perf_config
