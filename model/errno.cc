#include "model/errno.h"

#include <array>
#include <utility>

namespace sclab::model {
namespace {

struct Entry {
  std::string_view name;
  int value;
};

#define SCLAB_ERRNO_ENTRY(name, number) Entry{#name, number},
constexpr Entry kTable[] = {SCLAB_ERRNO_LIST(SCLAB_ERRNO_ENTRY)};
#undef SCLAB_ERRNO_ENTRY

constexpr std::pair<std::string_view, int> kAliases[] = {
    {"EWOULDBLOCK", 11}, {"EDEADLOCK", 35}, {"ENOTSUP", 95}};

}  // namespace

std::string_view ErrnoName(Errno e) {
  for (const Entry& entry : kTable) {
    if (entry.value == e.value) return entry.name;
  }
  return {};
}

std::optional<Errno> ErrnoFromName(std::string_view name) {
  for (const Entry& entry : kTable) {
    if (entry.name == name) return Errno{entry.value};
  }
  for (const auto& [alias, value] : kAliases) {
    if (alias == name) return Errno{value};
  }
  return std::nullopt;
}

}  // namespace sclab::model
