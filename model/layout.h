// StructLayout describes a C struct as data: each field's name, C type, offset and
// size, the padding holes the C compiler inserts, and the sizes at which the struct
// was published (CLONE_ARGS_SIZE_VER0 = 64 ...). Layouts are computed from a list of
// (name, size, alignment) field specs with the x86_64 System V rules the C compiler
// follows, so a proposal can describe a struct no header has yet and see its holes.
//
// Contract:
// - LayOutStruct() places each field at the next offset aligned to its alignment,
//   records the gap before it as a hole, and rounds the struct size up to its largest
//   alignment (the tail hole). A nested struct's fields are flattened into dotted
//   names ("data.nr"); an array stays one field with its element count.
// - CheckStructSpec() says what C would refuse (a field after a flexible array
//   member, an alignment that is not a power of two ...) and which version sizes do
//   not fall on a field boundary; LayOutStruct() requires it to return "".
// - RenderByteMap() draws the layout as text, one row per field (arrays of words
//   one row per element), with a line at each version boundary. `trace`, the docs
//   and the proposals report print it; docs/model.md holds the built-in ones.
// - LayoutRegistry finds layouts by struct name. UapiLayouts() holds the kernel's
//   (model/uapi.h); proposals copy it and Add() their own.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace sclab::model {

// FieldLayout is one field (or one padding hole) of a laid-out struct.
struct FieldLayout {
  std::string name;     // "args", "data.nr"; empty for a hole
  std::string type;     // the C type as the uapi header spells it ("__u64"); empty for a hole
  uint64_t offset = 0;  // from the start of the struct
  uint64_t size = 0;    // bytes (all elements of an array; 0 for a flexible array member)
  uint64_t count = 1;   // array elements; 1 for a scalar, 0 for a flexible array member
  bool hole = false;    // padding the C compiler inserted (never named by the source)

  uint64_t end() const { return offset + size; }
  uint64_t elem_size() const { return count > 1 ? size / count : size; }
  friend bool operator==(const FieldLayout&, const FieldLayout&) = default;
};

// StructVersion is a published size of an extensible struct ("CLONE_ARGS_SIZE_VER1", 80).
struct StructVersion {
  std::string name;
  uint64_t size = 0;
  friend bool operator==(const StructVersion&, const StructVersion&) = default;
};

// StructLayout is a whole struct: its fields and holes in offset order, sizeof,
// alignof and its published version sizes (empty for a fixed-size struct).
struct StructLayout {
  std::string name;  // "clone_args" (without the word struct)
  uint64_t size = 0;
  uint64_t align = 1;
  std::vector<FieldLayout> fields;
  std::vector<StructVersion> versions;

  // FindField returns the field called `name` ("data.args"), or nullptr.
  const FieldLayout* FindField(std::string_view field_name) const;
  // Holes returns the padding holes, in offset order.
  std::vector<FieldLayout> Holes() const;
  friend bool operator==(const StructLayout&, const StructLayout&) = default;
};

// FieldSpec is one field as a C declaration gives it: name, type, size, alignment,
// and for a nested struct its laid-out members.
struct FieldSpec {
  std::string name;
  std::string type;
  uint64_t size = 0;                 // whole field; 0 with count 0 for a flexible array member
  uint64_t align = 1;                // a power of two
  uint64_t count = 1;                // array elements; 0 = flexible array member (must be last)
  std::vector<FieldLayout> members;  // a nested struct's fields, offsets relative to it
};

// StructSpec is a struct declaration: its fields in declaration order and the sizes
// at which it was published.
struct StructSpec {
  std::string name;
  std::vector<FieldSpec> fields;
  std::vector<StructVersion> versions;
};

// Field specs for the x86_64 uapi types (__u64 is 8-aligned on x86_64, so
// __aligned_u64 lays out the same; the type string keeps the header's spelling).
FieldSpec Scalar(std::string name, std::string type, uint64_t size);
FieldSpec U8(std::string name);
FieldSpec U16(std::string name);
FieldSpec U32(std::string name);
FieldSpec S32(std::string name);
FieldSpec U64(std::string name);
FieldSpec S64(std::string name);
FieldSpec AlignedU64(std::string name);
// UserPointer is a `T __user *` field: 8 bytes, 8-aligned; `type` is the pointer type.
FieldSpec UserPointer(std::string name, std::string type);
// ArrayOf makes `elem name[count]`; count 0 is a flexible array member `name[]`.
FieldSpec ArrayOf(const FieldSpec& elem, uint64_t count);
// Nested embeds a laid-out struct as a member (`struct seccomp_data data`).
FieldSpec Nested(std::string name, const StructLayout& layout);

// CheckStructSpec returns "" when C accepts the declaration and every version size is
// a field boundary within the struct, else what is wrong
// ("field 'x' follows flexible array member 'y'").
std::string CheckStructSpec(const StructSpec& spec);

// LayOutStruct lays the struct out as the x86_64 C compiler does. The spec must pass
// CheckStructSpec() (a programming error otherwise).
StructLayout LayOutStruct(const StructSpec& spec);

// RenderByteMap draws `layout` as text (ends in a newline, no trailing spaces):
//
//   struct sock_fprog: 16 bytes, align 8
//   offset  size  01234567  field   type
//        0     2  ##......  len     unsigned short
//        2     6  ..~~~~~~  (hole)
//        8     8  ########  filter  struct sock_filter *
//   ------ 16 = sizeof
//
// The 01234567 lane shows which bytes of its 8-byte word a field covers (# field,
// ~ hole); a field of several whole words shows "######## x4". A version boundary
// is a line "------ 64 = CLONE_ARGS_SIZE_VER0".
std::string RenderByteMap(const StructLayout& layout);

// LayoutRegistry maps struct names to layouts, in name order.
class LayoutRegistry {
 public:
  // Add registers `layout`; false (and no change) when the name is taken.
  [[nodiscard]] bool Add(StructLayout layout);
  // Find returns the layout called `name`, or nullptr.
  const StructLayout* Find(std::string_view name) const;
  // Names lists the registered names in order.
  std::vector<std::string> Names() const;
  size_t size() const { return layouts_.size(); }

 private:
  std::map<std::string, StructLayout, std::less<>> layouts_;
};

// UapiLayouts holds the layouts of the uapi structs mirrored in model/uapi.h.
const LayoutRegistry& UapiLayouts();

// UapiLayout returns the built-in layout called `name`; it must exist.
const StructLayout& UapiLayout(std::string_view name);

}  // namespace sclab::model
