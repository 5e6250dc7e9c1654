// IdIndex is Robin Hood linear probing keyed by the id's low bits. A listener's ids
// are consecutive (kernel/seccomp.c seccomp_do_user_notification(): n.id =
// notif->next_id++), so the pending ones form a sliding window and each sits in its
// home slot: Insert, Find and Erase touch one or two slots whatever the number of
// pending notifications. Robin Hood order (an entry never sits further from home than
// the one it displaced) keeps that true when an old notification stays pending while
// newer ones wrap around the table: Find stops at the first entry nearer its home than
// the probe, and Erase shifts back only the entries displaced from their homes.
#include "kernel_sim/id_index.h"

#include <utility>

#include "base/check.h"

namespace sclab::ksim {

void IdIndex::Grow() {
  std::vector<Entry> old;
  old.swap(table_);
  table_.assign(old.empty() ? 16 : old.size() * 2, Entry{});
  live_ = 0;
  for (const Entry& e : old) {
    if (e.task != nullptr) {
      InsertProbing(e.id, e.task);
    }
  }
}

size_t IdIndex::Distance(size_t slot) const {
  const size_t mask = table_.size() - 1;
  return (slot - Home(table_[slot].id)) & mask;
}

void IdIndex::InsertProbing(uint64_t id, Task* task) {
  SCLAB_CHECK(task != nullptr, "IdIndex::Insert of a null task");
  if ((live_ + 1) * 4 > table_.size() * 3) {
    Grow();
  }
  const size_t mask = table_.size() - 1;
  Entry cur{id, task};
  size_t dist = 0;
  for (size_t i = Home(id);; i = (i + 1) & mask, ++dist) {
    if (table_[i].task == nullptr) {
      table_[i] = cur;
      ++live_;
      return;
    }
    SCLAB_CHECK(table_[i].id != cur.id, "IdIndex::Insert of a duplicate notification id");
    const size_t here = Distance(i);
    if (here < dist) {  // the resident is nearer its home: it moves on instead
      std::swap(cur, table_[i]);
      dist = here;
    }
  }
}

size_t IdIndex::Slot(uint64_t id) const {
  if (table_.empty()) {
    return kNoSlot;
  }
  const size_t mask = table_.size() - 1;
  size_t dist = 0;
  for (size_t i = Home(id); table_[i].task != nullptr; i = (i + 1) & mask, ++dist) {
    if (table_[i].id == id) {
      return i;
    }
    if (Distance(i) < dist) {
      break;  // Robin Hood order: `id` would have displaced this entry
    }
  }
  return kNoSlot;
}

Task* IdIndex::FindProbing(uint64_t id) const {
  const size_t i = Slot(id);
  return i == kNoSlot ? nullptr : table_[i].task;
}

void IdIndex::EraseProbing(uint64_t id) {
  size_t hole = Slot(id);
  if (hole == kNoSlot) {
    return;
  }
  // Backward shift: pull each following displaced entry one slot nearer its home.
  const size_t mask = table_.size() - 1;
  for (size_t j = (hole + 1) & mask; table_[j].task != nullptr && Distance(j) > 0;
       j = (j + 1) & mask) {
    table_[hole] = table_[j];
    hole = j;
  }
  table_[hole] = Entry{};
  --live_;
}

}  // namespace sclab::ksim
