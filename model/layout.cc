// Struct layout as the x86_64 C compiler does it, and the byte-map renderer.
//
// Layout: walk the fields in declaration order with a running offset. Each field
// goes at the offset rounded up to its alignment; the bytes skipped are a hole. The
// struct's alignment is the largest field alignment, and its size is the end of the
// last field rounded up to that alignment (the tail hole). A flexible array member
// contributes its alignment but no size. A nested struct is placed as one field
// (its own size and alignment) and its members are copied in, offsets shifted and
// names prefixed ("data." + "nr"), holes included.
#include "model/layout.h"

#include <fmt/format.h>

#include <algorithm>
#include <utility>

#include "base/check.h"
#include "model/uapi.h"

namespace sclab::model {
namespace {

constexpr uint64_t kWordSize = 8;

bool IsPowerOfTwo(uint64_t v) { return v != 0 && (v & (v - 1)) == 0; }

uint64_t RoundUp(uint64_t v, uint64_t align) { return (v + align - 1) / align * align; }

FieldLayout Hole(uint64_t offset, uint64_t size) {
  FieldLayout h;
  h.offset = offset;
  h.size = size;
  h.hole = true;
  return h;
}

}  // namespace

const FieldLayout* StructLayout::FindField(std::string_view field_name) const {
  for (const FieldLayout& f : fields) {
    if (!f.hole && f.name == field_name) return &f;
  }
  return nullptr;
}

std::vector<FieldLayout> StructLayout::Holes() const {
  std::vector<FieldLayout> holes;
  for (const FieldLayout& f : fields) {
    if (f.hole) holes.push_back(f);
  }
  return holes;
}

FieldSpec Scalar(std::string name, std::string type, uint64_t size) {
  return FieldSpec{std::move(name), std::move(type), size, size, 1, {}};
}
FieldSpec U8(std::string name) { return Scalar(std::move(name), "__u8", 1); }
FieldSpec U16(std::string name) { return Scalar(std::move(name), "__u16", 2); }
FieldSpec U32(std::string name) { return Scalar(std::move(name), "__u32", 4); }
FieldSpec S32(std::string name) { return Scalar(std::move(name), "__s32", 4); }
FieldSpec U64(std::string name) { return Scalar(std::move(name), "__u64", 8); }
FieldSpec S64(std::string name) { return Scalar(std::move(name), "__s64", 8); }
FieldSpec AlignedU64(std::string name) { return Scalar(std::move(name), "__aligned_u64", 8); }

FieldSpec UserPointer(std::string name, std::string type) {
  return FieldSpec{std::move(name), std::move(type), 8, 8, 1, {}};
}

FieldSpec ArrayOf(const FieldSpec& elem, uint64_t count) {
  SCLAB_CHECK(elem.count == 1 && elem.members.empty(), "ArrayOf takes a scalar element");
  FieldSpec a = elem;
  a.size = elem.size * count;
  a.count = count;
  return a;
}

FieldSpec Nested(std::string name, const StructLayout& layout) {
  return FieldSpec{std::move(name), "struct " + layout.name, layout.size, layout.align, 1,
                   layout.fields};
}

std::string CheckStructSpec(const StructSpec& spec) {
  if (spec.name.empty()) return "struct has no name";
  if (spec.fields.empty()) return fmt::format("struct {} has no fields", spec.name);
  for (size_t i = 0; i < spec.fields.size(); ++i) {
    const FieldSpec& f = spec.fields[i];
    if (f.name.empty()) return fmt::format("struct {}: field {} has no name", spec.name, i);
    for (size_t j = 0; j < i; ++j) {
      if (spec.fields[j].name == f.name) {
        return fmt::format("struct {}: duplicate field '{}'", spec.name, f.name);
      }
    }
    if (!IsPowerOfTwo(f.align)) {
      return fmt::format("struct {}: field '{}' has alignment {}, not a power of two", spec.name,
                         f.name, f.align);
    }
    if (f.count == 0) {
      if (f.size != 0) {
        return fmt::format("struct {}: flexible array '{}' must have size 0", spec.name, f.name);
      }
      if (i + 1 != spec.fields.size()) {
        return fmt::format("struct {}: field '{}' follows flexible array member '{}'", spec.name,
                           spec.fields[i + 1].name, f.name);
      }
      if (i == 0) {
        return fmt::format("struct {}: flexible array '{}' is the only member", spec.name, f.name);
      }
    } else if (f.size == 0 || f.size % f.count != 0 || (f.size / f.count) % f.align != 0) {
      return fmt::format("struct {}: field '{}' has size {}, not a multiple of its alignment {}",
                         spec.name, f.name, f.size, f.align);
    }
  }
  // Versions are checked against the layout the fields give.
  uint64_t offset = 0;
  uint64_t align = 1;
  std::vector<uint64_t> ends;
  for (const FieldSpec& f : spec.fields) {
    offset = RoundUp(offset, f.align) + f.size;
    align = std::max(align, f.align);
    ends.push_back(offset);
  }
  const uint64_t size = RoundUp(offset, align);
  uint64_t previous = 0;
  for (const StructVersion& v : spec.versions) {
    if (v.size <= previous) {
      return fmt::format("struct {}: version {} ({}) is not larger than the one before", spec.name,
                         v.name, v.size);
    }
    previous = v.size;
    if (v.size != size && std::find(ends.begin(), ends.end(), v.size) == ends.end()) {
      return fmt::format("struct {}: version {} ({}) does not end at a field boundary", spec.name,
                         v.name, v.size);
    }
  }
  return "";
}

StructLayout LayOutStruct(const StructSpec& spec) {
  const std::string problem = CheckStructSpec(spec);
  SCLAB_CHECK(problem.empty(), "LayOutStruct: the spec is not valid C (see CheckStructSpec)");
  StructLayout out;
  out.name = spec.name;
  out.versions = spec.versions;
  uint64_t offset = 0;
  for (const FieldSpec& f : spec.fields) {
    const uint64_t placed = RoundUp(offset, f.align);
    if (placed > offset) out.fields.push_back(Hole(offset, placed - offset));
    out.align = std::max(out.align, f.align);
    if (f.members.empty()) {
      out.fields.push_back(FieldLayout{f.name, f.type, placed, f.size, f.count, false});
    } else {
      for (FieldLayout m : f.members) {
        m.offset += placed;
        if (!m.hole) m.name = f.name + "." + m.name;
        out.fields.push_back(std::move(m));
      }
    }
    offset = placed + f.size;
  }
  out.size = RoundUp(offset, out.align);
  if (out.size > offset) out.fields.push_back(Hole(offset, out.size - offset));
  return out;
}

namespace {

// Row is one line of the byte map: a field, an array element or a hole.
struct Row {
  uint64_t offset;
  uint64_t size;
  std::string name;
  std::string type;
  bool hole;
};

std::string Lane(uint64_t offset, uint64_t size, bool hole) {
  const char mark = hole ? '~' : '#';
  const uint64_t start = offset % kWordSize;
  std::string lane(kWordSize, '.');
  if (size == 0) return lane;
  const uint64_t in_first = std::min(size, kWordSize - start);
  for (uint64_t i = 0; i < in_first; ++i) lane[start + i] = mark;
  if (in_first == size) return lane;
  if (start == 0 && size % kWordSize == 0) return lane + fmt::format(" x{}", size / kWordSize);
  return lane + fmt::format(" +{}", size - in_first);
}

std::vector<Row> Rows(const StructLayout& layout) {
  std::vector<Row> rows;
  for (const FieldLayout& f : layout.fields) {
    if (f.hole) {
      rows.push_back(Row{f.offset, f.size, "(hole)", "", true});
    } else if (f.count == 0) {
      rows.push_back(Row{f.offset, 0, f.name + "[]", f.type, false});
    } else if (f.count > 1 && f.elem_size() >= 4 && f.count <= 16) {
      for (uint64_t i = 0; i < f.count; ++i) {
        rows.push_back(Row{f.offset + i * f.elem_size(), f.elem_size(),
                           fmt::format("{}[{}]", f.name, i), f.type, false});
      }
    } else if (f.count > 1) {
      rows.push_back(Row{f.offset, f.size, fmt::format("{}[{}]", f.name, f.count), f.type, false});
    } else {
      rows.push_back(Row{f.offset, f.size, f.name, f.type, false});
    }
  }
  return rows;
}

}  // namespace

std::string RenderByteMap(const StructLayout& layout) {
  const std::vector<Row> rows = Rows(layout);
  size_t name_width = 5;  // "field"
  size_t lane_width = kWordSize;
  for (const Row& r : rows) {
    name_width = std::max(name_width, r.name.size());
    lane_width = std::max(lane_width, Lane(r.offset, r.size, r.hole).size());
  }
  std::string out =
      fmt::format("struct {}: {} bytes, align {}\n", layout.name, layout.size, layout.align);
  out += fmt::format("offset  size  {:<{}}  {:<{}}  type\n", "01234567", lane_width, "field",
                     name_width);
  auto boundary = [&](uint64_t at) {
    std::string line = fmt::format("------ {}", at);
    for (const StructVersion& v : layout.versions) {
      if (v.size == at) line += " = " + v.name;
    }
    if (at == layout.size) line += " = sizeof";
    return line + "\n";
  };
  auto is_version = [&](uint64_t at) {
    return std::any_of(layout.versions.begin(), layout.versions.end(),
                       [at](const StructVersion& v) { return v.size == at; });
  };
  for (size_t i = 0; i < rows.size(); ++i) {
    const Row& r = rows[i];
    std::string line = fmt::format("{:>6}  {:>4}  {:<{}}  ", r.offset, r.size,
                                   Lane(r.offset, r.size, r.hole), lane_width);
    if (r.type.empty()) {
      line += r.name;
    } else {
      line += fmt::format("{:<{}}  {}", r.name, name_width, r.type);
    }
    out += line + "\n";
    const uint64_t end = r.offset + r.size;
    const bool last = i + 1 == rows.size();
    if (!last && end != layout.size && is_version(end) && rows[i + 1].offset >= end) {
      out += boundary(end);
    }
  }
  out += boundary(layout.size);
  return out;
}

bool LayoutRegistry::Add(StructLayout layout) {
  const std::string key = layout.name;
  return layouts_.emplace(key, std::move(layout)).second;
}

const StructLayout* LayoutRegistry::Find(std::string_view name) const {
  auto it = layouts_.find(name);
  return it == layouts_.end() ? nullptr : &it->second;
}

std::vector<std::string> LayoutRegistry::Names() const {
  std::vector<std::string> names;
  names.reserve(layouts_.size());
  for (const auto& [name, layout] : layouts_) names.push_back(name);
  return names;
}

namespace {

LayoutRegistry BuildUapiLayouts() {
  LayoutRegistry r;
  auto add = [&r](const StructSpec& spec) {
    const bool added = r.Add(LayOutStruct(spec));
    SCLAB_CHECK(added, "duplicate built-in layout");
  };
  const StructSpec seccomp_data_spec = {
      "seccomp_data",
      {Scalar("nr", "int", 4), U32("arch"), U64("instruction_pointer"), ArrayOf(U64("args"), 6)},
      {}};
  const StructLayout seccomp_data_layout = LayOutStruct(seccomp_data_spec);
  add(seccomp_data_spec);
  add({"seccomp_notif",
       {U64("id"), U32("pid"), U32("flags"), Nested("data", seccomp_data_layout)},
       {}});
  add({"seccomp_notif_resp", {U64("id"), S64("val"), S32("error"), U32("flags")}, {}});
  add({"seccomp_notif_sizes",
       {U16("seccomp_notif"), U16("seccomp_notif_resp"), U16("seccomp_data")},
       {}});
  add({"seccomp_notif_addfd",
       {U64("id"), U32("flags"), U32("srcfd"), U32("newfd"), U32("newfd_flags")},
       {{"SECCOMP_NOTIFY_ADDFD_SIZE_VER0", kSeccompNotifyAddfdSizeVer0}}});
  add({"open_how",
       {U64("flags"), U64("mode"), U64("resolve")},
       {{"OPEN_HOW_SIZE_VER0", kOpenHowSizeVer0}}});
  add({"clone_args",
       {AlignedU64("flags"), AlignedU64("pidfd"), AlignedU64("child_tid"), AlignedU64("parent_tid"),
        AlignedU64("exit_signal"), AlignedU64("stack"), AlignedU64("stack_size"), AlignedU64("tls"),
        AlignedU64("set_tid"), AlignedU64("set_tid_size"), AlignedU64("cgroup")},
       {{"CLONE_ARGS_SIZE_VER0", kCloneArgsSizeVer0},
        {"CLONE_ARGS_SIZE_VER1", kCloneArgsSizeVer1},
        {"CLONE_ARGS_SIZE_VER2", kCloneArgsSizeVer2}}});
  add({"sock_filter", {U16("code"), U8("jt"), U8("jf"), U32("k")}, {}});
  add({"sock_fprog",
       {Scalar("len", "unsigned short", 2), UserPointer("filter", "struct sock_filter *")},
       {}});
  add({"siginfo_sigsys",
       {Scalar("si_signo", "int", 4), Scalar("si_errno", "int", 4), Scalar("si_code", "int", 4),
        UserPointer("si_call_addr", "void *"), Scalar("si_syscall", "int", 4),
        Scalar("si_arch", "unsigned int", 4),
        ArrayOf(Scalar("sifields_rest", "(rest of union __sifields)", 1), 96)},
       {}});
  return r;
}

}  // namespace

const LayoutRegistry& UapiLayouts() {
  static const LayoutRegistry registry = BuildUapiLayouts();
  return registry;
}

const StructLayout& UapiLayout(std::string_view name) {
  const StructLayout* layout = UapiLayouts().Find(name);
  SCLAB_CHECK(layout != nullptr, "UapiLayout: no such built-in layout");
  return *layout;
}

}  // namespace sclab::model
