#include "kernel_sim/id_index.h"

#include "base/check.h"

namespace sclab::ksim {

void IdIndex::Grow() {
  std::vector<Entry> old;
  old.swap(table_);
  size_t cap = old.empty() ? 16 : old.size();
  if (live_ * 2 >= cap) cap *= 2;  // otherwise only tombstones are cleaned up
  table_.assign(cap, Entry{});
  used_ = 0;
  live_ = 0;
  for (const Entry& e : old) {
    if (e.slot == Slot::kFull) Insert(e.id, e.task);
  }
}

void IdIndex::Insert(uint64_t id, Task* task) {
  if ((used_ + 1) * 4 > table_.size() * 3) Grow();
  const size_t mask = table_.size() - 1;
  size_t i = Hash(id) & mask;
  size_t tombstone = table_.size();
  while (table_[i].slot != Slot::kEmpty) {
    SCLAB_CHECK(!(table_[i].slot == Slot::kFull && table_[i].id == id),
                "IdIndex::Insert of a duplicate notification id");
    if (table_[i].slot == Slot::kTombstone && tombstone == table_.size()) tombstone = i;
    i = (i + 1) & mask;
  }
  if (tombstone != table_.size()) {
    i = tombstone;
  } else {
    ++used_;
  }
  table_[i] = Entry{id, task, Slot::kFull};
  ++live_;
}

Task* IdIndex::Find(uint64_t id) const {
  if (table_.empty()) return nullptr;
  const size_t mask = table_.size() - 1;
  size_t i = Hash(id) & mask;
  while (table_[i].slot != Slot::kEmpty) {
    if (table_[i].slot == Slot::kFull && table_[i].id == id) return table_[i].task;
    i = (i + 1) & mask;
  }
  return nullptr;
}

void IdIndex::Erase(uint64_t id) {
  if (table_.empty()) return;
  const size_t mask = table_.size() - 1;
  size_t i = Hash(id) & mask;
  while (table_[i].slot != Slot::kEmpty) {
    if (table_[i].slot == Slot::kFull && table_[i].id == id) {
      table_[i].slot = Slot::kTombstone;
      table_[i].task = nullptr;
      --live_;
      return;
    }
    i = (i + 1) & mask;
  }
}

void IdIndex::Clear() {
  table_.clear();
  live_ = 0;
  used_ = 0;
}

}  // namespace sclab::ksim
