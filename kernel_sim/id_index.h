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
  void Insert(uint64_t id, Task* task) {
    // The common case inline: no growth due and the home slot free.
    if (task != nullptr && (live_ + 1) * 4 <= table_.size() * 3) {
      Entry& home = table_[Home(id)];
      if (home.task == nullptr) {
        home = Entry{id, task};
        ++live_;
        return;
      }
    }
    InsertProbing(id, task);
  }
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
  void Erase(uint64_t id) {
    // The common case inline: `id` in its home slot and the next slot empty or holding
    // an entry at its own home, so nothing shifts back.
    if (!table_.empty()) {
      const size_t home = Home(id);
      Entry& e = table_[home];
      if (e.task != nullptr && e.id == id) {
        const size_t next = (home + 1) & (table_.size() - 1);
        if (table_[next].task == nullptr || Home(table_[next].id) == next) {
          e = Entry{};
          --live_;
          return;
        }
      }
    }
    EraseProbing(id);
  }
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
  void InsertProbing(uint64_t id, Task* task);
  void EraseProbing(uint64_t id);
  void Grow();

  std::vector<Entry> table_;
  size_t live_ = 0;
};

}  // namespace sclab::ksim
