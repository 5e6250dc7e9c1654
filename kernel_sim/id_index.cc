#include "kernel_sim/id_index.h"

#include "base/check.h"

namespace sclab::ksim {

void IdIndex::Grow() {
  std::vector<Entry> old;
  old.swap(table_);
  table_.assign(old.empty() ? 16 : old.size() * 2, Entry{});
  live_ = 0;
  for (const Entry& e : old) {
    if (e.task != nullptr) {
      Insert(e.id, e.task);
    }
  }
}

void IdIndex::Insert(uint64_t id, Task* task) {
  SCLAB_CHECK(task != nullptr, "IdIndex::Insert of a null task");
  if ((live_ + 1) * 4 > table_.size() * 3) {
    Grow();
  }
  const size_t mask = table_.size() - 1;
  size_t i = Hash(id) & mask;
  while (table_[i].task != nullptr) {
    SCLAB_CHECK(table_[i].id != id, "IdIndex::Insert of a duplicate notification id");
    i = (i + 1) & mask;
  }
  table_[i] = Entry{id, task};
  ++live_;
}

Task* IdIndex::Find(uint64_t id) const {
  if (table_.empty()) {
    return nullptr;
  }
  const size_t mask = table_.size() - 1;
  for (size_t i = Hash(id) & mask; table_[i].task != nullptr; i = (i + 1) & mask) {
    if (table_[i].id == id) {
      return table_[i].task;
    }
  }
  return nullptr;
}

void IdIndex::Erase(uint64_t id) {
  if (table_.empty()) {
    return;
  }
  const size_t mask = table_.size() - 1;
  size_t i = Hash(id) & mask;
  while (table_[i].task != nullptr && table_[i].id != id) {
    i = (i + 1) & mask;
  }
  if (table_[i].task == nullptr) {
    return;
  }
  // Backward-shift deletion: pull later entries of the probe run into the hole when
  // their home slot is not inside (hole, their slot].
  size_t hole = i;
  for (size_t j = (hole + 1) & mask; table_[j].task != nullptr; j = (j + 1) & mask) {
    const size_t home = Hash(table_[j].id) & mask;
    const bool stays = hole <= j ? (hole < home && home <= j) : (hole < home || home <= j);
    if (stays) {
      continue;
    }
    table_[hole] = table_[j];
    hole = j;
  }
  table_[hole] = Entry{};
  --live_;
}

}  // namespace sclab::ksim
