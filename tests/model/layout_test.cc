// The layout descriptors: the C layout rules, the built-in uapi layouts against the
// mirror structs (which uapi_host_check.cc ties to the host's headers), the registry,
// and the byte-map text.
#include "model/layout.h"

#include <algorithm>
#include <boost/test/unit_test.hpp>
#include <cstddef>
#include <string>

#include "model/uapi.h"

namespace sclab::model {
namespace {

// ExpectField checks that `layout` has field `name` at `offset` with `size` bytes.
void ExpectField(const StructLayout& layout, const std::string& name, uint64_t offset,
                 uint64_t size) {
  const FieldLayout* f = layout.FindField(name);
  BOOST_TEST_REQUIRE(f != nullptr, layout.name << " has no field " << name);
  BOOST_TEST(f->offset == offset, layout.name << "." << name);
  BOOST_TEST(f->size == size, layout.name << "." << name);
}

BOOST_AUTO_TEST_SUITE(model_layout)

BOOST_AUTO_TEST_CASE(seccomp_structs_match_the_mirror_structs) {
  const StructLayout& data = UapiLayout("seccomp_data");
  BOOST_TEST(data.size == sizeof(seccomp_data));
  ExpectField(data, "nr", offsetof(seccomp_data, nr), 4);
  ExpectField(data, "arch", offsetof(seccomp_data, arch), 4);
  ExpectField(data, "instruction_pointer", offsetof(seccomp_data, instruction_pointer), 8);
  ExpectField(data, "args", offsetof(seccomp_data, args), 48);
  BOOST_TEST(data.FindField("args")->count == 6u);
  BOOST_TEST(data.Holes().empty());

  const StructLayout& notif = UapiLayout("seccomp_notif");
  BOOST_TEST(notif.size == sizeof(seccomp_notif));
  ExpectField(notif, "id", offsetof(seccomp_notif, id), 8);
  ExpectField(notif, "pid", offsetof(seccomp_notif, pid), 4);
  ExpectField(notif, "flags", offsetof(seccomp_notif, flags), 4);
  ExpectField(notif, "data.nr", offsetof(seccomp_notif, data) + offsetof(seccomp_data, nr), 4);
  ExpectField(notif, "data.args", offsetof(seccomp_notif, data) + offsetof(seccomp_data, args), 48);

  const StructLayout& resp = UapiLayout("seccomp_notif_resp");
  BOOST_TEST(resp.size == sizeof(seccomp_notif_resp));
  ExpectField(resp, "id", offsetof(seccomp_notif_resp, id), 8);
  ExpectField(resp, "val", offsetof(seccomp_notif_resp, val), 8);
  ExpectField(resp, "error", offsetof(seccomp_notif_resp, error), 4);
  ExpectField(resp, "flags", offsetof(seccomp_notif_resp, flags), 4);

  const StructLayout& sizes = UapiLayout("seccomp_notif_sizes");
  BOOST_TEST(sizes.size == sizeof(seccomp_notif_sizes));
  BOOST_TEST(sizes.align == 2u);
  ExpectField(sizes, "seccomp_notif", offsetof(seccomp_notif_sizes, seccomp_notif), 2);
  ExpectField(sizes, "seccomp_notif_resp", offsetof(seccomp_notif_sizes, seccomp_notif_resp), 2);
  ExpectField(sizes, "seccomp_data", offsetof(seccomp_notif_sizes, seccomp_data), 2);

  const StructLayout& addfd = UapiLayout("seccomp_notif_addfd");
  BOOST_TEST(addfd.size == sizeof(seccomp_notif_addfd));
  ExpectField(addfd, "id", offsetof(seccomp_notif_addfd, id), 8);
  ExpectField(addfd, "flags", offsetof(seccomp_notif_addfd, flags), 4);
  ExpectField(addfd, "srcfd", offsetof(seccomp_notif_addfd, srcfd), 4);
  ExpectField(addfd, "newfd", offsetof(seccomp_notif_addfd, newfd), 4);
  ExpectField(addfd, "newfd_flags", offsetof(seccomp_notif_addfd, newfd_flags), 4);
  BOOST_TEST_REQUIRE(addfd.versions.size() == 1u);
  BOOST_TEST(addfd.versions[0].size == 24u);
}

BOOST_AUTO_TEST_CASE(extensible_structs_carry_their_published_sizes) {
  const StructLayout& how = UapiLayout("open_how");
  BOOST_TEST(how.size == sizeof(open_how));
  ExpectField(how, "flags", offsetof(open_how, flags), 8);
  ExpectField(how, "mode", offsetof(open_how, mode), 8);
  ExpectField(how, "resolve", offsetof(open_how, resolve), 8);
  BOOST_TEST_REQUIRE(how.versions.size() == 1u);
  BOOST_TEST(how.versions[0].name == "OPEN_HOW_SIZE_VER0");
  BOOST_TEST(how.versions[0].size == 24u);

  const StructLayout& ca = UapiLayout("clone_args");
  BOOST_TEST(ca.size == sizeof(clone_args));
  BOOST_TEST(ca.size == 88u);
  ExpectField(ca, "flags", offsetof(clone_args, flags), 8);
  ExpectField(ca, "pidfd", offsetof(clone_args, pidfd), 8);
  ExpectField(ca, "child_tid", offsetof(clone_args, child_tid), 8);
  ExpectField(ca, "parent_tid", offsetof(clone_args, parent_tid), 8);
  ExpectField(ca, "exit_signal", offsetof(clone_args, exit_signal), 8);
  ExpectField(ca, "stack", offsetof(clone_args, stack), 8);
  ExpectField(ca, "stack_size", offsetof(clone_args, stack_size), 8);
  ExpectField(ca, "tls", offsetof(clone_args, tls), 8);
  ExpectField(ca, "set_tid", offsetof(clone_args, set_tid), 8);
  ExpectField(ca, "set_tid_size", offsetof(clone_args, set_tid_size), 8);
  ExpectField(ca, "cgroup", offsetof(clone_args, cgroup), 8);
  BOOST_TEST_REQUIRE(ca.versions.size() == 3u);
  BOOST_TEST(ca.versions[0].size == 64u);
  BOOST_TEST(ca.versions[1].size == 80u);
  BOOST_TEST(ca.versions[2].size == 88u);
  BOOST_TEST(ca.versions[2].name == "CLONE_ARGS_SIZE_VER2");
}

BOOST_AUTO_TEST_CASE(sock_fprog_has_six_padding_bytes_after_len) {
  const StructLayout& prog = UapiLayout("sock_fprog");
  BOOST_TEST(prog.size == sizeof(sock_fprog));
  ExpectField(prog, "len", offsetof(sock_fprog, len), 2);
  ExpectField(prog, "filter", offsetof(sock_fprog, filter), 8);
  const auto holes = prog.Holes();
  BOOST_TEST_REQUIRE(holes.size() == 1u);
  BOOST_TEST(holes[0].offset == 2u);
  BOOST_TEST(holes[0].size == 6u);

  const StructLayout& insn = UapiLayout("sock_filter");
  BOOST_TEST(insn.size == sizeof(sock_filter));
  ExpectField(insn, "code", offsetof(sock_filter, code), 2);
  ExpectField(insn, "jt", offsetof(sock_filter, jt), 1);
  ExpectField(insn, "jf", offsetof(sock_filter, jf), 1);
  ExpectField(insn, "k", offsetof(sock_filter, k), 4);
}

BOOST_AUTO_TEST_CASE(sigsys_siginfo_has_a_hole_before_the_union) {
  const StructLayout& si = UapiLayout("siginfo_sigsys");
  BOOST_TEST(si.size == sizeof(siginfo_sigsys));
  ExpectField(si, "si_signo", offsetof(siginfo_sigsys, si_signo), 4);
  ExpectField(si, "si_errno", offsetof(siginfo_sigsys, si_errno), 4);
  ExpectField(si, "si_code", offsetof(siginfo_sigsys, si_code), 4);
  ExpectField(si, "si_call_addr", offsetof(siginfo_sigsys, _call_addr), 8);
  ExpectField(si, "si_syscall", offsetof(siginfo_sigsys, _syscall), 4);
  ExpectField(si, "si_arch", offsetof(siginfo_sigsys, _arch), 4);
  BOOST_TEST(si.FindField("si_call_addr")->offset == 16u);
  const auto holes = si.Holes();
  BOOST_TEST_REQUIRE(holes.size() == 1u);
  BOOST_TEST(holes[0].offset == 12u);
  BOOST_TEST(holes[0].size == 4u);
}

BOOST_AUTO_TEST_CASE(lays_out_holes_the_way_the_c_compiler_does) {
  // The seed thread's seccomp_notif_config {u32 size; u64 ...; u32; u32}: a 4-byte
  // hole after `size`, 24 bytes in all.
  struct NotifConfig {
    uint32_t size;
    uint64_t optional_fixed_size_fields;
    uint32_t size_of_variable_member1;
    uint32_t size_of_variable_member2;
  };
  const StructLayout cfg =
      LayOutStruct({"seccomp_notif_config",
                    {U32("size"), U64("optional_fixed_size_fields"),
                     U32("size_of_variable_member1"), U32("size_of_variable_member2")},
                    {}});
  BOOST_TEST(cfg.size == sizeof(NotifConfig));
  BOOST_TEST(cfg.align == alignof(NotifConfig));
  ExpectField(cfg, "optional_fixed_size_fields", offsetof(NotifConfig, optional_fixed_size_fields),
              8);
  ExpectField(cfg, "size_of_variable_member2", offsetof(NotifConfig, size_of_variable_member2), 4);
  const auto holes = cfg.Holes();
  BOOST_TEST_REQUIRE(holes.size() == 1u);
  BOOST_TEST(holes[0].offset == 4u);
  BOOST_TEST(holes[0].size == 4u);

  // A tail hole: {u64; u8} is 16 bytes.
  struct Tail {
    uint64_t a;
    uint8_t b;
  };
  const StructLayout tail = LayOutStruct({"tail", {U64("a"), U8("b")}, {}});
  BOOST_TEST(tail.size == sizeof(Tail));
  BOOST_TEST_REQUIRE(tail.Holes().size() == 1u);
  BOOST_TEST(tail.Holes()[0].offset == 9u);
  BOOST_TEST(tail.Holes()[0].size == 7u);
}

BOOST_AUTO_TEST_CASE(a_flexible_array_adds_alignment_but_no_size) {
  const StructLayout flex =
      LayOutStruct({"sizes", {U16("num_members"), ArrayOf(U32("member_sizes"), 0)}, {}});
  BOOST_TEST(flex.size == 4u);
  BOOST_TEST(flex.align == 4u);
  ExpectField(flex, "member_sizes", 4, 0);
  BOOST_TEST(flex.FindField("member_sizes")->count == 0u);
}

BOOST_AUTO_TEST_CASE(refuses_what_c_refuses) {
  // The seed's sizes_vector struct puts a field after a flexible array member.
  BOOST_TEST(CheckStructSpec(
                 {"sizes_vector",
                  {U32("num_members"), ArrayOf(U32("member_sizes"), 0), U32("sub_member_size")},
                  {}}) ==
             "struct sizes_vector: field 'sub_member_size' follows flexible array member "
             "'member_sizes'");
  BOOST_TEST(CheckStructSpec({"only_flex", {ArrayOf(U32("a"), 0)}, {}}) ==
             "struct only_flex: flexible array 'a' is the only member");
  BOOST_TEST(CheckStructSpec({"dup", {U32("a"), U32("a")}, {}}) ==
             "struct dup: duplicate field 'a'");
  BOOST_TEST(CheckStructSpec({"odd", {Scalar("a", "weird", 3)}, {}}) ==
             "struct odd: field 'a' has alignment 3, not a power of two");
  BOOST_TEST(CheckStructSpec({"empty", {}, {}}) == "struct empty has no fields");
  BOOST_TEST(CheckStructSpec({"v", {U64("a"), U64("b")}, {{"VER0", 12}}}) ==
             "struct v: version VER0 (12) does not end at a field boundary");
  BOOST_TEST(CheckStructSpec({"v", {U64("a"), U64("b")}, {{"VER0", 16}, {"VER1", 8}}}) ==
             "struct v: version VER1 (8) is not larger than the one before");
  BOOST_TEST(CheckStructSpec({"v", {U64("a"), U64("b")}, {{"VER0", 8}, {"VER1", 16}}}).empty());
}

BOOST_AUTO_TEST_CASE(registry_finds_by_name_and_keeps_the_first) {
  LayoutRegistry r = UapiLayouts();
  const size_t builtin = r.size();
  BOOST_TEST(builtin == 10u);
  BOOST_TEST(r.Find("nope") == nullptr);
  BOOST_TEST(r.Add(LayOutStruct(
      {"ea_notif", {U32("size"), U32("flags"), U64("id")}, {{"EA_NOTIF_SIZE_VER0", 16}}})));
  BOOST_TEST(!r.Add(LayOutStruct({"ea_notif", {U64("other")}, {}})));
  BOOST_TEST_REQUIRE(r.Find("ea_notif") != nullptr);
  BOOST_TEST(r.Find("ea_notif")->size == 16u);
  BOOST_TEST(r.size() == builtin + 1);
  const std::vector<std::string> names = r.Names();
  BOOST_TEST(std::is_sorted(names.begin(), names.end()));
  BOOST_TEST(UapiLayouts().Find("ea_notif") == nullptr);  // the built-ins are untouched
}

BOOST_AUTO_TEST_CASE(byte_map_of_sock_fprog_shows_the_hole) {
  BOOST_TEST(RenderByteMap(UapiLayout("sock_fprog")) ==
             "struct sock_fprog: 16 bytes, align 8\n"
             "offset  size  01234567  field   type\n"
             "     0     2  ##......  len     unsigned short\n"
             "     2     6  ..~~~~~~  (hole)\n"
             "     8     8  ########  filter  struct sock_filter *\n"
             "------ 16 = sizeof\n");
}

BOOST_AUTO_TEST_CASE(byte_map_of_clone_args_marks_each_version) {
  BOOST_TEST(RenderByteMap(UapiLayout("clone_args")) ==
             "struct clone_args: 88 bytes, align 8\n"
             "offset  size  01234567  field         type\n"
             "     0     8  ########  flags         __aligned_u64\n"
             "     8     8  ########  pidfd         __aligned_u64\n"
             "    16     8  ########  child_tid     __aligned_u64\n"
             "    24     8  ########  parent_tid    __aligned_u64\n"
             "    32     8  ########  exit_signal   __aligned_u64\n"
             "    40     8  ########  stack         __aligned_u64\n"
             "    48     8  ########  stack_size    __aligned_u64\n"
             "    56     8  ########  tls           __aligned_u64\n"
             "------ 64 = CLONE_ARGS_SIZE_VER0\n"
             "    64     8  ########  set_tid       __aligned_u64\n"
             "    72     8  ########  set_tid_size  __aligned_u64\n"
             "------ 80 = CLONE_ARGS_SIZE_VER1\n"
             "    80     8  ########  cgroup        __aligned_u64\n"
             "------ 88 = CLONE_ARGS_SIZE_VER2 = sizeof\n");
}

BOOST_AUTO_TEST_CASE(byte_map_widens_the_lane_for_multi_word_fields) {
  const StructLayout s =
      LayOutStruct({"mixed",
                    {U16("a"), ArrayOf(U8("name"), 16), ArrayOf(U64("w"), 2), ArrayOf(U32("f"), 0)},
                    {}});
  BOOST_TEST(RenderByteMap(s) ==
             "struct mixed: 40 bytes, align 8\n"
             "offset  size  01234567      field     type\n"
             "     0     2  ##......      a         __u16\n"
             "     2    16  ..###### +10  name[16]  __u8\n"
             "    18     6  ..~~~~~~      (hole)\n"
             "    24     8  ########      w[0]      __u64\n"
             "    32     8  ########      w[1]      __u64\n"
             "    40     0  ........      f[]       __u32\n"
             "------ 40 = sizeof\n");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace sclab::model
