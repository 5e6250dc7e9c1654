// ValidationCache remembers the last few programs Validate() accepted, by their
// instructions and options. Validate() is a pure function of the two, so a program
// seen again (the same filter installed on several processes, or a chain of copies
// filling the path budget) costs a comparison instead of every check again, and the
// result is the earlier ValidatedProgram itself, shared (it is immutable).
//
// Only accepted programs are kept: a rejection is reported as Validate() reports it,
// each time. Entries are evicted oldest first, so the cache's contents depend only
// on the sequence of calls (no clock, no hashing order).
#pragma once

#include <cstddef>
#include <deque>
#include <memory>
#include <span>

#include "bpf/insn.h"
#include "bpf/outcome.h"
#include "bpf/validator.h"

namespace sclab::bpf {

class ValidationCache {
 public:
  static constexpr size_t kDefaultCapacity = 8;

  explicit ValidationCache(size_t capacity = kDefaultCapacity) : capacity_(capacity) {}

  // SharedProgram is an accepted program, shared by every filter made from it.
  using SharedProgram = std::shared_ptr<const ValidatedProgram>;

  // Validate returns what bpf::Validate(program, options) returns.
  Outcome<SharedProgram, ValidationError> Validate(std::span<const Insn> program,
                                                   const ValidateOptions& options = {});

  size_t hits() const { return hits_; }
  size_t misses() const { return misses_; }
  size_t size() const { return entries_.size(); }

 private:
  // An entry's program is its ValidatedProgram's Original(): the key is not kept twice.
  struct Entry {
    ValidateOptions options;
    SharedProgram validated;
  };

  size_t capacity_;
  std::deque<Entry> entries_;  // oldest first
  size_t hits_ = 0;
  size_t misses_ = 0;
};

}  // namespace sclab::bpf
