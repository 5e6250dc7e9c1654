// IdIndex maps notification ids to the notifying task in O(1): the kernel's
// find_notification() walks the listener's list, which would make every SEND,
// ID_VALID and ADDFD O(pending notifications). Ids of one listener are consecutive
// from a random start, so a multiplicative hash spreads them; the table is linear
// probing with backward-shift deletion (no tombstones, so a steady stream of inserts
// and erases never rehashes) and grows geometrically: no allocation per operation.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace sclab::ksim {

struct Task;

class IdIndex {
 public:
  void Insert(uint64_t id, Task* task);
  Task* Find(uint64_t id) const;
  void Erase(uint64_t id);
  size_t size() const { return live_; }
  size_t capacity() const { return table_.size(); }

 private:
  struct Entry {
    uint64_t id = 0;
    Task* task = nullptr;  // null: an empty slot
  };
  static size_t Hash(uint64_t id) {
    id ^= id >> 33;
    id *= 0xff51afd7ed558ccdULL;
    id ^= id >> 33;
    return static_cast<size_t>(id);
  }
  void Grow();

  std::vector<Entry> table_;
  size_t live_ = 0;
};

}  // namespace sclab::ksim
