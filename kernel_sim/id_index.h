// IdIndex maps notification ids to the notifying task in O(1): the kernel's
// find_notification() walks the listener's list, which would make every SEND,
// ID_VALID and ADDFD O(pending notifications). Ids of one listener are consecutive
// from a random start, so the id's low bits spread them perfectly; the table is
// Robin Hood linear probing with backward-shift deletion (no tombstones, so a steady
// stream of inserts and erases never rehashes) and grows geometrically: no
// allocation per operation (id_index.cc explains the order).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace sclab::ksim {

struct Task;

class IdIndex {
 public:
  void Insert(uint64_t id, Task* task);
  Task* Find(uint64_t id) const {
    // Nearly every id sits in its home slot (see id_index.cc): check that one inline.
    if (!table_.empty()) {
      const Entry& home = table_[Home(id)];
      if (home.task != nullptr && home.id == id) {
        return home.task;
      }
    }
    return FindProbing(id);
  }
  void Erase(uint64_t id);
  size_t size() const { return live_; }
  size_t capacity() const { return table_.size(); }

 private:
  struct Entry {
    uint64_t id = 0;
    Task* task = nullptr;  // null: an empty slot
  };
  static constexpr size_t kNoSlot = ~size_t{0};
  // Home is the slot an id belongs in (the table is never empty when it is asked).
  size_t Home(uint64_t id) const { return static_cast<size_t>(id) & (table_.size() - 1); }
  // Distance is how far the entry in `slot` sits from its home.
  size_t Distance(size_t slot) const;
  // Slot is where `id` is, or kNoSlot.
  size_t Slot(uint64_t id) const;
  Task* FindProbing(uint64_t id) const;
  void Grow();

  std::vector<Entry> table_;
  size_t live_ = 0;
};

}  // namespace sclab::ksim
