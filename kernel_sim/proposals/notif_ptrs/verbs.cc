// notif_ptrs's scenario verbs: discovery (the same ioctl sizes_vector defines) and the
// pointer receive, with one buffer per member the scenario asks for.
#include "kernel_sim/proposals/byte_fields.h"
#include "kernel_sim/proposals/notif_ptrs/notif_ptrs.h"
#include "kernel_sim/proposals/sizes_vector/sizes_vector.h"
#include "kernel_sim/proposals/verb.h"

namespace sclab::ksim::proposals::notif_ptrs {

namespace {

VerbPlan RecvPtrs(const VerbArgs& a) {
  const uint64_t block_len = a.Key("block", BlockSize(a.user));
  const size_t pairs = a.user == Abi::kOld ? 2 : 3;
  const uint64_t fixed = pairs * sizeof(seccomp_notif_buf);
  const uint64_t sizes[3] = {a.Key("data", 64), a.Key("ea", 24), a.Key("data_v2", 0)};
  VerbPlan p;
  std::vector<uint8_t> block(std::max<uint64_t>(block_len, fixed + 24), 0);
  uint32_t next = 1;
  uint32_t member_buffer[3] = {0, 0, 0};
  for (size_t i = 0; i < pairs; ++i) {
    StoreLe(std::span(block), 16 * i + 8, static_cast<uint32_t>(sizes[i]));
    if (sizes[i] != 0) {
      member_buffer[i] = next++;
      p.pointers.push_back({0, 16 * i, member_buffer[i], 0});
    }
  }
  p.buffers.push_back({"", block});
  const char* names[3] = {".data", ".ea", ".data_v2"};
  for (size_t i = 0; i < pairs; ++i) {
    if (sizes[i] != 0) p.buffers.push_back({names[i], std::vector<uint8_t>(sizes[i], 0)});
  }
  IoctlOnBuffer0(&p, a.positional[0],
                 kIoctlNotifRecvPtrs | (static_cast<uint32_t>(block_len) << 16));
  PlanNotification n{{0, fixed}, PlanPlace{0, fixed + 8}, std::nullopt};
  if (member_buffer[0] != 0) n.data = PlanPlace{member_buffer[0], 0};
  p.notification = n;
  if (member_buffer[1] != 0 && sizes[1] >= 24) AddOpenHowFields(&p, member_buffer[1], 0);
  AddField(&p, "ea_size", 0, fixed + 12, 4);
  if (a.user == Abi::kNew) AddField(&p, "tgid", 0, fixed + 16, 4, FieldKind::kPid);
  return p;
}

}  // namespace

std::vector<VerbSpec> Verbs() {
  return {
      {"notif_ptrs",
       "ptrs_layout",
       "ptrs_layout(L [, capacity=N]) -> s",
       "ioctl(L, SECCOMP_IOCTL_NOTIF_GET_LAYOUT, buf(8 + 4N)), as sizes_vector's "
       "notif_layout; fields `s.num_members`, `s.submember_size`, `s.member_sizes[0..3]`",
       {VerbParam::kValue},
       1,
       {"capacity"},
       VerbBinds::kValue,
       {"num_members", "submember_size", "member_sizes[0]", "member_sizes[1]", "member_sizes[2]",
        "member_sizes[3]"},
       &sizes_vector::LayoutVerbPlan},
      {"notif_ptrs",
       "recv_ptrs",
       "recv_ptrs(L [, data=N] [, ea=N] [, data_v2=N] [, block=N]) -> n",
       "ioctl(L, _IOWR('!', 0x31, block), block) where the block holds a {pointer, size} "
       "pair per member (a buffer of N bytes each; 0 = omitted; defaults data 64, ea 24) "
       "and room for the fixed fields; binds a notification with `n.how.*`, `n.ea_size` "
       "and, on the new ABI, `n.tgid`",
       {VerbParam::kValue},
       1,
       {"data", "ea", "data_v2", "block"},
       VerbBinds::kNotification,
       {"how.flags", "how.mode", "how.resolve", "ea_size", "tgid"},
       &RecvPtrs},
  };
}

}  // namespace sclab::ksim::proposals::notif_ptrs
