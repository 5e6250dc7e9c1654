#include "bpf/validation_cache.h"

#include <cstring>

namespace sclab::bpf {
namespace {

// Insn is 8 bytes with no padding (insn.h), so equal bytes are equal programs.
bool SameProgram(std::span<const Insn> a, std::span<const Insn> b) {
  return a.size() == b.size() &&
         (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(Insn)) == 0);
}

}  // namespace

Outcome<ValidationCache::SharedProgram, ValidationError> ValidationCache::Validate(
    std::span<const Insn> program, const ValidateOptions& options) {
  for (const Entry& e : entries_) {
    if (e.options.data_size == options.data_size && SameProgram(e.validated->Original(), program)) {
      ++hits_;
      return e.validated;
    }
  }
  ++misses_;
  auto validated = bpf::Validate(program, options);
  if (!validated.ok()) {
    return Err<ValidationError>{validated.error()};
  }
  auto shared = std::make_shared<const ValidatedProgram>(std::move(validated).value());
  if (capacity_ > 0) {
    if (entries_.size() == capacity_) {
      entries_.pop_front();
    }
    entries_.push_back(Entry{options, shared});
  }
  return shared;
}

}  // namespace sclab::bpf
