// perf_config's scenario verbs: the one-shot configure (every field settable, to show
// each error and write-back) and the flat receive, decoded with the record layout the
// configuration implies.
#include <algorithm>

#include "kernel_sim/proposals/byte_fields.h"
#include "kernel_sim/proposals/ioctl_number.h"
#include "kernel_sim/proposals/perf_config/perf_config.h"
#include "kernel_sim/proposals/verb.h"

namespace sclab::ksim::proposals::perf_config {

namespace {

// ConfigFrom is the standard configuration of the userspace ABI with the keys applied.
seccomp_notif_config ConfigFrom(const VerbArgs& a) {
  seccomp_notif_config c = StandardConfig(a.user);
  c.size = static_cast<uint32_t>(a.Key("size", c.size));
  c.hole = static_cast<uint32_t>(a.Key("hole", 0));
  c.optional_fixed_size_fields = a.Key("fields", c.optional_fixed_size_fields);
  c.size_of_variable_member1 = static_cast<uint32_t>(a.Key("data", c.size_of_variable_member1));
  c.size_of_variable_member2 = static_cast<uint32_t>(a.Key("ea", c.size_of_variable_member2));
  c.size_of_variable_member3 = static_cast<uint32_t>(a.Key("data_v2", 0));
  return c;
}

VerbPlan Config(const VerbArgs& a) {
  const seccomp_notif_config c = ConfigFrom(a);
  const uint64_t len = std::clamp<uint64_t>(c.size, ConfigSize(a.user), 2 * model::kPageSize);
  std::vector<uint8_t> buf(len, 0);
  const auto bytes = model::BytesOf(c);
  std::copy_n(bytes.begin(), std::min<uint64_t>(len, bytes.size()), buf.begin());
  VerbPlan p;
  p.buffers.push_back({"", buf});
  IoctlOnBuffer0(&p, a.positional[0], kIoctlNotifConfig);
  AddField(&p, "size", 0, 0, 4);
  AddField(&p, "member1", 0, 16, 4);
  AddField(&p, "member2", 0, 20, 4);
  if (len >= kConfigSizeVer1) AddField(&p, "member3", 0, 24, 4);
  return p;
}

VerbPlan RecvFlat(const VerbArgs& a) {
  const seccomp_notif_config c = ConfigFrom(a);
  NotifConfig config;
  config.configured = true;
  config.fields = c.optional_fixed_size_fields;
  config.member_size = {c.size_of_variable_member1, c.size_of_variable_member2,
                        c.size_of_variable_member3};
  const uint64_t len = a.Key("len", RecordSize(config));
  const model::StructLayout rec = RecordLayout(config);
  VerbPlan p;
  p.buffers.push_back({"", std::vector<uint8_t>(len, 0)});
  IoctlOnBuffer0(&p, a.positional[0], kIoctlNotifRecvFlat | (static_cast<uint32_t>(len) << 16));
  p.result = FieldKind::kPlain;
  PlanNotification n;
  if (const model::FieldLayout* pid = rec.FindField("pid")) n.pid = PlanPlace{0, pid->offset};
  if (const model::FieldLayout* data = rec.FindField("data.nr"))
    n.data = PlanPlace{0, data->offset};
  p.notification = n;
  const auto in_record = [&](const model::FieldLayout* f) {
    return f != nullptr && f->end() <= len;
  };
  if (const model::FieldLayout* ea = rec.FindField("ea"); in_record(ea) && ea->size >= 24) {
    AddOpenHowFields(&p, 0, ea->offset);
  }
  for (const char* name : {"tgid", "ea_size"}) {
    if (const model::FieldLayout* f = rec.FindField(name); in_record(f)) {
      AddField(&p, name, 0, f->offset, 4, name[0] == 't' ? FieldKind::kPid : FieldKind::kPlain);
    }
  }
  return p;
}

}  // namespace

std::vector<VerbSpec> Verbs() {
  return {
      {"perf_config",
       "notif_config",
       "notif_config(L [, size=N] [, fields=F] [, data=N] [, ea=N] [, data_v2=N] [, hole=V]) -> c",
       "ioctl(L, SECCOMP_IOCTL_NOTIF_CONFIG, buf) with struct seccomp_notif_config (default: "
       "the userspace ABI's standard config: data 64, ea 24, PID|EA_SIZE, +TGID on the new "
       "ABI); fields `c.size`, `c.member1`, `c.member2`, `c.member3` read back (the kernel "
       "writes sizes back on E2BIG/EINVAL)",
       {VerbParam::kValue},
       1,
       {"size", "fields", "data", "ea", "data_v2", "hole"},
       VerbBinds::kValue,
       {"size", "member1", "member2", "member3"},
       &Config},
      {"perf_config",
       "recv_flat",
       "recv_flat(L [, len=N] [, fields=F] [, data=N] [, ea=N] [, data_v2=N]) -> n",
       "ioctl(L, _IOWR('!', 0x21, N), buf(N)); the record is decoded with the layout the "
       "same keys give notif_config; binds a notification with `n.how.flags`, `n.how.mode`, "
       "`n.how.resolve`, `n.tgid`, `n.ea_size` when the record holds them",
       {VerbParam::kValue},
       1,
       {"len", "fields", "data", "ea", "data_v2"},
       VerbBinds::kNotification,
       {"how.flags", "how.mode", "how.resolve", "tgid", "ea_size"},
       &RecvFlat},
  };
}

}  // namespace sclab::ksim::proposals::perf_config
